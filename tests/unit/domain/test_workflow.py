"""The case workflow state machine and penalty rules (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldapp.domain.entities import CaseStatus, OfficerRole
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.penalties import Penalty, PenaltyKind, surcharge_fen
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.domain.workflow import (
    Action,
    CaseState,
    Procedure,
    allowed_actions,
    amount_due_fen,
    apply,
    new_case,
)

R = OfficerRole
CFG = RuleConfig()
D = dt.date(2026, 3, 2)
FINE_500 = {"kinds": ["fine"], "fine_fen": 50000}


def _do(state, action, role, payload=None, on=D):
    return apply(state, action, role=role, on=on, payload=payload or {}, config=CFG)


def _filed(organisation: bool = False) -> CaseState:
    s = new_case(procedure=Procedure.ORDINARY, organisation=organisation)
    s = _do(s, Action.APPROVE_FILING, R.SQUAD_LEADER)
    assert s.status is CaseStatus.FILING
    return _do(s, Action.APPROVE_FILING, R.AGENCY_HEAD)


def _notified(penalty=FINE_500, organisation=False) -> CaseState:
    s = _do(_filed(organisation), Action.FINISH_INVESTIGATION, R.OFFICER, {"penalty": penalty})
    if s.legal_review_required:
        s = _do(s, Action.LEGAL_REVIEW, R.LEGAL_REVIEWER, {"opinion": "事实清楚，同意"})
    if s.collective_required:
        s = _do(s, Action.COLLECTIVE_DISCUSSION, R.AGENCY_HEAD, {"conclusion": "同意"})
    return _do(s, Action.NOTIFY, R.OFFICER, {"statement_due": "2026-03-09",
                                              "hearing_request_due": "2026-03-09"})


def test_filing_needs_squad_leader_and_agency_head() -> None:
    s = _filed()
    assert s.status is CaseStatus.INVESTIGATING and s.filed_on == D
    with pytest.raises(DomainError):
        _do(new_case(procedure=Procedure.ORDINARY, organisation=False),
            Action.APPROVE_FILING, R.OFFICER)


def test_full_ordinary_path_to_archive() -> None:
    s = _notified()
    assert s.status is CaseStatus.NOTIFYING and not s.hearing_offered
    s = _do(s, Action.RECORD_STATEMENT, R.OFFICER)
    s = _do(s, Action.DECIDE, R.AGENCY_HEAD, {"decision": "penalty", "penalty": FINE_500})
    s = _do(s, Action.SERVE, R.OFFICER, {"payment_due": "2026-03-17"})
    assert amount_due_fen(s, dt.date(2026, 3, 10)) == 50000
    with pytest.raises(DomainError):
        _do(s, Action.REQUEST_CLOSE, R.OFFICER, on=dt.date(2026, 3, 10))
    s = _do(s, Action.RECORD_PAYMENT, R.OFFICER, {"amount_fen": 50000})
    assert Action.APPROVE_CLOSE not in allowed_actions(s, R.SQUAD_LEADER)
    s = _do(s, Action.REQUEST_CLOSE, R.OFFICER, on=dt.date(2026, 3, 12))
    with pytest.raises(DomainError):
        _do(s, Action.APPROVE_CLOSE, R.OFFICER)
    s = _do(s, Action.APPROVE_CLOSE, R.SQUAD_LEADER)
    s = _do(s, Action.ARCHIVE, R.SQUAD_LEADER)
    assert s.status is CaseStatus.ARCHIVED
    assert CaseState.from_json(s.to_json()) == s


def test_decision_may_never_exceed_the_notice() -> None:
    s = _do(_notified(), Action.RECORD_STATEMENT, R.OFFICER)
    with pytest.raises(DomainError, match="exceed"):
        _do(s, Action.DECIDE, R.AGENCY_HEAD,
            {"decision": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": 50001}})
    with pytest.raises(DomainError):
        _do(s, Action.DECIDE, R.AGENCY_HEAD,
            {"decision": "penalty", "penalty": {"kinds": ["fine", "warning"], "fine_fen": 100}})
    lighter = _do(s, Action.DECIDE, R.AGENCY_HEAD,
                  {"decision": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": 30000}})
    assert lighter.decided.fine_fen == 30000


def test_statement_cannot_raise_the_penalty() -> None:
    with pytest.raises(DomainError, match="lighter"):
        _do(_notified(), Action.RECORD_STATEMENT, R.OFFICER,
            {"revised_penalty": {"kinds": ["fine"], "fine_fen": 60000}})


def test_no_decision_before_the_statement_window_unless_stated_or_waived() -> None:
    s = _notified()
    decide = {"decision": "penalty", "penalty": FINE_500}
    with pytest.raises(DomainError, match="state and defend"):
        _do(s, Action.DECIDE, R.AGENCY_HEAD, decide, on=dt.date(2026, 3, 5))
    assert _do(s, Action.DECIDE, R.AGENCY_HEAD, decide, on=dt.date(2026, 3, 10)).decided
    assert _do(s, Action.DECIDE, R.AGENCY_HEAD, decide | {"party_waived_statement": True},
               on=dt.date(2026, 3, 5)).decided


def test_large_fine_gives_hearing_and_requires_legal_review() -> None:
    big = {"kinds": ["fine"], "fine_fen": 800000}  # 8,000 yuan, individual
    s = _do(_filed(), Action.FINISH_INVESTIGATION, R.OFFICER, {"penalty": big})
    assert s.hearing_offered and s.legal_review_required
    with pytest.raises(DomainError, match="legal review"):
        _do(s, Action.NOTIFY, R.OFFICER, {"statement_due": "2026-03-09",
                                          "hearing_request_due": "2026-03-09"})
    s = _notified(big)
    s = _do(s, Action.REQUEST_HEARING, R.OFFICER, on=dt.date(2026, 3, 9))
    with pytest.raises(DomainError, match="hearing"):
        _do(s, Action.DECIDE, R.AGENCY_HEAD, {"decision": "penalty", "penalty": big,
                                              "party_waived_statement": True})
    s = _do(s, Action.RECORD_HEARING, R.OFFICER)
    assert _do(s, Action.DECIDE, R.AGENCY_HEAD, {"decision": "penalty", "penalty": big,
                                                 "party_waived_statement": True}).decided


def test_hearing_request_after_the_deadline_is_refused() -> None:
    s = _notified({"kinds": ["fine"], "fine_fen": 800000})
    with pytest.raises(DomainError, match="requested by"):
        _do(s, Action.REQUEST_HEARING, R.OFFICER, on=dt.date(2026, 3, 10))


def test_penalty_needs_prior_notice() -> None:
    s = _do(_filed(), Action.FINISH_INVESTIGATION, R.OFFICER, {"penalty": FINE_500})
    with pytest.raises(DomainError, match="notice"):
        _do(s, Action.DECIDE, R.AGENCY_HEAD, {"decision": "penalty", "penalty": FINE_500})
    no_penalty = _do(s, Action.DECIDE, R.AGENCY_HEAD, {"decision": "no_penalty",
                                                       "reason": "first_offence"})
    assert no_penalty.status is CaseStatus.DECIDED


@pytest.mark.parametrize(("organisation", "fen", "ok"), [
    (False, 20000, True), (False, 20001, False), (True, 300000, True), (True, 300001, False)])
def test_summary_procedure_limits(organisation, fen, ok) -> None:
    s = new_case(procedure=Procedure.SUMMARY, organisation=organisation)
    payload = {"penalty": {"kinds": ["fine"], "fine_fen": fen}, "payment_due": "2026-03-17"}
    if ok:
        assert _do(s, Action.DECIDE_ON_SPOT, R.OFFICER, payload).status is CaseStatus.SERVED
    else:
        with pytest.raises(ValidationError, match="summary"):
            _do(s, Action.DECIDE_ON_SPOT, R.OFFICER, payload)


def test_summary_procedure_rejects_other_penalties_and_ordinary_cases_reject_on_spot() -> None:
    s = new_case(procedure=Procedure.SUMMARY, organisation=False)
    with pytest.raises(ValidationError):
        _do(s, Action.DECIDE_ON_SPOT, R.OFFICER,
            {"penalty": {"kinds": ["suspend_licence"]}, "payment_due": "2026-03-17"})
    assert _do(s, Action.DECIDE_ON_SPOT, R.OFFICER, {"penalty": {"kinds": ["warning"]}}).decided
    with pytest.raises(DomainError):
        _do(new_case(procedure=Procedure.ORDINARY, organisation=False), Action.DECIDE_ON_SPOT,
            R.OFFICER, {"penalty": {"kinds": ["warning"]}})


def test_surcharge_is_three_percent_a_day_capped_at_the_fine() -> None:
    due = dt.date(2026, 3, 17)
    assert surcharge_fen(50000, due, due) == 0
    assert surcharge_fen(50000, due, dt.date(2026, 3, 18)) == 1500
    assert surcharge_fen(50000, due, dt.date(2026, 3, 27)) == 15000
    assert surcharge_fen(50000, due, dt.date(2026, 6, 1)) == 50000


def test_penalty_validation() -> None:
    with pytest.raises(ValidationError):
        Penalty(frozenset())
    with pytest.raises(ValidationError):
        Penalty(frozenset({PenaltyKind.FINE}), 0)
    with pytest.raises(ValidationError):
        Penalty(frozenset({PenaltyKind.WARNING}), 100)


def test_roles_see_only_their_actions() -> None:
    s = _filed()
    assert allowed_actions(s, R.OFFICER) == [Action.FINISH_INVESTIGATION]
    assert Action.WITHDRAW in allowed_actions(s, R.AGENCY_HEAD)
    fresh = new_case(procedure=Procedure.ORDINARY, organisation=False)
    leader_done = _do(fresh, Action.APPROVE_FILING, R.SQUAD_LEADER)
    assert Action.APPROVE_FILING not in allowed_actions(leader_done, R.SQUAD_LEADER)
    assert Action.APPROVE_FILING in allowed_actions(leader_done, R.AGENCY_HEAD)
