"""What the batch audit's hot path reads of the policy: per pack segment, in day ordinals.

Every number the rules read from a policy snapshot is read once per (jurisdiction, pack segment),
through the rule functions (``rules.payment_clock``, ``rules.ledger``); the segments run between
the days any pack changes (``change_days``).
"""

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from rules.errors import RulesError
from rules.ledger import return_period
from rules.payment_clock import PolicyAt, add_months, statutory_days
from rules.vocabulary import DayType, Trigger

# a float quotient this close to a limit is decided in Decimal, as the rules compute it
_BAND = 1e-9
_CACHED = 100_000  # entries per cache: bounded whatever the file

BOND_OVER_CAP = "terms.bond.over_cap"
BOND_CASH_ONLY = "terms.bond.cash_only"
WORKS_RETENTION_OVER_CAP = "terms.retention.works_over_cap"
WORKS_DEFECT_OVER_MAX = "terms.retention.works_defect_over_max"
WORKS_RETENTION_WITH_BOND = "terms.retention.with_performance_bond"
# the parameter each terms rule of the hot path rests on (its legal force is the finding's)
_TERMS_PARAMS = {
    BOND_OVER_CAP: "bond.performance.max_rate",
    BOND_CASH_ONLY: "bond.non_cash_forms_required",
    WORKS_RETENTION_OVER_CAP: "retention.works.max_rate",
    WORKS_DEFECT_OVER_MAX: "retention.works.defect_max_months",
    WORKS_RETENTION_WITH_BOND: "retention.works.no_retention_with_performance_bond",
}


class Unfit(Exception):
    """The release is outside the shape (or the rules would raise): the full path takes it."""


class Limit(NamedTuple):
    """A rate limit from a pack, with the float band outside which a float comparison is exact."""

    value: Decimal
    low: float
    high: float

    @classmethod
    def of(cls, value: Any) -> "Limit":
        number = float(value)
        return cls(Decimal(value), number * (1 - _BAND), number * (1 + _BAND))


class Segment(NamedTuple):
    """What the rules read from one jurisdiction's snapshot, constant over a pack segment.

    Periods are days (None: no period in the pack); the terms part mirrors ``rules.terms``'s plan.
    """

    payment_days: int
    performance_return_days: int | None
    goods_services_release_days: int | None
    works_return_days: int | None
    bond_cap: Limit | None
    cash_bond_banned: bool
    works_retention_cap: Limit | None
    works_defect_months: int | None
    retention_with_bond_banned: bool
    interest_known: bool  # the default late-interest rate the payment rules read at a due date
    forces: dict[str, str]  # the legal force of each terms rule, from its parameter


def _decimal(number: float | int) -> Decimal:
    return Decimal(repr(number)) if type(number) is float else Decimal(number)


def above(part: float | int, whole: float | int, limit: Limit) -> bool:
    """``Decimal(part) / Decimal(whole) > limit``, as the rules compute a rate, mostly in floats."""
    quotient = part / whole
    if quotient > limit.high:
        return True
    if quotient < limit.low:
        return False
    return _decimal(part) / _decimal(whole) > limit.value


ONE = Limit.of(1)


def change_days(book: Any) -> tuple[int, ...]:
    """Day ordinals on which any pack of ``book`` changes (values or coverage), sorted."""
    days = {d.toordinal() for info in book.packs for d in book.pack(info.id).change_dates}
    return tuple(sorted(days))


class PolicyDays:
    """Date and policy caches of one process: day ordinals of OCDS dates, months after a day, and
    the ``Segment`` of a jurisdiction on a day. ``changes`` (from ``change_days``) lets one policy
    lookup serve a whole segment; without it, one per day."""

    def __init__(self, policy_at: PolicyAt, changes: Iterable[int] | None = None) -> None:
        self.policy_at = policy_at
        self.changes = tuple(changes) if changes is not None else None
        self._dates: dict[Any, int] = {}
        self._days: dict[tuple[str, int], Segment] = {}
        self._segments: dict[tuple[str, int], Segment] = {}
        self._months: dict[tuple[int, int], int] = {}

    def day(self, text: Any) -> int:
        """Day ordinal of an OCDS date-time; raises KeyError/ValueError/TypeError when unreadable."""
        found = self._dates.get(text)
        if found is None:
            found = date.fromisoformat(text[:10]).toordinal()
            if len(self._dates) < _CACHED:
                self._dates[text] = found
        return found

    def months_after(self, on: int, months: int) -> int:
        key = (on, months)
        found = self._months.get(key)
        if found is None:
            found = add_months(date.fromordinal(on), months).toordinal()
            if len(self._months) < _CACHED:
                self._months[key] = found
        return found

    def segment(self, jurisdiction: str, on: int) -> Segment:
        key = (jurisdiction, on)
        found = self._days.get(key)
        if found is None:
            index = bisect_right(self.changes, on) if self.changes is not None else on
            found = self._segments.get((jurisdiction, index))
            if found is None:
                try:
                    found = self._read(jurisdiction, on)
                except RulesError as err:
                    raise Unfit from err  # the full path raises it with its own message
                self._segments[(jurisdiction, index)] = found
            if len(self._days) < _CACHED:
                self._days[key] = found
        return found

    def _read(self, jurisdiction: str, on: int) -> Segment:
        snap: Any = self.policy_at(jurisdiction, date.fromordinal(on))
        days, _ = statutory_days(snap, Trigger.ACCEPTANCE, False, True)
        assert days is not None

        def period(name: str) -> int | None:
            got = return_period(snap, name, DayType.CALENDAR, None, DayType.CALENDAR)
            return got[0] if got else None

        def limit(name: str) -> Limit | None:
            param = snap.get(name)
            return Limit.of(param.value) if param is not None else None

        non_cash = snap.get("bond.non_cash_forms_required")
        defect = snap.get("retention.works.defect_max_months")
        with_bond = snap.get("retention.works.no_retention_with_performance_bond")
        return Segment(
            days,
            period("bond.performance.return_days"),
            period("retention.goods_services.release_days"),
            period("retention.works.return_days"),
            limit("bond.performance.max_rate"),
            bool(non_cash is not None and non_cash.value),
            limit("retention.works.max_rate"),
            int(defect.value) if defect is not None else None,
            bool(with_bond is not None and with_bond.value),
            snap.get("payment.late_interest.default_daily_rate") is not None,
            {
                rule: str(p.legal_force)
                for rule, name in _TERMS_PARAMS.items()
                if (p := snap.get(name)) is not None
            },
        )
