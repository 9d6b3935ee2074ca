"""Use cases about subjects (当事人): create, update, find, show."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.identity import looks_like_credit_code, looks_like_resident_id
from fieldapp.domain.localtime import local_date
from fieldapp.domain.permissions import Action
from fieldapp.domain.text import normalise
from fieldapp.domain.validation import validate_subject
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.store import search
from fieldapp.store.tables import Subject

_PROFILE_FIELDS = [f.name for f in dataclasses.fields(SubjectData)]


def _duplicate_check(session: Session, data: SubjectData, own_id: str | None) -> None:
    for column, label, value in (
        (Subject.id_number, "ID number", data.id_number),
        (Subject.credit_code, "unified social credit code", data.credit_code),
    ):
        if not value:
            continue
        other = session.exec(select(Subject.id, Subject.name).where(
            column == value, Subject.deleted == False)).first()  # noqa: E712
        if other is not None and other[0] != own_id:
            raise ValidationError(label, "already belongs to {name} ({id})",
                                  name=other[1], id=other[0])


def create_subject(*, ctx: ServiceContext, officer_id: str, data: SubjectData,
                   photo: Path | None = None) -> Written:
    """Record a new subject; its profile is validated first and nothing is written if bad.

    ``photo`` (e.g. of an unidentified vendor) is stored with the evidence files."""
    data = validate_subject(data, today=local_date(ctx.now()))
    if photo is not None:
        data = dataclasses.replace(data, photo_sha256=ctx.store.blobs.put(photo).sha256)
    with ctx.write(officer_id, action=Action.RECORD_SUBJECT) as tx:
        _duplicate_check(tx.session, data, None)
        seq = tx.conn.exec_driver_sql(
            "SELECT COALESCE(MAX(local_seq), 0) + 1 FROM subject").scalar_one()
        subject = Subject(
            id=tx.new_id(), local_seq=seq, created_at=tx.now, updated_at=tx.now,
            created_by=officer_id or None, **_columns(data))
        tx.add(subject)
        search.reindex_subject(tx.conn, seq, search.tokens_for(subject))
        tx.audit("subject.create", "subject", subject.id, _columns(data))
    return Written(subject.id, frozenset(tx.changed))


def update_subject(*, ctx: ServiceContext, officer_id: str, subject_id: str,
                   changes: dict[str, Any]) -> Written:
    """Change some profile fields; records only what really changed."""
    unknown = set(changes) - set(_PROFILE_FIELDS)
    if unknown:
        raise ValidationError(sorted(unknown)[0], "is not a subject field")
    with ctx.write(officer_id, action=Action.RECORD_SUBJECT) as tx:
        subject = tx.session.get(Subject, subject_id)
        if subject is None or subject.deleted:
            raise NotFound("subject", subject_id)
        current = SubjectData(**{k: getattr(subject, k) for k in _PROFILE_FIELDS})
        current.kind = SubjectKind(current.kind)
        data = validate_subject(dataclasses.replace(current, **changes),
                                today=local_date(tx.now))
        _duplicate_check(tx.session, data, subject_id)
        diff = {k: v for k, v in _columns(data).items() if getattr(subject, k) != v}
        if diff:
            tx.update(subject, diff | {"updated_at": tx.now})
            search.reindex_subject(tx.conn, subject.local_seq, search.tokens_for(subject))
            tx.audit("subject.update", "subject", subject_id,
                     {k: _jsonable(v) for k, v in diff.items()})
    return Written(subject_id, frozenset(tx.changed))


def get_subject(*, ctx: ServiceContext, subject_id: str) -> Subject:
    with ctx.read() as session:
        subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound("subject", subject_id)
    return subject


def find_subjects(*, ctx: ServiceContext, query: str, limit: int = 50) -> list[Subject]:
    """Subjects matching any 1–4 Chinese characters of name, shop sign or address, a
    phone or ID fragment, or pinyin initials; an exact ID or credit code first."""
    query = query.strip()
    if not normalise(query):
        return []
    with ctx.read() as session:
        exact = _exact(session, query)
        ids = search.find_ids(session.connection(), query, limit)
        ordered = exact + [i for i in ids if i not in exact]
        rows = {s.id: s for s in session.exec(
            select(Subject).where(Subject.id.in_(ordered[:limit])))}  # type: ignore[attr-defined]
    return [rows[i] for i in ordered[:limit] if i in rows]


def _exact(session: Session, query: str) -> list[str]:
    q = normalise(query).upper()
    if looks_like_resident_id(q):
        column = Subject.id_number
    elif looks_like_credit_code(q):
        column = Subject.credit_code
    else:
        return []
    return list(session.exec(select(Subject.id).where(column == q)))


def display_name(subject: Subject) -> str:
    """How a subject is named in lists: shop sign and name, or the vendor's description."""
    if subject.kind == SubjectKind.UNIDENTIFIED_VENDOR:
        return subject.name or f"{subject.goods} {subject.appearance}".strip()
    if subject.shop_sign and subject.name and subject.shop_sign != subject.name:
        return f"{subject.shop_sign}（{subject.name}）"
    return subject.shop_sign or subject.name


def _columns(data: SubjectData) -> dict[str, Any]:
    values = dataclasses.asdict(data)
    values["kind"] = str(data.kind.value)
    return values


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
