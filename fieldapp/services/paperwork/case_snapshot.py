"""The case part of a document's snapshot: the case's penalty, dates, outcome sentences,
approvals, evidence and service, and which of the case's documents are live."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlmodel import Session, col, select

from fieldapp.domain.amounts import rmb_upper, yuan_text
from fieldapp.domain.calendar import WorkCalendar
from fieldapp.domain.dates import chinese_date, chinese_datetime
from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.document_text import (
    CASE_SOURCE_NAMES,
    NO_PENALTY_REASONS,
    SERVICE_METHODS,
    fill,
    penalty_text,
)
from fieldapp.domain.errors import NotFound
from fieldapp.domain.localtime import to_local
from fieldapp.domain.outcomes import (
    discretion_text,
    no_penalty_decision_text,
    no_penalty_ground,
    statement_result,
)
from fieldapp.domain.penalties import Penalty, PenaltyKind
from fieldapp.domain.workflow import CaseState, Decision
from fieldapp.services.rules.city_rules import applied_rule_of
from fieldapp.store.tables import (
    CaseEvent,
    CaseFile,
    Document,
    DocumentService,
    Evidence,
    Finding,
    LadderStep,
    Officer,
)

Snapshot = dict[str, str]
_HEARING_TEXT = ("如{subject.you}要求听证，应当在收到本告知书之日起五个工作日内向本机关提出，"
                 "逾期视为放弃听证权利。")



def title_of(kind: str) -> str:
    """The official title of a stored kind (a void record is titled 作废记录)."""
    try:
        return TITLES[DocumentKind(kind)]
    except ValueError:
        return "作废记录" if kind == "void" else kind


def case_keys(case: CaseFile, kind: DocumentKind, snap: Snapshot,
              session: Session, calendar: WorkCalendar | None = None) -> Snapshot:
    state = CaseState.from_json(json.loads(case.state_json or "{}"))
    penalty = _penalty_for(kind, state)
    fine = penalty.fine_fen if penalty and PenaltyKind.FINE in penalty.kinds else 0
    reason = state.no_penalty_reason.value if state.no_penalty_reason else ""
    return {
        "case.id": case.id, "case.no": case.case_no,
        "case.cause": snap["violation.name"].split("（")[0] + "案",
        "case.source": CASE_SOURCE_NAMES.get(case.source, case.source),
        "case.summary": case.summary or snap.get("finding.facts", ""),
        "case.filed_on": _date(state.filed_on),
        "case.penalty": penalty_text(penalty) if penalty else "",
        "case.fine_yuan": yuan_text(fine) if fine else "",
        "case.fine_upper": rmb_upper(fine) if fine else "",
        "case.payment_due": _due(state.payment_due, state.served_on or state.decided_on,
                                 calendar),
        "case.statement_due": _due(state.statement_due, state.notified_on, calendar),
        "case.hearing": fill(_HEARING_TEXT, snap) if state.hearing_offered else "",
        "case.no_penalty_reason": NO_PENALTY_REASONS.get(reason, reason),
        "case.decision_on": _date(state.decided_on),
        "case.closed_on": _date(state.closed_on),
        "case.result": _result(state),
        "case.notified_on": _date(state.notified_on),
        "case.statement_result": statement_result(state),
        "case.discretion": _discretion(session, case, state)
        if kind is DocumentKind.PENALTY_DECISION else "",
        "case.rule_choice": snap.get("rule.choice", ""),
        **_ground(state), **_correction(state), **_preserved(state),
        "case.decision_number": _decision_number(session, case.id),
        "case.evidence": _evidence_list(session, case.id),
    } | _approvals(session, case.id, kind)


PROVISIONAL = "（暂定：所涉年度的法定节假日安排尚未公布，以公布后重新计算的日期为准）"


def _due(day: dt.date | None, start: dt.date | None, calendar: WorkCalendar | None) -> str:
    """A deadline as printed; provisional when it runs through a year whose holidays
    are not published yet (working days cannot be counted for certain)."""
    if day is None:
        return ""
    provisional = calendar is not None and calendar.provisional(start or day, day)
    return _date(day) + (PROVISIONAL if provisional else "")


def _preserved(state: CaseState) -> Snapshot:
    """先行登记保存: the items and where they are kept, as the approval recorded them."""
    out: Snapshot = {}
    if state.preserved_items:
        out["evidence.items"] = state.preserved_items
    if state.storage_place:
        out["evidence.storage_place"] = state.storage_place
    return out


def _ground(state: CaseState) -> Snapshot:
    """The no-penalty ground's sentences (``domain.outcomes``)."""
    reason = state.no_penalty_reason
    if reason is None:
        return {"case.no_penalty_finding": "", "case.no_penalty_decision": "",
                "case.breach": "是"}
    ground = no_penalty_ground(reason)
    return {"case.no_penalty_finding": ground.finding,
            "case.no_penalty_decision": no_penalty_decision_text(reason),
            "case.breach": "是" if ground.asserts_breach else ""}


