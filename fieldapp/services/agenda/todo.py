"""The to-do list of one officer: revisits (回头看) due, the running deadlines of their
cases, and the approvals waiting for them, each in words and in deadline order.

Who must approve is read from the workflow's own table (``workflow.allowed_actions``
over ``workflow.ROLES``): a case waits for an officer when their role may take one of
its approval steps now, they are not one of its own officers, and it belongs to their
squad, or to a squad that has no officer of their role (the agency head and the legal
reviewer serve every squad).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, select

from fieldapp.domain.document_kinds import DocumentKind
from fieldapp.domain.entities import OfficerRole
from fieldapp.domain.errors import NotFound
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.workflow import Action, allowed_actions
from fieldapp.services.cases import CaseView, list_cases
from fieldapp.services.context import ServiceContext
from fieldapp.services.inspections import RevisitView, list_revisits
from fieldapp.services.subjects import display_name
from fieldapp.store.tables import (
    CaseFile,
    Document,
    LadderStep,
    Officer,
    Revisit,
    Subject,
    ViolationType,
)

# The steps by which someone other than the case's officers lets a case go on (approving
# the preservation of evidence is asked for when needed, so it waits for nobody).
APPROVALS = (Action.APPROVE_FILING, Action.LEGAL_REVIEW, Action.COLLECTIVE_DISCUSSION,
             Action.DECIDE, Action.APPROVE_CLOSE)
DUE_SOON_DAYS = 2
OPEN_CASES_READ = 2000


class TodoKind(StrEnum):
    REVISIT = "revisit"
    CASE_DEADLINE = "case_deadline"
    APPROVAL = "approval"


@dataclass(frozen=True)
class TodoItem:
    kind: TodoKind
    due: dt.date | None  # None: an approval of a case with no running deadline
    status: str  # ok | due_soon | overdue
    subject_id: str
    party: str  # 当事人
    violation_name: str
    reference: str  # the 告诫书's 文号 of a revisit, the case number, or ""
    what: str  # an English msgid value: the deadline kind or the approval action
    case_id: str | None = None
    revisit_id: str | None = None
    violation_code: str = ""
    provisional: bool = False


def _status(due: dt.date | None, today: dt.date) -> str:
    if due is None or due - today > dt.timedelta(days=DUE_SOON_DAYS):
        return "ok"
    return "overdue" if due < today else "due_soon"


class _Names:
    """The names the items show, read in a few queries."""

    def __init__(self, ctx: ServiceContext, subject_ids: set[str],
                 revisit_ids: set[str]) -> None:
        with ctx.read() as session:
            subjects = session.exec(select(Subject).where(col(Subject.id).in_(subject_ids)))
            self.parties = {s.id: display_name(s) for s in subjects}
            self.violations = {v.code: v.name for v in session.exec(select(ViolationType))}
            rows = session.exec(
                select(Revisit.id, Document.number)
                .join(LadderStep, col(LadderStep.id) == Revisit.step_id)
                .join(Document, col(Document.finding_id) == LadderStep.finding_id)
                .where(col(Revisit.id).in_(revisit_ids),
                       Document.kind == DocumentKind.WARNING_NOTICE.value))
            self.notices = dict(rows.all())


def _revisit_item(r: RevisitView, names: _Names, today: dt.date) -> TodoItem:
    due = r.due_at.astimezone(agency_zone()).date()
    return TodoItem(TodoKind.REVISIT, due, "overdue" if r.overdue else _status(due, today),
                    r.subject_id, names.parties.get(r.subject_id, ""),
                    names.violations.get(r.violation_code, r.violation_code),
                    names.notices.get(r.id, ""), "revisit", revisit_id=r.id,
                    violation_code=r.violation_code)


def _case_item(case: CaseView, names: _Names, kind: TodoKind, what: str) -> TodoItem:
    deadline = case.next_deadline
    return TodoItem(kind, deadline.due if deadline else None,
                    deadline.status if deadline else "ok", case.subject_id,
                    names.parties.get(case.subject_id, ""),
                    names.violations.get(case.violation_code, case.violation_code),
                    case.case_no, what, case_id=case.id, violation_code=case.violation_code,
                    provisional=deadline.provisional if deadline else False)


@dataclass(frozen=True)
class _Agency:
    """Which roles each squad has (active officers) and which squad each case is of."""

    roles: dict[str, set[str]]
    case_squads: dict[str, str]


def _agency(ctx: ServiceContext) -> _Agency:
    roles: dict[str, set[str]] = defaultdict(set)
    with ctx.read() as session:
        for squad, role in session.exec(
                select(Officer.squad_id, Officer.role).where(col(Officer.active))):
            roles[squad].add(role)
        squads = dict(session.exec(select(CaseFile.id, CaseFile.squad_id)).all())
    return _Agency(dict(roles), squads)


def _waiting_for(officer: Officer, cases: list[CaseView],
                 agency: _Agency) -> list[tuple[CaseView, Action]]:
    role = OfficerRole(officer.role)
    found = []
    for case in cases:
        if officer.id in (case.lead_officer_id, case.assist_officer_id):
            continue  # nobody approves their own case
        squad = agency.case_squads.get(case.id, "")
        if squad != officer.squad_id and role.value in agency.roles.get(squad, set()):
            continue  # that squad has an officer of this role of its own
        step = next((a for a in allowed_actions(case.state, role) if a in APPROVALS), None)
        if step is not None:
            found.append((case, step))
    return found


def _order(item: TodoItem) -> tuple[bool, dt.date, int]:
    return item.due is None, item.due or dt.date.max, list(TodoKind).index(item.kind)


def todo_for(*, ctx: ServiceContext, officer_id: str,
             today: dt.date | None = None) -> list[TodoItem]:
    """Everything due for the officer, the earliest deadline first."""
    today = today or ctx.now().astimezone(agency_zone()).date()
    with ctx.read() as session:
        officer = session.get(Officer, officer_id)
    if officer is None:
        raise NotFound("officer", officer_id)
    revisits = list_revisits(ctx=ctx, officer_id=officer_id)
    mine = [c for c in list_cases(ctx=ctx, officer_id=officer_id, today=today) if c.deadlines]
    waiting = _waiting_for(officer, list_cases(ctx=ctx, today=today, limit=OPEN_CASES_READ),
                           _agency(ctx))
    subjects = ({r.subject_id for r in revisits} | {c.subject_id for c in mine}
                | {c.subject_id for c, _a in waiting})
    names = _Names(ctx, subjects, {r.id for r in revisits})
    items = [_revisit_item(r, names, today) for r in revisits]
    items += [_case_item(c, names, TodoKind.CASE_DEADLINE, c.deadlines[0].kind.value
                         if c.next_deadline is None else c.next_deadline.kind.value)
              for c in mine]
    items += [_case_item(c, names, TodoKind.APPROVAL, step.value) for c, step in waiting]
    return sorted(items, key=_order)
