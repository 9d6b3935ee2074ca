"""Who must act next on a case, and what (待负责人审批, 待法制审核, 待承办人出具处罚决定书).

Read from the case's state and its documents: a paper the stage calls for and not yet
issued is the case officers' next step (the paper comes before the approval that rests
on it); then the step the workflow waits for, by the role whose table entry
(``workflow.ROLES``) allows it. Nothing here decides what is allowed: the services
check that when the step is taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from fieldapp.domain.document_kinds import DocumentKind
from fieldapp.domain.dossier_rules import FiledDocument
from fieldapp.domain.entities import CaseStatus, OfficerRole
from fieldapp.domain.workflow import Action, CaseState, Decision, amount_due_fen
from fieldapp.services.paperwork.case_papers import (
    first_unissued,
    needs_receipt,
    papers_called_for,
)

S = CaseStatus
R = OfficerRole


@dataclass(frozen=True)
class NextStep:
    """``role`` None with ``own_officers``: the case's own officers (承办人); neither:
    the party (e.g. paying the fine)."""

    role: OfficerRole | None
    own_officers: bool
    action: Action | None
    document: DocumentKind | None


def _officers(action: Action | None = None,
              document: DocumentKind | None = None) -> NextStep:
    return NextStep(None, True, action, document)


def _by(role: OfficerRole, action: Action) -> NextStep:
    return NextStep(role, False, action, None)


def next_step(state: CaseState, documents: Sequence[FiledDocument],
              today: dt.date) -> NextStep | None:
    """The next step of the case; None when nothing is left to do (archived, withdrawn)."""
    paper = first_unissued(papers_called_for(state, documents, needs_receipt()), documents)
    if paper is not None and state.status is not S.ARCHIVED:
        return _officers(document=paper.kind)
    return _workflow_step(state, today)


def _workflow_step(state: CaseState, today: dt.date) -> NextStep | None:
    status = state.status
    if status is S.FILING:
        for role in (R.SQUAD_LEADER, R.AGENCY_HEAD):
            if role not in state.filing_approvals:
                return _by(role, Action.APPROVE_FILING)
        return None
    if status is S.INVESTIGATING:
        if state.preserved_on is not None:
            return _officers(Action.HANDLE_PRESERVED)
        return _officers(Action.FINISH_INVESTIGATION)
    if status is S.REVIEWING:
        return _reviewing(state)
    if status is S.NOTIFYING:
        if state.hearing_requested and not state.hearing_held:
            return _officers(Action.RECORD_HEARING)
        return _by(R.AGENCY_HEAD, Action.DECIDE)
    if status is S.DECIDED:
        return _officers(Action.SERVE)
    if status in (S.SERVED, S.EXECUTING):
        if state.close_requested:
            return _by(R.SQUAD_LEADER, Action.APPROVE_CLOSE)
        if state.decision is Decision.PENALTY and amount_due_fen(state, today) > 0:
            return _officers(Action.RECORD_PAYMENT)
        return _officers(Action.REQUEST_CLOSE)
    if status in (S.CLOSED, S.WITHDRAWN, S.TRANSFERRED):
        return _by(R.SQUAD_LEADER, Action.ARCHIVE)
    return None


def _reviewing(state: CaseState) -> NextStep:
    if state.legal_review_required and not state.legal_review_opinion:
        return _by(R.LEGAL_REVIEWER, Action.LEGAL_REVIEW)
    if state.collective_required and not state.collective_conclusion:
        return _by(R.AGENCY_HEAD, Action.COLLECTIVE_DISCUSSION)
    if state.proposed is None:  # no penalty proposed: the head decides without notice
        return _by(R.AGENCY_HEAD, Action.DECIDE)
    return _officers(Action.NOTIFY)
