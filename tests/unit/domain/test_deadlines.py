"""Tests for fieldapp.domain.deadlines: the legal periods of DOMAIN.md 5.4."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.calendar import WorkCalendar
from fieldapp.domain.deadlines import (
    DEFAULT_RULES,
    DeadlineKind,
    DeadlineRule,
    days_left,
    due,
    rule_for,
    status,
)
from fieldapp.domain.errors import ValidationError

D = dt.date
K = DeadlineKind
YEARS = frozenset({2024, 2025, 2026})
CAL = WorkCalendar(
    holidays=frozenset(d for d in chinese_calendar.holidays if d.year in YEARS),
    workdays=frozenset(d for d in chinese_calendar.workdays if d.year in YEARS),
    known_years=YEARS)


def test_every_kind_has_a_default_rule_with_a_chinese_legal_basis() -> None:
    assert set(DEFAULT_RULES) == set(DeadlineKind)
    for rule in DEFAULT_RULES.values():
        assert rule.basis.startswith("《") and rule.days >= 0


@pytest.mark.parametrize(("kind", "days", "working"), [
    (K.DECISION_AFTER_FILING, 90, False),
    (K.SERVE_DECISION, 7, True),
    (K.HEARING_REQUEST, 5, True),
    (K.HEARING_NOTICE, 7, True),
    (K.PRESERVED_EVIDENCE, 7, True),
    (K.SEIZURE, 30, False),
    (K.SEIZURE_EXTENSION, 30, False),
    (K.PAYMENT, 15, False),
    (K.STATEMENT_WINDOW, 5, True),
    (K.PUBLICATION, 20, True),
    (K.WITHDRAW_PUBLICATION, 3, True),
    (K.COURT_ENFORCEMENT_NOTICE, 10, True),
    (K.CORRECTION, 0, False),
])
def test_default_lengths(kind: DeadlineKind, days: int, working: bool) -> None:
    rule = DEFAULT_RULES[kind]
    assert (rule.days, rule.working) == (days, working)


def test_short_periods_of_the_two_acts_are_working_days() -> None:
    # Art. 85 (2, 3, 5, 7 days) and 行政强制法 art. 69 (10 days or less).
    for kind, rule in DEFAULT_RULES.items():
        if 0 < rule.days <= 10:
            assert rule.working, kind


# --- periods after an act ----------------------------------------------------------------

def test_decision_within_90_days_of_filing_runs_past_national_day() -> None:
    # Jul 3 + 90 days = Oct 1, a holiday: the period ends on the first working day after.
    assert due(K.DECISION_AFTER_FILING, D(2025, 7, 3), CAL) == D(2025, 10, 9)


def test_payment_within_15_days_ending_on_a_holiday() -> None:
    assert due(K.PAYMENT, D(2025, 9, 16), CAL) == D(2025, 10, 9)
    assert due(K.PAYMENT, D(2025, 3, 3), CAL) == D(2025, 3, 18)


def test_serving_a_decision_within_7_working_days_skips_the_holiday() -> None:
    assert due(K.SERVE_DECISION, D(2025, 9, 30), CAL) == D(2025, 10, 16)


def test_preserved_evidence_decision_within_7_working_days() -> None:
    assert due(K.PRESERVED_EVIDENCE, D(2025, 3, 7), CAL) == D(2025, 3, 18)


def test_hearing_request_within_5_working_days_of_the_notice() -> None:
    assert due(K.HEARING_REQUEST, D(2026, 2, 12), CAL) == D(2026, 2, 26)


def test_seizure_for_30_days_then_extended_by_30() -> None:
    first = due(K.SEIZURE, D(2025, 4, 1), CAL)
    assert first == D(2025, 5, 6)  # May 1 is Labour Day: runs on to the 6th
    assert due(K.SEIZURE_EXTENSION, first, CAL) == D(2025, 6, 5)


def test_publication_within_20_working_days_and_withdrawal_within_3() -> None:
    assert due(K.PUBLICATION, D(2025, 9, 22), CAL) == D(2025, 10, 24)
    assert due(K.WITHDRAW_PUBLICATION, D(2025, 9, 30), CAL) == D(2025, 10, 11)


# --- periods before an event ----------------------------------------------------------------

def test_hearing_notice_leaves_seven_working_days_before_the_hearing() -> None:
    hearing = D(2025, 10, 20)
    notice = due(K.HEARING_NOTICE, hearing, CAL)
    assert notice == D(2025, 10, 9)
    assert CAL.add_working_days(notice, 7) < hearing


def test_court_enforcement_notice_ten_working_days_before_applying() -> None:
    assert due(K.COURT_ENFORCEMENT_NOTICE, D(2025, 3, 31), CAL) == D(2025, 3, 14)


@given(st.dates(min_value=D(2024, 3, 1), max_value=D(2026, 12, 31)),
       st.sampled_from([K.HEARING_NOTICE, K.COURT_ENFORCEMENT_NOTICE]))
def test_before_deadlines_are_the_last_working_day_that_leaves_the_full_period(
        event: dt.date, kind: DeadlineKind) -> None:
    n = DEFAULT_RULES[kind].days
    latest = due(kind, event, CAL)
    assert CAL.is_working_day(latest)
    assert CAL.add_working_days(latest, n) < event
    assert CAL.add_working_days(CAL.add_working_days(latest, 1), n) >= event


def test_a_before_rule_in_calendar_days_also_leaves_the_full_period() -> None:
    rules = {K.HEARING_NOTICE: DeadlineRule(7, False, "《某市听证规则》", before=True)}
    notice = due(K.HEARING_NOTICE, D(2025, 10, 13), CAL, rules)
    # The period must end by Oct 11 (the Saturday worked; the 12th is a Sunday): 7 days
    # before is Oct 4, a holiday, so back to Sep 30, whose period runs on to Oct 9.
    assert notice == D(2025, 9, 30)
    assert CAL.add_days(notice, 7) < D(2025, 10, 13)


# --- configuration ----------------------------------------------------------------------------

def test_statement_window_defaults_to_5_working_days_and_a_template_may_say_3() -> None:
    assert due(K.STATEMENT_WINDOW, D(2025, 3, 7), CAL) == D(2025, 3, 14)
    assert due(K.STATEMENT_WINDOW, D(2025, 3, 7), CAL, days=3) == D(2025, 3, 12)


def test_a_city_overrides_only_the_rules_it_sets() -> None:
    city = {K.STATEMENT_WINDOW: DeadlineRule(3, True, "《某市城管执法程序规定》")}
    assert due(K.STATEMENT_WINDOW, D(2025, 3, 7), CAL, city) == D(2025, 3, 12)
    assert rule_for(K.PAYMENT, city) is DEFAULT_RULES[K.PAYMENT]


def test_correction_uses_the_violation_types_days_in_calendar_days() -> None:
    assert due(K.CORRECTION, D(2025, 9, 26), CAL, days=3) == D(2025, 9, 29)
    assert due(K.CORRECTION, D(2025, 9, 29), CAL, days=3) == D(2025, 10, 9)


def test_correction_without_days_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="correction"):
        due(K.CORRECTION, D(2025, 9, 26), CAL)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        due(K.STATEMENT_WINDOW, D(2025, 3, 7), CAL, days=-1)
    assert err.value.field == "days"


def test_an_unknown_year_is_named() -> None:
    with pytest.raises(ValidationError) as err:
        due(K.PAYMENT, D(2026, 12, 28), CAL)
    assert err.value.params == {"year": 2027}


# --- days left and status ----------------------------------------------------------------------

@pytest.mark.parametrize(("today", "left", "state"), [
    (D(2025, 3, 3), 4, "ok"),  # Monday, due Friday
    (D(2025, 3, 4), 3, "ok"),
    (D(2025, 3, 5), 2, "due_soon"),
    (D(2025, 3, 7), 0, "due_soon"),  # the due day itself
    (D(2025, 3, 8), -1, "overdue"),  # Saturday after: already too late
    (D(2025, 3, 10), -1, "overdue"),
    (D(2025, 3, 11), -2, "overdue"),
])
def test_days_left_and_status_for_a_friday_deadline(today: dt.date, left: int,
                                                     state: str) -> None:
    friday = D(2025, 3, 7)
    assert days_left(friday, today, CAL) == left
    assert status(friday, today, CAL) == state


def test_a_deadline_after_a_long_holiday_is_close_in_working_days() -> None:
    # Nine calendar days, but Oct 9 is the only working day left.
    assert days_left(D(2025, 10, 9), D(2025, 9, 30), CAL) == 1
    assert status(D(2025, 10, 9), D(2025, 9, 30), CAL) == "due_soon"
