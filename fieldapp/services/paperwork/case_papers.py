"""The papers of a case at its stage (案件文书): which documents the workflow calls for
now, which of them are issued, and what of each the officers write in their own words.

``papers_called_for`` is the stage → documents table (DOMAIN.md §5.1, §2.3): it asks
for what ``domain.dossier_rules.missing_materials`` will look for once the case has
gone on, plus the records that are useful but not required (询问笔录). ``case_papers``
reads one case and says, for each paper, whether it is issued (and its 文号), whether
this officer may issue it now (the issuing checks themselves, run without writing), and
which snapshot keys are a person's words (the questions and answers of a 询问笔录, what
the party said in 陈述申辩): only those are offered for editing. Every legal element
(party, amounts, provisions, dates) comes from the case.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.dossier_rules import FiledDocument
from fieldapp.domain.entities import CaseStatus
from fieldapp.domain.errors import DomainError, NotFound
from fieldapp.domain.issuance import RECORD_KINDS, TIMES_GIVEN, check_issuable
from fieldapp.domain.localtime import stored_utc
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.domain.workflow import CaseState, Decision, Procedure
from fieldapp.i18n import N_
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork.case_snapshot import (
    live_case_documents,
    live_documents,
    title_of,
)
from fieldapp.services.paperwork.documents import act_finding, check_own_officer
from fieldapp.services.paperwork.dossier import dossier_settings
from fieldapp.services.paperwork.issuance import issue_context
from fieldapp.services.paperwork.snapshots import About, about
from fieldapp.services.rules import rule_config
from fieldapp.store.tables import CaseFile, Document, DocumentService

K = DocumentKind
S = CaseStatus
_INVESTIGATED = frozenset({S.INVESTIGATING, S.REVIEWING, S.NOTIFYING, S.DECIDED, S.SERVED,
                           S.EXECUTING, S.CLOSED, S.ARCHIVED})


@dataclass(frozen=True)
class WordsField:
    """A snapshot key whose value is a person's words, offered for editing."""

    key: str
    label: str  # msgid
    multiline: bool
    default: str  # what the store gives, for the officer to start from


@dataclass(frozen=True)
class CalledFor:
    """A document the case calls for now (``serves``: the document a 送达回证 proves
    served)."""

    kind: DocumentKind
    required: bool  # the dossier needs it; False: useful (询问笔录)
    serves: str = ""


@dataclass(frozen=True)
class CasePaper:
    """One paper of the case as its detail panel offers it."""

    kind: DocumentKind
    title: str
    required: bool
    issued_id: str | None
    issued_number: str
    serves_id: str  # for a 送达回证: the document it proves served
    serves_title: str
    serves_number: str
    service_recorded: bool  # for a 送达回证: how it was served is recorded already
    words: tuple[WordsField, ...]
    times: str  # "required", "optional" (a 笔录's sitting), or ""
    refusal: DomainError | None  # why this officer may not issue it now

    @property
    def issued(self) -> bool:
        return self.issued_id is not None


@dataclass(frozen=True)
class CasePapers:
    case_id: str
    papers: tuple[CasePaper, ...]
    act_at: dt.datetime | None  # when the act the case is about was found (UTC)
    officer_ids: tuple[str, str]  # the case's own officers: lead, assist

    def next_to_issue(self) -> CasePaper | None:
        """The first required paper not issued yet."""
        return next((p for p in self.papers if p.required and not p.issued), None)


# --- the stage → documents table (pure) -----------------------------------------------


def papers_called_for(state: CaseState, documents: Sequence[FiledDocument],
                      needs_receipt: Collection[str]) -> list[CalledFor]:
    """The documents the case calls for at its stage, in the order they are made."""
    ordinary = state.procedure is Procedure.ORDINARY
    status = state.status
    out: list[CalledFor] = []
    if ordinary:
        out.append(CalledFor(K.FILING_APPROVAL, True))
    if ordinary and status in _INVESTIGATED:
        out += [CalledFor(K.INSPECTION_RECORD, True), CalledFor(K.INQUIRY_RECORD, False)]
    if state.preserved_on is not None or state.preserved_items:
        out.append(CalledFor(K.EVIDENCE_PRESERVATION, state.preserved_on is not None))
    if ordinary and state.notified is not None:
        out.append(CalledFor(K.PRIOR_NOTICE, True))
    if state.statement_recorded:
        out.append(CalledFor(K.STATEMENT_RECORD, True))
    if state.decision is Decision.PENALTY:
        out.append(CalledFor(K.PENALTY_DECISION if ordinary else K.ON_SPOT_DECISION, True))
    elif state.decision is Decision.NO_PENALTY:
        out.append(CalledFor(K.NO_PENALTY_DECISION, True))
    out += [CalledFor(K.SERVICE_RECEIPT, True, d.id) for d in documents
            if d.kind in needs_receipt]
    if state.close_requested or state.closed_on is not None:
        out.append(CalledFor(K.CLOSING_APPROVAL, True))
    return out


