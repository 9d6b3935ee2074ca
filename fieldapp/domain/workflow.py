"""The case workflow (一般程序 and 简易程序) as a pure state machine.

立案 (approved by the squad leader and the agency head) → 调查取证 → 审查 (legal review
法制审核 and collective discussion 集体讨论 where required) → 告知 (事先告知; hearing right
above the city's threshold; 陈述申辩 and 复核) → 决定 → 送达 → 执行 → 结案 → 归档.
Dates that depend on the working-day calendar (hearing request, payment) are computed
by the service and passed in; this module reads no clock and no calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from enum import StrEnum
from typing import Any, TypeVar

from fieldapp.domain.case_state import CaseState, Decision, NoPenaltyReason, Procedure
from fieldapp.domain.entities import CaseStatus, OfficerRole
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.penalties import (
    Penalty,
    check_summary_allowed,
    collective_discussion_required,
    hearing_right,
    legal_review_required,
    surcharge_fen,
)
from fieldapp.domain.rules_config import RuleConfig

__all__ = ["CaseState", "Decision", "NoPenaltyReason", "Procedure"]  # kept importable here

S = CaseStatus
R = OfficerRole


class Action(StrEnum):
    APPROVE_FILING = "approve_filing"  # 立案审批
    PRESERVE_EVIDENCE = "preserve_evidence"  # 批准证据先行登记保存 (art. 56)
    HANDLE_PRESERVED = "handle_preserved"  # 先行登记保存物品处理决定 (7 working days)
    FINISH_INVESTIGATION = "finish_investigation"  # 调查终结，提出处理意见
    LEGAL_REVIEW = "legal_review"  # 法制审核
    COLLECTIVE_DISCUSSION = "collective_discussion"  # 集体讨论
    NOTIFY = "notify"  # 事先告知
    RECORD_STATEMENT = "record_statement"  # 陈述申辩及复核
    REQUEST_HEARING = "request_hearing"  # 当事人要求听证
    RECORD_HEARING = "record_hearing"  # 听证
    DECIDE = "decide"  # 作出决定
    DECIDE_ON_SPOT = "decide_on_spot"  # 当场处罚决定 (简易程序)
    SERVE = "serve"  # 送达
    RECORD_PAYMENT = "record_payment"  # 缴纳罚款
    REQUEST_CLOSE = "request_close"  # 提请结案
    APPROVE_CLOSE = "approve_close"  # 结案审批
    ARCHIVE = "archive"  # 归档
    WITHDRAW = "withdraw"  # 撤案


# Who may take each action (DOMAIN.md §5.3). Officers act in pairs; the service checks
# that a second certified officer takes part in actions on the street.
ROLES: Mapping[Action, frozenset[OfficerRole]] = {
    Action.APPROVE_FILING: frozenset({R.SQUAD_LEADER, R.AGENCY_HEAD}),
    Action.PRESERVE_EVIDENCE: frozenset({R.AGENCY_HEAD}),
    Action.HANDLE_PRESERVED: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.FINISH_INVESTIGATION: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.LEGAL_REVIEW: frozenset({R.LEGAL_REVIEWER}),
    Action.COLLECTIVE_DISCUSSION: frozenset({R.AGENCY_HEAD}),
    Action.NOTIFY: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.RECORD_STATEMENT: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.REQUEST_HEARING: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.RECORD_HEARING: frozenset({R.OFFICER, R.SQUAD_LEADER, R.LEGAL_REVIEWER}),
    Action.DECIDE: frozenset({R.AGENCY_HEAD}),
    Action.DECIDE_ON_SPOT: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.SERVE: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.RECORD_PAYMENT: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.REQUEST_CLOSE: frozenset({R.OFFICER, R.SQUAD_LEADER}),
    Action.APPROVE_CLOSE: frozenset({R.SQUAD_LEADER}),
    Action.ARCHIVE: frozenset({R.SQUAD_LEADER, R.AGENCY_HEAD}),
    Action.WITHDRAW: frozenset({R.AGENCY_HEAD}),
}


def new_case(*, procedure: Procedure, organisation: bool) -> CaseState:
    return CaseState(procedure=procedure, organisation=organisation)


# --- applying an action --------------------------------------------------------------

Handler = Callable[[CaseState, dt.date, Mapping[str, Any], RuleConfig, OfficerRole], CaseState]


def apply(state: CaseState, action: Action, *, role: OfficerRole, on: dt.date,
          payload: Mapping[str, Any], config: RuleConfig) -> CaseState:
    """The state after ``action``; raises when the action is not allowed now."""
    if role not in ROLES[action]:
        raise DomainError("a {role} may not {action}", role=role.value, action=action.value)
    allowed = _ALLOWED_FROM[action]
    if state.status not in allowed:
        raise DomainError("{action} is not possible while the case is {status}",
                          action=action.value, status=state.status.value)
    if not _procedure_fits(state, action):
        raise DomainError("{action} does not belong to the {procedure} procedure",
                          action=action.value, procedure=state.procedure.value)
    return _HANDLERS[action](state, on, payload, config, role)


def _procedure_fits(state: CaseState, action: Action) -> bool:
    """A summary case is decided on the spot; an ordinary one is filed by approval."""
    summary = state.procedure is Procedure.SUMMARY
    if action is Action.DECIDE_ON_SPOT:
        return summary
    return not (action is Action.APPROVE_FILING and summary)


def allowed_actions(state: CaseState, role: OfficerRole) -> list[Action]:
    """The actions this role could take now (the UI shows only these)."""
    out = []
    for action in Action:
        if role not in ROLES[action] or state.status not in _ALLOWED_FROM[action]:
            continue
        if not _procedure_fits(state, action):
            continue
        if action is Action.APPROVE_FILING and role in state.filing_approvals:
            continue
        if action is Action.APPROVE_CLOSE and not state.close_requested:
            continue
        if action is Action.REQUEST_HEARING and not state.hearing_offered:
            continue
        if (action is Action.HANDLE_PRESERVED) != (state.preserved_on is not None) and \
                action in (Action.HANDLE_PRESERVED, Action.PRESERVE_EVIDENCE):
            continue
        out.append(action)
    return out


def _approve_filing(state: CaseState, on: dt.date, _p: Mapping[str, Any],
                    _c: RuleConfig, role: OfficerRole) -> CaseState:
    if role in state.filing_approvals:
        raise DomainError("the {role} has already approved the filing", role=role.value)
    approvals = state.filing_approvals | {role}
    if approvals >= {R.SQUAD_LEADER, R.AGENCY_HEAD}:
        return replace(state, filing_approvals=approvals, status=S.INVESTIGATING, filed_on=on)
    return replace(state, filing_approvals=approvals)


def _penalty(payload: Mapping[str, Any], key: str) -> Penalty:
    raw = payload.get(key)
    if not isinstance(raw, Mapping):
        raise ValidationError("penalty", "is required")
    return Penalty.from_json(dict(raw))


def _preserve(state: CaseState, on: dt.date, payload: Mapping[str, Any],
              _c: RuleConfig, _r: OfficerRole) -> CaseState:
    items = str(payload.get("items", "")).strip()
    if not items:
        raise ValidationError("items", "list what is preserved")
    place = str(payload.get("storage_place", "")).strip()
    if state.preserved_on is not None:
        raise DomainError("preserved evidence is waiting for its handling decision")
    return replace(state, preserved_on=on, notes=(*state.notes, items),
                   preserved_items=items, storage_place=place or state.storage_place)


def _handle_preserved(state: CaseState, _on: dt.date, payload: Mapping[str, Any],
                      _c: RuleConfig, _r: OfficerRole) -> CaseState:
    if state.preserved_on is None:
        raise DomainError("no evidence is waiting for a handling decision")
    decision = str(payload.get("decision", "")).strip()
    if not decision:
        raise ValidationError("decision", "is required")
    return replace(state, preserved_on=None, notes=(*state.notes, decision))


def _finish_investigation(state: CaseState, _on: dt.date, payload: Mapping[str, Any],
                          config: RuleConfig, _r: OfficerRole) -> CaseState:
    if state.preserved_on is not None:
        raise DomainError("decide first what happens to the preserved evidence")
    if payload.get("decision") in (Decision.NO_PENALTY, Decision.TRANSFER):
        return replace(state, status=S.REVIEWING, proposed=None)
    proposed = _penalty(payload, "penalty")
    org = state.organisation
    hearing = hearing_right(proposed, organisation=org, config=config)
    units = payload.get("fine_units")
    return replace(
        state, status=S.REVIEWING, proposed=proposed, hearing_offered=hearing,
        discretion_tier=str(payload.get("discretion_tier", "")),
        discretion_reasons=str(payload.get("discretion_reasons", "")).strip(),
        fine_units=float(units) if units not in (None, "") else None,
        legal_review_required=legal_review_required(
            proposed, organisation=org, hearing=hearing, config=config),
        collective_required=collective_discussion_required(
            proposed, organisation=org, config=config))


def _legal_review(state: CaseState, _on: dt.date, payload: Mapping[str, Any],
                  _c: RuleConfig, _r: OfficerRole) -> CaseState:
    opinion = str(payload.get("opinion", "")).strip()
    if not opinion:
        raise ValidationError("legal review opinion", "is required")
    return replace(state, legal_review_opinion=opinion)


def _collective(state: CaseState, _on: dt.date, payload: Mapping[str, Any],
                _c: RuleConfig, _r: OfficerRole) -> CaseState:
    conclusion = str(payload.get("conclusion", "")).strip()
    if not conclusion:
        raise ValidationError("collective discussion conclusion", "is required")
    return replace(state, collective_conclusion=conclusion)


def _gates_passed(state: CaseState) -> None:
    if state.legal_review_required and not state.legal_review_opinion:
        raise DomainError("legal review (法制审核) is required before the party is notified")
    if state.collective_required and not state.collective_conclusion:
        raise DomainError("collective discussion (集体讨论) is required for this penalty")


def _notify(state: CaseState, on: dt.date, payload: Mapping[str, Any],
            _c: RuleConfig, _r: OfficerRole) -> CaseState:
    if state.proposed is None:
        raise DomainError("no penalty is proposed, so there is nothing to notify")
    _gates_passed(state)
    return replace(state, status=S.NOTIFYING, notified=state.proposed, notified_on=on,
                   statement_due=_date(payload, "statement_due"),
                   hearing_request_due=_date(payload, "hearing_request_due")
                   if state.hearing_offered else None)


def _date(payload: Mapping[str, Any], key: str) -> dt.date:
    value = payload.get(key)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise ValidationError(key.replace("_", " "), "is required")


def _record_statement(state: CaseState, _on: dt.date, payload: Mapping[str, Any],
                      _c: RuleConfig, _r: OfficerRole) -> CaseState:
    revised = payload.get("revised_penalty")
    proposed, reviewed = state.proposed, state.reviewed
    if revised is not None:
        proposed = reviewed = Penalty.from_json(dict(revised))
        assert state.notified is not None
        if not proposed.not_heavier_than(state.reviewed or state.notified):
            raise ValidationError("revised penalty", "after the party's statement the penalty "
                                  "may only stay or become lighter (art. 45)")
    return replace(state, statement_recorded=True, proposed=proposed, reviewed=reviewed,
                   statement_text=str(payload.get("statement", "")).strip()
                   or state.statement_text,
                   review_text=str(payload.get("review", "")).strip() or state.review_text)


def _request_hearing(state: CaseState, on: dt.date, _p: Mapping[str, Any],
                     _c: RuleConfig, _r: OfficerRole) -> CaseState:
    if not state.hearing_offered:
        raise DomainError("this penalty gives no right to a hearing")
    if state.hearing_request_due and on > state.hearing_request_due:
        raise DomainError("the hearing had to be requested by {due}",
                          due=state.hearing_request_due.isoformat())
    return replace(state, hearing_requested=True)


def _record_hearing(state: CaseState, _on: dt.date, payload: Mapping[str, Any],
                    _c: RuleConfig, _r: OfficerRole) -> CaseState:
    if not state.hearing_requested:
        raise DomainError("no hearing was requested")
    return replace(state, hearing_held=True,
                   hearing_summary=str(payload.get("summary", "")).strip())


def _decide(state: CaseState, on: dt.date, payload: Mapping[str, Any],
            _c: RuleConfig, _r: OfficerRole) -> CaseState:
    decision = _choice(Decision, payload, "decision")
    if decision is Decision.PENALTY:
        return _decide_penalty(state, on, payload)
    if decision is Decision.NO_PENALTY:
        reason = _choice(NoPenaltyReason, payload, "reason")
        return _correction(replace(state, status=S.DECIDED, decision=decision, decided=None,
                                   no_penalty_reason=reason, decided_on=on), payload)
    return replace(state, status=S.TRANSFERRED, decision=decision, decided_on=on)


E = TypeVar("E", bound=StrEnum)


def _choice(kind: type[E], payload: Mapping[str, Any], key: str) -> E:
    value = str(payload.get(key, ""))
    try:
        return kind(value)
    except ValueError:
        raise ValidationError(key, "'{value}' is not one of {choices}", value=value,
                              choices=", ".join(k.value for k in kind)) from None


def _decide_penalty(state: CaseState, on: dt.date, payload: Mapping[str, Any]) -> CaseState:
    if state.status is not S.NOTIFYING or state.notified is None:
        raise DomainError("a penalty needs the prior notice (事先告知) first (art. 62)")
    # A waiver counts only in writing (the party's signed 放弃陈述申辩/听证 statement).
    waived = bool(payload.get("statement_waived_in_writing")
                  or payload.get("party_waived_statement")) or state.statement_waived
    if not (state.statement_recorded or waived or (
            state.statement_due is not None and on > state.statement_due)):
        raise ValidationError("decision date", "the party's time to state and defend runs "
                              "until {due} (arts. 44, 45, 62)",
                              due=state.statement_due.isoformat() if state.statement_due else "")
    hearing_waived = bool(payload.get("hearing_waived_in_writing")) or state.hearing_waived
    if state.hearing_offered and not (state.hearing_requested or hearing_waived) and (
            state.hearing_request_due is not None and on <= state.hearing_request_due):
        raise ValidationError("decision date", "the party may ask for a hearing until {due} "
                              "(art. 64): decide after that day or with the party's written "
                              "waiver", due=state.hearing_request_due.isoformat())
    if state.hearing_requested and not state.hearing_held:
        raise DomainError("the party asked for a hearing: hold it before deciding")
    if state.legal_review_required and not state.legal_review_opinion:
        raise ValidationError("legal review opinion", "法制审核 is required before this "
                              "decision (art. 58)")
    decided = _penalty(payload, "penalty")
    ceiling = state.reviewed or state.notified
    if not decided.not_heavier_than(ceiling):
        raise ValidationError("penalty", "the decided penalty may not exceed the one notified "
                              "or, after 复核, the reviewed one (art. 45)")
    return _correction(replace(state, status=S.DECIDED, decision=Decision.PENALTY,
                               decided=decided, decided_on=on, statement_waived=waived,
                               hearing_waived=hearing_waived), payload)


def _correction(state: CaseState, payload: Mapping[str, Any]) -> CaseState:
    """责令改正 (art. 28): what to correct and by when (a local date and time)."""
    requirement = str(payload.get("correction_requirement", "")).strip()
    deadline = str(payload.get("correction_deadline", "")).strip()
    if deadline:
        try:
            dt.datetime.fromisoformat(deadline)
        except ValueError:
            raise ValidationError("correction deadline", "'{value}' is not a date and time "
                                  "like 2026-11-24T18:00", value=deadline) from None
    return replace(state, correction_requirement=requirement, correction_deadline=deadline)


def _decide_on_spot(state: CaseState, on: dt.date, payload: Mapping[str, Any],
                    config: RuleConfig, _r: OfficerRole) -> CaseState:
    decided = _penalty(payload, "penalty")
    check_summary_allowed(decided, organisation=state.organisation, config=config)
    # Handed over on the spot (art. 52): decided and served in one step.
    return _correction(replace(
        state, status=S.SERVED, decision=Decision.PENALTY, decided=decided,
        decided_on=on, served_on=on, filed_on=on,
        payment_due=_date(payload, "payment_due") if decided.fine_fen else None), payload)


def _serve(state: CaseState, on: dt.date, payload: Mapping[str, Any],
           _c: RuleConfig, _r: OfficerRole) -> CaseState:
    if state.decided_on is not None and on < state.decided_on:
        raise ValidationError("service date", "{on} is before the decision of {decided}: "
                              "a document cannot be served before it is made",
                              on=on.isoformat(), decided=state.decided_on.isoformat())
    fine = state.decided.fine_fen if state.decided else 0
    return replace(state, status=S.SERVED, served_on=on,
                   payment_due=_date(payload, "payment_due") if fine else None)


def _record_payment(state: CaseState, _on: dt.date, payload: Mapping[str, Any],
                    _c: RuleConfig, _r: OfficerRole) -> CaseState:
    amount = int(payload.get("amount_fen", 0))
    if amount <= 0:
        raise ValidationError("amount", "must be more than zero")
    return replace(state, status=S.EXECUTING, paid_fen=state.paid_fen + amount)


def amount_due_fen(state: CaseState, on: dt.date) -> int:
    """Fine plus surcharge (art. 72) still to pay on ``on``."""
    if state.decided is None or not state.decided.fine_fen:
        return 0
    fine = state.decided.fine_fen
    extra = surcharge_fen(fine, state.payment_due, on) if state.payment_due else 0
    return max(0, fine + extra - state.paid_fen)


def _request_close(state: CaseState, on: dt.date, _p: Mapping[str, Any],
                   _c: RuleConfig, _r: OfficerRole) -> CaseState:
    if state.decision is Decision.PENALTY and amount_due_fen(state, on) > 0:
        raise DomainError("the fine is not paid in full: {amount} yuan still due",
                          amount=amount_due_fen(state, on) / 100)
    return replace(state, close_requested=True)


def _approve_close(state: CaseState, on: dt.date, _p: Mapping[str, Any],
                   _c: RuleConfig, _r: OfficerRole) -> CaseState:
    if not state.close_requested:
        raise DomainError("closing has not been requested")
    return replace(state, status=S.CLOSED, closed_on=on)


def _archive(state: CaseState, _on: dt.date, _p: Mapping[str, Any],
             _c: RuleConfig, _r: OfficerRole) -> CaseState:
    return replace(state, status=S.ARCHIVED)


def _withdraw(state: CaseState, on: dt.date, payload: Mapping[str, Any],
              _c: RuleConfig, _r: OfficerRole) -> CaseState:
    reason = str(payload.get("reason", "")).strip()
    if not reason:
        raise ValidationError("reason", "is required")
    return replace(state, status=S.WITHDRAWN, closed_on=on, notes=(*state.notes, reason))


_HANDLERS: Mapping[Action, Handler] = {
    Action.APPROVE_FILING: _approve_filing,
    Action.PRESERVE_EVIDENCE: _preserve,
    Action.HANDLE_PRESERVED: _handle_preserved,
    Action.FINISH_INVESTIGATION: _finish_investigation,
    Action.LEGAL_REVIEW: _legal_review,
    Action.COLLECTIVE_DISCUSSION: _collective,
    Action.NOTIFY: _notify,
    Action.RECORD_STATEMENT: _record_statement,
    Action.REQUEST_HEARING: _request_hearing,
    Action.RECORD_HEARING: _record_hearing,
    Action.DECIDE: _decide,
    Action.DECIDE_ON_SPOT: _decide_on_spot,
    Action.SERVE: _serve,
    Action.RECORD_PAYMENT: _record_payment,
    Action.REQUEST_CLOSE: _request_close,
    Action.APPROVE_CLOSE: _approve_close,
    Action.ARCHIVE: _archive,
    Action.WITHDRAW: _withdraw,
}

_ALLOWED_FROM: Mapping[Action, frozenset[CaseStatus]] = {
    Action.APPROVE_FILING: frozenset({S.FILING}),
    Action.PRESERVE_EVIDENCE: frozenset({S.INVESTIGATING}),
    Action.HANDLE_PRESERVED: frozenset({S.INVESTIGATING}),
    Action.FINISH_INVESTIGATION: frozenset({S.INVESTIGATING}),
    Action.LEGAL_REVIEW: frozenset({S.REVIEWING}),
    Action.COLLECTIVE_DISCUSSION: frozenset({S.REVIEWING}),
    Action.NOTIFY: frozenset({S.REVIEWING}),
    Action.RECORD_STATEMENT: frozenset({S.NOTIFYING}),
    Action.REQUEST_HEARING: frozenset({S.NOTIFYING}),
    Action.RECORD_HEARING: frozenset({S.NOTIFYING}),
    Action.DECIDE: frozenset({S.REVIEWING, S.NOTIFYING}),
    Action.DECIDE_ON_SPOT: frozenset({S.FILING}),
    Action.SERVE: frozenset({S.DECIDED}),
    Action.RECORD_PAYMENT: frozenset({S.SERVED, S.EXECUTING}),
    Action.REQUEST_CLOSE: frozenset({S.SERVED, S.EXECUTING}),
    Action.APPROVE_CLOSE: frozenset({S.SERVED, S.EXECUTING}),
    Action.ARCHIVE: frozenset({S.CLOSED, S.WITHDRAWN, S.TRANSFERRED}),
    Action.WITHDRAW: frozenset({S.FILING, S.INVESTIGATING, S.REVIEWING}),
}


def is_open(status: CaseStatus) -> bool:
    return status not in (S.CLOSED, S.ARCHIVED, S.WITHDRAWN, S.TRANSFERRED)
