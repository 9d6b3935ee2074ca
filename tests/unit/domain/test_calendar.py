"""Tests for fieldapp.domain.calendar: working days under 行政处罚法 art. 85."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp import i18n
from fieldapp.domain.calendar import WorkCalendar
from fieldapp.domain.errors import ValidationError

D = dt.date
YEARS = frozenset({2024, 2025, 2026})


def _package_calendar(years: frozenset[int]) -> WorkCalendar:
    """The official 2024–2026 calendar as chinese-calendar has it; other years unknown."""
    return WorkCalendar(
        holidays=frozenset(d for d in chinese_calendar.holidays if d.year in years),
        workdays=frozenset(d for d in chinese_calendar.workdays if d.year in years),
        known_years=years)


CAL = _package_calendar(YEARS)
# Dates far enough from the end of 2026 that 40 working days stay inside known years.
dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 10, 31))
counts = st.integers(min_value=0, max_value=40)
# Dates far enough from the start of 2024 that 40 working days back stay inside too.
later_dates = st.dates(min_value=D(2024, 3, 1), max_value=D(2026, 12, 31))


def _days(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


# --- the official data the concrete cases rely on ---------------------------------

def test_2025_national_day_is_october_1_to_8_with_two_weekend_working_days() -> None:
    autumn = _days(D(2025, 9, 15), D(2025, 10, 20))
    assert {d for d in chinese_calendar.holidays if d in autumn} == _days(D(2025, 10, 1),
                                                                         D(2025, 10, 8))
    assert {d for d in chinese_calendar.workdays if d in autumn} == {D(2025, 9, 28),
                                                                     D(2025, 10, 11)}
    assert D(2025, 9, 28).weekday() == 6 and D(2025, 10, 11).weekday() == 5
    assert not any(CAL.is_working_day(d) for d in _days(D(2025, 10, 1), D(2025, 10, 8)))
    assert CAL.is_working_day(D(2025, 9, 28)) and CAL.is_working_day(D(2025, 10, 11))


def test_2026_spring_festival_is_february_15_to_23_with_two_saturdays_worked() -> None:
    assert not any(CAL.is_working_day(d) for d in _days(D(2026, 2, 15), D(2026, 2, 23)))
    assert CAL.is_working_day(D(2026, 2, 14)) and CAL.is_working_day(D(2026, 2, 28))


# --- add_working_days ------------------------------------------------------------------

@pytest.mark.parametrize(("start", "n", "expected"), [
    (D(2025, 3, 7), 1, D(2025, 3, 10)),  # Friday + 1 = Monday
    (D(2025, 3, 8), 1, D(2025, 3, 10)),  # from a Saturday: Monday is the first
    (D(2025, 3, 10), 5, D(2025, 3, 17)),  # a plain week
    (D(2025, 9, 26), 1, D(2025, 9, 28)),  # the Sunday worked before National Day
    (D(2025, 9, 30), 1, D(2025, 10, 9)),  # over the whole holiday
    (D(2025, 9, 30), 3, D(2025, 10, 11)),  # onto the Saturday worked after it
    (D(2025, 9, 30), 7, D(2025, 10, 16)),  # 送达 within 7 days of a decision on Sep 30
    (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday → the Saturday worked
    (D(2026, 2, 14), 1, D(2026, 2, 24)),  # over the Spring Festival
    (D(2025, 12, 31), 1, D(2026, 1, 4)),  # over 元旦 2026 onto the Sunday worked
    (D(2025, 12, 31), 2, D(2026, 1, 5)),
])
def test_add_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_zero_working_days_is_the_start_itself_even_on_a_holiday() -> None:
    assert CAL.add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 1)


def test_negative_counts_go_back() -> None:
    assert CAL.add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert CAL.add_working_days(D(2025, 10, 13), -2) == D(2025, 10, 10)  # skips Sunday 12th
    assert CAL.previous_working_day(D(2025, 10, 5)) == D(2025, 9, 30)
    assert CAL.previous_working_day(D(2025, 10, 11)) == D(2025, 10, 11)


# --- add_days (calendar days) ----------------------------------------------------------

def test_fifteen_days_ending_on_a_holiday_end_on_the_next_working_day() -> None:
    # Sep 16 + 15 days = Oct 1 (National Day): the period runs on to Oct 9.
    assert CAL.add_days(D(2025, 9, 16), 15) == D(2025, 10, 9)


def test_a_period_ending_on_a_plain_sunday_ends_on_monday() -> None:
    assert CAL.add_days(D(2025, 3, 1), 15) == D(2025, 3, 17)


def test_a_period_ending_on_a_worked_saturday_ends_there() -> None:
    assert CAL.add_days(D(2025, 9, 26), 15) == D(2025, 10, 11)


def test_a_period_ending_on_a_working_day_is_not_moved() -> None:
    assert CAL.add_days(D(2025, 7, 3), 15) == D(2025, 7, 18)


# --- working_days_between --------------------------------------------------------------

def test_working_days_between_counts_after_a_up_to_b() -> None:
    assert CAL.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert CAL.working_days_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert CAL.working_days_between(D(2025, 3, 7), D(2025, 3, 7)) == 0
    assert CAL.working_days_between(D(2025, 3, 7), D(2025, 3, 14)) == 5


# --- unknown years ---------------------------------------------------------------------

def test_a_year_without_holidays_is_refused_and_named() -> None:
    with pytest.raises(ValidationError) as err:
        CAL.add_working_days(D(2026, 12, 28), 5)
    assert err.value.field == "date"
    assert err.value.params == {"year": 2027}
    assert "2027" in i18n.describe(err.value)


@pytest.mark.parametrize("compute", [
    lambda: CAL.is_working_day(D(2023, 6, 1)),
    lambda: CAL.add_days(D(2026, 12, 20), 15),
    lambda: CAL.working_days_between(D(2026, 12, 1), D(2027, 1, 8)),
    lambda: CAL.add_working_days(D(2024, 1, 2), -3),
])
def test_every_computation_touching_an_unknown_year_is_refused(compute: object) -> None:
    with pytest.raises(ValidationError):
        compute()  # type: ignore[operator]


def test_calendar_period_ending_inside_a_known_year_needs_no_other_year() -> None:
    # Only the end day is looked up: a start in an unknown year is fine.
    assert CAL.add_days(D(2023, 12, 20), 15) == D(2024, 1, 4)


def test_a_day_cannot_be_both_holiday_and_working_day() -> None:
    with pytest.raises(ValueError, match="2025-10-11"):
        WorkCalendar(frozenset({D(2025, 10, 11)}), frozenset({D(2025, 10, 11)}),
                     frozenset({2025}))


# --- properties ------------------------------------------------------------------------

@given(dates, st.integers(min_value=1, max_value=40))
def test_add_working_days_lands_on_a_working_day_after_start(start: dt.date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert end > start
    assert CAL.is_working_day(end)


@given(dates, counts)
def test_add_working_days_is_strictly_increasing_in_n(start: dt.date, n: int) -> None:
    assert CAL.add_working_days(start, n) < CAL.add_working_days(start, n + 1)


@given(dates, counts)
def test_working_days_between_inverts_add_working_days(start: dt.date, n: int) -> None:
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@given(dates, st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=20))
def test_periods_chain(start: dt.date, a: int, b: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(start, a), b) == \
        CAL.add_working_days(start, a + b)


@given(later_dates, st.integers(min_value=1, max_value=40))
def test_counting_back_then_forward_returns_to_the_first_working_day_from_start(
        start: dt.date, n: int) -> None:
    back = CAL.add_working_days(start, -n)
    assert back < start and CAL.is_working_day(back)
    first = start if CAL.is_working_day(start) else CAL.add_working_days(start, 1)
    assert CAL.add_working_days(back, n) == first


@given(dates, st.integers(min_value=0, max_value=60))
def test_add_days_ends_on_the_first_working_day_from_the_nominal_end(
        start: dt.date, n: int) -> None:
    nominal = start + dt.timedelta(days=n)
    end = CAL.add_days(start, n)
    assert end >= nominal and CAL.is_working_day(end)
    assert CAL.working_days_between(nominal, end) == (0 if end == nominal else 1)


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Any 2025 calendar: arbitrary holidays, arbitrary weekend days worked."""
    days = st.dates(min_value=D(2025, 1, 1), max_value=D(2025, 12, 31))
    holidays = draw(st.frozensets(days, max_size=60))
    weekend = days.filter(lambda d: d.weekday() >= 5)
    workdays = draw(st.frozensets(weekend, max_size=20)) - holidays
    return WorkCalendar(holidays, workdays, frozenset({2025}))


@given(calendars(), st.dates(min_value=D(2025, 1, 1), max_value=D(2025, 6, 30)),
       st.integers(min_value=1, max_value=20))
def test_properties_hold_for_any_calendar(cal: WorkCalendar, start: dt.date, n: int) -> None:
    end = cal.add_working_days(start, n)
    assert cal.is_working_day(end)
    assert cal.add_working_days(start, n - 1) < end
    assert cal.working_days_between(start, end) == n
    assert not any(cal.is_working_day(d) for d in cal.holidays)
