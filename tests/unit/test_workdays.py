"""Working-day counting on the official calendar, its adjusted weekends and unknown years."""

from datetime import date

import pytest

from rules.errors import InvalidInput
from rules.workdays import add_days, add_working_days, working_day, working_days_between


def test_national_day_holiday_is_skipped() -> None:
    # 2025-10-01..08 are holidays: the first working day after 30 September is 9 October
    assert add_working_days(date(2025, 9, 30), 1).on == date(2025, 10, 9)


def test_adjusted_working_saturday_counts() -> None:
    # 2025-10-11 is a Saturday worked in lieu of the holiday
    due = add_working_days(date(2025, 10, 10), 1)
    assert due.on == date(2025, 10, 11)
    assert not due.approximate


def test_adjusted_working_sunday_before_the_holiday_counts() -> None:
    assert add_working_days(date(2025, 9, 26), 1).on == date(2025, 9, 28)


def test_five_working_days_across_national_day() -> None:
    # 29, 30 Sep, then 9, 10, 11 Oct (the 11th a working Saturday)
    assert add_working_days(date(2025, 9, 28), 5).on == date(2025, 10, 11)


def test_zero_working_days_is_the_start() -> None:
    assert add_working_days(date(2025, 10, 1), 0).on == date(2025, 10, 1)


def test_unknown_year_falls_back_to_monday_to_friday_and_says_so() -> None:
    due = add_working_days(date(2030, 12, 31), 1)  # a Tuesday; 2031-01-01 a Wednesday
    assert due.on == date(2031, 1, 1)
    assert due.approximate
    assert working_day(date(2031, 1, 4)) == (False, False)  # a Saturday, calendar unknown


def test_known_year_result_is_not_approximate() -> None:
    assert not add_days(date(2025, 1, 1), 10, "working").approximate


def test_calendar_days_are_plain_arithmetic() -> None:
    assert add_days(date(2025, 5, 1), 30, "calendar").on == date(2025, 5, 31)


def test_unknown_day_type_is_rejected_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as err:
        add_days(date(2025, 5, 1), 3, "banking")
    assert "banking" in err.value.message_en
    assert "天数类型" in err.value.message_zh


def test_negative_working_days_are_rejected() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2025, 5, 1), -1)


def test_working_days_between_counts_the_adjusted_saturday() -> None:
    count, known = working_days_between(date(2025, 9, 30), date(2025, 10, 11))
    assert (count, known) == (3, True)  # 9, 10 and the working Saturday 11 Oct
