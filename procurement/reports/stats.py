"""Report statistics per purchaser and region as a pure, mergeable accumulator.

One ``ContractFigures`` per contract goes in; accumulators from several workers (or a database
query and a batch run) merge by addition, so the same figures come out however the work was split.
Money is integer fen.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import add
from typing import Any, NamedTuple

from procurement.reports.regions import region_name
from rules.audits import ContractAudit
from rules.ledger import EntryStatus

SME_SCALES = frozenset({"micro", "small", "medium", "sme"})
SMALL_MICRO_SCALES = frozenset({"micro", "small"})


class ContractFigures(NamedTuple):
    """What one contract adds to the report; payments are counted per obligation."""

    purchaser: str
    purchaser_name: str
    region: str
    amount_fen: int
    scale: str | None  # as published: micro, small, medium, sme (class unknown), large
    payments_due: int = 0  # obligations whose due date has passed or that were paid
    payments_on_time: int = 0
    payments_paid: int = 0
    days_to_pay_total: int = 0  # from clock start to payment, over the paid obligations
    overdue_fen: int = 0
    overdue_count: int = 0
    bonds_past_due_fen: int = 0
    bonds_past_due_count: int = 0
    retention_past_due_fen: int = 0
    retention_past_due_count: int = 0


# positions in a counter list
(
    CONTRACTS,
    VALUE,
    SME_CONTRACTS,
    SME_VALUE,
    SMALL_MICRO_CONTRACTS,
    SMALL_MICRO_VALUE,
    PAYMENTS_DUE,
    ON_TIME,
    PAID,
    DAYS_TO_PAY,
    OVERDUE_FEN,
    OVERDUE_COUNT,
    BONDS_FEN,
    BONDS_COUNT,
    RETENTION_FEN,
    RETENTION_COUNT,
) = range(16)
WIDTH = 16


def _counters(fig: ContractFigures) -> list[int]:
    sme = fig.scale in SME_SCALES
    small = fig.scale in SMALL_MICRO_SCALES
    return [
        1,
        fig.amount_fen,
        int(sme),
        fig.amount_fen if sme else 0,
        int(small),
        fig.amount_fen if small else 0,
        fig.payments_due,
        fig.payments_on_time,
        fig.payments_paid,
        fig.days_to_pay_total,
        fig.overdue_fen,
        fig.overdue_count,
        fig.bonds_past_due_fen,
        fig.bonds_past_due_count,
        fig.retention_past_due_fen,
        fig.retention_past_due_count,
    ]


def _ratio(part: int, whole: int, places: str = "0.0001") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)  # exactly two places: 10000000 fen is 100000.00 yuan


@dataclass(frozen=True, slots=True)
class GroupStats:
    """The report line of one purchaser, region or the total."""

    key: str
    name: str
    contracts: int
    value: Decimal
    sme_contracts: int
    sme_value: Decimal
    sme_value_share: Decimal | None
    small_micro_contracts: int
    small_micro_value: Decimal
    small_micro_value_share: Decimal | None
    payments_due: int
    on_time_rate: Decimal | None
    average_days_to_pay: Decimal | None
    overdue_amount: Decimal
    overdue_count: int
    bonds_past_due_amount: Decimal
    bonds_past_due_count: int
    retention_past_due_amount: Decimal
    retention_past_due_count: int

    @classmethod
    def of(cls, key: str, name: str, c: list[int]) -> "GroupStats":
        return cls(
            key=key,
            name=name,
            contracts=c[CONTRACTS],
            value=_yuan(c[VALUE]),
            sme_contracts=c[SME_CONTRACTS],
            sme_value=_yuan(c[SME_VALUE]),
            sme_value_share=_ratio(c[SME_VALUE], c[VALUE]),
            small_micro_contracts=c[SMALL_MICRO_CONTRACTS],
            small_micro_value=_yuan(c[SMALL_MICRO_VALUE]),
            small_micro_value_share=_ratio(c[SMALL_MICRO_VALUE], c[VALUE]),
            payments_due=c[PAYMENTS_DUE],
            on_time_rate=_ratio(c[ON_TIME], c[PAYMENTS_DUE]),
            average_days_to_pay=_ratio(c[DAYS_TO_PAY], c[PAID], "0.1"),
            overdue_amount=_yuan(c[OVERDUE_FEN]),
            overdue_count=c[OVERDUE_COUNT],
            bonds_past_due_amount=_yuan(c[BONDS_FEN]),
            bonds_past_due_count=c[BONDS_COUNT],
            retention_past_due_amount=_yuan(c[RETENTION_FEN]),
            retention_past_due_count=c[RETENTION_COUNT],
        )

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def _add_into(target: list[int], counters: list[int]) -> None:
    target[:] = map(add, target, counters)


class StatsAccumulator:
    """Counters per purchaser, per region and in total; ``merge`` adds another accumulator."""

    __slots__ = ("names", "purchasers", "regions", "total")

    def __init__(self) -> None:
        self.total = [0] * WIDTH
        self.purchasers: dict[str, list[int]] = {}
        self.regions: dict[str, list[int]] = {}
        self.names: dict[str, str] = {}

    def add(self, fig: ContractFigures) -> None:
        counters = _counters(fig)
        _add_into(self.total, counters)
        for table, key in ((self.purchasers, fig.purchaser), (self.regions, fig.region)):
            row = table.get(key)
            if row is None:
                table[key] = counters if table is self.purchasers else list(counters)
            else:
                _add_into(row, counters)
        if fig.purchaser not in self.names:
            self.names[fig.purchaser] = fig.purchaser_name

    def merge(self, other: "StatsAccumulator") -> "StatsAccumulator":
        _add_into(self.total, other.total)
        for mine, theirs in ((self.purchasers, other.purchasers), (self.regions, other.regions)):
            for key, counters in theirs.items():
                row = mine.get(key)
                if row is None:
                    mine[key] = list(counters)
                else:
                    _add_into(row, counters)
        for key, name in other.names.items():
            self.names.setdefault(key, name)
        return self

    def by_purchaser(self) -> Iterator[GroupStats]:
        for key in sorted(self.purchasers):
            yield GroupStats.of(key, self.names.get(key, ""), self.purchasers[key])

    def by_region(self) -> Iterator[GroupStats]:
        for key in sorted(self.regions):
            yield GroupStats.of(key, region_name(key), self.regions[key])

    def overall(self) -> GroupStats:
        return GroupStats.of("total", "合计 (total)", self.total)

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.total, self.purchasers, self.regions, self.names)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.total, self.purchasers, self.regions, self.names = state


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def figures_of(
    audit: ContractAudit,
    *,
    purchaser: str,
    purchaser_name: str,
    region: str,
    amount: Decimal,
    scale: str | None,
    as_of: date,
) -> ContractFigures:
    """One contract's figures from its audit (payments count where the SME duty applies)."""
    due = on_time = paid = days_to_pay = overdue_fen = overdue_count = 0
    for s in audit.payments:
        o = s.obligation
        if o.due_on is None or (s.paid_on is None and o.due_on >= as_of):
            continue
        due += 1
        if s.paid_on is not None:
            paid += 1
            on_time += s.paid_on <= o.due_on
            days_to_pay += (s.paid_on - (o.clock_start_on or s.paid_on)).days
        elif s.days_late > 0:
            overdue_fen += to_fen(s.outstanding)
            overdue_count += 1
    bonds_fen = bonds_count = retention_fen = retention_count = 0
    for e in audit.ledger:
        if e.status is not EntryStatus.OVERDUE:
            continue
        if e.kind.startswith("bond."):
            bonds_fen += to_fen(e.amount)
            bonds_count += 1
        else:
            retention_fen += to_fen(e.amount)
            retention_count += 1
    return ContractFigures(
        purchaser,
        purchaser_name,
        region,
        to_fen(amount),
        scale,
        due,
        on_time,
        paid,
        days_to_pay,
        overdue_fen,
        overdue_count,
        bonds_fen,
        bonds_count,
        retention_fen,
        retention_count,
    )
