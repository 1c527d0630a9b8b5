"""Counting days on the official Chinese calendar: holidays and adjusted working weekends (调休).

Years the ``chinese_calendar`` data does not know yet fall back to Monday-Friday; every result
says whether such a year was touched (``approximate``) so a finding can say so.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from rules.errors import InvalidInput
from rules.vocabulary import DayType


@dataclass(frozen=True, slots=True)
class DueDate:
    """A date reached by counting days; ``approximate`` when an unknown year was counted Mon-Fri."""

    on: date
    approximate: bool = False


@lru_cache(maxsize=8192)
def working_day(day: date) -> tuple[bool, bool]:
    """(is a working day, known from the official calendar); unknown years count Mon-Fri."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: date, days: int) -> DueDate:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError(f"working days must not be negative: {days}")
    current = start
    known = True
    remaining = days
    while remaining:
        current += timedelta(days=1)
        is_working, is_known = working_day(current)
        known = known and is_known
        if is_working:
            remaining -= 1
    return DueDate(current, approximate=not known)


_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=65536)
def add_days(start: date, days: int, day_type: str) -> DueDate:
    """``start`` plus ``days`` calendar or working days; InvalidInput for an unknown day type."""
    if day_type == DayType.CALENDAR:
        return DueDate(start + timedelta(days=days))
    if day_type == DayType.WORKING:
        return add_working_days(start, days)
    raise InvalidInput(
        f"未知的天数类型 {day_type!r}（应为 calendar 或 working）",
        f"unknown day type {day_type!r} (expected calendar or working)",
        field="day_type",
    )


def working_days_between(start: date, end: date) -> tuple[int, bool]:
    """Working days after ``start`` up to and including ``end`` and whether all years were known."""
    count = 0
    known = True
    current = start
    while current < end:
        current += _ONE_DAY
        is_working, is_known = working_day(current)
        known = known and is_known
        count += is_working
    return count, known
