"""The plain values a contract is handed to the rules as: terms, bonds and performance events.

Rates are Decimal fractions of the contract amount (``Decimal("0.1")`` is 10%); money is Decimal yuan.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rules.beneficiary import Benefit
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    DayType,
    EventKind,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)


@dataclass(frozen=True, slots=True)
class PaymentTerm:
    kind: PaymentKind
    rate: Decimal
    trigger: Trigger
    days: int
    day_type: DayType = DayType.CALENDAR
    # 尾款/质保金 held until the warranty ends: how many months it is held
    held_months: int | None = None
    # False when the source names the trigger but not the days (OCDS milestones without dueDate):
    # ``days`` is then meaningless and the statutory term applies
    days_agreed: bool = True


@dataclass(frozen=True, slots=True)
class BondTerm:
    kind: BondKind
    rate: Decimal
    forms: frozenset[BondForm]
    return_days: int | None = None


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    on: date
    amount: Decimal | None = None
    ref: str | None = None  # which term or bond it settles, where the source says


@dataclass(frozen=True, slots=True)
class ContractFacts:
    """Everything the term, payment and audit rules need to know about one contract."""

    category: Category
    amount: Decimal
    purchaser_type: PurchaserType
    supplier_size: Size | None
    signed_on: date | None
    jurisdiction: str
    announced_on: date | None = None
    sme_reserved: bool = False
    payment_terms: tuple[PaymentTerm, ...] = ()
    bonds: tuple[BondTerm, ...] = ()
    acceptance_period_days: int | None = None
    warranty_months: int | None = None
    settlement_tied_to_audit: bool = False
    events: tuple[Event, ...] = field(default=())
    currency: str = "CNY"
    # kinds of event the source never records (an OCDS file reads no bond returns): a rule that
    # would need one is not applicable, since a missing event there is no evidence of anything
    unrecorded: frozenset[EventKind] = frozenset()
    # who benefits (46号 Arts. 4, 9): manufacturers, builder, consortium; None = the supplier's size
    benefit: Benefit | None = None

    @property
    def terms_size(self) -> Size | None:
        """The size the SME terms (measure 12) follow; the payment duty follows ``supplier_size``."""
        return self.benefit.size if self.benefit is not None else self.supplier_size