def first_unissued(called: Sequence[CalledFor],
                   documents: Sequence[FiledDocument]) -> CalledFor | None:
    """The first required document of ``called`` that ``documents`` lacks."""
    kinds = {d.kind for d in documents}
    receipts = {d.serves for d in documents if d.kind == K.SERVICE_RECEIPT.value}
    for paper in called:
        issued = paper.serves in receipts if paper.kind is K.SERVICE_RECEIPT \
            else paper.kind.value in kinds
        if paper.required and not issued:
            return paper
    return None


def filed(document: Document) -> FiledDocument:
    serves = ""
    if document.kind == K.SERVICE_RECEIPT.value:
        serves = str(json.loads(document.snapshot_json).get("served.document_id", ""))
    return FiledDocument(document.id, document.kind, document.number, document.issued_at,
                         serves)


def live_filed(session: Session, case_ids: Collection[str]) -> dict[str, list[FiledDocument]]:
    """The documents in force of each case, oldest first (one read for many cases)."""
    rows = session.exec(select(Document).where(col(Document.case_id).in_(list(case_ids)))
                        .order_by(col(Document.issued_at))).all()
    by_case: dict[str, list[Document]] = {}
    for row in rows:
        by_case.setdefault(row.case_id or "", []).append(row)
    return {case: [filed(d) for d in live_documents(docs)] for case, docs in by_case.items()}


def needs_receipt() -> frozenset[str]:
    return dossier_settings().needs_service_receipt


# --- what a person writes -------------------------------------------------------------

_QA_START = "问：\n答："


def _words(kind: DocumentKind, state: CaseState, facts: str) -> tuple[WordsField, ...]:
    if kind is K.INSPECTION_RECORD:
        return (WordsField("record.content", N_("What the inspection found"), True, facts),
                WordsField("record.witness", N_("Witness or person present"), False, ""),
                WordsField("record.recusal", N_("Did the party ask for recusal"), False, "否"))
    if kind is K.INQUIRY_RECORD:
        return (WordsField("record.relation", N_("Relation of the person questioned to the "
                                                 "case"), False, "当事人本人"),
                WordsField("record.qa", N_("Questions and answers"), True, _QA_START))
    if kind is K.STATEMENT_RECORD:
        said = f"答：{state.statement_text}" if state.statement_text else _QA_START
        return (WordsField("record.qa", N_("What the party stated and argued"), True, said),)
    return ()


def _times(kind: DocumentKind) -> str:
    if kind in TIMES_GIVEN:
        return "required"
    return "optional" if kind in RECORD_KINDS else ""


# --- one case --------------------------------------------------------------------------


def case_papers(*, ctx: ServiceContext, case_id: str,
                officer_id: str | None = None) -> CasePapers:
    """The papers the case calls for now, issued or not, and whether ``officer_id`` may
    issue each now (no officer: nobody may)."""
    config = rule_config(ctx=ctx)
    with ctx.read() as session:
        case = session.get(CaseFile, case_id)
        if case is None:
            raise NotFound("case", case_id)
        state = CaseState.from_json(json.loads(case.state_json or "{}"))
        rows = live_case_documents(session, case_id)
        documents = [filed(d) for d in rows]
        by_id = {d.id: d for d in rows}
        served = set(session.exec(select(DocumentService.document_id).where(
            col(DocumentService.document_id).in_(list(by_id)))))
        finding = act_finding(session, None, case_id)
        target = about(session, finding_id=None, case_id=case_id)
        facts = case.summary or (finding.facts if finding is not None else "")
        papers = []
        for called in papers_called_for(state, documents, needs_receipt()):
            issued = _issued(called, documents)
            refusal = None if issued else _refusal(session, called.kind, target, officer_id,
                                                   config)
            serving = by_id.get(called.serves)
            papers.append(CasePaper(
                called.kind, TITLES[called.kind], called.required,
                issued.id if issued else None, issued.number if issued else "",
                called.serves, title_of(serving.kind) if serving else "",
                serving.number if serving else "", called.serves in served,
                _words(called.kind, state, facts), _times(called.kind), refusal))
        act_at = stored_utc(finding.at_utc) if finding is not None else None
    return CasePapers(case_id, tuple(papers), act_at,
                      (case.lead_officer_id, case.assist_officer_id))


def _issued(called: CalledFor, documents: Sequence[FiledDocument]) -> FiledDocument | None:
    if called.kind is K.SERVICE_RECEIPT:
        return next((d for d in documents if d.kind == called.kind.value
                     and d.serves == called.serves), None)
    return next((d for d in documents if d.kind == called.kind.value), None)


def _refusal(session: Session, kind: DocumentKind, target: About, officer_id: str | None,
             config: RuleConfig) -> DomainError | None:
    """What ``issue_document`` would refuse before numbering, checked without writing."""
    try:
        check_issuable(issue_context(session, kind, target), config)
        check_own_officer(session, officer_id or "", target)
    except DomainError as refused:
        return refused
    return None
