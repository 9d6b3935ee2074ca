"""Service (送达) of an issued document: how, when, to whom, or the refusal; never
dated before the document it serves (issue 13 ¶6)."""

from __future__ import annotations

import datetime as dt

from fieldapp.domain.document_text import SERVICE_METHODS
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.issuance import check_served_after
from fieldapp.domain.localtime import local_date
from fieldapp.domain.permissions import Action
from fieldapp.domain.validation import check_two_officers
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork.documents import live_document, snapshot_of
from fieldapp.services.results import Written
from fieldapp.services.staff import officer_ref
from fieldapp.store.tables import DocumentService, Officer


def record_service(*, ctx: ServiceContext, document_id: str, method: str,
                   served_at: dt.datetime, officer_ids: tuple[str, str], receiver: str = "",
                   refused: bool = False, refusal_note: str = "", witness: str = "",
                   place: str = "") -> Written:
    """Record how a document was served (送达): by whom, when, to whom or the refusal."""
    _check_service(method, served_at, receiver, refused, refusal_note)
    with ctx.write(officer_ids[0], action=Action.SERVE_DOCUMENT) as tx:
        document = live_document(tx.session, document_id)
        officers = [tx.session.get(Officer, i) for i in officer_ids]
        if any(o is None for o in officers):
            raise NotFound("officer", next(i for i, o in zip(officer_ids, officers,
                                                               strict=True) if o is None))
        day = local_date(served_at)
        check_served_after(day, dt.date.fromisoformat(snapshot_of(document)["document.date"]),
                           document.number)
        check_two_officers([officer_ref(o) for o in officers if o is not None], day)
        row = tx.add(DocumentService(
            id=tx.new_id(), document_id=document.id, method=method, served_at_utc=served_at,
            place=place.strip(), receiver=receiver.strip(), refused=refused,
            refusal_note=refusal_note.strip(), witness=witness.strip(),
            officer1_id=officer_ids[0], officer2_id=officer_ids[1], created_at=tx.now))
        tx.audit("document.serve", "document_service", row.id, {
            "document": document.id, "number": document.number, "method": method,
            "receiver": receiver, "refused": refused, "witness": witness})
    return Written(row.id, frozenset(tx.changed))


def _check_service(method: str, served_at: dt.datetime, receiver: str, refused: bool,
                   refusal_note: str) -> None:
    if method not in SERVICE_METHODS:
        raise ValidationError("service method", "'{value}' is not one of {choices}",
                              value=method, choices=", ".join(SERVICE_METHODS))
    if served_at.tzinfo is None:
        raise ValidationError("time", "must carry a UTC offset")
    if refused and not refusal_note.strip():
        raise ValidationError("refusal note", "note how the party refused to sign")
    if method == "direct" and not refused and not receiver.strip():
        raise ValidationError("receiver", "is required")
    if method == "left_at_address" and not refused:
        raise ValidationError("service method", "leaving the document (留置送达) is only for "
                              "a party who refuses it")
