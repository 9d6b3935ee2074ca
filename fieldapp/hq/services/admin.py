"""The agency, its squads and officers, and devices, as HQ's administrator keeps them.
Each change also writes the matching reference record version, so devices pull it."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import Connection, select

from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.hq.context import Hq, utc_text
from fieldapp.hq.db import tables as t
from fieldapp.hq.services.auth import HQ_ADMIN, ROLES, hash_password
from fieldapp.hq.services.reference import HqWriter
from fieldapp.sync.protocol import Entity

_AGENCY_KEY = "agency_id"
AGENCY_FIELDS = ("full_name", "short_name", "short_code", "city", "address", "postcode",
                 "phone", "review_body", "court", "bank")
# Enrollment codes: no 0/O or 1/I/L, so a code read aloud or typed is not mistaken.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _writer(hq: Hq, conn: Connection) -> HqWriter:
    now = hq.now()
    return HqWriter(conn, now, utc_text(now), lock=hq.db.lock_sequence)


def agency_id(conn: Connection) -> str | None:
    return conn.execute(select(t.meta.c.value).where(t.meta.c.key == _AGENCY_KEY)).scalar()


def set_agency(hq: Hq, **fields: Any) -> str:
    """Create or change the agency profile (one agency per HQ)."""
    with hq.db.write() as conn:
        known = agency_id(conn)
        writer = _writer(hq, conn)
        current: dict[str, Any] = dict.fromkeys(AGENCY_FIELDS, "")  # devices keep text non-null
        if known is None:
            known = hq.new_id()
            conn.execute(t.meta.insert().values(key=_AGENCY_KEY, value=known))
        else:
            from fieldapp.hq.services.records import newest_envelope

            env = newest_envelope(conn, Entity.AGENCY.value, known)
            current = dict(env.fields) if env else {}
        current |= {k: v for k, v in fields.items() if k in AGENCY_FIELDS and v is not None}
        if not current.get("full_name"):
            raise ValidationError("agency name", "is required")
        current["updated_at"] = utc_text(hq.now())
        writer.write(Entity.AGENCY, known, current)
        writer.flush()
    return known


def _squad_fields(conn: Connection, code: str, name: str, agency: str) -> dict[str, Any]:
    return {"agency_id": agency, "name": name, "code": code, "address": "", "phone": ""}


def add_squad(hq: Hq, *, code: str, name: str) -> str:
    with hq.db.write() as conn:
        agency = agency_id(conn)
        if agency is None:
            raise DomainError("set the agency profile first (admin agency)")
        if conn.execute(select(t.squad.c.id).where(t.squad.c.code == code)).first():
            raise ValidationError("squad code", "'{code}' is taken", code=code)
        squad_id = hq.new_id()
        conn.execute(t.squad.insert().values(id=squad_id, code=code, name=name,
                                             agency_id=agency))
        writer = _writer(hq, conn)
        writer.write(Entity.SQUAD, squad_id, _squad_fields(conn, code, name, agency))
        writer.flush()
    return squad_id


def squad_by_code(conn: Connection, code: str) -> Any:
    row = conn.execute(select(t.squad).where(t.squad.c.code == code)).first()
    if row is None:
        raise ValidationError("squad", "no squad with code '{code}'", code=code)
    return row


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError("role", "'{value}' is not one of {choices}", value=role,
                              choices=", ".join(ROLES))


def add_officer(hq: Hq, *, squad_code: str, name: str, certificate_no: str, role: str,
                password: str, valid_from: dt.date | None = None,
                valid_to: dt.date | None = None) -> str:
    _check_role(role)
    if len(password) < 6:
        raise ValidationError("password", "must have at least 6 characters")
    with hq.db.write() as conn:
        squad = squad_by_code(conn, squad_code)
        if conn.execute(select(t.officer.c.id).where(
                t.officer.c.certificate_no == certificate_no)).first():
            raise ValidationError("certificate number", "'{value}' is taken",
                                  value=certificate_no)
        officer_id = hq.new_id()
        row = {"id": officer_id, "squad_id": squad.id, "name": name,
               "certificate_no": certificate_no, "role": role,
               "password_hash": hash_password(password), "active": True,
               "valid_from": valid_from.isoformat() if valid_from else None,
               "valid_to": valid_to.isoformat() if valid_to else None}
        conn.execute(t.officer.insert().values(**row))
        _publish_officer(hq, conn, officer_id)
    return officer_id


def _publish_officer(hq: Hq, conn: Connection, officer_id: str) -> None:
    """The officer's reference record (HQ administrators stay at HQ)."""
    row = conn.execute(select(t.officer).where(t.officer.c.id == officer_id)).one()
    if row.role == HQ_ADMIN:
        return
    writer = _writer(hq, conn)
    writer.write(Entity.OFFICER, row.id, {
        "squad_id": row.squad_id, "name": row.name, "certificate_no": row.certificate_no,
        "certificate_valid_from": row.valid_from, "certificate_valid_to": row.valid_to,
        "role": row.role, "phone": "", "active": bool(row.active)})
    writer.flush()


