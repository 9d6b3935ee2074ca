"""The three-step ladder (pure)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.entities import StepKind
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.ladder import PastStep, check_step_taken, is_first_offence, next_step
from fieldapp.domain.rules_config import RuleConfig

NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)
CFG = RuleConfig()


def _step(kind: StepKind, days_ago: float, n: int = 0) -> PastStep:
    return PastStep(id=f"s{n}-{days_ago}", kind=kind, taken_at=NOW - dt.timedelta(days=days_ago))


def _due(steps, closes=(), config=CFG, ladder=True):
    return next_step(steps=steps, episode_closes=closes, at=NOW, config=config,
                     ladder_applies=ladder)


def test_first_encounter_is_education() -> None:
    decision = _due([])
    assert decision.due is StepKind.EDUCATE and is_first_offence(decision)


def test_educated_last_month_by_another_officer_is_a_warning() -> None:
    decision = _due([_step(StepKind.EDUCATE, 30)])
    assert decision.due is StepKind.WARN
    assert [s.kind for s in decision.counted] == [StepKind.EDUCATE]
    assert not is_first_offence(decision)


def test_educated_and_warned_means_a_case() -> None:
    assert _due([_step(StepKind.EDUCATE, 60), _step(StepKind.WARN, 20)]).due is StepKind.ENFORCE


def test_steps_outside_the_window_do_not_count() -> None:
    assert _due([_step(StepKind.EDUCATE, 400), _step(StepKind.WARN, 370)]).due is StepKind.EDUCATE
    short = RuleConfig(lookback_months=3)
    assert _due([_step(StepKind.EDUCATE, 100)], config=short).due is StepKind.EDUCATE


def test_a_corrected_episode_resets_the_count_when_configured() -> None:
    steps = [_step(StepKind.EDUCATE, 60), _step(StepKind.WARN, 40)]
    closes = [NOW - dt.timedelta(days=35)]
    assert _due(steps, closes).due is StepKind.EDUCATE
    keep = RuleConfig(reset_on_corrected_episode=False)
    assert _due(steps, closes, config=keep).due is StepKind.ENFORCE


def test_a_future_close_is_ignored() -> None:
    assert _due([_step(StepKind.EDUCATE, 5)], [NOW + dt.timedelta(days=1)]).due is StepKind.WARN


def test_catalogue_flag_skips_the_ladder() -> None:
    decision = _due([], ladder=False)
    assert decision.due is StepKind.ENFORCE and decision.skipped


def test_window_never_exceeds_the_two_year_limitation() -> None:
    with pytest.raises(ValidationError) as err:
        RuleConfig(lookback_months=25)
    assert err.value.field == "look-back window"


def test_override_needs_a_reason() -> None:
    with pytest.raises(ValidationError) as err:
        check_step_taken(StepKind.WARN, StepKind.EDUCATE, "  ")
    assert err.value.field == "override reason"
    assert check_step_taken(StepKind.WARN, StepKind.EDUCATE, "当事人年迈，首次口头提醒") != ""
    assert check_step_taken(StepKind.WARN, StepKind.WARN, "ignored") == ""


@given(st.lists(st.tuples(st.sampled_from(list(StepKind)), st.floats(0.01, 700)), max_size=8))
def test_due_step_never_goes_below_the_highest_rung_counted(history) -> None:
    steps = [_step(k, d, i) for i, (k, d) in enumerate(history)]
    decision = _due(steps)
    order = [StepKind.EDUCATE, StepKind.WARN, StepKind.ENFORCE]
    if decision.counted:
        highest = max(order.index(s.kind) for s in decision.counted)
        assert order.index(decision.due) == min(highest + 1, 2)
    assert all(NOW - s.taken_at < dt.timedelta(days=366) for s in decision.counted)
