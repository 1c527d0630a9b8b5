"""SME contract terms (measure 12): preview and apply on stored contracts, and stateless checks.

Results leave in the API's units: rates as percent (0-100) and term fields named ``...percent``.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from procurement.auditlog import services as auditlog
from procurement.contracts import services as contracts
from procurement.contracts.beneficiary import body_benefit
from procurement.contracts.facts import (
    HUNDRED,
    body_facts,
    contract_facts,
    persist_terms,
    rate_of,
    supplier_size,
    terms_date,
)
from procurement.contracts.models import Contract
from procurement.errors import InvalidInput, StaleVersion
from procurement.events.services import emit_event
from procurement.finance.obligations import refresh_obligations
from procurement.scope import Actor
from procurement.terms.models import TermsResult as TermsResultRow
from rules import errors as rules_errors
from rules.contract import ContractFacts
from rules.contract_text import adjustment_clauses, contract_clauses
from rules.evaluation import DeductionKind, price_deduction
from rules.policy import PolicyBook, PolicySnapshot
from rules.schedule import decide
from rules.sme_size import (
    SizeResult,
    classify,
    declared_only,
    declared_size_finding,
    effective_size,
    parse_industry,
)
from rules.special_status import is_new_firm, special_rules
from rules.terms import Adjustment, TermsResult, evaluate_terms
from rules.vocabulary import Category, ContractStatus, LegalForce, Size, SpecialStatus

CHINA = ZoneInfo("Asia/Shanghai")
FINAL_STATUSES = frozenset({ContractStatus.COMPLETED, ContractStatus.TERMINATED})
_RATE_KEYS = ("rate", "cap")


def today_in_china() -> date:
    """Signing dates are dates in China: 'today' is Beijing time, whatever the server's zone."""
    return datetime.now(CHINA).date()


# --- presenting results in percent -------------------------------------------------------------


def _percent_text(value: Any) -> Any:
    # rates leave the rules as Decimal (or their string form); the API speaks percent
    if isinstance(value, str):
        value = Decimal(value)
    if isinstance(value, Decimal):
        return format((value * HUNDRED).normalize(), "f") if value else "0"
    return value


def _field_name(field: str) -> str:
    return field[: -len("rate")] + "percent" if field.endswith(".rate") else field


def adjustment_body(adjustment: Mapping[str, Any]) -> dict[str, Any]:
    body = dict(adjustment)
    if adjustment["field"].endswith(".rate"):
        body["field"] = _field_name(adjustment["field"])
        body["before"] = _percent_text(adjustment["before"])
        body["after"] = _percent_text(adjustment["after"])
    return body


def finding_body(finding: Mapping[str, Any]) -> dict[str, Any]:
    body = dict(finding)
    evidence = dict(finding.get("evidence") or {})
    if str(evidence.get("field", "")).endswith(".rate"):
        evidence["field"] = _field_name(evidence["field"])
        for key in _RATE_KEYS:
            if key in evidence:
                evidence[key] = _percent_text(evidence[key])
    body["evidence"] = evidence
    return body


@lru_cache(maxsize=8192)
def _rendered(adjustment: Adjustment) -> dict[str, Any]:
    # rendering the texts (amounts in words) is the costly part, and the same adjustments recur
    # across contracts. The cached dict is shared: read-only.
    return adjustment_body(adjustment._replace(args=dict(adjustment.args)).as_dict())


def _adjustment_dict(adjustment: Adjustment) -> dict[str, Any]:
    # the key carries the arguments as a tuple, since the mapping itself is not hashable
    try:
        return _rendered(adjustment._replace(args=tuple(adjustment.args.items())))  # type: ignore[arg-type]
    except TypeError:  # an unhashable value: render it uncached
        return adjustment_body(adjustment.as_dict())


def result_body(
    result: TermsResult, facts: ContractFacts, accepted: Collection[str] | None = None
) -> dict[str, Any]:
    """``{adjustments, findings, policy_version, clauses}`` with rates as percent, ready for JSON.

    The clause texts are those of the contract as decided: with ``accepted`` None (a preview) as
    if every adjustment were accepted, else with only ``accepted`` applied. The finding dicts may
    be shared between calls: serialise or copy them, do not change them.
    """
    rule_ids = {a.rule_id for a in result.adjustments} if accepted is None else set(accepted)
    decided = decide(facts, rule_ids, result.adjustments)
    texts = adjustment_clauses(decided, facts, result.adjustments)
    return {
        "adjustments": [{**_adjustment_dict(a), "clause_zh": texts[a.field]} for a in result.adjustments],
        "findings": [finding_body(f.as_dict()) for f in result.findings],
        "policy_version": result.policy_version,
        "clauses": [c.as_dict() for c in contract_clauses(decided.facts)],
    }


