"""The hash-chained audit log finds every kind of tampering and names the first event."""

from __future__ import annotations

import sqlite3

import pytest

from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.services.records import verify_audit
from fieldapp.services.subjects import create_subject


@pytest.fixture
def logged(org):
    for n in range(5):
        create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
            kind=SubjectKind.INDIVIDUAL, name=f"测试{n}"))
    result = verify_audit(ctx=org.ctx)
    assert result.ok and result.checked >= 10
    return org


def _tamper(org, *statements: str) -> None:
    """Drop the append-only triggers (as an attacker with the file would) and edit."""
    conn = sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3")
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("DROP TRIGGER audit_event_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _last_seq(org) -> int:
    conn = sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3")
    seq = conn.execute("SELECT MAX(seq) FROM audit_event").fetchone()[0]
    conn.close()
    return int(seq)


def test_triggers_refuse_edits_of_legal_records(logged) -> None:
    conn = sqlite3.connect(logged.ctx.store.data_dir / "fieldapp.sqlite3")
    for sql in ("UPDATE audit_event SET action = 'x' WHERE seq = 3",
                "DELETE FROM audit_event WHERE seq = 3"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()


def test_edited_event_is_named(logged) -> None:
    _tamper(logged, "UPDATE audit_event SET payload_json = '{\"name\":\"改过\"}' WHERE seq = 6")
    result = verify_audit(ctx=logged.ctx)
    assert not result.ok
    assert result.first_bad_seq == 6
    assert "changed" in result.problem


def test_deleted_event_is_found(logged) -> None:
    _tamper(logged, "DELETE FROM audit_event WHERE seq = 4")
    result = verify_audit(ctx=logged.ctx)
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert "missing" in result.problem


def test_inserted_event_is_found(logged) -> None:
    # Make room by shifting later events up, then insert a forged event at seq 5.
    last = _last_seq(logged)
    statements = [f"UPDATE audit_event SET seq = seq + 1 WHERE seq = {s}"
                  for s in range(last, 4, -1)]
    statements.append(
        "INSERT INTO audit_event (seq, id, at_utc, device_id, officer_id, action, entity, "
        "entity_id, payload_json, prev_hash, hash) SELECT 5, 'forged', at_utc, device_id, "
        "officer_id, action, entity, entity_id, payload_json, prev_hash, hash "
        "FROM audit_event WHERE seq = 4")
    _tamper(logged, *statements)
    result = verify_audit(ctx=logged.ctx)
    assert (result.ok, result.first_bad_seq) == (False, 5)


def test_reordered_events_are_found(logged) -> None:
    _tamper(logged,
            "UPDATE audit_event SET seq = -1 WHERE seq = 7",
            "UPDATE audit_event SET seq = 7 WHERE seq = 8",
            "UPDATE audit_event SET seq = 8 WHERE seq = -1")
    result = verify_audit(ctx=logged.ctx)
    assert (result.ok, result.first_bad_seq) == (False, 7)


def test_events_cut_off_the_end_are_found(logged) -> None:
    last = _last_seq(logged)
    _tamper(logged, f"DELETE FROM audit_event WHERE seq = {last}")
    result = verify_audit(ctx=logged.ctx)
    assert not result.ok
    assert result.first_bad_seq == last
