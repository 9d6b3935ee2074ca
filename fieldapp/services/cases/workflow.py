"""Cases (案件): opening, the workflow actions each role may take, deadlines, lists.

Every action appends a ``case_event`` (append-only) and updates the case's status and
state in the same transaction, with its audit event and outbox rows.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from fieldapp.domain import deadlines, permissions
from fieldapp.domain.calendar import WorkCalendar
from fieldapp.domain.deadlines import DeadlineKind
from fieldapp.domain.entities import CaseStatus, OfficerRole, SubjectKind
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.localtime import agency_zone, at_local
from fieldapp.domain.validation import check_two_officers
from fieldapp.domain.workflow import (
    Action,
    CaseState,
    Procedure,
    allowed_actions,
    apply,
    is_open,
    new_case,
)
from fieldapp.i18n import N_
from fieldapp.services.cases.legal_checks import check_action
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.services.rules import deadline_calendar, rule_config
from fieldapp.services.staff import officer_ref
from fieldapp.store.tables import CaseEvent, CaseFile, Officer, Subject, ViolationType
from fieldapp.store.unit import Tx

DEADLINE_STATUS_LABELS = {"ok": N_("ok"), "due_soon": N_("due_soon"), "overdue": N_("overdue")}


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due: dt.date
    status: str  # ok | due_soon | overdue
    basis: str
    provisional: bool  # touches a year whose holidays are not entered yet


@dataclass(frozen=True)
class CaseView:
    id: str
    case_no: str
    subject_id: str
    violation_code: str
    status: CaseStatus
    procedure: Procedure
    lead_officer_id: str
    assist_officer_id: str
    opened_at: dt.datetime
    state: CaseState
    deadlines: tuple[Deadline, ...]

    @property
    def next_deadline(self) -> Deadline | None:
        return min(self.deadlines, key=lambda d: d.due, default=None)


def _officers(session: Session, ids: tuple[str, str]) -> list[Officer]:
    found = [session.get(Officer, i) for i in ids]
    missing = [i for i, o in zip(ids, found, strict=True) if o is None]
    if missing:
        raise NotFound("officer", missing[0])
    return [o for o in found if o is not None]


def open_case(*, ctx: ServiceContext, officer_ids: tuple[str, str], subject_id: str,
              violation_code: str, procedure: Procedure = Procedure.ORDINARY,
              source: str = "patrol", external_ref: str = "", summary: str = "",
              at: dt.datetime | None = None) -> Written:
    """Open a case (立案 starts with the approval form); two certified officers."""
    with ctx.write(officer_ids[0], action=permissions.Action.OPEN_CASE) as tx:
        case_id = open_case_in(tx, officer_ids=officer_ids, subject_id=subject_id,
                               violation_code=violation_code, procedure=procedure,
                               source=source, external_ref=external_ref, summary=summary,
                               at=at or tx.now)
    return Written(case_id, frozenset(tx.changed))


def open_case_in(tx: Tx, *, officer_ids: tuple[str, str], subject_id: str,
                 violation_code: str, procedure: Procedure = Procedure.ORDINARY,
                 source: str = "patrol", external_ref: str = "", summary: str = "",
                 at: dt.datetime) -> str:
    """Open a case inside a transaction the caller holds (e.g. recording a finding)."""
    officers = _officers(tx.session, officer_ids)
    check_two_officers([officer_ref(o) for o in officers], at.astimezone(agency_zone()).date())
    subject = tx.session.get(Subject, subject_id)
    if subject is None:
        raise NotFound("subject", subject_id)
    if tx.session.get(ViolationType, violation_code) is None:
        raise ValidationError("violation code", "'{code}' is not in the catalogue",
                              code=violation_code)
    state = new_case(procedure=procedure,
                     organisation=subject.kind == SubjectKind.BUSINESS.value)
    case = tx.add(CaseFile(
        id=tx.new_id(), squad_id=officers[0].squad_id, subject_id=subject_id,
        violation_code=violation_code, status=state.status.value, procedure=procedure.value,
        source=source, external_ref=external_ref, summary=summary,
        lead_officer_id=officers[0].id, assist_officer_id=officers[1].id, opened_at=at,
        created_at=tx.now, updated_at=tx.now, state_json=json.dumps(state.to_json())))
    _event(tx, case.id, "open", officers[0], {"procedure": procedure.value,
                                              "source": source, "external_ref": external_ref})
    tx.audit("case.open", "case_file", case.id, {
        "subject": subject_id, "violation": violation_code, "procedure": procedure.value,
        "officers": list(officer_ids)})
    return case.id


def _event(tx: Tx, case_id: str, action: str, officer: Officer,
           payload: dict[str, Any]) -> None:
    tx.add(CaseEvent(id=tx.new_id(), case_id=case_id, action=action, at_utc=tx.now,
                     officer_id=officer.id, role=officer.role,
                     payload_json=json.dumps(payload, ensure_ascii=False, default=str),
                     created_at=tx.now))


def act(*, ctx: ServiceContext, case_id: str, officer_id: str, action: Action,
        payload: dict[str, Any] | None = None, on: dt.date | None = None) -> Written:
    """Take one workflow action as this officer; refused when the role or the state
    does not allow it (nothing is written then)."""
    payload = dict(payload or {})
    config = rule_config(ctx=ctx)
    calendar = deadline_calendar(ctx=ctx)
    with ctx.write(officer_id, action=permissions.Action.ACT_ON_CASE) as tx:
        case = tx.session.get(CaseFile, case_id)
        if case is None:
            raise NotFound("case", case_id)
        officer = tx.session.get(Officer, officer_id)
        if officer is None:
            raise NotFound("officer", officer_id)
        day = on or tx.now.astimezone(agency_zone()).date()
        payload |= _computed_dates(action, day, calendar, config.statement_window_working_days)
        state = CaseState.from_json(json.loads(case.state_json))
        check_action(tx.session, case, officer, action, payload, state, day)
        after = apply(state, action, role=OfficerRole(officer.role), on=day, payload=payload,
                      config=config)
        _event(tx, case.id, action.value, officer, payload)
        tx.update(case, _case_columns(after, tx.now, calendar, day))
        tx.audit(f"case.{action.value}", "case_file", case.id,
                 {"from": state.status.value, "to": after.status.value,
                  "payload": json.loads(json.dumps(payload, default=str))})
    return Written(case_id, frozenset(tx.changed))


def _computed_dates(action: Action, day: dt.date, calendar: WorkCalendar,
                    statement_days: int) -> dict[str, str]:
    if action is Action.NOTIFY:
        return {
            "statement_due": deadlines.due(DeadlineKind.STATEMENT_WINDOW, day, calendar,
                                           days=statement_days).isoformat(),
            "hearing_request_due": deadlines.due(DeadlineKind.HEARING_REQUEST, day,
                                                 calendar).isoformat()}
    if action in (Action.SERVE, Action.DECIDE_ON_SPOT):
        return {"payment_due": deadlines.due(DeadlineKind.PAYMENT, day, calendar).isoformat()}
    return {}


def _case_columns(state: CaseState, now: dt.datetime, calendar: WorkCalendar,
                  today: dt.date) -> dict[str, Any]:
    def at(day: dt.date | None) -> dt.datetime | None:
        return at_local(day, dt.time(9)).astimezone(dt.UTC) if day else None

    upcoming = case_deadlines(state, calendar, today)
    nxt = min((d.due for d in upcoming), default=None)
    return {"status": state.status.value, "state_json": json.dumps(state.to_json()),
            "filed_at": at(state.filed_on), "decided_at": at(state.decided_on),
            "closed_at": at(state.closed_on), "updated_at": now,
            "next_deadline_at": dt.datetime.combine(nxt, dt.time(23, 59), agency_zone())
            .astimezone(dt.UTC) if nxt else None}


def case_deadlines(state: CaseState, calendar: WorkCalendar,
                   today: dt.date) -> tuple[Deadline, ...]:
    """The legal time limits running for a case now (DOMAIN.md §5.4)."""
    items: list[tuple[DeadlineKind, dt.date, dt.date]] = []  # kind, start, due
    s = state.status
    if state.filed_on and s in (CaseStatus.INVESTIGATING, CaseStatus.REVIEWING,
                                CaseStatus.NOTIFYING):
        items.append((DeadlineKind.DECISION_AFTER_FILING, state.filed_on,
                      deadlines.due(DeadlineKind.DECISION_AFTER_FILING, state.filed_on,
                                    calendar)))
    if state.preserved_on is not None:
        items.append((DeadlineKind.PRESERVED_EVIDENCE, state.preserved_on,
                      deadlines.due(DeadlineKind.PRESERVED_EVIDENCE, state.preserved_on,
                                    calendar)))
    if s is CaseStatus.NOTIFYING:
        notified = state.notified_on or today
        if state.statement_due and not state.statement_recorded:
            items.append((DeadlineKind.STATEMENT_WINDOW, notified, state.statement_due))
        if state.hearing_request_due and not state.hearing_requested:
            items.append((DeadlineKind.HEARING_REQUEST, notified, state.hearing_request_due))
    if s is CaseStatus.DECIDED and state.decided_on:
        items.append((DeadlineKind.SERVE_DECISION, state.decided_on,
                      deadlines.due(DeadlineKind.SERVE_DECISION, state.decided_on, calendar)))
    if s in (CaseStatus.SERVED, CaseStatus.EXECUTING) and state.payment_due and \
            state.decided and state.paid_fen < state.decided.fine_fen:
        items.append((DeadlineKind.PAYMENT, state.served_on or today, state.payment_due))
    rules = deadlines.DEFAULT_RULES
    return tuple(Deadline(kind, due, deadlines.status(due, today, calendar), rules[kind].basis,
                          calendar.provisional(start, due))
                 for kind, start, due in items)


def _view(case: CaseFile, calendar: WorkCalendar, today: dt.date) -> CaseView:
    state = CaseState.from_json(json.loads(case.state_json))
    return CaseView(case.id, case.case_no, case.subject_id, case.violation_code,
                    CaseStatus(case.status), Procedure(case.procedure), case.lead_officer_id,
                    case.assist_officer_id, case.opened_at, state,
                    case_deadlines(state, calendar, today))


def get_case(*, ctx: ServiceContext, case_id: str, today: dt.date | None = None) -> CaseView:
    calendar = deadline_calendar(ctx=ctx)
    with ctx.read() as session:
        case = session.get(CaseFile, case_id)
    if case is None:
        raise NotFound("case", case_id)
    return _view(case, calendar, today or ctx.now().astimezone(agency_zone()).date())


def case_actions(*, ctx: ServiceContext, case_id: str, officer_id: str) -> list[Action]:
    """The actions this officer's role allows on the case now."""
    with ctx.read() as session:
        case = session.get(CaseFile, case_id)
        officer = session.get(Officer, officer_id)
    if case is None:
        raise NotFound("case", case_id)
    if officer is None:
        raise NotFound("officer", officer_id)
    state = CaseState.from_json(json.loads(case.state_json))
    return allowed_actions(state, OfficerRole(officer.role))


