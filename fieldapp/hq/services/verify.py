"""Is a document genuine? From the QR code's payload (``domain.doc_payload``): the
signature must be the enrolled device key the code names, and the document HQ holds must
be the one the code describes (its snapshot hash and 文号)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from fieldapp.domain import doc_payload
from fieldapp.domain.errors import ValidationError
from fieldapp.hq import keys
from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.text import tr
from fieldapp.sync.protocol import Genuineness, VerifyResponse

G = Genuineness
MESSAGES = {
    G.GENUINE: "genuine: issued by {squad} and recorded at HQ",
    G.NOT_YET_AT_HQ: "signed by an enrolled device of {squad}, but not yet synced to "
                     "HQ: check again later",
    G.ALTERED: "altered: this code or the document does not match what was issued",
    G.VOIDED: "voided: this document was issued but has been voided",
    G.UNKNOWN: "unknown: not a code issued by a device enrolled at this HQ",
}


def verify(hq: Hq, *, code: str, lang: str) -> VerifyResponse:
    try:
        payload = doc_payload.parse_payload(code)
    except ValidationError:
        return _answer(lang, G.UNKNOWN)
    with hq.db.read() as conn:
        device = conn.execute(select(t.device, t.squad.c.name.label("squad_name")).join(
            t.squad, t.squad.c.id == t.device.c.squad_id).where(
            t.device.c.key_id == payload.key_id)).first()
        if device is None:
            return _answer(lang, G.UNKNOWN)
        signature = doc_payload.signature_bytes(payload)
        if signature is None or not keys.verify(
                device.public_key, signature, payload.signed_text().encode()):
            return _answer(lang, G.ALTERED)
        row = conn.execute(select(t.document).where(
            t.document.c.id == payload.document_id)).first() if payload.document_id else None
    squad = device.squad_name
    if row is None:
        return _answer(lang, G.NOT_YET_AT_HQ, squad=squad, number=f"{payload.year}-"
                       f"{payload.serial}", issued_on=payload.issued_on.isoformat())
    snap = _snapshot(row.snapshot_json)
    content = _content(snap, row)
    if row.qr_payload != doc_payload.strip_url(code) or not _matches(row, snap, payload):
        return _answer(lang, G.ALTERED, **content)
    if row.voided_by:
        return _answer(lang, G.VOIDED, squad=squad, **content)
    return _answer(lang, G.GENUINE, squad=squad, **content)


def _snapshot(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _matches(row: Any, snap: dict[str, str], payload: doc_payload.Payload) -> bool:
    digest = doc_payload.content_sha256(snap)
    return (digest == row.content_sha256
            and doc_payload.hash_prefix(digest) == payload.content_hash
            and snap.get("document.number", row.number) == row.number)


def _content(snap: dict[str, str], row: Any) -> dict[str, Any]:
    fine = snap.get("case.fine_yuan") or ""
    try:
        amount = float(fine.replace(",", "")) if fine else None
    except ValueError:
        amount = None
    return {"kind": snap.get("document.title", row.kind), "number": row.number,
            "party": snap.get("subject.name", ""), "amount_yuan": amount,
            "issued_on": snap.get("document.date", row.issued_at[:10])}


def _answer(lang: str, state: Genuineness, squad: str = "", **content: Any) -> VerifyResponse:
    status = {G.GENUINE: "issued", G.VOIDED: "voided"}.get(state, "")
    return VerifyResponse(state=state, message=tr(lang, MESSAGES[state], squad=squad),
                          status=tr(lang, status) if status else "", **content)