def _correction(state: CaseState) -> Snapshot:
    """责令改正 recorded with the decision: what, and by which local date and time."""
    if not state.correction_deadline:
        return {}
    deadline = dt.datetime.fromisoformat(state.correction_deadline)
    return {"correction.requirement": state.correction_requirement,
            "correction.deadline": chinese_datetime(deadline)}


def _discretion(session: Session, case: CaseFile, state: CaseState) -> str:
    decided = state.decided_on or state.notified_on
    if decided is None:
        return ""
    applied = applied_rule_of(session, case, state, decided)
    tier = next((t for t in applied.rule.limits.tiers if t.name == state.discretion_tier),
                None)
    benchmark = f"《{applied.rule.label}》裁量基准" if applied.rule.label else "本市裁量基准"
    return discretion_text(state, benchmark=benchmark,
                           circumstances=tier.circumstances if tier else "")


_DECISION_KINDS = (DocumentKind.PENALTY_DECISION, DocumentKind.ON_SPOT_DECISION,
                   DocumentKind.NO_PENALTY_DECISION)


def live_case_documents(session: Session, case_id: str) -> list[Document]:
    """The case's documents in force: not voided, not superseded by an amendment."""
    return live_documents(session.exec(select(Document).where(Document.case_id == case_id)
                                       .order_by(col(Document.issued_at))).all())


def live_documents(rows: Sequence[Document]) -> list[Document]:
    """Of ``rows`` (with their void and amendment rows), those in force."""
    replaced = {r.voids_document_id for r in rows} | {r.amends_document_id for r in rows}
    return [r for r in rows if r.kind != "void" and r.id not in replaced]


def _decision_number(session: Session, case_id: str) -> str:
    for row in reversed(live_case_documents(session, case_id)):
        if row.kind in _DECISION_KINDS:
            return row.number
    return ""


def _evidence_list(session: Session, case_id: str) -> str:
    """证据 named in decisions: the records issued and the photos of the case."""
    kinds = (DocumentKind.INSPECTION_RECORD, DocumentKind.INQUIRY_RECORD,
             DocumentKind.STATEMENT_RECORD, DocumentKind.EVIDENCE_PRESERVATION)
    present = {r.kind for r in live_case_documents(session, case_id)}
    names = [TITLES[k] for k in kinds if k.value in present]
    photos = len(case_photos(session, case_id))
    if photos:
        names.append(f"现场照片{photos}张")
    return "、".join(names)


def case_photos(session: Session, case_id: str) -> list[Evidence]:
    """Images recorded for the case or for the inspections of its findings."""
    inspections = select(Finding.inspection_id).join(
        LadderStep, col(LadderStep.finding_id) == col(Finding.id)).where(
        LadderStep.case_id == case_id)
    rows = session.exec(select(Evidence).where(
        (col(Evidence.case_id) == case_id) | col(Evidence.inspection_id).in_(inspections))
        .order_by(col(Evidence.captured_at_utc))).all()
    return [r for r in rows if r.media_type.startswith("image/")]


