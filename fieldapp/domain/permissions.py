"""Who may do what: one table, checked by every service that changes data.

The services check it whatever calls them (the desktop app, the CLI, later HQ); the UI
reads the same table only to show or hide actions. A case's workflow steps have their
own finer table (``workflow.ROLES``), consulted through ``may_act_on_case``; rules that
depend on the record (only the case's own officers issue its documents, nobody approves
their own case) are checked by the service that knows the record.

A few writes belong to no officer: logging in (it counts failed passwords), the device
registering itself, loading the built-in catalogue, and setting up an empty data
directory (the agency, its squads and officers, before anyone can log in). They are the
``OPEN`` actions.
"""

from __future__ import annotations

from enum import StrEnum

from fieldapp.domain.entities import OfficerRole
from fieldapp.domain.errors import DomainError

R = OfficerRole


class Action(StrEnum):
    """Things a person does that change data (the value is an English phrase: the error
    "a {role} may not {action}" is built from it and translated)."""

    LOGIN = "log in"
    REGISTER_DEVICE = "register this device"
    LOAD_CATALOGUE = "load the built-in catalogue and no-penalty list"
    SET_UP = "set up the agency, its squads and officers"
    GENERATE_DEMO = "generate demo data"
    MANAGE_OFFICERS = "manage squads, officers and grids"
    SET_OWN_PASSWORD = "set their own password or PIN"
    SET_PASSWORD = "set another officer's password"
    RECORD_SUBJECT = "register or edit a subject"
    MERGE_SUBJECTS = "merge two subjects"
    RECORD_INSPECTION = "record an inspection"
    COMPLETE_REVISIT = "record a revisit"
    RECORD_AGREEMENT = "record a frontage-responsibility agreement"
    OPEN_CASE = "open a case"
    ACT_ON_CASE = "take a step of a case"
    ISSUE_DOCUMENT = "issue a document"
    VOID_DOCUMENT = "void a document"
    AMEND_DOCUMENT = "amend a document"
    SERVE_DOCUMENT = "record the service of a document"
    PRINT_DOSSIER = "print a case dossier"
    VOID_NUMBER = "void a document number"
    SET_NUMBER_PATTERN = "change the document number pattern"
    RESERVE_NUMBERS = "reserve document numbers"
    SET_RULES = "change the city's rule settings"
    IMPORT_LIST = "import a no-penalty list"
    IMPORT_CALENDAR = "import a holiday calendar"
    BACK_UP = "back up the data"
    RESTORE = "restore a backup"
    RESOLVE_CONFLICT = "resolve a sync conflict"
    SYNC = "synchronise with HQ"
    ENROLL_DEVICE = "enrol this device with HQ"


_LEADERS = frozenset({R.SQUAD_LEADER, R.AGENCY_HEAD})
# Certified officers: the two who act on the street (art. 42); not the 协管员.
_CERTIFIED = frozenset({R.OFFICER, R.SQUAD_LEADER, R.AGENCY_HEAD, R.LEGAL_REVIEWER})
_PATROL = frozenset({R.OFFICER, R.SQUAD_LEADER, R.AGENCY_HEAD})
_EVERYONE = frozenset(R)

OPEN = frozenset({Action.LOGIN, Action.REGISTER_DEVICE, Action.LOAD_CATALOGUE,
                  Action.SET_UP, Action.GENERATE_DEMO})

PERMISSIONS: dict[Action, frozenset[OfficerRole]] = {
    Action.MANAGE_OFFICERS: _LEADERS,
    Action.SET_OWN_PASSWORD: _EVERYONE,
    Action.SET_PASSWORD: _LEADERS,
    # 协管员 may help record a subject's particulars, nothing that decides.
    Action.RECORD_SUBJECT: _PATROL | {R.AUXILIARY},
    Action.MERGE_SUBJECTS: _LEADERS,
    Action.RECORD_INSPECTION: _PATROL,
    Action.COMPLETE_REVISIT: _PATROL,
    Action.RECORD_AGREEMENT: _PATROL,
    Action.OPEN_CASE: _PATROL,
    Action.ACT_ON_CASE: _CERTIFIED,
    Action.ISSUE_DOCUMENT: _CERTIFIED,
    Action.VOID_DOCUMENT: _PATROL,
    Action.AMEND_DOCUMENT: _PATROL,
    Action.SERVE_DOCUMENT: _PATROL,
    Action.PRINT_DOSSIER: _LEADERS | {R.LEGAL_REVIEWER, R.OFFICER},
    Action.VOID_NUMBER: _PATROL,  # a spoiled pre-printed form, by whoever spoiled it
    Action.SET_NUMBER_PATTERN: _LEADERS,
    Action.RESERVE_NUMBERS: _CERTIFIED,
    Action.SET_RULES: _LEADERS,
    Action.IMPORT_LIST: _LEADERS,
    Action.IMPORT_CALENDAR: _LEADERS,
    Action.BACK_UP: _EVERYONE,
    Action.RESTORE: _LEADERS,
    Action.RESOLVE_CONFLICT: _LEADERS,
    Action.SYNC: _EVERYONE,
    Action.ENROLL_DEVICE: _LEADERS,
}
assert set(PERMISSIONS) | OPEN == set(Action), "every action is in the table or open"


class PermissionDenied(DomainError):
    """The officer's role does not allow the action (or nobody logged in)."""

    def __init__(self, action: Action, role: OfficerRole | None) -> None:
        self.action = action
        self.role = role
        if role is None:
            super().__init__("log in to {action}", action=action.value)
        else:
            super().__init__("a {role} may not {action}", role=role.value,
                             action=action.value)


def may(role: OfficerRole | str | None, action: Action) -> bool:
    """Whether ``role`` may take ``action`` (open actions need no role at all)."""
    if action in OPEN:
        return True
    if role is None:
        return False
    return OfficerRole(role) in PERMISSIONS[action]


def require(role: OfficerRole | str | None, action: Action) -> None:
    if not may(role, action):
        raise PermissionDenied(action, OfficerRole(role) if role else None)


def roles_for(action: Action) -> frozenset[OfficerRole]:
    """The roles that may take ``action`` (every role for an open one)."""
    return _EVERYONE if action in OPEN else PERMISSIONS[action]


def is_leader(role: OfficerRole | str | None) -> bool:
    """Squad leader or agency head: those who answer for the squad's rules and lists."""
    return role is not None and OfficerRole(role) in _LEADERS
