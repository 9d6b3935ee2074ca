"""The second officer of a record confirms it with their own password or PIN.

A record that needs two officers (an inspection, opening a case, serving a document;
行政处罚法 art. 42) is made by the officer logged in; the second officer confirms on the
same device with their password or a short PIN they set themselves. Both secrets are
argon2id hashes and share the officer's one lock-out counter, so a four-digit PIN cannot
be guessed faster than a password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fieldapp.crypto.passwords import hash_password
from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.services.staff.auth import active_officer, count_attempt, matches, raise_failure
from fieldapp.store.tables import Officer

PIN_FIELD = "PIN"
SECRET_FIELD = "password or PIN"
PIN_MIN, PIN_MAX = 4, 8  # digits
_PIN = re.compile(f"[0-9]{{{PIN_MIN},{PIN_MAX}}}")


@dataclass(frozen=True)
class Confirmed:
    """The second officer, confirmed; ``by_pin`` says which secret they gave."""

    officer_id: str
    name: str
    certificate_no: str
    by_pin: bool


def confirm_officer(*, ctx: ServiceContext, certificate_no: str, secret: str,
                    purpose: str = "") -> Confirmed:
    """The officer with this certificate number, if ``secret`` is their password or their
    PIN; a wrong one counts towards the lock-out like a wrong password at login.

    ``purpose`` (e.g. ``inspection.record``) is kept in the audit event."""
    with ctx.write(action=Action.LOGIN) as tx:
        officer = active_officer(tx, certificate_no)
        by_pin = bool(_PIN.fullmatch(secret)) and matches(officer.pin_hash, secret)
        matched = by_pin or matches(officer.password_hash, secret)
        failed = count_attempt(tx, officer, matched, "officer.confirm",
                               {"purpose": purpose, "by_pin": by_pin})
        result = Confirmed(officer.id, officer.name, officer.certificate_no, by_pin)
    raise_failure(failed, SECRET_FIELD)
    return result


def check_pin(pin: str) -> str:
    """A PIN is 4 to 8 digits."""
    if not _PIN.fullmatch(pin):
        raise ValidationError(PIN_FIELD, "must be {low} to {high} digits",
                              low=PIN_MIN, high=PIN_MAX)
    return pin


def set_pin(*, ctx: ServiceContext, officer_id: str, pin: str, by_officer_id: str) -> Written:
    """Set (or, with ``pin=""``, remove) the officer's own PIN. Only the officer sets it:
    a PIN another person knows would confirm nothing."""
    if pin:
        check_pin(pin)
    if by_officer_id != officer_id:
        raise ValidationError(PIN_FIELD, "only the officer sets their own PIN")
    with ctx.write(by_officer_id, action=Action.SET_OWN_PASSWORD) as tx:
        officer = tx.session.get(Officer, officer_id)
        if officer is None:
            raise ValidationError("officer", "is not known")
        # Not through tx.update: the hash must not travel in the outbox.
        officer.pin_hash = hash_password(pin) if pin else ""
        tx.session.add(officer)
        tx.audit("officer.set_pin", "officer", officer_id, {"removed": not pin})
    return Written(officer_id, frozenset({ChangeKind.STAFF}))
