"""refresh_obligations: payment, bond and retention rows derived from a stored contract's terms and
events; due dates that stay right as time passes (late acceptance), replacement on refresh."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.contracts.models import BondRow, Contract, PaymentTermRow
from procurement.contracts.services import create_contract
from procurement.finance.models import ContractObligation, ObligationKind
from procurement.finance.obligations import refresh_obligations
from procurement.organizations.models import Role
from procurement.scope import Actor
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    EventKind,
    PaymentKind,
    PurchaserType,
    Trigger,
)
from tests import factories

SIGNED = date(2025, 8, 1)
DELIVERED = date(2025, 8, 20)


def small_contract(**kw: Any) -> Contract:
    """1,000,000 yuan, signed 2025-08-01, acceptance period 15 days, 100% 30 days after acceptance."""
    school = factories.OrganizationFactory(region_code="650102")
    supplier = factories.SupplierFactory(owner=school)
    contract: Contract = factories.ContractFactory(purchaser=school, supplier_id=supplier.id, **kw)
    return contract


def event(contract: Contract, kind: EventKind, on: date, amount: str | None = None) -> None:
    factories.EventFactory(
        contract=contract, kind=kind, occurred_on=on, amount=Decimal(amount) if amount else None
    )


def rows(
    session: Session, contract: Contract, kind: ObligationKind | None = None
) -> list[ContractObligation]:
    query = select(ContractObligation).where(ContractObligation.contract_id == contract.id)
    if kind is not None:
        query = query.where(ContractObligation.kind == kind)
    return list(session.execute(query.order_by(ContractObligation.id)).scalars())


class TestPayments:
    def test_due_thirty_days_after_acceptance(self, session: Session) -> None:
        contract = small_contract()
        event(contract, EventKind.DELIVERED, DELIVERED)
        event(contract, EventKind.ACCEPTED, date(2025, 8, 25))
        refresh_obligations(session, [contract.id])
        [row] = rows(session, contract, ObligationKind.PAYMENT)
        assert (row.arises_on, row.due_on) == (date(2025, 8, 25), date(2025, 9, 24))
        assert row.amount == Decimal("1000000.00")
        assert (row.settled_on, row.settled_amount) == (None, Decimal(0))
        assert (row.purchaser_id, row.region_code, row.signed_on) == (
            contract.purchaser_id,
            "650102",
            SIGNED,
        )
        assert row.basis["trigger"] == "acceptance" and row.basis["citations"]
        assert row.policy_version

    def test_no_acceptance_starts_the_clock_at_the_end_of_the_acceptance_period(
        self, session: Session
    ) -> None:
        contract = small_contract()
        event(contract, EventKind.DELIVERED, DELIVERED)
        refresh_obligations(session, [contract.id])
        [row] = rows(session, contract, ObligationKind.PAYMENT)
        end_of_period = DELIVERED + timedelta(days=15)
        assert (row.arises_on, row.due_on) == (end_of_period, end_of_period + timedelta(days=30))
        assert row.basis["acceptance_late"] is True

    def test_a_late_acceptance_does_not_move_the_due_date(self, session: Session) -> None:
        contract = small_contract()
        event(contract, EventKind.DELIVERED, DELIVERED)
        event(contract, EventKind.ACCEPTED, DELIVERED + timedelta(days=16))  # one day past the period
        refresh_obligations(session, [contract.id])
        [row] = rows(session, contract, ObligationKind.PAYMENT)
        assert row.arises_on == DELIVERED + timedelta(days=15)

    def test_acceptance_on_the_last_day_of_the_period_starts_the_clock_then(self, session: Session) -> None:
        contract = small_contract()
        event(contract, EventKind.DELIVERED, DELIVERED)
        event(contract, EventKind.ACCEPTED, DELIVERED + timedelta(days=15))
        refresh_obligations(session, [contract.id])
        [row] = rows(session, contract, ObligationKind.PAYMENT)
        assert row.arises_on == DELIVERED + timedelta(days=15)
        assert row.basis["acceptance_late"] is False

    def test_not_delivered_yet_has_no_due_date(self, session: Session) -> None:
        contract = small_contract()
        refresh_obligations(session, [contract.id])
        [row] = rows(session, contract, ObligationKind.PAYMENT)
        assert (row.arises_on, row.due_on) == (None, None)
        assert row.basis["missing"] == "no_acceptance_date"

    def test_paid_in_full_and_in_part(self, session: Session) -> None:
        contract = small_contract()
        event(contract, EventKind.DELIVERED, DELIVERED)
        event(contract, EventKind.ACCEPTED, date(2025, 8, 25))
        event(contract, EventKind.PAID, date(2025, 9, 10), "400000")
        refresh_obligations(session, [contract.id])
        [row] = rows(session, contract, ObligationKind.PAYMENT)
        assert (row.settled_on, row.settled_amount) == (None, Decimal("400000.00"))
        event(contract, EventKind.PAID, date(2025, 10, 2), "600000")
        refresh_obligations(session, [contract.id])
        [row] = rows(session, contract, ObligationKind.PAYMENT)
        assert (row.settled_on, row.settled_amount) == (date(2025, 10, 2), Decimal("1000000.00"))

    def test_a_large_supplier_has_no_statutory_payment_rows(self, session: Session) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        big = factories.SupplierFactory(owner=school, employees=5000, revenue_wan=Decimal("900000"))
        contract = factories.ContractFactory(purchaser=school, supplier_id=big.id, supplier_scale="large")
        refresh_obligations(session, [contract.id])
        assert rows(session, contract, ObligationKind.PAYMENT) == []
        assert len(rows(session, contract, ObligationKind.BOND_RETURN)) == 1  # the ledger keeps bonds

    def test_a_term_without_agreed_days_gets_the_statutory_term_and_its_stated_amount(
        self, session: Session
    ) -> None:
        # as an OCDS import stores it: 33.3333% rounded, the exact amount kept beside it
        contract = small_contract(
            amount=Decimal("999999.99"),
            payment_terms=[
                PaymentTermRow(
                    position=0,
                    kind=PaymentKind.FINAL,
                    percent=Decimal("33.3333"),
                    trigger=Trigger.ACCEPTANCE,
                    days=0,
                    days_agreed=False,
                    amount=Decimal("333333.33"),
                )
            ],
        )
        event(contract, EventKind.DELIVERED, DELIVERED)
        event(contract, EventKind.ACCEPTED, date(2025, 8, 25))
        refresh_obligations(session, [contract.id])
        [row] = rows(session, contract, ObligationKind.PAYMENT)
        assert row.amount == Decimal("333333.33")
        assert row.due_on == date(2025, 8, 25) + timedelta(days=30)
        assert row.basis["agreed_due_on"] is None


class TestBondsAndRetention:
    def test_cash_bond_and_retention_rows(self, session: Session) -> None:
        contract = small_contract(
            bonds=[BondRow(position=0, kind=BondKind.PERFORMANCE, percent=Decimal(5), forms=[BondForm.CASH])],
            warranty_months=12,
            payment_terms=[
                PaymentTermRow(
                    position=0,
                    kind=PaymentKind.FINAL,
                    percent=Decimal(97),
                    trigger=Trigger.ACCEPTANCE,
                    days=30,
                ),
                PaymentTermRow(
                    position=1,
                    kind=PaymentKind.RETENTION,
                    percent=Decimal(3),
                    trigger=Trigger.WARRANTY_END,
                    days=30,
                    held_months=12,
                ),
            ],
        )
        event(contract, EventKind.DELIVERED, DELIVERED)
        event(contract, EventKind.ACCEPTED, date(2025, 8, 25))
        refresh_obligations(session, [contract.id])
        [bond] = rows(session, contract, ObligationKind.BOND_RETURN)
        assert bond.amount == Decimal("50000.00")
        assert bond.due_on is not None and bond.due_on > date(2025, 8, 25)
        assert bond.basis["money_held"] is True
        [retention] = rows(session, contract, ObligationKind.RETENTION_RELEASE)
        assert retention.amount == Decimal("30000.00")
        assert retention.due_on == date(2026, 8, 25) + timedelta(days=30)
        [payment] = rows(session, contract, ObligationKind.PAYMENT)
        assert payment.amount == Decimal("970000.00")

    def test_a_bank_guarantee_holds_no_money(self, session: Session) -> None:
        contract = small_contract()  # the factory's bond is a 5% bank guarantee
        refresh_obligations(session, [contract.id])
        [bond] = rows(session, contract, ObligationKind.BOND_RETURN)
        assert bond.due_on is None
        assert bond.basis["money_held"] is False


class TestRefresh:
    def test_refreshing_replaces_never_duplicates(self, session: Session) -> None:
        contract = small_contract()
        event(contract, EventKind.DELIVERED, DELIVERED)
        first = refresh_obligations(session, [contract.id])
        again = refresh_obligations(session, [contract.id, contract.id])
        assert first == again == len(rows(session, contract)) == 2

    def test_contradictory_events_leave_no_rows(self, session: Session) -> None:
        contract = small_contract()
        event(contract, EventKind.DELIVERED, DELIVERED)
        refresh_obligations(session, [contract.id])
        event(contract, EventKind.PAID, date(2025, 9, 1), "1500000")  # more than the contract
        assert refresh_obligations(session, [contract.id]) == 0
        assert rows(session, contract) == []

    def test_only_the_given_contracts_are_touched(self, session: Session) -> None:
        one, two = small_contract(), small_contract()
        refresh_obligations(session, [one.id, two.id])
        session.execute(
            ContractObligation.__table__.update()
            .where(ContractObligation.contract_id == two.id)
            .values(ref="marker")
        )
        refresh_obligations(session, [one.id])
        assert {r.ref for r in rows(session, two)} == {"marker"}
        assert len(rows(session, one, ObligationKind.PAYMENT)) == 1


class TestScale:
    def test_the_suppliers_scale_is_recorded_once_without_a_new_version(self, session: Session) -> None:
        contract = small_contract()
        assert (contract.supplier_scale, contract.version) == (None, 1)
        refresh_obligations(session, [contract.id])
        stored = session.execute(
            select(Contract.supplier_scale, Contract.version).where(Contract.id == contract.id)
        ).one()
        assert tuple(stored) == ("small", 1)

    def test_a_recorded_scale_is_kept(self, session: Session) -> None:
        contract = small_contract(supplier_scale="medium")
        refresh_obligations(session, [contract.id])
        scale = session.execute(
            select(Contract.supplier_scale).where(Contract.id == contract.id)
        ).scalar_one()
        assert scale == "medium"


class TestNewContracts:
    """create_contract records obligations from its validated values without reloading the contract;
    they must be exactly what a full refresh computes from the stored rows."""

    def _rows(self, session: Session, contract_id: int) -> list[tuple[Any, ...]]:
        query = select(ContractObligation).where(ContractObligation.contract_id == contract_id)
        return sorted(
            (o.kind, o.ref, o.amount, o.arises_on, o.due_on, o.settled_on, o.approximate, o.policy_version)
            for o in session.execute(query).scalars()
        )

    def test_the_fast_path_gives_what_a_refresh_gives(self, session: Session) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        supplier = factories.SupplierFactory(owner=school)
        actor = Actor(api_key_id=0, organization_id=school.id, role=Role.OFFICER, region_code="650102")
        created = create_contract(
            session,
            actor,
            fields={
                "external_ref": "FAST-1",
                "supplier_id": supplier.id,
                "category": Category.GOODS,
                "amount": Decimal("250000.00"),
                "purchaser_type": PurchaserType.PUBLIC_BODY,
                "signed_on": date(2025, 5, 20),
                "status": ContractStatus.SIGNED,
                "acceptance_period_days": 10,
                "warranty_months": 12,
                "payment_terms": [
                    {
                        "kind": PaymentKind.PREPAYMENT,
                        "percent": Decimal(30),
                        "trigger": Trigger.SIGNING,
                        "days": 10,
                    },
                    {
                        "kind": PaymentKind.FINAL,
                        "percent": Decimal(67),
                        "trigger": Trigger.ACCEPTANCE,
                        "days": 20,
                    },
                    {
                        "kind": PaymentKind.RETENTION,
                        "percent": Decimal(3),
                        "trigger": Trigger.WARRANTY_END,
                        "days": 30,
                        "held_months": 12,
                    },
                ],
                "bonds": [{"kind": BondKind.PERFORMANCE, "percent": Decimal(5), "forms": [BondForm.CASH]}],
            },
        )
        fast = self._rows(session, created.id)
        assert fast, "a signed contract with a prepayment on signing has obligations at once"
        scale = session.get(Contract, created.id)
        refresh_obligations(session, [created.id])
        assert self._rows(session, created.id) == fast
        assert scale is not None and scale.supplier_scale == "small"
