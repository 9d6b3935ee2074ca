"""The bulk demo cases with their history: each case's workflow steps (``case_event``
rows, as ``services.cases.act`` writes them) and the state those steps lead to.

A case moves at the pace of a squad that keeps time: filed the day it is opened,
investigated for about ten days, notified, heard, decided, served, paid and closed
four weeks after it was opened. A case is as far along as its age allows, so
the open cases are the recent ones and their deadlines are running, not missed. A few
older cases, at most ``STALLS_PER_OFFICER`` per lead officer, stopped at some step and
now show as overdue: the to-do list of every officer holds a handful of late items,
as a real squad's does.

The state is built from the same step table as the events, field by field as
``domain.workflow.apply`` would set it (tests replay every demo case's events through
``apply`` and compare): replaying here would cost about 0.3 ms a case, too much for a
million-inspection load.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fieldapp.domain import deadlines
from fieldapp.domain.calendar import WorkCalendar
from fieldapp.domain.deadlines import DeadlineKind
from fieldapp.domain.entities import CaseStatus, OfficerRole
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.penalties import (
    Penalty,
    PenaltyKind,
    collective_discussion_required,
    hearing_right,
    legal_review_required,
)
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.domain.workflow import CaseState, Decision, Procedure, new_case
from fieldapp.sync.protocol import time_text as utc_text

S = CaseStatus
R = OfficerRole
STALLS_PER_OFFICER = 2
# A case this old that stopped at a step is late on every deadline that step leaves.
STALL_AGE_DAYS = 100
# Weekends only: the generator has no holiday calendar (the dates are the demo's own).
_CALENDAR = WorkCalendar(frozenset(), frozenset(), frozenset(), lenient=True)
_CONFIG = RuleConfig()

CASE_EVENT_FIELDS = ("id", "case_id", "action", "at_utc", "officer_id", "role",
                     "payload_json", "created_at")

STATEMENTS = (
    "当事人称生意不好做，临时摆放，已认识到错误，请求从轻处理。",
    "当事人对违法事实无异议，表示今后一定遵守规定，请求减轻处罚。",
    "当事人称不知道此处不能摆放，经解释后表示理解，愿意接受处理。",
    "当事人称家庭困难，请求从轻处罚，承诺立即整改。",
)
REVIEWS = (
    "经复核，当事人所述情况不足以推翻认定的违法事实，维持拟作出的处罚。",
    "经复核，当事人陈述申辩理由不成立，维持原处罚意见。",
)


@dataclass(frozen=True)
class Actors:
    """Who takes the steps of one case."""

    lead: str  # 主办队员
    leader: str  # 中队长: approves filing and closing
    head: str  # 局负责人: approves filing, decides


@dataclass
class _Step:
    days: int  # after the day the case was opened
    minutes: int  # local time of day (minutes after midnight); -1: an hour after opening
    action: str
    who: str  # lead | leader | head
    payload: Callable[[_Case], dict[str, Any]]
    changes: Callable[[_Case, dt.date], dict[str, Any]]


@dataclass
class _Case:
    fine: Penalty
    organisation: bool
    violation: str  # the violation's name, for the correction order
    statement: str
    review: str
    days: dict[str, dt.date] = field(default_factory=dict)  # action -> local day taken


def _penalty(c: _Case) -> dict[str, Any]:
    return c.fine.to_json()


@cache
def _gates(fine_fen: int, organisation: bool) -> tuple[bool, bool, bool]:
    penalty = Penalty(frozenset({PenaltyKind.FINE}), fine_fen)
    hearing = hearing_right(penalty, organisation=organisation, config=_CONFIG)
    return (hearing,
            legal_review_required(penalty, organisation=organisation, hearing=hearing,
                                  config=_CONFIG),
            collective_discussion_required(penalty, organisation=organisation,
                                           config=_CONFIG))


def _notify_payload(c: _Case) -> dict[str, Any]:
    day = c.days["notify"]
    return {"statement_due": deadlines.due(DeadlineKind.STATEMENT_WINDOW, day, _CALENDAR,
                                           days=_CONFIG.statement_window_working_days)
            .isoformat(),
            "hearing_request_due": deadlines.due(DeadlineKind.HEARING_REQUEST, day,
                                                 _CALENDAR).isoformat()}


def _decide_payload(c: _Case) -> dict[str, Any]:
    deadline = dt.datetime.combine(c.days["decide"] + dt.timedelta(days=3), dt.time(18))
    return {"decision": Decision.PENALTY.value, "penalty": _penalty(c),
            "correction_requirement": f"立即停止{c.violation}的违法行为并改正",
            "correction_deadline": deadline.isoformat(timespec="minutes")}


def _serve_payload(c: _Case) -> dict[str, Any]:
    return {"payment_due": deadlines.due(DeadlineKind.PAYMENT, c.days["serve"], _CALENDAR)
            .isoformat()}


def _finish(c: _Case, _day: dt.date) -> dict[str, Any]:
    hearing, review, collective = _gates(c.fine.fine_fen, c.organisation)
    return {"status": S.REVIEWING, "proposed": c.fine, "hearing_offered": hearing,
            "legal_review_required": review, "collective_required": collective}


def _notified(c: _Case, day: dt.date) -> dict[str, Any]:
    payload = _notify_payload(c)
    hearing = _gates(c.fine.fine_fen, c.organisation)[0]
    return {"status": S.NOTIFYING, "notified": c.fine, "notified_on": day,
            "statement_due": dt.date.fromisoformat(payload["statement_due"]),
            "hearing_request_due": dt.date.fromisoformat(payload["hearing_request_due"])
            if hearing else None}


def _decided(c: _Case, day: dt.date) -> dict[str, Any]:
    payload = _decide_payload(c)
    return {"status": S.DECIDED, "decision": Decision.PENALTY, "decided": c.fine,
            "decided_on": day, "correction_requirement": payload["correction_requirement"],
            "correction_deadline": payload["correction_deadline"]}


def _none(_c: _Case) -> dict[str, Any]:
    return {}


# The steps of an ordinary case with a fine, in order. Fines here stay below the
# hearing and legal-review thresholds (as most squad cases do); ``_gates`` says so.
_STEPS = (
    _Step(0, -1, "approve_filing", "leader", _none,
          lambda c, d: {"filing_approvals": frozenset({R.SQUAD_LEADER})}),
    _Step(1, 9 * 60 + 30, "approve_filing", "head", _none,
          lambda c, d: {"filing_approvals": frozenset({R.SQUAD_LEADER, R.AGENCY_HEAD}),
                        "status": S.INVESTIGATING, "filed_on": d}),
    _Step(10, 15 * 60, "finish_investigation", "lead", lambda c: {"penalty": _penalty(c)},
          _finish),
    _Step(12, 10 * 60, "notify", "lead", _notify_payload, _notified),
    _Step(14, 14 * 60 + 30, "record_statement", "lead",
          lambda c: {"statement": c.statement, "review": c.review},
          lambda c, d: {"statement_recorded": True, "statement_text": c.statement,
                        "review_text": c.review}),
    _Step(19, 10 * 60, "decide", "head", _decide_payload, _decided),
    _Step(20, 9 * 60 + 30, "serve", "lead", _serve_payload,
          lambda c, d: {"status": S.SERVED, "served_on": d,
                        "payment_due": dt.date.fromisoformat(_serve_payload(c)["payment_due"])}),
    _Step(26, 11 * 60, "record_payment", "lead", lambda c: {"amount_fen": c.fine.fine_fen},
          lambda c, d: {"status": S.EXECUTING, "paid_fen": c.fine.fine_fen}),
    _Step(27, 16 * 60, "request_close", "lead", _none,
          lambda c, d: {"close_requested": True}),
    _Step(28, 10 * 60, "approve_close", "leader", _none,
          lambda c, d: {"status": S.CLOSED, "closed_on": d}),
    _Step(60, 10 * 60, "archive", "leader", _none, lambda c, d: {"status": S.ARCHIVED}),
)
# Where a late case stopped (the number of steps it took), cycled through.
_STALLS = (2, 4, 6, 7)  # 调查中, 已告知, 已决定未送达, 已送达未缴款
_ROLES = {"lead": R.OFFICER.value, "leader": R.SQUAD_LEADER.value,
          "head": R.AGENCY_HEAD.value}


@dataclass(frozen=True)
class CaseHistory:
    state: CaseState
    events: list[tuple[Any, ...]]
    filed_at: str | None
    decided_at: str | None
    closed_at: str | None
    next_deadline_at: str | None


def case_history(*, case_id: str, opened_s: int, now_s: int, fine_fen: int, organisation: bool,
                 violation: str, actors: Actors, new_id: Callable[[int], str],
                 statement: str, review: str, stall: int | None,
                 archive: bool) -> CaseHistory:
    """The steps a case opened at ``opened_s`` (Unix seconds) has taken by ``now_s``:
    all that fit in the time unless it stalled after ``stall`` steps; archived when
    ``archive`` and old enough. ``new_id(unix_ms)`` makes each event's id."""
    zone = agency_zone()
    opened = dt.datetime.fromtimestamp(opened_s, dt.UTC)
    opened_day = opened.astimezone(zone).date()
    c = _Case(Penalty(frozenset({PenaltyKind.FINE}), fine_fen), organisation, violation,
              statement, review)
    state = new_case(procedure=Procedure.ORDINARY, organisation=organisation)
    t = utc_text(opened)
    events = [(new_id(opened_s * 1000), case_id, "open", t, actors.lead, _ROLES["lead"],
               json.dumps({"procedure": "ordinary", "source": "patrol", "external_ref": ""}),
               t)]
    changes: dict[str, Any] = {}
    steps = _STEPS if archive else _STEPS[:-1]
    for taken, step in enumerate(steps):
        if stall is not None and taken >= stall:
            break
        day = opened_day + dt.timedelta(days=step.days)
        at = (opened + dt.timedelta(hours=1) if step.minutes < 0 else dt.datetime.combine(
            day, dt.time(step.minutes // 60, step.minutes % 60), zone).astimezone(dt.UTC))
        if at.timestamp() > now_s:
            break
        c.days[step.action] = day
        t = utc_text(at)
        events.append((new_id(int(at.timestamp() * 1000)), case_id, step.action, t,
                       getattr(actors, step.who), _ROLES[step.who],
                       json.dumps(step.payload(c), ensure_ascii=False), t))
        changes.update(step.changes(c, day))
    state = dataclasses.replace(state, **changes)
    today = dt.datetime.fromtimestamp(now_s, dt.UTC).astimezone(zone).date()
    return CaseHistory(state, events, _at_nine(state.filed_on), _at_nine(state.decided_on),
                       _at_nine(state.closed_on), _next_deadline(state, today))


def stall_after(n: int) -> int:
    """The number of steps the ``n``-th late case took before it stopped."""
    return _STALLS[n % len(_STALLS)]


def _at_nine(day: dt.date | None) -> str | None:
    """A step's day as the case row keeps it (09:00 local, as ``act`` writes it)."""
    if day is None:
        return None
    return utc_text(dt.datetime.combine(day, dt.time(9), agency_zone()).astimezone(dt.UTC))


def _next_deadline(state: CaseState, today: dt.date) -> str | None:
    """The earliest running deadline (``cases.case_deadlines``' kinds), at 23:59 local."""
    due: list[dt.date] = []
    if state.filed_on and state.status in (S.INVESTIGATING, S.REVIEWING, S.NOTIFYING):
        due.append(deadlines.due(DeadlineKind.DECISION_AFTER_FILING, state.filed_on,
                                 _CALENDAR))
    if state.status is S.NOTIFYING and state.statement_due and not state.statement_recorded:
        due.append(state.statement_due)
    if state.status is S.DECIDED and state.decided_on:
        due.append(deadlines.due(DeadlineKind.SERVE_DECISION, state.decided_on, _CALENDAR))
    if state.status in (S.SERVED, S.EXECUTING) and state.payment_due and state.decided \
            and state.paid_fen < state.decided.fine_fen:
        due.append(state.payment_due)
    if not due:
        return None
    end = dt.datetime.combine(min(due), dt.time(23, 59), agency_zone())
    return utc_text(end.astimezone(dt.UTC))
