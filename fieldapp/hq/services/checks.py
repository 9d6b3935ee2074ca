"""The domain's rules as HQ applies them to a pushed change, whatever the device says:
who may write each kind of record (``domain.permissions``, with the officer's role as HQ
knows it) and whether a case step is allowed (``domain.workflow``, replayed)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from fieldapp.domain import permissions, workflow
from fieldapp.domain.entities import OfficerRole
from fieldapp.domain.errors import DomainError
from fieldapp.domain.localtime import to_local
from fieldapp.domain.permissions import Action
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.hq.db import tables as t
from fieldapp.sync.protocol import Change, Entity, Op

E = Entity
# The permission a change needs, by what it records.
WRITES: dict[Entity, Action] = {
    E.GRID: Action.MANAGE_OFFICERS, E.SUBJECT: Action.RECORD_SUBJECT,
    E.PLACE: Action.RECORD_INSPECTION, E.INSPECTION: Action.RECORD_INSPECTION,
    E.FINDING: Action.RECORD_INSPECTION, E.LADDER_STEP: Action.RECORD_INSPECTION,
    E.EVIDENCE: Action.RECORD_SUBJECT, E.EPISODE_CLOSE: Action.RECORD_INSPECTION,
    E.CASE: Action.ACT_ON_CASE, E.CASE_EVENT: Action.ACT_ON_CASE,
    E.DOCUMENT: Action.ISSUE_DOCUMENT, E.DOCUMENT_SERVICE: Action.SERVE_DOCUMENT,
    E.REVISIT: Action.COMPLETE_REVISIT, E.VOIDED_NUMBER: Action.VOID_NUMBER,
    E.FRONTAGE_AGREEMENT: Action.RECORD_AGREEMENT, E.NUMBER_BLOCK: Action.RESERVE_NUMBERS,
}
# Roles that act for the whole agency, not one squad.
AGENCY_WIDE = frozenset({OfficerRole.AGENCY_HEAD.value, OfficerRole.LEGAL_REVIEWER.value})


@dataclass(frozen=True)
class Officer:
    id: str
    squad_id: str
    role: str
    active: bool


def officers(conn: Connection) -> dict[str, Officer]:
    return {r.id: Officer(r.id, r.squad_id, r.role, bool(r.active)) for r in conn.execute(
        select(t.officer.c.id, t.officer.c.squad_id, t.officer.c.role, t.officer.c.active))}


def action_for(change: Change) -> Action:
    if change.entity is E.CASE and change.op is Op.CREATE:
        return Action.OPEN_CASE
    if change.entity is E.DOCUMENT:
        if change.fields.get("voids_document_id"):
            return Action.VOID_DOCUMENT
        if change.fields.get("amends_document_id"):
            return Action.AMEND_DOCUMENT
    return WRITES[change.entity]


def permission_problem(officer: Officer | None, squad_id: str,
                       change: Change) -> tuple[str, str, dict[str, Any]] | None:
    """(reason, message, params) when the officer who recorded it may not."""
    if officer is None or not officer.active:
        return ("unknown_officer", "the officer who recorded this is not an active "
                "officer at HQ", {})
    if officer.squad_id != squad_id and officer.role not in AGENCY_WIDE:
        return ("not_permitted", "the officer who recorded this belongs to another squad",
                {})
    try:
        role = OfficerRole(officer.role)
    except ValueError:
        return ("not_permitted", "a {role} may not {action}",
                {"role": officer.role, "action": action_for(change).value})
    action = action_for(change)
    if not permissions.may(role, action):
        return ("not_permitted", "a {role} may not {action}",
                {"role": role.value, "action": action.value})
    return None


class CaseReplay:
    """Replays each pushed case step on HQ's state of the case (the same rules the
    device applied); a case's status may change only through a step HQ accepted."""

    def __init__(self, config: RuleConfig | None = None) -> None:
        self.config = config or RuleConfig()
        self.states: dict[str, workflow.CaseState] = {}

    def remember(self, case: Change) -> None:
        state_json = case.fields.get("state_json")
        if isinstance(state_json, str):
            try:
                self.states[case.entity_id] = workflow.CaseState.from_json(
                    json.loads(state_json))
            except (ValueError, TypeError, KeyError):
                return

    def step_problem(self, event: Change, role: str,
                     case: Change | None) -> DomainError | None:
        action_text = str(event.fields.get("action") or "")
        if action_text == "open":
            return None
        case_id = str(event.fields.get("case_id") or "")
        if case_id not in self.states and case is not None:
            self.remember(case)
        state = self.states.get(case_id)
        if state is None:
            return DomainError("the case of this step is not at HQ")
        try:
            action = workflow.Action(action_text)
            payload = json.loads(str(event.fields.get("payload_json") or "{}"))
            at = dt.datetime.fromisoformat(str(event.fields["at_utc"])).replace(tzinfo=dt.UTC)
            after = workflow.apply(state, action, role=OfficerRole(role),
                                   on=to_local(at).date(), payload=payload,
                                   config=self.config)
        except DomainError as refused:
            return refused
        except (ValueError, TypeError, KeyError, AttributeError):
            return DomainError("the case step {action} is not one HQ knows",
                               action=action_text[:40])
        self.states[case_id] = after
        return None

    def status_problem(self, case: Change, current: Change | None) -> DomainError | None:
        """A case update whose status differs from HQ's must follow accepted steps."""
        status = case.fields.get("status")
        if current is None or status == current.fields.get("status"):
            return None
        state = self.states.get(case.entity_id)
        if state is not None and state.status.value == status:
            return None
        return DomainError("the case's status changed without a case step HQ accepted")