def officer_by_certificate(conn: Connection, certificate_no: str) -> Any:
    row = conn.execute(select(t.officer).where(
        t.officer.c.certificate_no == certificate_no)).first()
    if row is None:
        raise ValidationError("officer", "no officer with certificate number '{value}'",
                              value=certificate_no)
    return row


def change_officer(hq: Hq, *, certificate_no: str, role: str | None = None,
                   password: str | None = None, active: bool | None = None,
                   valid_to: dt.date | None = None) -> None:
    values: dict[str, Any] = {}
    if role is not None:
        _check_role(role)
        values["role"] = role
    if password is not None:
        if len(password) < 6:
            raise ValidationError("password", "must have at least 6 characters")
        values["password_hash"] = hash_password(password)
    if active is not None:
        values["active"] = active
    if valid_to is not None:
        values["valid_to"] = valid_to.isoformat()
    with hq.db.write() as conn:
        row = officer_by_certificate(conn, certificate_no)
        conn.execute(t.officer.update().where(t.officer.c.id == row.id).values(**values))
        if active is False:
            conn.execute(t.session.delete().where(t.session.c.officer_id == row.id))
        _publish_officer(hq, conn, row.id)


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def enroll_code(hq: Hq, *, squad_code: str, device_name: str,
                hours: int | None = None) -> tuple[str, dt.datetime]:
    """A one-time enrollment code for a new device of the squad."""
    code = new_code()
    expires = hq.now() + dt.timedelta(hours=hours or hq.settings.enrollment_hours)
    with hq.db.write() as conn:
        squad = squad_by_code(conn, squad_code)
        conn.execute(t.enrollment.insert().values(
            id=hq.new_id(), code_hash=code_hash(code), squad_id=squad.id,
            device_name=device_name, created_at=hq.now_text(), expires_at=utc_text(expires)))
    return code, expires


def revoke_device(hq: Hq, *, device_id: str) -> None:
    with hq.db.write() as conn:
        row = conn.execute(select(t.device.c.id).where(t.device.c.id == device_id)).first()
        if row is None:
            raise ValidationError("device", "no device with id '{value}'", value=device_id)
        conn.execute(t.device.update().where(t.device.c.id == device_id)
                     .values(revoked_at=hq.now_text()))
        conn.execute(t.session.delete().where(t.session.c.device_id == device_id))


def devices(hq: Hq) -> list[dict[str, Any]]:
    with hq.db.read() as conn:
        rows = conn.execute(select(t.device, t.squad.c.code.label("squad_code")).join(
            t.squad, t.squad.c.id == t.device.c.squad_id).order_by(t.device.c.enrolled_at))
        return [dict(r._mapping) for r in rows]
