"""HQ verifies each device's full-process record as it arrives; a record that fails is
quarantined from its first bad event, never blocks other devices, and is released only
by an administrator's review."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import select

from fieldapp.hq.db import tables as t
from fieldapp.hq.services import admin, quarantine
from fieldapp.hq.throwaway import PASSWORD
from fieldapp.sync.protocol import ChainEvent, RowRef, SignedHead
from tests.hq.client import Hq, subject


def test_a_rewritten_event_quarantines_the_device_from_that_event(hq: Hq) -> None:
    bad, good = hq.enroll(), hq.enroll()
    officer = hq.officer("D-OFF1")
    first, second = subject(bad, name="先"), subject(bad, name="后")
    bad.write([first], officer_id=officer.id)
    bad.write([second], officer_id=officer.id)
    body = bad.push_body()
    body["chain"]["events"][1]["payload"] = '{"edited":true}'  # hash no longer matches
    answer = hq.push(bad, body=body)
    assert answer["chain"]["ok"] is False and answer["chain"]["quarantined_from"] == 2
    assert "2" in answer["chain"]["problem"]
    assert [r["status"] for r in answer["results"]] == ["applied", "quarantined"]
    assert answer["chain"]["receipt"] is None  # a broken head is never countersigned
    good.write([subject(good, name="别的设备")], officer_id=officer.id)
    assert hq.push(good)["results"][0]["status"] == "applied"  # never blocks the others
    pulled, _ = hq.pull_all(good)
    names = {c["change"]["fields"].get("name") for c in pulled}
    assert "先" in names and "后" not in names  # kept, not served
    leader = hq.http.get(hq.url("/squads/DHM/status"), auth=("D-LEAD", PASSWORD), timeout=30)
    assert leader.status_code == 200 and "被隔离的设备" in leader.text
    with hq.hq.db.read() as conn:
        assert conn.execute(select(t.chain_event.c.valid).where(
            t.chain_event.c.device_id == bad.device_id, t.chain_event.c.seq == 2)
        ).scalar_one() is False
    [listed] = quarantine.quarantined(hq.hq)
    assert listed["id"] == bad.device_id and listed["changes"] == 1
    assert quarantine.release(hq.hq, device_id=bad.device_id, note="审查：内容无误") == 1
    pulled, _ = hq.pull_all(good)
    assert "后" in {c["change"]["fields"].get("name") for c in pulled}


def test_a_change_whose_content_differs_from_its_chain_row_is_refused(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    person = subject(device)
    device.write([person], officer_id=officer.id)
    body = device.push_body()
    forged = device.change(person.entity, person.entity_id, {**person.fields, "name": "李四"})
    body["changes"] = [forged.model_dump(mode="json")]
    result = hq.push(device, body=body)
    assert result["results"][0]["reason"] == "content_mismatch"
    assert result["chain"]["ok"] is False


def test_a_head_signed_with_another_key_is_not_countersigned(hq: Hq) -> None:
    from fieldapp.hq.simulator import SimDevice

    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    device.write([subject(device)], officer_id=officer.id)
    body = device.push_body()
    stranger = SimDevice(device_id=device.device_id, events=device.events)
    body["chain"]["head"] = stranger.signed_head().model_dump(mode="json")
    answer = hq.push(device, body=body)
    assert answer["chain"]["ok"] is False and answer["chain"]["receipt"] is None


def test_a_revoked_device_gets_a_clear_refusal_and_nothing_more(hq: Hq) -> None:
    device = hq.enroll()
    admin.revoke_device(hq.hq, device_id=device.device_id)
    for method, path in (("get", "/v1/pull"), ("post", "/v1/push"), ("get", "/v1/checksums")):
        answer = hq.http.request(method, hq.url(path), headers=device.headers(),
                                 json={"batch_id": "x"}, timeout=30)
        assert answer.status_code == 403
        assert answer.json()["code"] == "device_revoked"
        assert "注销" in answer.json()["message"]
        assert set(answer.json()) == {"code", "message", "field", "offset"}


def test_a_real_desktop_chain_verifies_at_hq(sqlite_hq: Hq) -> None:
    """The events a desktop store wrote hash the same at HQ (protocol.event_hash)."""
    from fieldapp.services.context import open_context
    from fieldapp.services.rules import load_catalogue
    from fieldapp.services.staff import add_squad, set_agency

    hq = sqlite_hq
    device = hq.enroll()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = open_context(Path(tmp) / "data")
        load_catalogue(ctx=ctx)
        set_agency(ctx=ctx, full_name="示例局", short_code="东城管")
        add_squad(ctx=ctx, name="东华门中队", code="DHM")
        ctx.close()  # type: ignore[attr-defined]
        conn = sqlite3.connect(Path(tmp) / "data" / "fieldapp.sqlite3")
        events = _events(conn)
        conn.close()
    device.device_id = events[0].device_id  # the desktop's own device id
    with hq.hq.db.write() as conn:
        conn.execute(t.device.update().where(t.device.c.token_hash == _hash(device.token))
                     .values(id=events[0].device_id))
    body = {"batch_id": "real", "changes": [], "chain": {
        "events": [e.model_dump(mode="json") for e in events],
        "head": SignedHead(device_id=events[0].device_id, seq=events[-1].seq,
                           hash=events[-1].hash, signature="A" * 86).model_dump()}}
    answer = hq.push(device, body=body)
    assert answer["chain"]["verified_seq"] == len(events)
    # verified event by event; only the head's signature (another key here) fails
    assert answer["chain"]["quarantined_from"] == len(events)


def _hash(token: str) -> str:
    from fieldapp.hq.services.auth import token_hash

    return token_hash(token)


def _events(conn: sqlite3.Connection) -> list[ChainEvent]:
    out = []
    for (seq, id_, at, dev, off, act, ent, eid, pay, prev, digest, fmt) in conn.execute(
            "SELECT seq, id, at_utc, device_id, officer_id, action, entity, entity_id,"
            " payload_json, prev_hash, hash, format FROM audit_event ORDER BY seq"):
        rows = tuple(RowRef(entity=e, entity_id=i, version=v, sha256=s.hex())
                     for e, i, v, s in conn.execute(
                         "SELECT entity, entity_id, version, sha256 FROM audit_row"
                         " WHERE seq = ? ORDER BY pos", (seq,)))
        out.append(ChainEvent(seq=seq, id=id_, at=at, device_id=dev, officer_id=off,
                              action=act, entity=ent, entity_id=eid, payload=pay, rows=rows,
                              format=fmt, prev_hash=prev, hash=digest))
    return out