def size_body(size: SizeResult | None) -> dict[str, Any] | None:
    if size is None:
        return None
    return {
        "size": size.size.value,
        "reason": {"zh": size.reason_zh, "en": size.reason_en},
        **size.known_dict(),
        "citations": [c.as_dict() for c in size.citations],
    }


# --- stored contracts --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluation:
    facts: ContractFacts
    snapshot: PolicySnapshot
    result: TermsResult
    evaluated_on: date
    basis: str  # "signed_on" or "earliest_signing" (an unsigned draft)

    def body(self) -> dict[str, Any]:
        return {
            **result_body(self.result, self.facts),
            "policy_pack": self.snapshot.pack_id,
            "evaluated_on": self.evaluated_on,
            "evaluated_on_basis": self.basis,
            "benefit": _benefit_dict(self.facts),
        }


def _evaluation_date(signed_on: date | None, announced_on: date | None, status: Any, today: date) -> date:
    if signed_on is None and status not in (None, ContractStatus.DRAFT):
        raise InvalidInput(
            {
                "signed_on": "合同条款按签订日期适用政策，已签订的合同须填写签订日期 / "
                "contract terms follow the policy in force on the signing date: a signed contract "
                "needs signed_on"
            }
        )
    return terms_date(signed_on, announced_on, today)


def _benefit_dict(facts: ContractFacts) -> dict[str, Any] | None:
    return facts.benefit.as_dict() if facts.benefit is not None else None


def evaluate_contract(
    session: Session, contract: Contract, *, book: PolicyBook, today: date | None = None
) -> Evaluation:
    """The terms evaluation of a stored contract under the policy of its signing date."""
    on = _evaluation_date(
        contract.signed_on, contract.announced_on, contract.status, today or today_in_china()
    )
    snapshot = book.at(contract.jurisdiction, on)
    facts = contract_facts(session, contract, book=book, size_on=on, with_events=False)
    result = evaluate_terms(facts, snapshot)
    basis = "signed_on" if contract.signed_on is not None else "earliest_signing"
    return Evaluation(facts, snapshot, result, on, basis)


def preview_terms(
    session: Session, actor: Actor, contract_id: int, *, book: PolicyBook, today: date | None = None
) -> dict[str, Any]:
    """Adjustments and findings for a contract the caller may see; changes nothing."""
    contract = contracts.get_contract(session, actor, contract_id)
    evaluation = evaluate_contract(session, contract, book=book, today=today)
    return {**evaluation.body(), "contract_id": contract.id, "contract_version": contract.version}


def _citation_text(citations: Iterable[Mapping[str, Any]]) -> str:
    return "、".join(f"{c['doc_id']}{c['article']}" for c in citations)


def _check_decisions(
    adjustments: Iterable[Adjustment], accepted: Collection[str], declined: Mapping[str, str]
) -> None:
    adjustments = list(adjustments)
    offered = list(dict.fromkeys(a.rule_id for a in adjustments))
    errors: dict[str, str] = {}
    binding = {a.rule_id: a for a in adjustments if a.legal_force is LegalForce.MANDATORY}
    refused = [r for r in declined if r in binding]
    if refused:
        # a legal limit is not the officer's to waive: only advice may be declined
        errors["declined"] = "；".join(
            f"{r} 是法定要求（{_citation_text(c.as_dict() for c in binding[r].citations)}），不能拒绝 / "
            f"{r} is a legal requirement ({_citation_text(c.as_dict() for c in binding[r].citations)}) "
            "and cannot be declined"
            for r in refused
        )
    unknown = sorted((set(accepted) | set(declined)) - set(offered))
    if unknown:
        errors["rule_id"] = (
            f"不是本合同当前的调整项：{', '.join(unknown)} / not an adjustment of this contract now: "
            f"{', '.join(unknown)}"
        )
    both = sorted(set(accepted) & set(declined))
    if both:
        errors["accepted"] = (
            f"不能既接受又拒绝：{', '.join(both)} / both accepted and declined: {', '.join(both)}"
        )
    blank = sorted(rule_id for rule_id, reason in declined.items() if not reason.strip())
    if blank:
        errors["declined"] = (
            f"不接受须说明理由：{', '.join(blank)} / a declined rule needs a reason: {', '.join(blank)}"
        )
    undecided = [r for r in offered if r not in accepted and r not in declined]
    if undecided:
        errors["undecided"] = (
            f"每项调整须接受，或说明不接受的理由：{', '.join(undecided)} / "
            f"accept each adjustment or decline it with a reason: {', '.join(undecided)}"
        )
    if errors:
        raise InvalidInput(errors)


