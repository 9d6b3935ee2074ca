"""A short-lived unlock of the command line, made by logging in once (``fieldapp login``).

Scripts and an officer at a terminal should not type the password for every command.
Logging in (the same ``login``, the same lock-out) writes ``unlock/<officer id>.json`` in
the data directory: who, on which device, from when until when, and a fingerprint of the
password hash, signed with HMAC-SHA256 by a secret of this device (``unlock/device.key``).
Both files are readable by their owner only. An unlock is honoured while it is unexpired,
its signature holds, the officer is still active and not locked, and the password has not
changed since; ``lock`` (``fieldapp logout``) removes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp.atomic import atomic_file, write_atomically
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.validation import CLOCK_TOLERANCE
from fieldapp.services.context import ServiceContext
from fieldapp.services.staff.auth import LoggedIn, login
from fieldapp.store.tables import Officer, Squad

UNLOCK_HOURS = 8.0
MAX_UNLOCK_HOURS = 24.0
UNLOCK_DIR = "unlock"
SECRET_FILE = "device.key"
_VERSION = 1
_KEY_BYTES = 32


@dataclass(frozen=True)
class Unlock:
    """An officer the command line may act for without asking the password again."""

    officer: LoggedIn
    issued_at: dt.datetime
    expires_at: dt.datetime
    path: Path


def unlock(*, ctx: ServiceContext, certificate_no: str, password: str,
           hours: float = UNLOCK_HOURS) -> Unlock:
    """Log the officer in (counting a wrong password like any login) and write their
    unlock, valid for ``hours``; an earlier unlock of the officer is replaced."""
    if not 0 < hours <= MAX_UNLOCK_HOURS:
        raise ValidationError("hours", "must be more than 0 and at most {limit}",
                              limit=MAX_UNLOCK_HOURS)
    officer = login(ctx=ctx, certificate_no=certificate_no, password=password)
    issued = ctx.now()
    expires = issued + dt.timedelta(hours=hours)
    body = {"v": _VERSION, "officer_id": officer.officer_id,
            "certificate_no": officer.certificate_no, "device_id": ctx.device_id,
            "issued_at": issued.isoformat(), "expires_at": expires.isoformat(),
            "password": _fingerprint(ctx, officer.officer_id)}
    signed = body | {"mac": _mac(_make_secret(ctx), body)}
    path = _folder(ctx) / f"{officer.officer_id}.json"
    write_atomically(path, json.dumps(signed, sort_keys=True).encode())
    return Unlock(officer, issued, expires, path)


def unlocks(*, ctx: ServiceContext) -> list[Unlock]:
    """Every unlock honoured now, the newest first. Expired ones are removed."""
    folder = _folder(ctx)
    key = _secret(ctx)
    if key is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        valid = _read(ctx, key, path)
        if valid is not None:
            found.append(valid)
    return sorted(found, key=lambda u: u.issued_at, reverse=True)


def current_unlock(*, ctx: ServiceContext, certificate_no: str) -> Unlock | None:
    """The officer's unlock, if one is honoured now."""
    wanted = certificate_no.strip()
    return next((u for u in unlocks(ctx=ctx) if u.officer.certificate_no == wanted), None)


def lock(*, ctx: ServiceContext, certificate_no: str | None = None) -> int:
    """Remove the officer's unlock (every unlock when no number is given); how many."""
    folder = _folder(ctx)
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("*.json"):
        if certificate_no is not None and _certificate_in(path) != certificate_no.strip():
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def _folder(ctx: ServiceContext) -> Path:
    return ctx.store.data_dir / UNLOCK_DIR


def _read(ctx: ServiceContext, key: bytes, path: Path) -> Unlock | None:
    try:
        signed = json.loads(path.read_bytes())
        body = {k: v for k, v in signed.items() if k != "mac"}
        if not hmac.compare_digest(str(signed.get("mac", "")), _mac(key, body)):
            return None
        issued = dt.datetime.fromisoformat(body["issued_at"])
        expires = dt.datetime.fromisoformat(body["expires_at"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    now = ctx.now()
    if expires <= now:
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    if body.get("device_id") != ctx.device_id or issued > now + CLOCK_TOLERANCE:
        return None
    officer = _officer(ctx, str(body.get("officer_id", "")), now)
    if officer is None or body.get("password") != _fingerprint(ctx, officer.officer_id):
        return None
    return Unlock(officer, issued, expires, path)


def _officer(ctx: ServiceContext, officer_id: str, now: dt.datetime) -> LoggedIn | None:
    """The officer, if still active and not locked out."""
    with ctx.read() as session:
        row = session.get(Officer, officer_id)
        if row is None or not row.active:
            return None
        if row.locked_until is not None and row.locked_until > now:
            return None
        squad = session.get(Squad, row.squad_id)
        return LoggedIn(row.id, row.name, row.certificate_no, row.role, row.squad_id,
                        squad.name if squad else "")


def _fingerprint(ctx: ServiceContext, officer_id: str) -> str:
    """Changes whenever the password does, so a new password ends every unlock."""
    with ctx.read() as session:
        row = session.get(Officer, officer_id)
    stored = row.password_hash if row is not None else ""
    return hashlib.sha256(stored.encode()).hexdigest()[:32]


def _certificate_in(path: Path) -> str:
    try:
        return str(json.loads(path.read_bytes()).get("certificate_no", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def _mac(key: bytes, body: dict[str, Any]) -> str:
    message = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _secret(ctx: ServiceContext) -> bytes | None:
    """This device's unlock secret, unless missing, damaged or readable by others."""
    return _private_key(_folder(ctx) / SECRET_FILE)


def _make_secret(ctx: ServiceContext) -> bytes:
    """The secret, made anew when ``_secret`` finds none (a secret others could read may
    be known: every unlock signed with it ends). Two processes making it at once keep
    the first one written."""
    path = _folder(ctx) / SECRET_FILE
    key = _private_key(path)
    if key is not None:
        return key
    with contextlib.suppress(FileExistsError), atomic_file(path, replace=False) as fh:
        fh.write(secrets.token_bytes(_KEY_BYTES))
    key = _private_key(path)
    if key is None:
        write_atomically(path, secrets.token_bytes(_KEY_BYTES))
        key = path.read_bytes()
    return key


def _private_key(path: Path) -> bytes | None:
    try:
        mode = path.stat().st_mode
        key = path.read_bytes()
    except FileNotFoundError:
        return None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return None
    return key if len(key) == _KEY_BYTES else None
