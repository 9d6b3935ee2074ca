"""Officer login on the device: argon2 password hashes, lock-out after failed tries.

Passwords (and PINs, ``confirm.py``) are stored only as argon2id hashes (argon2-cffi).
After ``MAX_FAILURES`` wrong secrets in a row, passwords and PINs counted together, the
officer is locked for ``LOCK_MINUTES``; every login, failed login and lock is in the
full-process record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fieldapp.crypto.passwords import hash_password, password_matches
from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.permissions import Action
from fieldapp.services.context import SETUP_DONE_KEY, ServiceContext
from fieldapp.services.results import Written
from fieldapp.store.audit import utc_text
from fieldapp.store.queries import staff as queries
from fieldapp.store.tables import Officer, Squad
from fieldapp.store.unit import Tx

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 6


@dataclass(frozen=True)
class LoggedIn:
    """Who is working on the device now."""

    officer_id: str
    name: str
    certificate_no: str
    role: str
    squad_id: str
    squad_name: str


def set_password(*, ctx: ServiceContext, officer_id: str, password: str,
                 by_officer_id: str = "") -> Written:
    if len(password) < MIN_PASSWORD:
        raise ValidationError("password", "must have at least {count} characters",
                              count=MIN_PASSWORD)
    # Nobody: the device is being set up. The officer: changing their own (the edge has
    # checked the old one). Anyone else: a leader.
    action = (Action.SET_UP if not by_officer_id else
              Action.SET_OWN_PASSWORD if by_officer_id == officer_id else Action.SET_PASSWORD)
    with ctx.write(by_officer_id, action=action) as tx:
        officer = tx.session.get(Officer, officer_id)
        if officer is None:
            raise ValidationError("officer", "is not known")
        # Not through tx.update: the hash must not travel in the outbox.
        officer.password_hash = hash_password(password)
        officer.failed_logins = 0
        officer.locked_until = None
        tx.session.add(officer)
        tx.audit("officer.set_password", "officer", officer_id, {})
    return Written(officer_id, frozenset({ChangeKind.STAFF}))


def login(*, ctx: ServiceContext, certificate_no: str, password: str) -> LoggedIn:
    """The officer, if the password is right; counts failures and locks."""
    with ctx.write(action=Action.LOGIN) as tx:
        officer = active_officer(tx, certificate_no)
        _check_hq_verifier(tx, officer.id, officer.name)
        matched = password_matches(officer.password_hash, password)
        failed = count_attempt(tx, officer, matched, "officer.login", {})
        if matched:
            tx.conn.exec_driver_sql(
                "INSERT OR IGNORE INTO sync_state (key, value) VALUES (?, '1')",
                (SETUP_DONE_KEY,))
        squad = tx.session.get(Squad, officer.squad_id)
        result = LoggedIn(officer.id, officer.name, officer.certificate_no, officer.role,
                          officer.squad_id, squad.name if squad else "")
    raise_failure(failed, "password")
    return result


def active_officer(tx: Tx, certificate_no: str) -> Officer:
    """The active officer with this certificate number, refused while locked out."""
    officer = queries.officer_by_certificate(tx.session, certificate_no=certificate_no)
    if officer is None or not officer.active:
        raise ValidationError("certificate number", "no active officer has this number")
    locked = officer.locked_until
    if locked is not None and locked > tx.now:
        raise DomainError("{name} is locked after too many wrong passwords until {time}",
                          name=officer.name,
                          time=locked.astimezone(agency_zone()).strftime("%H:%M"))
    return officer


def count_attempt(tx: Tx, officer: Officer, matched: bool, event: str,
                  payload: dict[str, Any]) -> bool | None:
    """Record one try of a secret (password or PIN) on the officer's one lock-out counter;
    None when it matched, else whether the officer is now locked."""
    if matched:
        officer.failed_logins = 0
        officer.locked_until = None
        tx.session.add(officer)
        tx.audit(event, "officer", officer.id, payload)
        return None
    officer.failed_logins += 1
    if officer.failed_logins >= MAX_FAILURES:
        officer.locked_until = tx.now + dt.timedelta(minutes=LOCK_MINUTES)
        officer.failed_logins = 0
    tx.session.add(officer)
    tx.audit(f"{event}_failed", "officer", officer.id,
             payload | {"locked": officer.locked_until is not None})
    return officer.locked_until is not None


def raise_failure(failed: bool | None, field: str) -> None:
    """Raised after the commit, so that the count and the lock are kept."""
    if failed is True:
        raise DomainError("too many wrong passwords: locked for {minutes} minutes",
                          minutes=LOCK_MINUTES)
    if failed is False:
        raise ValidationError(field, "is wrong")


def matches(stored: str, secret: str) -> bool:
    """Whether ``secret`` is the one ``stored`` (an argon2 hash) was made from."""
    return password_matches(stored, secret)


def _check_hq_verifier(tx: Tx, officer_id: str, name: str) -> None:
    """On a device enrolled with HQ the password hash is HQ's verifier, cached at the
    officer's last online login (``services.sync.login``): past its validity the officer
    must log in online once again."""
    valid_until = queries.hq_verifier_valid_until(tx.session, officer_id=officer_id)
    if valid_until is not None and valid_until < utc_text(tx.now):
        raise DomainError("{name} has not logged in online for too long: log in online "
                          "once (with HQ reachable) to log in offline again", name=name)


def login_choices(*, ctx: ServiceContext) -> list[LoggedIn]:
    """The officers who can log in on this device (for the login list)."""
    with ctx.read() as session:
        rows = queries.login_choices(session)
    return [LoggedIn(o.id, o.name, o.certificate_no, o.role, s.id, s.name) for o, s in rows]