def _approvals(session: Session, case_id: str, kind: DocumentKind) -> Snapshot:
    """Approvals recorded in the workflow, as the approval forms print them."""
    wanted = {DocumentKind.FILING_APPROVAL: ("approve_filing", "同意立案。"),
              DocumentKind.CLOSING_APPROVAL: ("approve_close", "同意结案。")}.get(kind)
    if wanted is None:
        return {}
    action, text = wanted
    out: Snapshot = {}
    events = session.exec(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.action == action)
        .order_by(col(CaseEvent.at_utc))).all()
    for event in events:
        key = {"squad_leader": "approval.squad", "agency_head": "approval.head",
               "legal_reviewer": "approval.legal"}.get(event.role)
        officer = session.get(Officer, event.officer_id)
        if key and officer is not None:
            out[key] = f"{text}（{officer.name}，{chinese_date(to_local(event.at_utc).date())}）"
    return out


def _penalty_for(kind: DocumentKind, state: CaseState) -> Penalty | None:
    """The penalty a document states: the notice the one proposed, a decision its own."""
    if kind is DocumentKind.PRIOR_NOTICE:
        return state.notified or state.proposed
    return state.decided or state.notified or state.proposed


def _date(day: dt.date | None) -> str:
    return chinese_date(day) if day else ""


def _result(state: CaseState) -> str:
    """执行情况, as the closing approval states it."""
    if state.decision is Decision.NO_PENALTY:
        return "不予行政处罚"
    if state.decision is Decision.TRANSFER:
        return "已移送有关机关处理"
    decided = state.decided
    if decided is None:
        return ""
    parts = []
    if decided.fine_fen:
        if state.paid_fen >= decided.fine_fen:
            parts.append(f"已缴纳罚款人民币{rmb_upper(state.paid_fen)}")
        elif state.paid_fen:
            parts.append(f"已缴纳罚款人民币{rmb_upper(state.paid_fen)}，"
                         f"尚欠人民币{rmb_upper(decided.fine_fen - state.paid_fen)}")
        else:
            parts.append("罚款尚未缴纳")
    if decided.kinds - {PenaltyKind.FINE}:
        parts.append(penalty_text(Penalty(decided.kinds - {PenaltyKind.FINE})) + "已执行")
    return "，".join(parts)


def served_keys(session: Session, document_id: str) -> Snapshot:
    served = session.get(Document, document_id)
    if served is None:
        raise NotFound("document", document_id)
    out: Snapshot = {"served.document_id": served.id, "served.number": served.number,
                     "served.title": title_of(served.kind)}
    service = session.exec(select(DocumentService).where(
        DocumentService.document_id == document_id).order_by(
        col(DocumentService.served_at_utc).desc())).first()
    if service is not None:
        out |= _service_keys(session, service)
    return out


def _service_keys(session: Session, service: DocumentService) -> Snapshot:
    """The service record as the 送达回证 prints it."""
    names = [o.name for o in (session.get(Officer, i) for i in
                              (service.officer1_id, service.officer2_id)) if o is not None]
    at = chinese_datetime(to_local(service.served_at_utc))
    method = SERVICE_METHODS.get(service.method, service.method)
    refusal = f"{service.refusal_note}（{at}）" if service.refused else ""
    who = f"，受送达人：{service.receiver}" if service.receiver else ""
    return {"service.method": method, "service.at": at, "service.place": service.place,
            "service.receiver": service.receiver, "service.refusal": refusal,
            "record.witness": service.witness, "service.officers": "、".join(names),
            "service.note": f"于{at}{method}{who}",
            "service.on": to_local(service.served_at_utc).date().isoformat()}