def _terms_state(facts: ContractFacts) -> tuple[Any, ...]:
    return (facts.payment_terms, facts.bonds, facts.acceptance_period_days, facts.settlement_tied_to_audit)


def apply_terms(
    session: Session,
    actor: Actor,
    contract_id: int,
    *,
    book: PolicyBook,
    accepted: Collection[str],
    declined: Mapping[str, str],
    expected_version: int | None,
    today: date | None = None,
) -> tuple[TermsResultRow, Contract]:
    """Apply the accepted adjustments to the contract and store what was shown and decided.

    Every adjustment offered on the current version must be accepted or declined with a reason.
    The contract's version moves only when its terms changed; the result row is stored either way.
    """
    actor.require_write()
    # locked: concurrent applies and updates queue instead of failing each other with a 412
    contract = contracts.get_contract(session, actor, contract_id, for_update=True)
    if expected_version is not None and expected_version != contract.version:
        raise StaleVersion(
            f"合同已被他人修改（当前版本{contract.version}），请重新预览后再确认",
            f"the contract changed since you read it (now version {contract.version}); preview again",
        )
    if contract.status in FINAL_STATUSES:
        raise InvalidInput(
            {
                "status": f"合同已{contract.status.value}，不能再修改条款 / "
                f"a {contract.status.value} contract's terms are final"
            }
        )
    evaluation = evaluate_contract(session, contract, book=book, today=today)
    _check_decisions(evaluation.result.adjustments, accepted, declined)
    evaluated_version = contract.version
    before = contracts.contract_state(contract)
    applied = decide(evaluation.facts, set(accepted), evaluation.result.adjustments).facts
    if _terms_state(applied) != _terms_state(evaluation.facts):
        persist_terms(contract, applied)
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleVersion("合同已被他人同时修改", "the contract was changed concurrently") from exc
    row = TermsResultRow(
        contract_id=contract.id,
        contract_version=evaluated_version,
        policy_pack=evaluation.snapshot.pack_id,
        policy_version=evaluation.result.policy_version,
        evaluated_on=evaluation.evaluated_on,
        # what was shown, who benefits included, so an audit years later sees why the terms applied
        result={
            **result_body(evaluation.result, evaluation.facts, accepted),
            "benefit": _benefit_dict(evaluation.facts),
        },
        accepted_rule_ids=sorted(accepted),
        declined=[{"rule_id": r, "reason": declined[r].strip()} for r in sorted(declined)],
        applied_by=actor.label,
    )
    session.add(row)
    session.flush()
    auditlog.record(
        session,
        actor=actor.label,
        action="contract.sme_terms",
        entity_type="contract",
        entity_id=contract.id,
        before=before,
        after=applied_state(contract, row),
    )
    refresh_obligations(session, [contract.id])
    emit_event(
        session,
        type="contract.terms_applied",
        organization_id=contract.purchaser_id,
        region_code=contract.region_code,
        data={
            "contract_id": contract.id,
            "contract": f"/v1/contracts/{contract.id}",
            "external_ref": contract.external_ref,
            "version": contract.version,
            "terms_result_id": row.id,
            "policy_version": row.policy_version,
            "accepted": row.accepted_rule_ids,
            "declined": row.declined,
        },
    )
    return row, contract


def applied_state(contract: Contract, row: TermsResultRow) -> dict[str, Any]:
    """What the audit log entry of an apply digests: the new contract state and the decisions."""
    return {
        **contracts.contract_state(contract),
        "terms_result_id": row.id,
        "policy_version": row.policy_version,
        "accepted": row.accepted_rule_ids,
        "declined": row.declined,
    }


# --- stateless checks --------------------------------------------------------------------------


