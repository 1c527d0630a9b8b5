"""The set-based audit run finds what the per-contract audit finds: the same keys, kinds, legal
force, texts, amounts, evidence and pack version, and the same coverage table, on a varied set of
contracts (the boundaries of the caps, sources that record no returns, other currencies, drafts and
terminated contracts, events after the day of the audit, contracts the rules refuse)."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from procurement.contracts.models import BondRow, Contract, PaymentTermRow
from procurement.finance import audit_runs
from procurement.finance.audit_runs import create_audit_run
from procurement.finance.models import StoredAudit
from procurement.finance.obligations import default_policy_at, refresh_obligations
from procurement.finance.set_audit import Tally, audit_chunk, audit_one_by_one
from procurement.findings.models import FindingStatus, StoredFinding
from procurement.findings.services import change_status, get_finding, list_findings
from procurement.findings.upsert import Sighting, jsonable
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    EventKind,
    OrganizationKind,
    PaymentKind,
    PurchaserType,
    Trigger,
)
from tests import factories

AS_OF = date(2026, 11, 26)
SIGNED = date(2025, 8, 1)


def _term(
    position: int, kind: PaymentKind, percent: str, trigger: Trigger, days: int, **kw: Any
) -> PaymentTermRow:
    return PaymentTermRow(
        position=position, kind=kind, percent=Decimal(percent), trigger=trigger, days=days, **kw
    )


def _bond(position: int, kind: BondKind, percent: str, *forms: BondForm) -> BondRow:
    return BondRow(position=position, kind=kind, percent=Decimal(percent), forms=list(forms))


def _events(contract: Contract, *events: tuple[EventKind, date, str | None] | tuple[EventKind, date]) -> None:
    for event in events:
        kind, on = event[0], event[1]
        amount = Decimal(event[2]) if len(event) > 2 and event[2] is not None else None  # type: ignore[misc]
        factories.EventFactory(contract=contract, kind=kind, occurred_on=on, amount=amount)


def _done(contract: Contract, accepted: date = date(2025, 8, 25)) -> None:
    _events(contract, (EventKind.DELIVERED, date(2025, 8, 20)), (EventKind.ACCEPTED, accepted))


def varied_contracts(school: Organization) -> dict[str, Contract]:
    """One contract per case the audit distinguishes (name -> contract)."""
    supplier = factories.SupplierFactory(owner=school)
    large = factories.SupplierFactory(
        owner=school,
        employees=900,
        revenue_wan=Decimal("900000"),
        assets_wan=Decimal("900000"),
        declared_size=None,
    )
    c: dict[str, Contract] = {}

    def make(name: str, **kw: Any) -> Contract:
        kw.setdefault("supplier_id", supplier.id)
        c[name] = factories.ContractFactory(purchaser=school, **kw)
        return c[name]

    _done(make("unpaid"))
    contract = make("paid_late")
    _done(contract)
    _events(contract, (EventKind.PAID, date(2025, 11, 1), "1000000.00"))
    contract = make("paid_on_time")
    _done(contract)
    _events(contract, (EventKind.PAID, date(2025, 9, 1), "1000000.00"))
    contract = make("partly_paid")
    _done(contract)
    _events(contract, (EventKind.PAID, date(2025, 10, 1), "400000.00"))
    contract = make(
        "prepay_and_final",
        payment_terms=[
            _term(0, PaymentKind.PREPAYMENT, "30", Trigger.SIGNING, 10),
            _term(1, PaymentKind.FINAL, "70", Trigger.ACCEPTANCE, 30),
        ],
    )
    _done(contract)
    _events(contract, (EventKind.PAID, date(2025, 8, 5), "300000.00"))
    # bonds at the cap's boundary (10% of the contract amount): exactly, and one fen over
    _done(
        make(
            "bond_exactly_10",
            amount=Decimal("100.00"),
            bonds=[_bond(0, BondKind.PERFORMANCE, "10", BondForm.CASH, BondForm.BANK_GUARANTEE)],
        )
    )
    _done(
        make(
            "bond_one_fen_over",
            amount=Decimal("100.00"),
            bonds=[_bond(0, BondKind.PERFORMANCE, "10.01", BondForm.CASH, BondForm.BANK_GUARANTEE)],
        )
    )
    _done(make("cash_only_bond", bonds=[_bond(0, BondKind.PERFORMANCE, "5", BondForm.CASH)]))
    contract = make(
        "cash_bond_returned_late",
        bonds=[_bond(0, BondKind.PERFORMANCE, "5", BondForm.CASH, BondForm.BANK_GUARANTEE)],
    )
    _done(contract)
    _events(
        contract,
        (EventKind.BOND_RETURNED, date(2026, 6, 1)),
        (EventKind.PAID, date(2025, 9, 1), "1000000.00"),
    )
    works_terms = [
        _term(0, PaymentKind.FINAL, "97", Trigger.ACCEPTANCE, 30),
        _term(1, PaymentKind.RETENTION, "3", Trigger.WARRANTY_END, 15, held_months=12),
    ]
    _done(make("works_retention_exactly_3", category=Category.WORKS, payment_terms=works_terms, bonds=[]))
    _done(
        make(
            "works_retention_over_3",
            category=Category.WORKS,
            amount=Decimal("100.00"),
            payment_terms=[
                _term(0, PaymentKind.FINAL, "96.99", Trigger.ACCEPTANCE, 30),
                _term(1, PaymentKind.RETENTION, "3.01", Trigger.WARRANTY_END, 15, held_months=30),
            ],
            bonds=[],
        )
    )
    _done(
        make(
            "works_bond_and_retention",  # 建质〔2017〕138号 Art. 6
            category=Category.WORKS,
            payment_terms=[_term(0, PaymentKind.FINAL, "100", Trigger.ACCEPTANCE, 30)],
            bonds=[
                _bond(0, BondKind.PERFORMANCE, "5", BondForm.CASH, BondForm.BANK_GUARANTEE),
                _bond(1, BondKind.QUALITY_RETENTION, "3", BondForm.CASH),
            ],
        )
    )
    _done(
        make("over_agreed_days", payment_terms=[_term(0, PaymentKind.FINAL, "100", Trigger.ACCEPTANCE, 90)])
    )
    _done(make("settlement_audit", settlement_tied_to_audit=True))
    _done(make("large_supplier", supplier_id=large.id))
    _done(make("other_purchaser", purchaser_type=PurchaserType.OTHER))
    _done(make("no_terms", payment_terms=[], bonds=[]))
    # imported from OCDS: the source records no bond returns, so none is judged
    contract = make(
        "ocds_no_returns",
        supplier_id=None,
        supplier_scale="sme",
        ocid="ocds-xj0001-test-1",
        bonds=[_bond(0, BondKind.PERFORMANCE, "5", BondForm.CASH)],
    )
    _done(contract)
    # audited one by one: the derived rows do not stand for them
    _done(make("usd", currency="USD"))
    _done(make("draft", status=ContractStatus.DRAFT))
    _done(make("terminated", status=ContractStatus.TERMINATED))
    contract = make("paid_after_as_of")
    _done(contract)
    _events(contract, (EventKind.PAID, date(2027, 1, 5), "1000000.00"))
    _events(make("acceptance_clock_open"), (EventKind.DELIVERED, date(2026, 11, 20)))
    contract = make("paid_before_signed")
    _done(contract)
    _events(contract, (EventKind.PAID, date(2025, 7, 1), "10.00"))
    return c


def _seen(sightings: list[Sighting]) -> dict[str, tuple[Any, ...]]:
    out = {}
    for s in sightings:
        f = s.finding
        out[s.key] = (
            f.rule_id,
            f.category,
            f.legal_force,
            tuple(c.as_dict()["doc_id"] + c.article for c in f.citations),
            f.message_zh,
            f.message_en,
            f.remedy_zh,
            f.remedy_en,
            jsonable(f.evidence),
            f.policy_version,
            s.organization_id,
            s.region_code,
            s.contract_id,
        )
    return out


def test_set_based_finds_what_the_per_contract_audit_finds(session: Session) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contracts = varied_contracts(school)
    ids = sorted(c.id for c in contracts.values())
    refresh_obligations(session, ids)
    policy_at = default_policy_at()
    one, many = Tally(), Tally()
    expected = _seen(audit_one_by_one(session, ids, policy_at, AS_OF, one))
    found = _seen(audit_chunk(session, true(), ids, policy_at, AS_OF, many))
    assert found == expected
    assert (many.counts, many.forces, many.coverage) == (one.counts, one.forces, one.coverage)
    assert many.failed == one.failed == [contracts["paid_before_signed"].id]
    by_name = {c.id: name for name, c in contracts.items()}
    kinds = {(by_name[v[-1]], v[0]) for v in found.values()}
    # every kind of finding the set-based path builds itself is among them
    assert {
        ("unpaid", "payment.overdue"),
        ("paid_late", "payment.overdue"),
        ("partly_paid", "payment.overdue"),
        ("cash_bond_returned_late", "bond.unreturned"),
        ("bond_one_fen_over", "terms.bond.over_cap"),
        ("cash_only_bond", "terms.bond.cash_only"),
        ("works_retention_over_3", "terms.retention.works_over_cap"),
        ("works_bond_and_retention", "terms.retention.with_performance_bond"),
        ("over_agreed_days", "terms.payment.over_agreed_max"),
    } <= kinds
    assert ("bond_exactly_10", "terms.bond.over_cap") not in kinds
    assert ("works_retention_exactly_3", "terms.retention.works_over_cap") not in kinds
    assert not {k for k in kinds if k[0] in ("paid_on_time", "no_terms", "large_supplier")} - {
        ("large_supplier", "terms.bond.cash_only")
    }
    assert many.coverage["bond.unreturned"]["not_applicable:source_records_no_bond_returns"] == 1
    # only the contracts the derived rows cannot stand for went one by one
    alone = {"usd", "draft", "terminated", "paid_after_as_of", "acceptance_clock_open", "paid_before_signed"}
    assert many.one_by_one == len(alone)


def test_a_contract_derived_under_other_packs_is_audited_one_by_one(session: Session) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contract = factories.ContractFactory(purchaser=school)
    _done(contract)
    refresh_obligations(session, [contract.id])
    stored = session.get(StoredAudit, contract.id)
    assert stored is not None and stored.book
    stored.book = "other packs"
    session.flush()
    one, many = Tally(), Tally()
    expected = _seen(audit_one_by_one(session, [contract.id], default_policy_at(), AS_OF, one))
    assert _seen(audit_chunk(session, true(), [contract.id], default_policy_at(), AS_OF, many)) == expected
    assert many.one_by_one == 1


def test_running_twice_keeps_the_count_and_a_dismissed_finding_dismissed(session: Session) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contracts = varied_contracts(school)
    refresh_obligations(session, [c.id for c in contracts.values()])
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    auditor = Actor(0, finance.id, Role.AUDITOR, "650000")
    scope = {"period_from": date(2000, 1, 1), "period_to": date(2100, 1, 1), "as_of": AS_OF}
    first = create_audit_run(session, auditor, **scope)
    stored = session.scalars(select(StoredFinding).order_by(StoredFinding.id)).all()
    assert first.summary["written"]["opened"] == len(stored) > 0
    dismissed = stored[0]
    change_status(session, auditor, dismissed.id, status=FindingStatus.DISMISSED, reason="已核实 / checked")
    second = create_audit_run(session, auditor, **scope)
    assert second.summary["written"] == {
        "opened": 0,
        "reopened": 0,
        "refreshed": len(stored),
        "resolved_as_cleared": 0,
    }
    assert (
        session.scalar(select(StoredFinding.status).where(StoredFinding.id == dismissed.id))
        is FindingStatus.DISMISSED
    )
    assert len(session.scalars(select(StoredFinding)).all()) == len(stored)


def _stored(session: Session) -> dict[str, tuple[Any, ...]]:
    rows = session.scalars(select(StoredFinding).execution_options(populate_existing=True)).all()
    return {
        f.key: (f.id, f.message_zh, f.message_en, f.evidence, f.evidence_digest, f.source_id) for f in rows
    }


def test_a_rerun_on_the_same_day_refreshes_unchanged_contracts_without_auditing_them(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contracts = varied_contracts(school)
    refresh_obligations(session, [c.id for c in contracts.values()])
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    auditor = Actor(0, finance.id, Role.AUDITOR, "650000")
    scope = {"period_from": date(2000, 1, 1), "period_to": date(2100, 1, 1), "as_of": AS_OF}
    first = create_audit_run(session, auditor, **scope)
    before = _stored(session)
    marked = session.scalars(select(StoredAudit).where(StoredAudit.audited_run_id == first.id)).all()
    alone = {"usd", "draft", "terminated", "paid_after_as_of", "acceptance_clock_open", "paid_before_signed"}
    assert {a.contract_id for a in marked} == {c.id for n, c in contracts.items() if n not in alone}
    audited: list[int] = []

    def audit_chunk_seen(*args: Any, **kw: Any) -> list[Sighting]:
        audited.extend(args[2])
        return audit_chunk(*args, **kw)

    monkeypatch.setattr(audit_runs, "audit_chunk", audit_chunk_seen)
    second = create_audit_run(session, auditor, **scope)
    # only the contracts the derived rows do not stand for were audited again
    assert sorted(audited) == sorted(contracts[name].id for name in alone)
    for part in ("findings", "by_legal_force", "coverage", "audited", "error_count"):
        assert second.summary[part] == first.summary[part], part
    assert second.summary["audited_one_by_one"] == len(alone)
    assert second.summary["written"]["refreshed"] == len(before)
    # nothing of the others was written: their findings still say the first run found them
    alone_ids = {contracts[name].id for name in alone}
    stored = session.scalars(select(StoredFinding).execution_options(populate_existing=True)).all()
    assert {f.source_id for f in stored if f.contract_id not in alone_ids} == {first.id}
    assert {f.source_id for f in stored if f.contract_id in alone_ids} == {second.id}
    # shown, they were last found by the second run (its end), whatever their status
    dismissed = stored[0]
    change_status(session, auditor, dismissed.id, status=FindingStatus.DISMISSED, reason="已核实 / checked")
    shown = list_findings(session, auditor, after=None, limit=500).items
    assert len(shown) == len(before)
    assert {f.source_id for f in shown} == {second.id}
    assert min(f.last_seen_at for f in shown) >= second.started_at
    assert get_finding(session, auditor, dismissed.id).status is FindingStatus.DISMISSED
    by_second = list_findings(session, auditor, after=None, limit=500, source_id=second.id).items
    assert {f.id for f in by_second} == {f.id for f in stored}
    assert list_findings(session, auditor, after=None, limit=500, source_id=first.id).items == []
    # a later run elsewhere does not cover them; a later run over them finds them unchanged again
    elsewhere = create_audit_run(session, auditor, region_code="650200", **scope)
    assert {get_finding(session, auditor, f.id).source_id for f in stored} == {second.id}
    third = create_audit_run(session, auditor, **scope)
    assert {get_finding(session, auditor, f.id).source_id for f in stored} == {third.id}
    assert list_findings(session, auditor, after=None, limit=500, source_id=elsewhere.id).items == []
    assert third.summary["written"] == second.summary["written"]
    assert {k: v[:-1] for k, v in _stored(session).items()} == {k: v[:-1] for k, v in before.items()}
    # once the marks are forgotten, a run audits everything anew and finds the same
    for row in session.scalars(select(StoredAudit)):
        row.audited_run_id = None
    session.flush()
    monkeypatch.undo()
    fourth = create_audit_run(session, auditor, **scope)
    assert {k: v[:-1] for k, v in _stored(session).items()} == {k: v[:-1] for k, v in before.items()}
    assert {v[-1] for v in _stored(session).values()} == {fourth.id}
    assert fourth.summary["written"] == second.summary["written"]
    assert (fourth.summary["findings"], fourth.summary["coverage"]) == (
        second.summary["findings"],
        second.summary["coverage"],
    )


def test_a_changed_contract_and_another_day_are_audited_anew(session: Session) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contracts = varied_contracts(school)
    refresh_obligations(session, [c.id for c in contracts.values()])
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    auditor = Actor(0, finance.id, Role.AUDITOR, "650000")
    scope = {"period_from": date(2000, 1, 1), "period_to": date(2100, 1, 1), "as_of": AS_OF}
    create_audit_run(session, auditor, **scope)
    key = f"contract:{contracts['cash_only_bond'].id}:terms.bond.cash_only"
    cash_only = session.scalars(select(StoredFinding).where(StoredFinding.key.startswith(key))).one()
    unpaid = session.scalars(
        select(StoredFinding).where(
            StoredFinding.contract_id == contracts["unpaid"].id, StoredFinding.rule_id == "payment.overdue"
        )
    ).one()
    # the bond may now be given as a guarantee too: re-derived, the contract no longer breaks the rule
    bond = session.scalars(select(BondRow).where(BondRow.contract_id == contracts["cash_only_bond"].id)).one()
    bond.forms = [BondForm.CASH.value, BondForm.BANK_GUARANTEE.value]
    session.flush()
    refresh_obligations(session, [contracts["cash_only_bond"].id])
    second = create_audit_run(session, auditor, **scope)
    session.refresh(cash_only)
    assert (cash_only.status, second.summary["written"]["resolved_as_cleared"]) == (FindingStatus.RESOLVED, 1)
    assert second.summary["written"]["opened"] == 0
    # once more on the same day: the resolved finding was not found, it is neither counted nor refreshed
    third = create_audit_run(session, auditor, **scope)
    session.refresh(cash_only)
    assert (cash_only.status, cash_only.source_id) == (FindingStatus.RESOLVED, cash_only.first_source_id)
    assert get_finding(session, auditor, cash_only.id).source_id == cash_only.first_source_id
    assert third.summary["written"] == second.summary["written"] | {"resolved_as_cleared": 0}
    assert third.summary["findings"] == second.summary["findings"]
    # a day later the unpaid payment is a day later still: its finding says so
    text = unpaid.message_en
    later = create_audit_run(session, auditor, **(scope | {"as_of": date(2026, 11, 27)}))
    session.refresh(unpaid)
    assert unpaid.message_en != text and unpaid.source_id == later.id
    assert later.summary["written"]["opened"] == 0
