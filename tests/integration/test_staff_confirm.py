"""The second officer's confirmation (password or PIN, one lock-out with login) and the
command line's signed, expiring unlock, on a real data directory."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat

import pytest

from fieldapp import i18n
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.services.context import ServiceContext
from fieldapp.services.staff import (
    confirm_officer,
    current_unlock,
    lock,
    login,
    set_pin,
    unlock,
    unlocks,
)
from fieldapp.services.staff.auth import LOCK_MINUTES, MAX_FAILURES, set_password

PASSWORD = "secret-7"


@pytest.fixture
def staff(org):
    """The org's officers with passwords (set while the device is being set up)."""
    for officer_id in org.officers:
        set_password(ctx=org.ctx, officer_id=officer_id, password=PASSWORD)
    return org


def _events(org, action: str) -> list[dict]:
    with sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        return [json.loads(r[0]) for r in conn.execute(
            "SELECT payload_json FROM audit_event WHERE action = ? ORDER BY seq", (action,))]


def _at(org, moment: dt.datetime) -> ServiceContext:
    """The same data directory, its clock stopped at ``moment``."""
    return ServiceContext(store=org.ctx.store, device_id=org.ctx.device_id,
                          clock=lambda: moment)


def test_second_officer_confirms_with_password_or_own_pin(staff) -> None:
    ctx, second = staff.ctx, staff.certificates[2]
    by_password = confirm_officer(ctx=ctx, certificate_no=second, secret=PASSWORD,
                                  purpose="inspection.record")
    assert by_password.officer_id == staff.officers[2] and by_password.by_pin is False
    set_pin(ctx=ctx, officer_id=staff.officers[2], pin="4821", by_officer_id=staff.officers[2])
    by_pin = confirm_officer(ctx=ctx, certificate_no=second, secret="4821")
    assert by_pin.by_pin is True
    with pytest.raises(ValidationError) as wrong:
        confirm_officer(ctx=ctx, certificate_no=second, secret="4822")
    assert i18n.describe(wrong.value).startswith("密码或 PIN：")
    confirmed = _events(staff, "officer.confirm")
    assert [e["by_pin"] for e in confirmed] == [False, True]
    assert confirmed[0]["purpose"] == "inspection.record"
    assert len(_events(staff, "officer.confirm_failed")) == 1
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        stored = conn.execute("SELECT pin_hash FROM officer WHERE id = ?",
                              (staff.officers[2],)).fetchone()[0]
    assert stored.startswith("$argon2id$") and "4821" not in stored


def test_pin_rules(staff) -> None:
    ctx, me, other = staff.ctx, staff.officers[1], staff.officers[2]
    for bad in ("123", "123456789", "12a4", "١٢٣٤"):
        with pytest.raises(ValidationError) as err:
            set_pin(ctx=ctx, officer_id=me, pin=bad, by_officer_id=me)
        assert err.value.field == "PIN"
    with pytest.raises(ValidationError) as err:
        set_pin(ctx=ctx, officer_id=other, pin="1234", by_officer_id=me)
    assert err.value.problem == "only the officer sets their own PIN"
    set_pin(ctx=ctx, officer_id=me, pin="12345678", by_officer_id=me)
    set_pin(ctx=ctx, officer_id=me, pin="", by_officer_id=me)  # removed
    with pytest.raises(ValidationError):
        confirm_officer(ctx=ctx, certificate_no=staff.certificates[1], secret="12345678")


def test_pin_and_password_share_the_lock_out(staff) -> None:
    ctx, cert, me = staff.ctx, staff.certificates[1], staff.officers[1]
    set_pin(ctx=ctx, officer_id=me, pin="2468", by_officer_id=me)
    for _ in range(MAX_FAILURES - 2):
        with pytest.raises(ValidationError):
            confirm_officer(ctx=ctx, certificate_no=cert, secret="0000")
    with pytest.raises(ValidationError):
        login(ctx=ctx, certificate_no=cert, password="wrong-one")
    with pytest.raises(DomainError, match=str(LOCK_MINUTES)):
        confirm_officer(ctx=ctx, certificate_no=cert, secret="1111")
    with pytest.raises(DomainError, match="locked"):  # the right PIN, but locked now
        confirm_officer(ctx=ctx, certificate_no=cert, secret="2468")
    later = _at(staff, ctx.now() + dt.timedelta(minutes=LOCK_MINUTES + 1))
    assert confirm_officer(ctx=later, certificate_no=cert, secret="2468").by_pin


