"""Checking a document's verification code, or a PDF, offline against this store.

Statuses:

* ``genuine``: the code is the one issued, its Ed25519 signature verifies with the
  issuing device's key known here, the stored snapshot still hashes to what was signed,
  the stored PDF is intact and (for a PDF) its text is the issued text;
* ``voided``: all of that, and a void record points at the document;
* ``altered``: any check fails (a changed character of the code, a changed field of
  the stored snapshot, a changed PDF);
* ``unknown``: the code is not one of ours, or the device or the document is not known
  in this store (another device's document not synced yet).

A PDF's code is read from its metadata (where the renderer puts it) and from the QR code
on its first page (rendered with ``pdftoppm`` and decoded with ``zxingcpp`` when both
are installed); the two must agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, select

from fieldapp.domain.doc_payload import (
    Payload,
    document_id_of,
    hash_prefix,
    key_id,
    parse_payload,
    signature_bytes,
    strip_url,
)
from fieldapp.domain.doc_payload import content_sha256 as snapshot_sha256
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.verification import ALGORITHMS, ED25519, KeyContent, key_content
from fieldapp.i18n import N_, _
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork.documents import (
    VOID_KIND,
    pdf_path_of,
    reprint_document,
    snapshot_of,
)
from fieldapp.services.paperwork.numbers import number_catalogue
from fieldapp.services.paperwork.signing import public_key_from_text, raw_public, verify_signature
from fieldapp.services.paperwork.snapshots import local_time, title_of
from fieldapp.store.tables import Device, Document

UNKNOWN_ALGORITHM = N_("signed with {algorithm}, which this version of the app cannot check")
VerifyStatus = Literal["genuine", "altered", "unknown", "voided"]
_PAYLOAD_IN_PDF = re.compile(
    rb"FA1\.[A-Z2-7]{20,30}\.[A-Z2-7]{8}\.[A-Z]{2,4}\.[0-9]{4}-[0-9]+\.[0-9]{8}\."
    rb"[A-Z2-7]{20,30}\.[A-Z2-7]{100,110}")


@dataclass(frozen=True)
class VerifyResult:
    status: VerifyStatus
    document_id: str = ""
    number: str = ""
    kind: str = ""
    title: str = ""
    issued_on: dt.date | None = None
    subject: str = ""
    problem: str = ""  # English template (msgid), translated at the edge
    params: dict[str, Any] = field(default_factory=dict)
    payload: str = ""
    void_reason: str = ""
    text_checked: bool = False
    content: KeyContent | None = None  # what the paper must say (kind, 文号, party, amount)
    algorithm: str = ""  # the signature's algorithm (ed25519; sm2-sm3 later)

    @property
    def genuine(self) -> bool:
        return self.status == "genuine"


# Why a code is not genuine (translated where shown).
NOT_OURS = N_("this is not a fieldapp verification code")
NO_CODE_IN_PDF = N_("no verification code was found in the PDF")
CODES_DIFFER = N_("the QR code and the PDF's metadata carry different codes")
NO_DOCUMENT = N_("no document with this code is known here")
NO_DOCUMENT_SIGNED = N_("the code is signed by a known device, but the document is not "
                        "known here (not synced yet?)")
NO_KEY = N_("the key of the issuing device is not known here")
BAD_SIGNATURE = N_("the signature does not match the code")
CODE_CHANGED = N_("the code differs from the one issued with this document")
RECORD_CHANGED = N_("the document's record does not match its code")
SNAPSHOT_CHANGED = N_("the document's stored content was changed after issue")
PDF_CHANGED = N_("the stored PDF of the document was changed after issue")
TEXT_CHANGED = N_("the text of this PDF differs from the document as issued")
VOIDED = N_("reason for voiding: {reason}")


def verify(*, ctx: ServiceContext, payload_or_pdf: str | Path) -> VerifyResult:
    """Check a payload (or its URL form) or a PDF file."""
    if isinstance(payload_or_pdf, Path) or _is_file(payload_or_pdf):
        return verify_pdf(ctx=ctx, path=Path(payload_or_pdf))
    return verify_payload(ctx=ctx, text=str(payload_or_pdf))


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a long code is no file name
        return False


def verify_payload(*, ctx: ServiceContext, text: str) -> VerifyResult:
    raw = strip_url(text)
    with ctx.read() as session:
        document = _document_by_field(session, raw)
        if document is not None:
            return _check_known(ctx, session, document, raw)
        return _check_foreign(session, raw)


def _document_by_field(session: Session, raw: str) -> Document | None:
    """The document named by the code's ID field, even when the rest is damaged."""
    parts = raw.split(".")
    if len(parts) < 2:
        return None
    try:
        payload = parse_payload(raw)
        document_id = payload.document_id
    except ValidationError:
        document_id = document_id_of(parts[1])
    if not document_id:
        return None
    document = session.get(Document, document_id)
    return document if document is not None and document.kind != VOID_KIND else None


