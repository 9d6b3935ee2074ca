"""Device tokens, officer sessions and passwords. HQ keeps only SHA-256 of tokens and
argon2 hashes of passwords; after enrollment HQ is the source of truth for officers,
roles and password verifiers."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, select

from fieldapp.domain.entities import OfficerRole
from fieldapp.hq.context import Hq, utc_text
from fieldapp.hq.db import tables as t
from fieldapp.hq.errors import HqError
from fieldapp.sync.protocol import (
    ErrorCode,
    LoginResponse,
    OfficerInfo,
    OfflineVerifier,
)

HQ_ADMIN = "hq_admin"
ROLES = (*(r.value for r in OfficerRole), HQ_ADMIN)
LEADERS = frozenset({OfficerRole.SQUAD_LEADER.value, OfficerRole.AGENCY_HEAD.value,
                     HQ_ADMIN})
# Fast enough for 500 logins a minute on two cores, as strong as the desktop's.
HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def password_ok(stored: str, password: str) -> bool:
    try:
        return bool(stored) and HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class DeviceAuth:
    id: str
    squad_id: str
    name: str


@dataclass(frozen=True)
class OfficerAuth:
    id: str
    squad_id: str
    role: str
    name: str


def device_for(conn: Connection, token: str) -> DeviceAuth:
    row = conn.execute(select(t.device.c.id, t.device.c.squad_id, t.device.c.name,
                              t.device.c.revoked_at)
                       .where(t.device.c.token_hash == token_hash(token))).first()
    if row is None:
        raise HqError(ErrorCode.BAD_TOKEN, "this device token is not one HQ issued: "
                      "enroll the device again")
    if row.revoked_at:
        raise HqError(ErrorCode.DEVICE_REVOKED, "this device was revoked at HQ and may "
                      "no longer sync")
    return DeviceAuth(row.id, row.squad_id, row.name)


def officer_for(conn: Connection, token: str, device: DeviceAuth, now: dt.datetime
                ) -> OfficerAuth:
    row = conn.execute(select(t.session.c.officer_id, t.session.c.device_id,
                              t.session.c.expires_at)
                       .where(t.session.c.token_hash == token_hash(token))).first()
    if row is None or row.device_id != device.id:
        raise HqError(ErrorCode.BAD_TOKEN, "this officer session is not one HQ issued "
                      "to this device: log in again")
    if row.expires_at < utc_text(now):
        raise HqError(ErrorCode.SESSION_EXPIRED, "the officer's session has expired: "
                      "log in again")
    officer = conn.execute(select(t.officer).where(t.officer.c.id == row.officer_id)).one()
    if not officer.active:
        raise HqError(ErrorCode.FORBIDDEN, "this officer is no longer active")
    return OfficerAuth(officer.id, officer.squad_id, officer.role, officer.name)


def require_leader(officer: OfficerAuth, squad_id: str) -> None:
    """Squad leaders of the squad, the agency head, HQ administrators."""
    if officer.role not in LEADERS:
        raise HqError(ErrorCode.FORBIDDEN, "only a squad leader, the agency head or an "
                      "HQ administrator may do this")
    if officer.role == OfficerRole.SQUAD_LEADER.value and officer.squad_id != squad_id:
        raise HqError(ErrorCode.FORBIDDEN, "only a squad leader, the agency head or an "
                      "HQ administrator may do this")


def officer_info(row: object) -> OfficerInfo:
    return OfficerInfo(id=row.id, squad_id=row.squad_id, name=row.name,  # type: ignore[attr-defined]
                       role=row.role, certificate_no=row.certificate_no,  # type: ignore[attr-defined]
                       certificate_valid_from=row.valid_from,  # type: ignore[attr-defined]
                       certificate_valid_to=row.valid_to, active=bool(row.active))  # type: ignore[attr-defined]


def login(hq: Hq, *, device: DeviceAuth, certificate_no: str, password: str) -> LoginResponse:
    """An officer of the device's squad (or an agency-wide role) logs in online."""
    now = hq.now()
    with hq.db.write() as conn:
        row = conn.execute(select(t.officer).where(
            t.officer.c.certificate_no == certificate_no.strip())).first()
        if row is None or not row.active or not password_ok(row.password_hash, password):
            if row is not None:
                conn.execute(t.officer.update().where(t.officer.c.id == row.id)
                             .values(failed_logins=row.failed_logins + 1))
            raise _LoginFailed()
        if row.squad_id != device.squad_id and row.role not in (
                OfficerRole.AGENCY_HEAD.value, OfficerRole.LEGAL_REVIEWER.value, HQ_ADMIN):
            raise _LoginFailed()
        token = new_token("fa_ses")
        expires = now + dt.timedelta(hours=hq.settings.session_hours)
        conn.execute(t.session.insert().values(
            token_hash=token_hash(token), officer_id=row.id, device_id=device.id,
            expires_at=utc_text(expires)))
        conn.execute(t.officer.update().where(t.officer.c.id == row.id)
                     .values(failed_logins=0))
    verifier = OfflineVerifier(hash=row.password_hash, issued_at=utc_text(now),
                               valid_until=utc_text(now + dt.timedelta(
                                   days=hq.settings.verifier_days)))
    return LoginResponse(session_token=token, expires_at=utc_text(expires),
                         officer=officer_info(row), verifier=verifier)


class _LoginFailed(HqError):
    def __init__(self) -> None:
        super().__init__(ErrorCode.LOGIN_FAILED, "wrong certificate number or password")


def check_basic(conn: Connection, certificate_no: str, password: str) -> OfficerAuth | None:
    """HTTP Basic for HQ's pages: the officer, or None."""
    row = conn.execute(select(t.officer).where(
        t.officer.c.certificate_no == certificate_no)).first()
    if row is None or not row.active or not password_ok(row.password_hash, password):
        return None
    return OfficerAuth(row.id, row.squad_id, row.role, row.name)