def list_cases(*, ctx: ServiceContext, squad_id: str | None = None,
               officer_id: str | None = None, open_only: bool = True,
               overdue_only: bool = False, today: dt.date | None = None,
               limit: int = 500) -> list[CaseView]:
    """Cases with their running deadlines, the most urgent first."""
    today = today or ctx.now().astimezone(agency_zone()).date()
    calendar = deadline_calendar(ctx=ctx)
    query = select(CaseFile)
    if squad_id:
        query = query.where(CaseFile.squad_id == squad_id)
    if officer_id:
        query = query.where((CaseFile.lead_officer_id == officer_id)
                            | (CaseFile.assist_officer_id == officer_id))
    if open_only:
        query = query.where(CaseFile.status.in_(  # type: ignore[attr-defined]
            [s.value for s in CaseStatus if is_open(s)]))
    if overdue_only:
        end_of_yesterday = dt.datetime.combine(today, dt.time(0), agency_zone()).astimezone(dt.UTC)
        query = query.where(CaseFile.next_deadline_at < end_of_yesterday)  # type: ignore[operator]
    # Most urgent first; the case id breaks ties so every list of cases agrees.
    query = query.order_by(CaseFile.next_deadline_at.nulls_last(),  # type: ignore[union-attr]
                           CaseFile.opened_at.desc(), CaseFile.id).limit(  # type: ignore[attr-defined]
        limit)
    with ctx.read() as session:
        cases = session.exec(query).all()
    return [_view(c, calendar, today) for c in cases]