def _check_foreign(session: Session, raw: str) -> VerifyResult:
    """A code whose document this store does not hold."""
    try:
        payload = parse_payload(raw)
    except ValidationError:
        return VerifyResult("unknown", problem=NOT_OURS, payload=raw)
    key = _keys(session).get(payload.key_id)
    if key is None:
        return VerifyResult("unknown", problem=NO_KEY, payload=raw)
    if not _signature_ok(key, payload):
        return VerifyResult("altered", problem=BAD_SIGNATURE, payload=raw)
    return VerifyResult("unknown", problem=NO_DOCUMENT_SIGNED, payload=raw,
                        issued_on=payload.issued_on)


def _keys(session: Session) -> dict[str, Ed25519PublicKey]:
    """Known device keys by key id."""
    out = {}
    for text in session.exec(select(Device.public_key).where(Device.public_key != "")):
        key = public_key_from_text(text)
        if key is not None:
            out[key_id(raw_public(key))] = key
    return out


def _signature_ok(key: Ed25519PublicKey, payload: Payload) -> bool:
    signature = signature_bytes(payload)
    return signature is not None and verify_signature(
        key, signature, payload.signed_text().encode("utf-8"))


def _check_known(ctx: ServiceContext, session: Session, document: Document,
                 raw: str) -> VerifyResult:
    base = _describe(document, raw)

    def fail(status: VerifyStatus, problem: str) -> VerifyResult:
        return VerifyResult(status, **base, problem=problem)

    if raw != document.qr_payload:
        return fail("altered", CODE_CHANGED)
    if (document.signature_algorithm or ED25519) not in ALGORITHMS:
        return VerifyResult("unknown", **base, problem=UNKNOWN_ALGORITHM,
                            params={"algorithm": document.signature_algorithm})
    try:
        payload = parse_payload(raw)
    except ValidationError:  # the stored code itself was replaced
        return fail("altered", RECORD_CHANGED)
    device = session.get(Device, document.device_id) if document.device_id else None
    key = public_key_from_text(device.public_key) if device else None
    if key is None:
        return fail("unknown", NO_KEY)
    if payload.key_id != key_id(raw_public(key)) or not _signature_ok(key, payload):
        return fail("altered", BAD_SIGNATURE)
    problem = _record_problem(document, payload)
    if problem:
        return fail("altered", problem)
    if not _stored_pdf_intact(ctx, document):
        return fail("altered", PDF_CHANGED)
    void = session.exec(select(Document).where(
        Document.voids_document_id == document.id)).first()
    if void is not None:
        return VerifyResult("voided", **base, problem=VOIDED, params={"reason": void.reason},
                            void_reason=void.reason)
    return VerifyResult("genuine", **base)


def _describe(document: Document, raw: str) -> dict[str, Any]:
    try:
        snap = snapshot_of(document)
    except ValueError:
        snap = {}
    return {"document_id": document.id, "number": document.number, "kind": document.kind,
            "title": title_of(document.kind), "issued_on": _document_day(document, snap),
            "subject": snap.get("subject.name", ""), "payload": raw,
            "content": key_content(snap, title_of(document.kind)),
            "algorithm": document.signature_algorithm or ED25519}


def _document_day(document: Document, snap: dict[str, str]) -> dt.date:
    """The day the paper is dated with (the act's), else the day it was issued."""
    try:
        return dt.date.fromisoformat(snap.get("document.date", ""))
    except ValueError:  # missing, or a tampered snapshot (reported as such elsewhere)
        return local_time(document.issued_at).date()


def key_content_lines(result: VerifyResult) -> list[str]:
    """The key content as lines a person compares with the paper, in their language."""
    if result.content is None:
        return []
    return [_("{label}: {value}", label=_(label), value=value)
            for label, value in result.content.lines()]


