"""Table-driven checks of the rules against the law as written in DOMAIN.md:
the ladder window edges, every workflow action for every role and status, and each
legal deadline across the 2025 National Day holiday and its adjusted working days."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from fieldapp.domain.calendar import WorkCalendar
from fieldapp.domain.deadlines import DeadlineKind, due
from fieldapp.domain.entities import CaseStatus, OfficerRole, StepKind
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.ladder import PastStep, months_before, next_step
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.domain.workflow import Action, CaseState, Procedure, apply, new_case

R, S, A = OfficerRole, CaseStatus, Action
UTC = dt.UTC

# --- the ladder window -----------------------------------------------------------------

LADDER_ROWS = [
    # (moment of the act, time of the earlier step, counted?)
    ("2025-06-01 10:00", "2024-06-01 10:00", False),  # exactly 12 months (365 days)
    ("2025-06-01 10:00", "2024-06-01 10:01", True),
    ("2025-06-01 10:00", "2024-06-02 10:00", True),  # 364 days
    ("2024-06-01 10:00", "2023-06-02 10:00", True),  # 365 days across 29 Feb 2024
    ("2024-06-01 10:00", "2023-06-01 10:00", False),  # 366 days across 29 Feb 2024
    ("2025-02-28 10:00", "2024-02-29 09:00", True),  # the leap day is inside
    ("2025-02-28 10:00", "2024-02-28 10:00", False),
    ("2024-02-29 10:00", "2023-02-28 10:00", False),  # 29 Feb minus 12 months = 28 Feb
    ("2024-02-29 10:00", "2023-02-28 10:01", True),
    ("2025-03-31 10:00", "2025-02-28 10:01", True),  # 1-month window clamps to 28 Feb
]


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("at", "step_at", "counted"), LADDER_ROWS)
def test_window_edges(at: str, step_at: str, counted: bool) -> None:
    months = 1 if at.startswith("2025-03-31") else 12
    decision = next_step(steps=[PastStep("s", StepKind.EDUCATE, _utc(step_at))],
                         episode_closes=[], at=_utc(at),
                         config=RuleConfig(lookback_months=months), ladder_applies=True)
    assert (decision.due is StepKind.WARN) is counted


TRANSITIONS = [
    # (steps counted, closes, ladder applies, reset on correction, due)
    ((), (), True, True, StepKind.EDUCATE),
    ((StepKind.EDUCATE,), (), True, True, StepKind.WARN),
    ((StepKind.EDUCATE, StepKind.EDUCATE), (), True, True, StepKind.WARN),  # overridden twice
    ((StepKind.WARN,), (), True, True, StepKind.ENFORCE),
    ((StepKind.EDUCATE, StepKind.WARN), (), True, True, StepKind.ENFORCE),
    ((StepKind.EDUCATE, StepKind.WARN, StepKind.ENFORCE), (), True, True, StepKind.ENFORCE),
    ((StepKind.EDUCATE, StepKind.WARN), ("after",), True, True, StepKind.EDUCATE),
    ((StepKind.EDUCATE, StepKind.WARN), ("after",), True, False, StepKind.ENFORCE),
    ((StepKind.EDUCATE, StepKind.WARN), ("between",), True, True, StepKind.ENFORCE),
    ((), (), False, True, StepKind.ENFORCE),
    ((StepKind.EDUCATE,), (), False, True, StepKind.ENFORCE),
]


@pytest.mark.parametrize(("kinds", "closes", "ladder", "reset", "expected"), TRANSITIONS)
def test_every_ladder_transition(kinds, closes, ladder, reset, expected) -> None:
    at = _utc("2026-06-01 10:00")
    steps = [PastStep(f"s{i}", k, at - dt.timedelta(days=60 - 10 * i))
             for i, k in enumerate(kinds)]
    moments = {"after": at - dt.timedelta(days=1),
               "between": steps[0].taken_at + dt.timedelta(hours=1) if steps else at}
    decision = next_step(steps=steps, episode_closes=[moments[c] for c in closes], at=at,
                         config=RuleConfig(reset_on_corrected_episode=reset),
                         ladder_applies=ladder)
    assert decision.due is expected


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(_utc("2026-03-31 08:00"), 1) == _utc("2026-02-28 08:00")
    assert months_before(_utc("2024-12-31 08:00"), 10) == _utc("2024-02-29 08:00")
    assert months_before(_utc("2026-01-15 08:00"), 24) == _utc("2024-01-15 08:00")


# --- the workflow: who may do what, when (DOMAIN.md §5, written out independently) ------

LAW_ROLES = {
    A.APPROVE_FILING: {R.SQUAD_LEADER, R.AGENCY_HEAD},
    A.PRESERVE_EVIDENCE: {R.AGENCY_HEAD},
    A.HANDLE_PRESERVED: {R.OFFICER, R.SQUAD_LEADER},
    A.FINISH_INVESTIGATION: {R.OFFICER, R.SQUAD_LEADER},
    A.LEGAL_REVIEW: {R.LEGAL_REVIEWER},
    A.COLLECTIVE_DISCUSSION: {R.AGENCY_HEAD},
    A.NOTIFY: {R.OFFICER, R.SQUAD_LEADER},
    A.RECORD_STATEMENT: {R.OFFICER, R.SQUAD_LEADER},
    A.REQUEST_HEARING: {R.OFFICER, R.SQUAD_LEADER},
    A.RECORD_HEARING: {R.OFFICER, R.SQUAD_LEADER, R.LEGAL_REVIEWER},
    A.DECIDE: {R.AGENCY_HEAD},
    A.DECIDE_ON_SPOT: {R.OFFICER, R.SQUAD_LEADER},
    A.SERVE: {R.OFFICER, R.SQUAD_LEADER},
    A.RECORD_PAYMENT: {R.OFFICER, R.SQUAD_LEADER},
    A.REQUEST_CLOSE: {R.OFFICER, R.SQUAD_LEADER},
    A.APPROVE_CLOSE: {R.SQUAD_LEADER},
    A.ARCHIVE: {R.SQUAD_LEADER, R.AGENCY_HEAD},
    A.WITHDRAW: {R.AGENCY_HEAD},
}
LAW_FROM = {
    A.APPROVE_FILING: {S.FILING}, A.PRESERVE_EVIDENCE: {S.INVESTIGATING},
    A.HANDLE_PRESERVED: {S.INVESTIGATING}, A.FINISH_INVESTIGATION: {S.INVESTIGATING},
    A.LEGAL_REVIEW: {S.REVIEWING}, A.COLLECTIVE_DISCUSSION: {S.REVIEWING},
    A.NOTIFY: {S.REVIEWING}, A.RECORD_STATEMENT: {S.NOTIFYING},
    A.REQUEST_HEARING: {S.NOTIFYING}, A.RECORD_HEARING: {S.NOTIFYING},
    A.DECIDE: {S.REVIEWING, S.NOTIFYING}, A.DECIDE_ON_SPOT: {S.FILING},
    A.SERVE: {S.DECIDED}, A.RECORD_PAYMENT: {S.SERVED, S.EXECUTING},
    A.REQUEST_CLOSE: {S.SERVED, S.EXECUTING}, A.APPROVE_CLOSE: {S.SERVED, S.EXECUTING},
    A.ARCHIVE: {S.CLOSED, S.WITHDRAWN, S.TRANSFERRED},
    A.WITHDRAW: {S.FILING, S.INVESTIGATING, S.REVIEWING},
}
STATUSES = [S.FILING, S.INVESTIGATING, S.REVIEWING, S.NOTIFYING, S.DECIDED, S.SERVED,
            S.EXECUTING, S.CLOSED, S.ARCHIVED, S.WITHDRAWN]


def _state(status: CaseStatus) -> CaseState:
    return CaseState(procedure=Procedure.ORDINARY, organisation=False, status=status)


@pytest.mark.parametrize(("status", "action", "role"),
                         list(itertools.product(STATUSES, list(Action), list(OfficerRole))))
def test_every_action_for_every_role_and_status(status, action, role) -> None:
    allowed = (role in LAW_ROLES[action] and status in LAW_FROM[action]
               and action is not A.DECIDE_ON_SPOT)  # an ordinary case is never on the spot
    try:
        apply(_state(status), action, role=role, on=dt.date(2026, 3, 2), payload={},
              config=RuleConfig())
        refused = False
    except DomainError as error:
        # A refusal for want of details (an empty payload) is not a refusal of the step.
        refused = not isinstance(error, ValidationError) and (
            "may not" in error.problem or "not possible" in error.problem
            or "does not belong" in error.problem)
    assert refused is not allowed


def test_summary_case_is_decided_on_the_spot_not_filed() -> None:
    s = new_case(procedure=Procedure.SUMMARY, organisation=False)
    with pytest.raises(DomainError, match="does not belong"):
        apply(s, A.APPROVE_FILING, role=R.SQUAD_LEADER, on=dt.date(2026, 3, 2), payload={},
              config=RuleConfig())


# --- deadlines across the 2025 National Day holiday (Oct 1–8 off; Sun Sep 28 and Sat
# Oct 11 worked), as the State Council published it -----------------------------------

CAL = WorkCalendar(
    holidays=frozenset(dt.date(2025, 10, d) for d in range(1, 9)),
    workdays=frozenset({dt.date(2025, 9, 28), dt.date(2025, 10, 11)}),
    known_years=frozenset({2025}))

DEADLINE_ROWS = [
    # (kind, start, expected due) — working days count the adjusted Sunday and Saturday
    (DeadlineKind.SERVE_DECISION, "2025-09-26", "2025-10-13"),  # 28,29,30,9,10,11,13
    (DeadlineKind.HEARING_REQUEST, "2025-09-26", "2025-10-10"),  # 28,29,30,9,10
    (DeadlineKind.PRESERVED_EVIDENCE, "2025-09-30", "2025-10-16"),  # 9,10,11,13,14,15,16
    (DeadlineKind.STATEMENT_WINDOW, "2025-09-29", "2025-10-13"),  # 30,9,10,11,13
    (DeadlineKind.PAYMENT, "2025-09-20", "2025-10-09"),  # day 15 = Oct 5, a holiday
    (DeadlineKind.DECISION_AFTER_FILING, "2025-07-05", "2025-10-09"),  # day 90 = Oct 3
    (DeadlineKind.DECISION_AFTER_FILING, "2025-06-01", "2025-09-01"),  # day 90 = Sat Aug 30
    (DeadlineKind.PAYMENT, "2025-09-26", "2025-10-11"),  # day 15 = the worked Saturday
]


@pytest.mark.parametrize(("kind", "start", "expected"), DEADLINE_ROWS)
def test_deadlines_across_the_national_holiday(kind, start, expected) -> None:
    got = due(kind, dt.date.fromisoformat(start), CAL)
    assert got == dt.date.fromisoformat(expected)


# --- every combination of answers to a no-penalty item's conditions ----------------------

def test_every_condition_combination_of_every_default_item() -> None:
    import json

    from fieldapp.domain.no_penalty import (
        QUANTIFIED,
        Applicability,
        check_conditions,
        evaluate,
    )
    from fieldapp.resources import resource

    data = json.loads(resource("catalogue", "no_penalty_list.json").read_text("utf-8"))
    from fieldapp.domain.no_penalty import (
        ExemptionKind,
        NoPenaltyItem,
        RequiredMeasure,
    )

    checked = 0
    for raw in data["items"]:
        item = NoPenaltyItem(
            item_no=raw["item_no"], domain=raw["domain"], name=raw["name"],
            violation_codes=tuple(raw["violation_codes"]),
            exemption_kind=ExemptionKind(raw["exemption_kind"]),
            conditions=check_conditions(raw["conditions"]),
            required_measure=RequiredMeasure(raw["required_measure"]))
        for combo in itertools.product((True, False, None), repeat=len(item.conditions)):
            answers = {}
            for condition, answer in zip(item.conditions, combo, strict=True):
                if condition.kind in QUANTIFIED and answer is not None:
                    limit = condition.value or 0
                    answers[condition.kind] = limit if answer else limit + 1
                else:
                    answers[condition.kind] = answer
            outcome = evaluate(item, answers).outcome
            expected = (Applicability.DOES_NOT_APPLY if False in combo else
                        Applicability.UNDETERMINED if None in combo else Applicability.APPLIES)
            assert outcome is expected, (item.item_no, combo)
            checked += 1
    assert checked == sum(3 ** len(raw["conditions"]) for raw in data["items"])
