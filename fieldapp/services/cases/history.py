"""What the case screens read: a page of the case list, one case in full, its events.

``case_rows`` pages through the same cases ``cases.list_cases`` lists, in the same
order (most urgent deadline first), with the names a list shows already joined in, so
a screen can fetch a million cases 200 at a time. ``case_events`` reads the append-only
``case_event`` rows of one case: who did what, when, with what.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, exists, func, select

from fieldapp.domain.entities import CaseStatus
from fieldapp.domain.errors import DomainError
from fieldapp.domain.localtime import agency_zone, stored_utc
from fieldapp.domain.workflow import Action, CaseState, Procedure, is_open
from fieldapp.services.cases.legal_checks import own_case_refusal
from fieldapp.services.cases.next_step import NextStep, next_step
from fieldapp.services.cases.workflow import (
    CaseView,
    Deadline,
    case_actions,
    case_deadlines,
    get_case,
)
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork.case_papers import live_filed
from fieldapp.services.rules import deadline_calendar
from fieldapp.services.subjects import display_name
from fieldapp.store.tables import CaseEvent, CaseFile, Document, Officer, Subject, ViolationType

PAGE_SIZE = 200


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a list shows; the same fields as ``list_cases`` takes."""

    squad_id: str | None = None
    officer_id: str | None = None  # one of the case's two officers
    open_only: bool = True
    overdue_only: bool = False
    status: CaseStatus | None = None
    text: str = ""  # part of the party's name or shop sign, of the 案号 or of a 文号


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list."""

    id: str
    case_no: str
    subject_name: str
    violation_name: str
    status: CaseStatus
    procedure: Procedure
    lead_officer: str
    opened_at: dt.datetime
    next_deadline: Deadline | None
    next_step: NextStep | None = None


@dataclass(frozen=True)
class CaseEventView:
    """One step of a case's workflow as recorded (``action`` is an ``Action`` value or
    ``open``); ``payload`` is what the step was taken with."""

    id: str
    action: str
    at: dt.datetime
    officer_id: str
    officer_name: str
    role: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class CaseDetail:
    """A case as its detail panel shows it, with the actions the officer may take."""

    case: CaseView
    subject_name: str
    violation_name: str
    lead_officer: str
    assist_officer: str
    summary: str
    source: str
    events: tuple[CaseEventView, ...]
    actions: tuple[Action, ...]
    next_step: NextStep | None = None
    # Steps the role allows but this officer may not take on this case, with the reason
    # the service gives when they are tried (nobody approves their own case).
    refusals: tuple[tuple[Action, DomainError], ...] = ()


def _conditions(where: CaseFilter, today: dt.date) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``where``, as ``list_cases`` applies them."""
    found: list[ColumnElement[bool]] = []
    if where.squad_id:
        found.append(col(CaseFile.squad_id) == where.squad_id)
    if where.officer_id:
        found.append(or_(col(CaseFile.lead_officer_id) == where.officer_id,
                         col(CaseFile.assist_officer_id) == where.officer_id))
    if where.open_only:
        found.append(col(CaseFile.status).in_([s.value for s in CaseStatus if is_open(s)]))
    if where.overdue_only:
        start_of_today = dt.datetime.combine(today, dt.time(0), agency_zone()).astimezone(dt.UTC)
        found.append(col(CaseFile.next_deadline_at) < start_of_today)
    if where.status is not None:
        found.append(col(CaseFile.status) == where.status.value)
    if where.text.strip():
        found.append(_matching(where.text.strip()))
    return found