def test_unlock_is_signed_private_and_expires(staff) -> None:
    ctx, cert = staff.ctx, staff.certificates[0]
    with pytest.raises(ValidationError):
        unlock(ctx=ctx, certificate_no=cert, password="wrong")
    assert unlocks(ctx=ctx) == []
    made = unlock(ctx=ctx, certificate_no=cert, password=PASSWORD, hours=8)
    assert made.expires_at - made.issued_at == dt.timedelta(hours=8)
    secret_file = made.path.parent / "device.key"
    for path in (made.path, secret_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert current_unlock(ctx=ctx, certificate_no=cert).officer.officer_id == staff.officers[0]
    almost = _at(staff, made.expires_at - dt.timedelta(seconds=1))
    assert current_unlock(ctx=almost, certificate_no=cert) is not None
    expired = _at(staff, made.expires_at)
    assert current_unlock(ctx=expired, certificate_no=cert) is None
    assert not made.path.exists()  # an expired unlock is cleared away


def test_unlock_ends_when_forged_copied_or_the_password_changes(staff) -> None:
    ctx, cert = staff.ctx, staff.certificates[0]
    made = unlock(ctx=ctx, certificate_no=cert, password=PASSWORD)
    signed = json.loads(made.path.read_bytes())
    forged = signed | {"expires_at": (made.expires_at + dt.timedelta(days=30)).isoformat()}
    made.path.write_text(json.dumps(forged), encoding="utf-8")
    assert current_unlock(ctx=ctx, certificate_no=cert) is None
    other = signed | {"officer_id": staff.officers[1], "certificate_no": staff.certificates[1]}
    (made.path.parent / f"{staff.officers[1]}.json").write_text(json.dumps(other))
    assert unlocks(ctx=ctx) == []
    made = unlock(ctx=ctx, certificate_no=cert, password=PASSWORD)
    foreign = ServiceContext(store=ctx.store, device_id="another-device", clock=ctx.clock)
    assert current_unlock(ctx=foreign, certificate_no=cert) is None
    set_password(ctx=ctx, officer_id=staff.officers[0], password="changed-9",
                 by_officer_id=staff.officers[0])
    assert current_unlock(ctx=ctx, certificate_no=cert) is None


def test_a_secret_others_can_read_is_replaced(staff) -> None:
    ctx, cert = staff.ctx, staff.certificates[0]
    made = unlock(ctx=ctx, certificate_no=cert, password=PASSWORD)
    secret_file = made.path.parent / "device.key"
    os.chmod(secret_file, 0o644)
    assert current_unlock(ctx=ctx, certificate_no=cert) is None
    old = secret_file.read_bytes()
    unlock(ctx=ctx, certificate_no=cert, password=PASSWORD)
    assert secret_file.read_bytes() != old
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert current_unlock(ctx=ctx, certificate_no=cert) is not None


def test_lock_removes_one_officer_or_all(staff) -> None:
    ctx = staff.ctx
    for cert in staff.certificates[:3]:
        unlock(ctx=ctx, certificate_no=cert, password=PASSWORD)
    assert len(unlocks(ctx=ctx)) == 3
    assert lock(ctx=ctx, certificate_no=staff.certificates[1]) == 1
    assert {u.officer.certificate_no for u in unlocks(ctx=ctx)} == {
        staff.certificates[0], staff.certificates[2]}
    assert lock(ctx=ctx) == 2
    assert unlocks(ctx=ctx) == []
    with pytest.raises(ValidationError):
        unlock(ctx=ctx, certificate_no=staff.certificates[0], password=PASSWORD, hours=25)