def check_terms(fields: Mapping[str, Any], *, book: PolicyBook, today: date) -> dict[str, Any]:
    """Evaluate a contract body (the create format with inline supplier facts); stores nothing."""
    on = _evaluation_date(fields.get("signed_on"), fields.get("announced_on"), fields.get("status"), today)
    snapshot = book.at(fields["jurisdiction"], on)
    supplier = fields.get("supplier")
    size: SizeResult | None = None
    if supplier is not None:
        size = _size_of(supplier, snapshot)
    elif fields.get("supplier_size") is not None:
        size = supplier_size(
            industry=None,
            employees=None,
            revenue_wan=None,
            assets_wan=None,
            declared_size=fields["supplier_size"],
            snapshot=snapshot,
        )
    try:
        benefit = body_benefit(
            fields,
            supplier_size=size.size if size else None,
            member_size=lambda index, member: _member_size(index, member, snapshot),
            snapshot=snapshot,
        )
    except rules_errors.InvalidInput as exc:
        raise _prefixed(exc, "") from exc
    facts = body_facts(fields, supplier_size=size.size if size else None, benefit=benefit)
    result = evaluate_terms(facts, snapshot)
    return {
        **result_body(result, facts),
        "policy_pack": snapshot.pack_id,
        "evaluated_on": on,
        "evaluated_on_basis": "signed_on" if fields.get("signed_on") else "earliest_signing",
        "supplier_size": size_body(size),
        "benefit": benefit.as_dict(),
    }


def _member_size(index: int, member: Mapping[str, Any], snapshot: PolicySnapshot) -> Size | None:
    facts = {k: v for k, v in member.items() if k != "share_percent"}
    found = _size_of(facts, snapshot, f"consortium.{index}")
    return found.size if found else None


_SUPPLIER_KEYS = (
    "industry",
    "employees",
    "revenue_wan",
    "assets_wan",
    "declared_size",
    "special_status",
    "linked_to_large",
    "is_enterprise",
    "disabled_staff",
    "founded_on",
)
_SIZE_MEMO_MAX = 10_000


def _size_memo(snapshot: PolicySnapshot) -> dict[tuple[Any, ...], SizeResult | None]:
    return {}


def _size_of(
    supplier: Mapping[str, Any], snapshot: PolicySnapshot, prefix: str = "supplier"
) -> SizeResult | None:
    # the same suppliers come back contract after contract: keep their sizes per size-table segment
    memo = snapshot.memo("procurement.terms.sizes", _size_memo)
    key = tuple(supplier.get(name) for name in _SUPPLIER_KEYS)
    if key in memo:
        return memo[key]
    if len(memo) >= _SIZE_MEMO_MAX:
        memo.clear()
    memo[key] = found = _classified(supplier, snapshot, prefix)
    return found


def _classified(supplier: Mapping[str, Any], snapshot: PolicySnapshot, prefix: str) -> SizeResult | None:
    try:
        return supplier_size(
            industry=supplier.get("industry"),
            employees=supplier.get("employees"),
            revenue_wan=supplier.get("revenue_wan"),
            assets_wan=supplier.get("assets_wan"),
            declared_size=supplier.get("declared_size"),
            special_status=supplier.get("special_status") or SpecialStatus.NONE,
            linked_to_large=supplier.get("linked_to_large", False),
            is_enterprise=supplier.get("is_enterprise", True),
            disabled_staff=supplier.get("disabled_staff"),
            founded_on=supplier.get("founded_on"),
            snapshot=snapshot,
        )
    except rules_errors.InvalidInput as exc:
        raise _prefixed(exc, prefix) from exc


def _prefixed(
    exc: rules_errors.RulesError, prefix: str, rename: Mapping[str, str] | None = None
) -> InvalidInput:
    field = exc.field or "_schema"
    field = (rename or {}).get(field, field)
    return InvalidInput(
        {f"{prefix}.{field}" if prefix else field: f"{exc.message_zh} / {exc.message_en}"},
        exc.message_zh,
        exc.message_en,
    )


