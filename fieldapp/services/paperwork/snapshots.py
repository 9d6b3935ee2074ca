"""The field snapshot of a document, built from the store (keys: domain/snapshot_keys.py;
the case's part: case_snapshot.py).

Everything a document prints is gathered here once, at issue: the agency, the squad,
the party, the finding and its violation, the ladder history, the correction deadline,
the no-penalty item that applied, the two officers, the case. Values are strings, dates
already written as documents print them. The issuing service adds the document's own
keys (id, number, date) and the officer's overrides, then checks what is required.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.domain.applicability import choose_applicable, known_answers
from fieldapp.domain.dates import chinese_date, chinese_datetime
from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.document_text import (
    GENDER_NAMES,
    STEP_NAMES,
    SUBJECT_KIND_NAMES,
    fill,
)
from fieldapp.domain.entities import SubjectKind
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.issuance import missing_party_keys
from fieldapp.domain.localtime import to_local
from fieldapp.domain.no_penalty import evaluate, items_for_violation
from fieldapp.domain.party import addressee
from fieldapp.domain.snapshot_keys import LABELS
from fieldapp.domain.workflow import CaseState
from fieldapp.resources import resource
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork.case_snapshot import (
    Snapshot,
    case_keys,
    case_photos,
    live_case_documents,
    live_documents,
    served_keys,
    title_of,
)
from fieldapp.services.rules import (
    deadline_calendar,
    history_before,
    list_in_force_on,
    rule_config,
)
from fieldapp.services.rules.city_rules import applied_rule_in
from fieldapp.store.tables import (
    AgencyProfile,
    CaseFile,
    Evidence,
    Finding,
    Inspection,
    LadderStep,
    Officer,
    Squad,
    Subject,
    ViolationType,
)

_CORRECTION_KINDS = frozenset({DocumentKind.WARNING_NOTICE, DocumentKind.CORRECTION_ORDER,
                               DocumentKind.EDUCATION_NOTICE, DocumentKind.NO_PENALTY_DECISION})
_EDUCATION_KINDS = frozenset({DocumentKind.EDUCATION_NOTICE,
                              DocumentKind.NO_PENALTY_COMMITMENT,
                              DocumentKind.NO_PENALTY_DECISION})  # art. 33 ¶3
_ART_33 = "《中华人民共和国行政处罚法》第三十三条"
@dataclass(frozen=True)
class DocumentFields:
    """``resources/catalogue/document_fields.json``: what each kind requires."""

    common: tuple[str, ...]
    kinds: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    defaults: dict[str, str]

    def required(self, kind: str) -> tuple[str, ...]:
        return self.common + self.kinds.get(kind, ())


@cache
def document_fields() -> DocumentFields:
    data = json.loads(resource("catalogue", "document_fields.json").read_text("utf-8"))
    return DocumentFields(tuple(data["common"]),
                          {k: tuple(v) for k, v in data["kinds"].items()},
                          dict(LABELS), dict(data["defaults"]))


@dataclass
class _Sources:
    """The rows a document is about."""

    finding: Finding | None = None
    inspection: Inspection | None = None
    step: LadderStep | None = None
    case: CaseFile | None = None


def build_snapshot(ctx: ServiceContext, session: Session, *, kind: DocumentKind,
                   finding_id: str | None, case_id: str | None,
                   served_document_id: str | None = None) -> Snapshot:
    """Every key the store can fill for this document (document.* keys excepted)."""
    src = _sources(session, finding_id, case_id)
    subject_id = src.finding.subject_id if src.finding else _case(src).subject_id
    violation_code = src.finding.violation_code if src.finding else _case(src).violation_code
    subject = session.get(Subject, subject_id)
    violation = session.get(ViolationType, violation_code)
    if subject is None:
        raise NotFound("subject", subject_id)
    if violation is None:
        raise NotFound("violation code", violation_code)
    snap: Snapshot = {"document.kind": kind.value, "document.title": TITLES[kind]}
    snap |= _agency(session, src)
    snap |= _subject(subject)
    snap |= _violation(session, violation, src)
    snap |= _finding(src)
    snap |= _officers(session, src)
    snap |= _ladder(ctx, session, src, violation)
    if src.case is not None:
        snap |= case_keys(src.case, kind, snap, session, deadline_calendar(ctx=ctx))
    snap |= _no_penalty(ctx, session, src, violation)
    snap |= _record(session, kind, src, snap)
    if served_document_id:
        snap |= served_keys(session, served_document_id)
    act = _act_date(kind, src, snap)
    snap["act.date"] = act.isoformat() if act else ""
    return _with_defaults(kind, snap)


def _act_date(kind: DocumentKind, src: _Sources, snap: Snapshot) -> dt.date | None:
    """The day of the act the document records (issue 13 ¶6): an approval the day it was
    given, a decision the day it was made, a notice the day it was given, a finding's
    notices the day of the finding, a receipt the day of service."""
    state = _state(src)
    by_kind: dict[DocumentKind, dt.date | None] = {}
    if state is not None:
        by_kind = {DocumentKind.FILING_APPROVAL: state.filed_on,
                   DocumentKind.PRIOR_NOTICE: state.notified_on,
                   DocumentKind.PENALTY_DECISION: state.decided_on,
                   DocumentKind.ON_SPOT_DECISION: state.decided_on,
                   DocumentKind.NO_PENALTY_DECISION: state.decided_on,
                   DocumentKind.EVIDENCE_PRESERVATION: state.preserved_on,
                   DocumentKind.CLOSING_APPROVAL: state.closed_on}
    if kind is DocumentKind.SERVICE_RECEIPT and snap.get("service.on"):
        return dt.date.fromisoformat(snap["service.on"])
    day = by_kind.get(kind)
    if day is not None:
        return day
    if kind in _FINDING_NOTICES and src.finding is not None:
        return local_time(src.finding.at_utc).date()
    if kind is DocumentKind.FILING_APPROVAL and src.case is not None:
        return local_time(src.case.opened_at).date()
    return None  # records made when printed (笔录, receipts): the printing day


_FINDING_NOTICES = frozenset({DocumentKind.EDUCATION_NOTICE, DocumentKind.WARNING_NOTICE,
                              DocumentKind.CORRECTION_ORDER, DocumentKind.NO_PENALTY_COMMITMENT,
                              DocumentKind.INSPECTION_RECORD, DocumentKind.PHOTO_EVIDENCE})


def _case(src: _Sources) -> CaseFile:
    assert src.case is not None
    return src.case


def _sources(session: Session, finding_id: str | None, case_id: str | None) -> _Sources:
    if not finding_id and not case_id:
        raise ValidationError("document", "give the finding or the case it is about")
    src = _Sources()
    if finding_id:
        src.finding = session.get(Finding, finding_id)
        if src.finding is None:
            raise NotFound("finding", finding_id)
        src.step = session.exec(select(LadderStep).where(
            LadderStep.finding_id == finding_id)).first()
        case_id = case_id or (src.step.case_id if src.step else None)
    if case_id:
        src.case = session.get(CaseFile, case_id)
        if src.case is None:
            raise NotFound("case", case_id)
        if src.finding is None:
            # The finding that opened the case (its ladder step points at the case).
            src.step = session.exec(select(LadderStep).where(
                LadderStep.case_id == case_id).order_by(col(LadderStep.taken_at_utc))).first()
            if src.step is not None and src.step.finding_id:
                src.finding = session.get(Finding, src.step.finding_id)
    if src.finding is not None:
        src.inspection = session.get(Inspection, src.finding.inspection_id)
    return src


def _agency(session: Session, src: _Sources) -> Snapshot:
    agency = session.exec(select(AgencyProfile)).first()
    if agency is None:
        raise ValidationError("agency name", "set up the agency first")
    squad_id = src.case.squad_id if src.case else (
        src.inspection.squad_id if src.inspection else None)
    squad = session.get(Squad, squad_id) if squad_id else None
    return {"agency.full_name": agency.full_name, "agency.short_name": agency.short_name,
            "agency.address": agency.address, "agency.postcode": agency.postcode,
            "agency.phone": agency.phone, "agency.review_body": agency.review_body,
            "agency.court": agency.court, "agency.bank": agency.bank,
            "squad.name": squad.name if squad else ""}


@dataclass(frozen=True)
class About:
    """What a document is about: the rows it points at, and who signs it."""

    squad_id: str
    subject_id: str
    case_id: str | None
    finding_id: str | None
    officer_ids: tuple[str, str]  # 主办, 协办


def about(session: Session, *, finding_id: str | None, case_id: str | None) -> About:
    src = _sources(session, finding_id, case_id)
    if src.case is not None:
        return About(src.case.squad_id, src.case.subject_id, src.case.id,
                     src.finding.id if src.finding else None,
                     (src.case.lead_officer_id, src.case.assist_officer_id))
    assert src.finding is not None and src.inspection is not None
    return About(src.inspection.squad_id, src.finding.subject_id, None, src.finding.id,
                 (src.inspection.officer1_id, src.inspection.officer2_id))


def _subject(subject: Subject) -> Snapshot:
    vendor = subject.kind == SubjectKind.UNIDENTIFIED_VENDOR
    description = "，".join(p for p in (subject.appearance, subject.goods and
                                        f"经营{subject.goods}", subject.usual_place and
                                        f"常在{subject.usual_place}") if p)
    name = subject.name or (description if vendor else subject.shop_sign)
    return {"subject.kind": SUBJECT_KIND_NAMES.get(subject.kind, subject.kind),
            "subject.you": addressee(SubjectKind(subject.kind)),
            "subject.name": name, "subject.shop_sign": subject.shop_sign,
            "subject.gender": GENDER_NAMES.get(subject.gender, subject.gender),
            "subject.birth_date": chinese_date(subject.birth_date) if subject.birth_date
            else "", "subject.id_number": subject.id_number,
            "subject.credit_code": subject.credit_code,
            "subject.legal_representative": subject.legal_representative,
            "subject.phone": subject.phone,
            "subject.address": subject.address or subject.usual_place,
            "subject.description": description if vendor else ""}


def _violation(session: Session, violation: ViolationType, src: _Sources) -> Snapshot:
    """The rule as it applies to this act (the city's version in force; art. 37)."""
    act = _act_day(src)
    state = _state(src)
    decided = state.decided_on if state and state.decided_on else act
    applied = applied_rule_in(session, violation.code, act_day=act, decision_day=decided,
                              organisation=bool(state and state.organisation))
    rule = applied.rule
    return {"violation.code": violation.code, "violation.name": violation.name,
            "violation.provision": rule.provision,
            "violation.penalty_provision": rule.penalty_provision,
            "violation.penalty_range": rule.penalty_range,
            "rule.version": rule.label, "rule.choice": applied.reason}


def _act_day(src: _Sources) -> dt.date:
    if src.finding is not None:
        return local_time(src.finding.at_utc).date()
    return local_time(_case(src).opened_at).date()


def _state(src: _Sources) -> CaseState | None:
    if src.case is None:
        return None
    return CaseState.from_json(json.loads(src.case.state_json or "{}"))


def local_time(moment: dt.datetime) -> dt.datetime:
    """Documents print the agency's local time, whatever zone the device was in."""
    return to_local(moment)


def _finding(src: _Sources) -> Snapshot:
    if src.finding is None:
        case = _case(src)
        return {"finding.at": chinese_datetime(local_time(case.opened_at)), "finding.place": "",
                "finding.facts": case.summary, "finding.corrected_on_spot": ""}
    return {"finding.at": chinese_datetime(local_time(src.finding.at_utc)),
            "finding.place": src.inspection.address if src.inspection else "",
            "finding.facts": src.finding.facts,
            "finding.corrected_on_spot": "是" if src.finding.corrected_on_spot else "否"}


def _officers(session: Session, src: _Sources) -> Snapshot:
    if src.case is not None:
        ids = (src.case.lead_officer_id, src.case.assist_officer_id)
    elif src.inspection is not None:
        ids = (src.inspection.officer1_id, src.inspection.officer2_id)
    else:  # pragma: no cover - a finding always has its inspection
        ids = ("", "")
    out: Snapshot = {}
    for n, officer_id in enumerate(ids, start=1):
        officer = session.get(Officer, officer_id)
        out[f"officers.{n}.name"] = officer.name if officer else ""
        out[f"officers.{n}.certificate_no"] = officer.certificate_no if officer else ""
    return out


def _ladder(ctx: ServiceContext, session: Session, src: _Sources,
            violation: ViolationType) -> Snapshot:
    step = src.step
    if step is None:
        return {"ladder.step": "", "ladder.history": "", "correction.deadline": ""}
    decision = history_before(session.connection(), step, config=rule_config(ctx=ctx),
                              ladder_applies=violation.ladder_applies)
    lines = [f"{chinese_date(local_time(p.taken_at).date())} "
             f"{STEP_NAMES.get(p.kind.value, p.kind.value)}（{_step_officers(session, p.id)}）"
             for p in decision.counted]
    deadline = step.correction_deadline_utc
    return {"ladder.step": STEP_NAMES.get(step.kind, step.kind),
            "ladder.history": "\n".join(lines),
            # A deadline is a date and a time (年月日时前, DOMAIN.md §2.3 0b).
            "correction.deadline": chinese_datetime(local_time(deadline)) if deadline
            else ""}


def _step_officers(session: Session, step_id: str) -> str:
    step = session.get(LadderStep, step_id)
    finding = session.get(Finding, step.finding_id) if step and step.finding_id else None
    inspection = session.get(Inspection, finding.inspection_id) if finding else None
    ids = ((inspection.officer1_id, inspection.officer2_id) if inspection
           else ((step.officer_id,) if step else ()))
    names = [o.name for o in (session.get(Officer, i) for i in ids) if o is not None]
    return "、".join(names)


def _no_penalty(ctx: ServiceContext, session: Session, src: _Sources,
                violation: ViolationType) -> Snapshot:
    """The no-penalty item that applied to the finding, judged as the advice judges it
    (``domain.applicability``): first offence from the ladder's history, corrected on the
    spot as recorded, and the same choice of item."""
    empty = {"no_penalty.item": "", "no_penalty.basis": ""}
    if src.finding is None or src.step is None:
        return empty
    day = local_time(src.finding.at_utc).date()
    in_force = list_in_force_on(ctx=ctx, on=day)
    if in_force is None:
        return empty
    decision = history_before(session.connection(), src.step, config=rule_config(ctx=ctx),
                              ladder_applies=violation.ladder_applies)
    answers = known_answers(decision, corrected_on_spot=src.finding.corrected_on_spot)
    chosen = choose_applicable(evaluate(i, answers) for i in
                               items_for_violation(in_force, src.finding.violation_code))
    if chosen is None:
        return empty
    item = chosen.item
    doc_no = f"（{in_force.doc_no}）" if in_force.doc_no else ""
    return {"no_penalty.item": f"第{item.item_no}项 {item.name}",
            "no_penalty.basis": f"《{in_force.title}》{doc_no}、{_ART_33}"}


def _record(session: Session, kind: DocumentKind, src: _Sources, snap: Snapshot) -> Snapshot:
    """笔录 and photo-sheet details the store knows: when the inspection began, its
    photos (the photo sheet describes the first one)."""
    if src.inspection is None or kind not in (DocumentKind.INSPECTION_RECORD,
                                              DocumentKind.PHOTO_EVIDENCE):
        return {}
    photos = [e for e in session.exec(select(Evidence).where(
        Evidence.inspection_id == src.inspection.id).order_by(
        col(Evidence.captured_at_utc))) if e.media_type.startswith("image/")]
    if kind is DocumentKind.INSPECTION_RECORD:
        return {"record.started_at": snap.get("finding.at", ""),
                "record.photos": f"现场照片{len(photos)}张" if photos else ""}
    if not photos:
        raise ValidationError("photo", "the 现场照片证据 page embeds the photo: record a photo "
                              "of the inspection first")
    first = photos[0]
    officer = session.get(Officer, first.officer_id)
    return {"photo.taken_at": chinese_datetime(local_time(first.captured_at_utc)),
            "photo.place": first.place or snap.get("finding.place", ""),
            "photo.taken_by": officer.name if officer else "",
            "photo.officers": "、".join(n for n in (snap.get("officers.1.name", ""),
                                                   snap.get("officers.2.name", "")) if n),
            "photo.description": first.description, "photo.sha256": first.sha256}


def _with_defaults(kind: DocumentKind, snap: Snapshot) -> Snapshot:
    defaults = document_fields().defaults
    if kind in _EDUCATION_KINDS and not snap.get("education.content"):
        snap["education.content"] = fill(defaults["education.content"], snap)
    if kind in _CORRECTION_KINDS and snap.get("correction.deadline") and \
            not snap.get("correction.requirement"):
        snap["correction.requirement"] = fill(defaults["correction.requirement"], snap)
    return snap


def apply_overrides(snap: Mapping[str, str], fields: Mapping[str, Any]) -> Snapshot:
    """The officer's values (``--field key=value``) replace what the store gave."""
    out = dict(snap)
    for key, value in fields.items():
        if not key or any(c.isspace() for c in key):
            raise ValidationError("document field", "'{key}' is not a field name", key=key)
        out[key] = str(value)
    return out


def missing_fields(kind: str, snap: Mapping[str, str]) -> list[str]:
    required = [k for k in document_fields().required(kind)
                if not str(snap.get(k, "")).strip()]
    party_kind = _PARTY_KINDS.get(snap.get("subject.kind", ""))
    if party_kind is not None and kind in DocumentKind.__members__.values():
        required += missing_party_keys(DocumentKind(kind), party_kind, snap)
    return required


_PARTY_KINDS = {name: SubjectKind(code) for code, name in SUBJECT_KIND_NAMES.items()}


def check_complete(kind: str, snap: Mapping[str, str]) -> None:
    """Refuse a document with an empty required field, naming it (its Chinese name)."""
    missing = missing_fields(kind, snap)
    if missing:
        labels = document_fields().labels
        raise ValidationError(
            "document field", "{label} ({key}) is empty but the {title} needs it",
            label=labels.get(missing[0], missing[0]), key=missing[0],
            title=snap.get("document.title", kind))


__all__ = ["Snapshot", "case_photos", "live_case_documents", "live_documents", "title_of"]