def _record_problem(document: Document, payload: Payload) -> str:
    """The stored row and snapshot must be what the signed code describes."""
    try:
        snap = snapshot_of(document)
    except ValueError:
        return SNAPSHOT_CHANGED
    digest = snapshot_sha256(snap)
    if digest != document.content_sha256 or hash_prefix(digest) != payload.content_hash:
        return SNAPSHOT_CHANGED
    short = number_catalogue().shorts.get(document.kind)
    same = (payload.document_id == document.id == snap.get("document.id")
            and payload.kind_code == short and document.kind == snap.get("document.kind")
            and (payload.year, payload.serial) == (document.year, document.serial)
            and document.number == snap.get("document.number")
            and payload.issued_on.isoformat() == snap.get("document.date"))
    return "" if same else RECORD_CHANGED


def _stored_pdf_intact(ctx: ServiceContext, document: Document) -> bool:
    """A missing PDF can be drawn again from the snapshot; a changed one is tampering."""
    path = pdf_path_of(ctx, document.id)
    if not path.is_file():
        return True
    return hashlib.sha256(path.read_bytes()).hexdigest() == document.pdf_sha256


# --- PDFs -----------------------------------------------------------------------------


def verify_pdf(*, ctx: ServiceContext, path: Path) -> VerifyResult:
    """Check a PDF: its code (metadata and QR), then its text against the issued one."""
    data = path.read_bytes()
    from_metadata = _payload_in_bytes(data)
    from_qr = read_qr_payload(path)
    if from_metadata and from_qr and strip_url(from_qr) != from_metadata:
        return VerifyResult("altered", problem=CODES_DIFFER, payload=strip_url(from_qr))
    code = from_metadata or (strip_url(from_qr) if from_qr else "")
    if not code:
        return VerifyResult("unknown", problem=NO_CODE_IN_PDF)
    result = verify_payload(ctx=ctx, text=code)
    if result.status not in ("genuine", "voided"):
        return result
    document_id = result.document_id
    with ctx.read() as session:
        document = session.get(Document, document_id)
    assert document is not None
    if hashlib.sha256(data).hexdigest() == document.pdf_sha256:
        return replace(result, text_checked=True)
    given = pdf_text(path)
    if given is None:
        return result
    issued = _issued_text(ctx, document_id)
    if issued is None:
        return result
    if _normalise(given) != _normalise(issued):
        return replace(result, status="altered", problem=TEXT_CHANGED, params={},
                        text_checked=True)
    return replace(result, text_checked=True)


def _payload_in_bytes(data: bytes) -> str:
    match = _PAYLOAD_IN_PDF.search(data)
    if match:
        return match.group(0).decode("ascii")
    return _payload_in_metadata(data)


def _payload_in_metadata(data: bytes) -> str:
    """The code in the PDF's document information, read with pypdf when installed."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return ""
    try:
        info: Mapping[str, Any] = PdfReader(io.BytesIO(data)).metadata or {}
    except Exception:  # a damaged PDF: fall back on the QR code
        return ""
    for value in info.values():
        match = _PAYLOAD_IN_PDF.search(str(value).encode("ascii", "ignore"))
        if match:
            return match.group(0).decode("ascii")
    return ""


def read_qr_payload(path: Path, dpi: int = 200) -> str:
    """The text of the first QR code on page 1; "" when none is found or the tools
    (pdftoppm, zxingcpp) are missing."""
    pdftoppm = shutil.which("pdftoppm")
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        return ""
    if pdftoppm is None:
        return ""
    with tempfile.TemporaryDirectory(prefix="fieldapp-qr-") as tmp:
        prefix = Path(tmp) / "page"
        done = subprocess.run([pdftoppm, "-r", str(dpi), "-f", "1", "-l", "1", "-png",
                               str(path), str(prefix)], capture_output=True, check=False,
                              timeout=60)
        pages = sorted(Path(tmp).glob("page*.png"))
        if done.returncode != 0 or not pages:
            return ""
        with Image.open(pages[0]) as image:
            found = zxingcpp.read_barcodes(image.convert("L"))
    texts = [str(b.text) for b in found if "QR" in str(b.format)]
    return texts[0] if texts else ""


def pdf_text(path_or_data: Path | bytes) -> str | None:
    """The text of a PDF (pypdf, else pdftotext); None when neither is available."""
    data = path_or_data if isinstance(path_or_data, bytes) else path_or_data.read_bytes()
    try:
        from pypdf import PdfReader
    except ImportError:
        return _pdftotext(data)
    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    except Exception:  # damaged beyond reading: its text cannot match
        return ""


def _pdftotext(data: bytes) -> str | None:
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run([tool, "-", "-"], input=data, capture_output=True, check=False,
                          timeout=60)
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def _issued_text(ctx: ServiceContext, document_id: str) -> str | None:
    return pdf_text(reprint_document(ctx=ctx, document_id=document_id))


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)