def check_size(
    *,
    industry: str,
    employees: int | None,
    revenue_wan: Decimal | None,
    assets_wan: Decimal | None,
    declared_size: Size | None,
    special_status: SpecialStatus,
    linked_to_large: bool,
    is_enterprise: bool,
    snapshot: PolicySnapshot,
    disabled_staff: int | None = None,
    founded_on: date | None = None,
) -> dict[str, Any]:
    """The size a supplier counts as, why, what it rests on (figures used and missing, classes still
    possible, ``declared_only``), and a finding when its declaration claims otherwise."""
    chosen = parse_industry(industry)  # an unknown industry is named even without figures
    computed = None
    if any(v is not None for v in (employees, revenue_wan, assets_wan)):
        computed = classify(
            chosen,
            employees=employees,
            revenue_wan=revenue_wan,
            assets_wan=assets_wan,
            table=snapshot.size_table,
        )
    rules = special_rules(snapshot)
    new_firm = is_new_firm(rules, founded_on=founded_on, on=snapshot.on)
    if computed is None and declared_size is not None and founded_on is not None and new_firm:
        blank = snapshot.size_table.industries[chosen].measures  # every figure the table would use
        computed = replace(
            declared_only(declared_size, founded_on=founded_on, rules=rules), figures_missing=blank
        )
    size = effective_size(
        computed,
        special_status=special_status,
        linked_to_large=linked_to_large,
        is_enterprise=is_enterprise,
        rules=rules,
        disabled_staff=disabled_staff,
        staff=employees,
    )
    if size is None:
        row = snapshot.size_table.industries[chosen]
        raise rules_errors.InsufficientSizeData(chosen.value, [m.value for m in row.measures])
    finding = declared_size_finding(declared_size, size, policy_version=snapshot.version)
    return {
        "size": size.size.value,
        "is_sme": size.is_sme,
        "is_small_or_micro": size.is_small_or_micro,
        "reason": {"zh": size.reason_zh, "en": size.reason_en},
        "computed_size": computed.size.value if computed and not computed.declared_only else None,
        **size.known_dict(),
        "citations": [c.as_dict() for c in (size.citations or (computed.citations if computed else ()))],
        "finding": finding.as_dict() if finding else None,
        "policy_pack": snapshot.pack_id,
        "policy_version": snapshot.version,
    }


_DEDUCTION_FIELDS = {"stated_rate": "stated_percent", "small_micro_share": "small_micro_share_percent"}


def check_price_deduction(
    *,
    snapshot: PolicySnapshot,
    category: Category,
    quote: Decimal,
    stated_percent: Decimal,
    kind: DeductionKind,
    bidder_size: Size | None,
    small_micro_share_percent: Decimal | None,
    reserved: bool,
) -> dict[str, Any]:
    """The evaluated price of a bid under the announcement date's deduction range."""
    try:
        deduction = price_deduction(
            snapshot,
            category=category,
            quote=quote,
            stated_rate=rate_of(stated_percent),
            kind=kind,
            bidder_size=bidder_size,
            small_micro_share=None
            if small_micro_share_percent is None
            else rate_of(small_micro_share_percent),
            reserved=reserved,
        )
    except rules_errors.InvalidInput as exc:
        raise _prefixed(exc, "", _DEDUCTION_FIELDS) from exc
    return {
        "applies": deduction.applies,
        "percent": _percent_text(deduction.rate),
        "quote": deduction.quote,
        "evaluated_price": deduction.evaluated_price,
        "allowed_percent": {
            "min": _percent_text(deduction.allowed_min),
            "max": _percent_text(deduction.allowed_max),
        },
        "reason": {"zh": deduction.reason_zh, "en": deduction.reason_en},
        "citations": [c.as_dict() for c in deduction.citations],
        "policy_pack": snapshot.pack_id,
        "policy_version": deduction.policy_version,
    }


# --- policy packs ------------------------------------------------------------------------------


def policy_packs(book: PolicyBook) -> dict[str, Any]:
    return {"packs": [info.as_dict() for info in book.packs]}


def policy_in_force(book: PolicyBook, jurisdiction: str, on: date) -> dict[str, Any]:
    """Every parameter in force for ``jurisdiction`` on ``on``; rates as percent."""
    snapshot = book.at(jurisdiction, on)
    parameters = book.pack(snapshot.pack_id).parameters
    items = []
    for param in snapshot.params():
        item = param.as_dict()
        if param.unit == "rate":
            item["unit"] = "percent"
            item["value"] = _percent_text(param.value)
        definition = parameters[param.name]
        item["description"] = {"zh": definition.description_zh, "en": definition.description_en}
        items.append(item)
    table = snapshot.size_table
    return {
        "jurisdiction": jurisdiction,
        "on": on,
        "policy_pack": snapshot.pack_id,
        "policy_version": snapshot.version,
        "parameters": items,
        "size_table": {
            "effective_from": table.effective_from,
            "citations": [c.as_dict() for c in table.citations],
        },
    }