def _matching(text: str) -> ColumnElement[bool]:
    """The party's name or shop sign, the 案号, or the 文号 of one of its documents."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    parties = select(Subject.id).where(or_(col(Subject.name).like(pattern, escape="\\"),
                                           col(Subject.shop_sign).like(pattern, escape="\\")))
    numbered = exists().where(col(Document.case_id) == CaseFile.id,
                              col(Document.number).like(pattern, escape="\\"))
    return or_(col(CaseFile.subject_id).in_(parties),
               col(CaseFile.case_no).like(pattern, escape="\\"), numbered)


def _today(ctx: ServiceContext, today: dt.date | None) -> dt.date:
    return today or ctx.now().astimezone(agency_zone()).date()


def count_cases(*, ctx: ServiceContext, where: CaseFilter = CaseFilter(),
                today: dt.date | None = None) -> int:
    """How many cases ``case_rows`` pages through for ``where``."""
    query = select(func.count()).select_from(CaseFile).where(
        *_conditions(where, _today(ctx, today)))
    with ctx.read() as session:
        return int(session.exec(query).one())


def case_rows(*, ctx: ServiceContext, where: CaseFilter = CaseFilter(),
              today: dt.date | None = None, offset: int = 0,
              limit: int = PAGE_SIZE) -> list[CaseRow]:
    """``limit`` cases from ``offset``: the most urgent deadline first, then the newest."""
    day = _today(ctx, today)
    calendar = deadline_calendar(ctx=ctx)
    query = (
        select(CaseFile, Subject, ViolationType.name, Officer.name)
        .join(Subject, col(Subject.id) == CaseFile.subject_id)
        .join(ViolationType, col(ViolationType.code) == CaseFile.violation_code)
        .join(Officer, col(Officer.id) == CaseFile.lead_officer_id)
        .where(*_conditions(where, day))
        .order_by(col(CaseFile.next_deadline_at).is_(None), col(CaseFile.next_deadline_at),
                  col(CaseFile.opened_at).desc(), col(CaseFile.id))
        .offset(offset).limit(limit))
    with ctx.read() as session:
        found = session.exec(query).all()
        papers = live_filed(session, [case.id for case, *_rest in found])
    rows = []
    for case, subject, violation, lead in found:
        state = CaseState.from_json(json.loads(case.state_json))
        upcoming = case_deadlines(state, calendar, day)
        rows.append(CaseRow(
            case.id, case.case_no, display_name(subject), violation,
            CaseStatus(case.status), Procedure(case.procedure), lead, stored_utc(case.opened_at),
            min(upcoming, key=lambda d: d.due, default=None),
            next_step(state, papers.get(case.id, []), day)))
    return rows


def case_events(*, ctx: ServiceContext, case_id: str) -> list[CaseEventView]:
    """Every recorded step of the case, oldest first."""
    query = (select(CaseEvent, Officer.name)
             .join(Officer, col(Officer.id) == CaseEvent.officer_id)
             .where(CaseEvent.case_id == case_id)
             .order_by(col(CaseEvent.at_utc), col(CaseEvent.created_at), col(CaseEvent.id)))
    with ctx.read() as session:
        found = session.exec(query).all()
    return [CaseEventView(e.id, e.action, stored_utc(e.at_utc), e.officer_id, name, e.role,
                          MappingProxyType(json.loads(e.payload_json)))
            for e, name in found]


def _officer_name(session: Session, officer_id: str) -> str:
    officer = session.get(Officer, officer_id)
    return officer.name if officer is not None else ""


def case_detail(*, ctx: ServiceContext, case_id: str, officer_id: str | None = None,
                today: dt.date | None = None) -> CaseDetail:
    """The case, its names, its events, and what ``officer_id`` may do now (nothing when
    no officer is given)."""
    view = get_case(ctx=ctx, case_id=case_id, today=today)
    day = _today(ctx, today)
    query = (select(CaseFile, Subject, ViolationType.name)
             .join(Subject, col(Subject.id) == CaseFile.subject_id)
             .join(ViolationType, col(ViolationType.code) == CaseFile.violation_code)
             .where(CaseFile.id == case_id))
    with ctx.read() as session:
        case, subject, violation = session.exec(query).one()
        lead_name, assist_name = (_officer_name(session, case.lead_officer_id),
                                  _officer_name(session, case.assist_officer_id))
        papers = live_filed(session, [case_id]).get(case_id, [])
        officer = session.get(Officer, officer_id) if officer_id else None
    actions = (case_actions(ctx=ctx, case_id=case_id, officer_id=officer_id)
               if officer_id else [])
    refusals = [(a, r) for a in actions if officer is not None
                and (r := own_case_refusal(case, officer, a)) is not None]
    return CaseDetail(view, display_name(subject), violation, lead_name, assist_name,
                      case.summary, case.source,
                      tuple(case_events(ctx=ctx, case_id=case_id)), tuple(actions),
                      next_step(view.state, papers, day), tuple(refusals))


def overdue_case_counts(*, ctx: ServiceContext, squad_id: str | None = None,
                        today: dt.date | None = None) -> dict[str, int]:
    """Open cases past a deadline, per lead officer (the cases ``overdue_only`` lists)."""
    where = CaseFilter(squad_id=squad_id, open_only=True, overdue_only=True)
    query = (select(CaseFile.lead_officer_id, func.count())
             .where(*_conditions(where, _today(ctx, today)))
             .group_by(col(CaseFile.lead_officer_id)))
    with ctx.read() as session:
        return {officer: int(count) for officer, count in session.exec(query).all()}
