"""What the store says about issuing a document now: the record's step and case state,
the live document a second request opens, and the day of the act a document records."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from sqlmodel import Session, col, select

from fieldapp.domain.document_kinds import DocumentKind as K
from fieldapp.domain.entities import CaseStatus, StepKind, SubjectKind
from fieldapp.domain.issuance import DECISION_KINDS, ONE_PER_CASE, ONE_PER_FINDING, IssueContext
from fieldapp.domain.workflow import CaseState
from fieldapp.services.paperwork.snapshots import About, live_documents
from fieldapp.store.tables import CaseFile, Document, LadderStep, Subject


def issue_context(session: Session, kind: K, target: About) -> IssueContext:
    step = None
    if target.finding_id:
        row = session.exec(select(LadderStep).where(
            LadderStep.finding_id == target.finding_id)).first()
        step = StepKind(row.kind) if row is not None else None
    case = session.get(CaseFile, target.case_id) if target.case_id else None
    state = CaseState.from_json(json.loads(case.state_json)) if case else None
    subject = session.get(Subject, target.subject_id)
    organisation = subject is not None and subject.kind == SubjectKind.BUSINESS.value
    # A case document is about the case; the finding's step only fits finding notices.
    return IssueContext(kind, step if kind in ONE_PER_FINDING else None,
                        CaseStatus(case.status) if case else None, state, organisation)


def same_document(session: Session, kind: K, target: About,
                  served_document_id: str | None) -> Document | None:
    """The live document a second request for the same thing opens instead.

    Refuses a second decision of another kind in the same case (one decision per case)."""
    if kind is K.SERVICE_RECEIPT and served_document_id:
        rows = _rows(session, Document.case_id == target.case_id if target.case_id
                     else Document.finding_id == target.finding_id)
        return next((r for r in rows if r.kind == kind.value and json.loads(
            r.snapshot_json).get("served.document_id") == served_document_id), None)
    if kind in ONE_PER_CASE and target.case_id:
        rows = _rows(session, Document.case_id == target.case_id)
        decisions = [r for r in rows if r.kind in {k.value for k in DECISION_KINDS}]
        if kind in DECISION_KINDS and decisions and decisions[0].kind != kind.value:
            from fieldapp.domain.errors import DomainError

            raise DomainError("the case already has a decision ({number}): void it before "
                              "issuing another", number=decisions[0].number)
        return next((r for r in rows if r.kind == kind.value), None)
    if kind in ONE_PER_FINDING and target.finding_id and not target.case_id:
        rows = _rows(session, Document.finding_id == target.finding_id)
        return next((r for r in rows if r.kind == kind.value), None)
    return None


def _rows(session: Session, where: object) -> list[Document]:
    rows = session.exec(select(Document).where(where).order_by(  # type: ignore[arg-type]
        col(Document.issued_at))).all()
    return live_documents(rows)


def act_date(snapshot: Mapping[str, str], printing_day: dt.date) -> dt.date:
    """The day of the act a document records (``act.date``, set by the snapshot), never
    the printing day unless the document records nothing earlier."""
    text = snapshot.get("act.date", "")
    return dt.date.fromisoformat(text) if text else printing_day
