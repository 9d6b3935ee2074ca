"""What the law requires of a workflow action beyond the state machine: amounts within
the statutory range of the rule that applies (art. 37), an identified party for a
decision, nobody approving their own case, and a decision complete by default (责令改正
with its deadline, art. 28)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from fieldapp.domain.entities import SubjectKind
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.fine_limits import check_fine
from fieldapp.domain.localtime import at_local
from fieldapp.domain.party import PartyFacts, check_identified
from fieldapp.domain.penalties import Penalty
from fieldapp.domain.workflow import Action, CaseState, Decision
from fieldapp.services.rules.city_rules import applied_rule_of
from fieldapp.store.tables import CaseFile, Officer, Subject, ViolationType

# The steps by which someone other than the case's officers lets it go on: approving,
# reviewing, discussing and deciding it (行政处罚法 art. 58: the review is by others).
APPROVALS = frozenset({Action.APPROVE_FILING, Action.LEGAL_REVIEW,
                       Action.COLLECTIVE_DISCUSSION, Action.DECIDE, Action.APPROVE_CLOSE})
_PENALTY_KEYS = {Action.FINISH_INVESTIGATION: "penalty", Action.RECORD_STATEMENT:
                 "revised_penalty", Action.DECIDE: "penalty", Action.DECIDE_ON_SPOT: "penalty"}


def party_of(session: Session, case: CaseFile) -> PartyFacts:
    subject = session.get(Subject, case.subject_id)
    if subject is None:
        raise NotFound("subject", case.subject_id)
    return PartyFacts(kind=SubjectKind(subject.kind), name=subject.name,
                      id_number=subject.id_number, credit_code=subject.credit_code,
                      legal_representative=subject.legal_representative,
                      shop_sign=subject.shop_sign, gender=subject.gender,
                      address=subject.address, phone=subject.phone)


def check_action(session: Session, case: CaseFile, officer: Officer, action: Action,
                 payload: dict[str, Any], state: CaseState, day: dt.date) -> None:
    """Refuse what the law forbids; fills the decision's defaults into ``payload``."""
    refused = own_case_refusal(case, officer, action)
    if refused is not None:
        raise refused
    penalty = _penalty(payload, action)
    if penalty is not None:
        _check_amount(session, case, state, penalty, payload, day)
    deciding = action is Action.DECIDE_ON_SPOT or (
        action is Action.DECIDE and payload.get("decision") == Decision.PENALTY.value)
    if deciding:
        check_identified(party_of(session, case))
    if action in (Action.DECIDE, Action.DECIDE_ON_SPOT):
        _correction_defaults(session, case, payload, day)


def own_case_refusal(case: CaseFile, officer: Officer,
                     action: Action) -> ValidationError | None:
    """Nobody approves, reviews or decides a case they handle themselves."""
    if action in APPROVALS and officer.id in (case.lead_officer_id, case.assist_officer_id):
        return ValidationError("officer", "{name} handles this case and may not approve it",
                               name=officer.name)
    return None


def _penalty(payload: dict[str, Any], action: Action) -> Penalty | None:
    key = _PENALTY_KEYS.get(action)
    raw = payload.get(key) if key else None
    if not isinstance(raw, dict):
        return None
    return Penalty.from_json(raw)


def _check_amount(session: Session, case: CaseFile, state: CaseState, penalty: Penalty,
                  payload: dict[str, Any], day: dt.date) -> None:
    applied = applied_rule_of(session, case, state, day)
    units = payload.get("fine_units", state.fine_units)
    check_fine(penalty, applied.rule.limits, organisation=state.organisation,
               units=float(units) if units not in (None, "") else None,
               tier=str(payload.get("discretion_tier", state.discretion_tier)))


def _correction_defaults(session: Session, case: CaseFile, payload: dict[str, Any],
                         day: dt.date) -> None:
    """责令改正 is part of every decision: the violation's own period unless given."""
    violation = session.get(ViolationType, case.violation_code)
    if violation is None:
        raise NotFound("violation code", case.violation_code)
    if not str(payload.get("correction_requirement", "")).strip():
        payload["correction_requirement"] = f"立即停止{violation.name.split('（')[0]}的违法行为" \
            "并改正"
    if not str(payload.get("correction_deadline", "")).strip():
        days = max(violation.correction_days, 1)
        deadline = at_local(day + dt.timedelta(days=days), dt.time(18))
        payload["correction_deadline"] = deadline.replace(tzinfo=None).isoformat(
            timespec="minutes")
