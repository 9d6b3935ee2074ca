"""Issuing enforcement documents (执法文书): number, snapshot, signature, PDF, all at once.

An issued document is immutable: its field snapshot, the SHA-256 of the snapshot's
canonical JSON, its signed verification code and its PDF (``<data dir>/documents/
<id>.pdf``, with its SHA-256 on the row) are written in one transaction with the audit
event and the outbox entry. A correction is a new row: a void record (kind ``void``,
pointing at the document through ``voids_document_id``; its number is listed as voided)
or an amended document (a new document with a new number whose ``amends_document_id``
points at the old one). Service (送达) is recorded beside the document.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.atomic import write_atomically
from fieldapp.domain.dates import chinese_datetime, chinese_numeral_date
from fieldapp.domain.doc_payload import DEFAULT_URL_BASE, Payload, canonical_json, key_id
from fieldapp.domain.doc_payload import content_sha256 as snapshot_sha256
from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.entities import OfficerRole
from fieldapp.domain.errors import DomainError, NotFound, ValidationError
from fieldapp.domain.issuance import (
    MAX_SITTING,
    RECORD_KINDS,
    TIMES_GIVEN,
    RecordTimes,
    check_free_fields,
    check_issuable,
    check_no_placeholder,
    check_record_times,
)
from fieldapp.domain.localtime import stored_utc
from fieldapp.domain.permissions import Action
from fieldapp.domain.validation import check_two_officers
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork.issuance import (
    act_date,
    issue_context,
    same_document,
)
from fieldapp.services.paperwork.numbers import (
    IssuedNumber,
    local_year,
    number_catalogue,
    record_voided_in,
    take_number_in,
)
from fieldapp.services.paperwork.signing import device_key, raw_public
from fieldapp.services.paperwork.snapshots import (
    About,
    Snapshot,
    about,
    apply_overrides,
    build_snapshot,
    check_complete,
    local_time,
    title_of,
)
from fieldapp.services.results import Written
from fieldapp.services.rules import rule_config
from fieldapp.services.staff import officer_ref
from fieldapp.store.tables import (
    CaseFile,
    Document,
    DocumentService,
    Finding,
    Inspection,
    LadderStep,
    Officer,
    RuleSetting,
)
from fieldapp.store.unit import Tx

VOID_KIND = "void"
LAYOUTS = ("a4", "receipt")
DOCUMENTS_DIR = "documents"
URL_SETTING = "verify_url_base"
# Keys the issuing service owns; an officer's --field may not replace them.
_OWN_KEYS = frozenset({"document.id", "document.kind", "document.number", "document.date",
                       "document.date_cn"})
# Keys that link records (the dossier and the verifier rely on them).
_PROTECTED_KEYS = _OWN_KEYS | {"case.id", "served.document_id", "amends.id"}


@dataclass(frozen=True)
class IssuedDocument:
    id: str
    number: str
    pdf_path: Path
    kind: str = ""
    qr_payload: str = ""


@dataclass(frozen=True)
class DocumentView:
    id: str
    kind: str
    title: str
    number: str
    issued_at: dt.datetime
    issued_by: str
    case_id: str | None
    finding_id: str | None
    subject_id: str | None
    layout: str
    voided_by: str | None  # id of the void record, when voided
    amended_by: str | None  # id of the amending document, when amended
    voids: str | None
    amends: str | None
    reason: str
    served: bool
    pdf_path: Path | None


def pdf_path_of(ctx: ServiceContext, document_id: str) -> Path:
    return ctx.store.data_dir / DOCUMENTS_DIR / f"{document_id}.pdf"


def _kind(kind: str | DocumentKind) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError:
        raise ValidationError("document kind", "'{kind}' is not a document kind; use one of "
                              "{kinds}", kind=str(kind), kinds=", ".join(DocumentKind)) from None


def _check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValidationError("layout", "'{value}' is not one of {choices}", value=layout,
                              choices=", ".join(LAYOUTS))
    return layout


# --- issuing --------------------------------------------------------------------------


def issue_document(*, ctx: ServiceContext, officer_id: str, kind: str | DocumentKind,
                   finding_id: str | None = None, case_id: str | None = None,
                   fields: Mapping[str, str] | None = None, layout: str = "a4",
                   served_document_id: str | None = None,
                   record_times: RecordTimes | None = None) -> IssuedDocument:
    """Issue a document about a finding or a case; refused (nothing written, no number
    used) when a required field is empty or the officers may not sign. A 笔录 carries
    when its sitting began and ended (``record_times``; an interview's must be given)."""
    request = _Request(_kind(kind), finding_id, case_id, _check_fields(fields or {}),
                       _check_layout(layout), served_document_id, times=record_times)
    return _issue(ctx, officer_id, request)


def _check_fields(fields: Mapping[str, str]) -> dict[str, str]:
    for key in sorted(set(fields) & _PROTECTED_KEYS):
        raise ValidationError("document field", "'{key}' is set when the document is issued "
                              "and cannot be given", key=key)
    check_free_fields(fields)
    return {str(k): str(v) for k, v in fields.items()}


@dataclass(frozen=True)
class _Request:
    kind: DocumentKind
    finding_id: str | None
    case_id: str | None
    fields: dict[str, str]
    layout: str
    served_document_id: str | None
    amends: Document | None = None
    reason: str = ""
    base: Snapshot | None = None  # an amendment starts from the old snapshot
    times: RecordTimes | None = None  # a 笔录's sitting


def _issue(ctx: ServiceContext, officer_id: str, request: _Request,
           action: Action = Action.ISSUE_DOCUMENT) -> IssuedDocument:
    written: list[Path] = []
    try:
        with ctx.write(officer_id, action=action) as tx:
            issued = _issue_in(ctx, tx, officer_id, request, written)
    except BaseException:
        for path in written:  # the PDF of a document that was never committed
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        raise
    return issued


def _issue_in(ctx: ServiceContext, tx: Tx, officer_id: str, request: _Request,
              written: list[Path]) -> IssuedDocument:
    session = tx.session
    _check_issuer(session, officer_id)
    kind = request.kind
    target = about(session, finding_id=request.finding_id, case_id=request.case_id)
    if request.amends is not None:
        _check_amendable(session, request.amends.id)
    else:
        first = same_document(session, kind, target, request.served_document_id)
        if first is not None:  # never twice: the second request opens the first
            return IssuedDocument(first.id, first.number, pdf_path_of(ctx, first.id),
                                  first.kind, first.qr_payload)
    check_issuable(issue_context(session, kind, target), rule_config(ctx=ctx))
    check_own_officer(session, officer_id, target)
    snap = request.base if request.base is not None else build_snapshot(
        ctx, session, kind=kind, finding_id=request.finding_id, case_id=request.case_id,
        served_document_id=request.served_document_id)
    check_no_placeholder(kind, snap, f"{snap.get('violation.code', '')} "
                         f"{snap.get('violation.name', '')}")
    if request.base is None:  # an amendment keeps the sitting's times it corrects
        snap = snap | _sitting(session, kind, act_finding(
            session, target.finding_id, target.case_id), request.times, tx.now)
    today = local_time(tx.now).date()
    _check_officers(session, target.officer_ids, today)
    number = take_number_in(tx, squad_id=target.squad_id, kind=kind.value,
                            year=local_year(tx.now))
    doc_id = tx.new_id()
    day = act_date(snap, today)
    snap = _final_snapshot(snap, request, doc_id, number, day)
    digest = snapshot_sha256(snap)
    payload, signature = _signed_payload(ctx, tx, doc_id, kind, number, day, digest)
    pdf = render(snap, layout=request.layout, qr=payload.url(verify_url_base(session)),
                 images=evidence_files(ctx, snap))
    path = pdf_path_of(ctx, doc_id)
    written.append(path)
    write_atomically(path, pdf)
    row = tx.add(Document(
        id=doc_id, kind=kind.value, number=number.number, squad_id=target.squad_id,
        year=number.year, serial=number.serial, case_id=target.case_id,
        finding_id=target.finding_id, subject_id=target.subject_id,
        snapshot_json=canonical_json(snap), content_sha256=digest,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(), issued_at=tx.now, issued_by=officer_id,
        device_id=tx.device_id, amends_document_id=request.amends.id if request.amends
        else None, reason=request.reason, layout=request.layout, qr_payload=payload.text(),
        signature=base64.urlsafe_b64encode(signature).decode("ascii").rstrip("=")))
    _number_the_case(tx, kind, row)
    tx.audit("document.amend" if request.amends else "document.issue", "document", row.id, {
        "kind": kind.value, "number": row.number, "content_sha256": digest,
        "pdf_sha256": row.pdf_sha256, "case": row.case_id, "finding": row.finding_id,
        "layout": row.layout, "fields": request.fields, "amends": row.amends_document_id,
        "reason": request.reason})
    return IssuedDocument(row.id, row.number, path, row.kind, row.qr_payload)


def act_finding(session: Session, finding_id: str | None,
                 case_id: str | None) -> Finding | None:
    """The finding a document is about: its own, or the one that led to its case."""
    if finding_id is None and case_id is not None:
        step = session.exec(select(LadderStep).where(LadderStep.case_id == case_id)
                            .order_by(col(LadderStep.taken_at_utc))).first()
        finding_id = step.finding_id if step is not None else None
    return session.get(Finding, finding_id) if finding_id else None


def _sitting(session: Session, kind: DocumentKind, finding: Finding | None,
             times: RecordTimes | None, now: dt.datetime) -> Snapshot:
    """A 笔录's start and end times, checked; nothing for other documents. An
    inspection record not given its times began with the inspection and ended when the
    inspection was recorded, if that was within one sitting; otherwise its end stays
    blank for the officers to write (the app does not invent it)."""
    if times is None and kind not in RECORD_KINDS:
        return {}
    act = stored_utc(finding.at_utc) if finding is not None else None
    if times is None:
        if kind in TIMES_GIVEN or act is None or finding is None:
            raise ValidationError("start time", "give when the sitting this record covers "
                                  "began and ended")
        inspection = session.get(Inspection, finding.inspection_id)
        recorded = stored_utc(inspection.created_at) if inspection is not None else None
        started = {"record.started_at": chinese_datetime(local_time(act))}
        if recorded is None or not act < recorded <= act + MAX_SITTING:
            return started
        times = RecordTimes(act, recorded)
    check_record_times(kind, times, now=now, act=act)
    return {"record.started_at": chinese_datetime(local_time(times.started)),
            "record.ended_at": chinese_datetime(local_time(times.ended))}


def _final_snapshot(snap: Snapshot, request: _Request, doc_id: str, number: IssuedNumber,
                    day: dt.date) -> Snapshot:
    """The store's values, the officer's, then the document's own; checked complete.
    ``day`` is the day of the act the document records, not the printing day."""
    kind = request.kind
    final = apply_overrides(snap, request.fields) | {
        "document.id": doc_id, "document.kind": kind.value, "document.number": number.number,
        "document.date": day.isoformat(), "document.date_cn": chinese_numeral_date(day)}
    final.setdefault("document.title", TITLES[kind])
    final.setdefault("document.copy_note", "")
    check_complete(kind.value, final)
    return final


def _signed_payload(ctx: ServiceContext, tx: Tx, doc_id: str, kind: DocumentKind,
                    number: IssuedNumber, today: dt.date, digest: str) -> tuple[Payload, bytes]:
    """The verification code, signed with this device's key."""
    key = device_key(tx, ctx.store.data_dir)
    unsigned = Payload.new(document_id=doc_id, key_id=key_id(raw_public(key.public_key())),
                           kind_code=number_catalogue().shorts[kind.value], year=number.year,
                           serial=number.serial, issued_on=today, content_sha256_hex=digest)
    signature = key.sign(unsigned.signed_text().encode("utf-8"))
    return unsigned.with_signature(signature), signature


def _check_issuer(session: Session, officer_id: str) -> Officer:
    officer = session.get(Officer, officer_id) if officer_id else None
    if officer is None:
        raise NotFound("officer", officer_id)
    if officer.role == OfficerRole.AUXILIARY:
        raise ValidationError("officer", "{name} is an auxiliary and cannot act as an officer",
                              name=officer.name)
    return officer


def check_own_officer(session: Session, officer_id: str, target: About) -> None:
    """A document is issued by one of the two officers of its own record."""
    if officer_id not in target.officer_ids:
        officer = session.get(Officer, officer_id)
        raise ValidationError("officer", "{name} is not one of the officers of this record "
                              "and cannot issue its documents",
                              name=officer.name if officer else officer_id)


def _check_officers(session: Session, ids: tuple[str, str], today: dt.date) -> None:
    """行政处罚法 art. 42: two certified officers sign, valid on the day of issue."""
    officers = [session.get(Officer, i) for i in ids]
    check_two_officers([officer_ref(o) for o in officers if o is not None], today)


def _number_the_case(tx: Tx, kind: DocumentKind, row: Document) -> None:
    """The 立案审批表's number becomes the case number (案号) if the case has none."""
    if kind is not DocumentKind.FILING_APPROVAL or row.case_id is None:
        return
    case = tx.session.get(CaseFile, row.case_id)
    if case is not None and not case.case_no:
        tx.update(case, {"case_no": row.number, "updated_at": tx.now})


def verify_url_base(session: Session) -> str:
    """The verification page's address (HQ's, once configured)."""
    row = session.get(RuleSetting, URL_SETTING)
    return str(json.loads(row.value_json)) if row is not None else DEFAULT_URL_BASE


def render(snapshot: Mapping[str, str], *, layout: str, qr: str,
           images: Mapping[str, Path] | None = None) -> bytes:
    from fieldapp.documents.render import render_document

    return render_document(snapshot, layout=layout, qr_payload=qr, images=images)


def evidence_files(ctx: ServiceContext, snapshot: Mapping[str, str]) -> dict[str, Path]:
    """The evidence file a photo page embeds, from the store, by its SHA-256."""
    sha = snapshot.get("photo.sha256", "")
    return {sha: ctx.store.blobs.path_of(sha)} if sha else {}


# --- reading and reprinting -----------------------------------------------------------


def get_document(*, ctx: ServiceContext, document_id: str) -> Document:
    with ctx.read() as session:
        row = session.get(Document, document_id)
    if row is None:
        raise NotFound("document", document_id)
    return row


def snapshot_of(document: Document) -> Snapshot:
    data: dict[str, Any] = json.loads(document.snapshot_json)
    return {str(k): str(v) for k, v in data.items()}


def reprint_document(*, ctx: ServiceContext, document_id: str, rerender: bool = False) -> bytes:
    """The issued PDF, byte for byte; or, when it is missing, damaged or ``rerender`` is
    asked, the same document drawn again from its stored snapshot."""
    document = get_document(ctx=ctx, document_id=document_id)
    if document.kind == VOID_KIND:
        raise DomainError("a void record has no printed form")
    path = pdf_path_of(ctx, document_id)
    if not rerender and path.is_file():
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() == document.pdf_sha256:
            return data
    snap = snapshot_of(document)
    if snapshot_sha256(snap) != document.content_sha256:
        raise DomainError("the stored snapshot of {number} was changed after issue; it "
                          "cannot be printed again", number=document.number)
    with ctx.read() as session:
        base = verify_url_base(session)
    return render(snap, layout=document.layout, qr=base + document.qr_payload,
                  images=evidence_files(ctx, snap))


def list_documents(*, ctx: ServiceContext, case_id: str | None = None,
                   subject_id: str | None = None, finding_id: str | None = None,
                   limit: int = 1000) -> list[DocumentView]:
    """Documents (void records included), the oldest first."""
    query = select(Document)
    if case_id:
        query = query.where(Document.case_id == case_id)
    if subject_id:
        query = query.where(Document.subject_id == subject_id)
    if finding_id:
        query = query.where(Document.finding_id == finding_id)
    query = query.order_by(col(Document.issued_at), col(Document.id)).limit(limit)
    with ctx.read() as session:
        rows = session.exec(query).all()
        ids = [r.id for r in rows]
        voided = dict(_pointers(session, col(Document.voids_document_id), ids))
        amended = dict(_pointers(session, col(Document.amends_document_id), ids))
        served = set(session.exec(select(DocumentService.document_id).where(
            col(DocumentService.document_id).in_(ids))))
    return [_view(ctx, r, voided, amended, served) for r in rows]


def _pointers(session: Session, column: Any, ids: Sequence[str]) -> list[tuple[str, str]]:
    rows = session.exec(select(column, Document.id).where(column.in_(ids))).all()
    return [(str(a), str(b)) for a, b in rows]


def _view(ctx: ServiceContext, r: Document, voided: Mapping[str, str],
          amended: Mapping[str, str], served: set[str]) -> DocumentView:
    path = pdf_path_of(ctx, r.id)
    return DocumentView(r.id, r.kind, title_of(r.kind), r.number, r.issued_at, r.issued_by,
                        r.case_id, r.finding_id, r.subject_id, r.layout, voided.get(r.id),
                        amended.get(r.id), r.voids_document_id, r.amends_document_id,
                        r.reason, r.id in served, path if path.is_file() else None)


# --- void, amend ----------------------------------------------------------------------


def live_document(session: Session, document_id: str) -> Document:
    """A document that may still be voided, amended or served."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("document", document_id)
    if document.kind == VOID_KIND:
        raise DomainError("{id} is a void record, not a document", id=document_id)
    void = session.exec(select(Document.id).where(
        Document.voids_document_id == document_id)).first()
    if void is not None:
        raise DomainError("{number} is voided", number=document.number)
    return document


def void_document(*, ctx: ServiceContext, officer_id: str, document_id: str,
                  reason: str) -> Written:
    """Void a document (作废): a void record points at it and its number is listed as
    voided, never to be issued again. The document itself stays as it was."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("reason", "is required")
    with ctx.write(officer_id, action=Action.VOID_DOCUMENT) as tx:
        _check_issuer(tx.session, officer_id)
        document = live_document(tx.session, document_id)
        void_id = tx.new_id()
        today = local_time(tx.now).date()
        snap = {"document.id": void_id, "document.kind": VOID_KIND,
                "document.date": today.isoformat(), "voids.id": document.id,
                "voids.kind": document.kind, "voids.number": document.number,
                "voids.content_sha256": document.content_sha256, "reason": reason}
        tx.add(Document(
            id=void_id, kind=VOID_KIND, number="", squad_id=document.squad_id,
            case_id=document.case_id, finding_id=document.finding_id,
            subject_id=document.subject_id, snapshot_json=canonical_json(snap),
            content_sha256=snapshot_sha256(snap), issued_at=tx.now, issued_by=officer_id,
            device_id=tx.device_id, voids_document_id=document.id, reason=reason,
            layout=document.layout))
        if document.serial is not None and document.year is not None:
            record_voided_in(tx, squad_id=document.squad_id, kind=document.kind,
                             year=document.year, serial=document.serial,
                             number=document.number, reason=reason, officer_id=officer_id,
                             document_id=document.id)
        tx.audit("document.void", "document", void_id, {
            "voids": document.id, "number": document.number, "reason": reason})
    return Written(void_id, frozenset(tx.changed))


def amend_document(*, ctx: ServiceContext, officer_id: str, document_id: str,
                   fields: Mapping[str, str], reason: str,
                   layout: str | None = None) -> IssuedDocument:
    """Issue a corrected document (new number) that points at the old one; the old
    snapshot with ``fields`` changed. The old document stays, superseded."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("reason", "is required")
    with ctx.read() as session:
        old = _check_amendable(session, document_id)
    base = {k: v for k, v in snapshot_of(old).items() if k not in _OWN_KEYS}
    base |= {"amends.id": old.id, "amends.number": old.number, "amends.reason": reason}
    request = _Request(_kind(old.kind), old.finding_id, old.case_id, _check_fields(fields),
                       _check_layout(layout or old.layout),
                       base.get("served.document_id") or None, amends=old, reason=reason,
                       base=base)
    return _issue(ctx, officer_id, request, Action.AMEND_DOCUMENT)


def _check_amendable(session: Session, document_id: str) -> Document:
    old = live_document(session, document_id)
    newer = session.exec(select(Document.number).where(
        Document.amends_document_id == document_id)).first()
    if newer is not None:
        raise DomainError("{number} was already amended by {newer}: amend that one",
                          number=old.number, newer=newer)
    return old


def available_layouts(kind: str | DocumentKind) -> tuple[str, ...]:
    """The layouts a kind of document prints in: ("a4",) or ("a4", "receipt")."""
    from fieldapp.documents.render import layouts_for

    return tuple(layouts_for(_kind(kind).value))
