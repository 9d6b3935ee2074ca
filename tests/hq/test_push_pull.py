"""Push and pull against a real HQ (uvicorn on 127.0.0.1), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import gzip
import json

from sqlalchemy import func, select

from fieldapp.hq.db import tables as t
from fieldapp.hq.keys import verify
from fieldapp.hq.simulator import new_id
from fieldapp.sync.protocol import (
    Entity,
    fold_digests,
    receipt_message,
    record_digest,
)
from tests.hq.client import Hq, inspection, now_text, subject


def _statuses(answer: dict) -> list[str]:  # type: ignore[type-arg]
    return [r["status"] for r in answer["results"]]


def test_a_push_is_applied_committed_and_countersigned(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    person = subject(device)
    device.write([person, inspection(device, person.entity_id, officer.id)],
                 officer_id=officer.id)
    answer = hq.push(device)
    assert _statuses(answer) == ["applied", "applied"]
    assert all(r["server_seq"] for r in answer["results"])
    chain = answer["chain"]
    assert chain["ok"] and chain["verified_seq"] == 1
    receipt = chain["receipt"]
    message = receipt_message(device.device_id, 1, device.head[1],
                              receipt["device_signature"], receipt["received_at"])
    assert verify(hq.hq.key.public_text, receipt["hq_signature"], message)
    with hq.hq.db.read() as conn:  # committed before the answer
        assert conn.execute(select(func.count()).select_from(t.version).where(
            t.version.c.origin_device == device.device_id)).scalar_one() == 2
        assert conn.execute(select(t.chain_event.c.valid).where(
            t.chain_event.c.device_id == device.device_id)).scalar_one() is True


def test_the_same_batch_twice_changes_nothing(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    person = subject(device)
    device.write([person], officer_id=officer.id)
    body = device.push_body()
    first = hq.push(device, body=body)
    before = _count_versions(hq)
    second = hq.push(device, body=body)
    assert _statuses(first) == ["applied"] and _statuses(second) == ["duplicate"]
    assert _count_versions(hq) == before
    assert second["results"][0]["server_seq"] == first["results"][0]["server_seq"]


def _count_versions(hq: Hq) -> int:
    with hq.hq.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.version)).scalar_one())


def test_one_bad_change_never_blocks_the_rest(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    good = subject(device)
    device.write([good], officer_id=officer.id)
    body = device.push_body()
    broken = dict(body["changes"][0], change_id=new_id(), content_sha256="0" * 64)
    reference = device.change(Entity.OFFICER, officer.id, {"name": "改名"})
    body["changes"] = [broken, {"change_id": "x"}, reference.model_dump(mode="json"),
                       *body["changes"]]
    answer = hq.push(device, body=body)
    results = answer["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert [r["reason"] for r in results[:3]] == ["malformed", "malformed", "hq_owned"]
    assert "内容" in results[0]["message"] or "content" in results[0]["message"]
    assert results[2]["hq_state"]["entity_id"] == officer.id  # HQ's state, to converge
    assert results[2]["hq_state"]["fields"]["name"] == "李秀英"


def test_roles_and_squads_are_checked_at_hq_whatever_the_device_says(hq: Hq) -> None:
    device = hq.enroll()
    auxiliary, other = hq.officer("D-AUX"), hq.officer("C-OFF1")
    person = subject(device)
    by_auxiliary = inspection(device, person.entity_id, auxiliary.id)
    by_other_squad = inspection(device, person.entity_id, other.id)
    foreign = inspection(device, person.entity_id, hq.officer("D-OFF1").id,
                         squad_id=hq.squad("CYM").id)
    device.write([by_auxiliary], officer_id=auxiliary.id)
    device.write([by_other_squad], officer_id=other.id)
    device.write([person, foreign], officer_id=hq.officer("D-OFF1").id)
    device.write([subject(device)], officer_id="nobody")
    results = hq.push(device)["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "not_permitted"), ("rejected", "not_permitted"), ("applied", None),
        ("rejected", "out_of_scope"), ("rejected", "unknown_officer")]
    assert results[3]["hq_state"] is None  # nothing of another squad comes back


def test_pull_pages_are_resumable_and_scoped_to_the_squad(hq: Hq) -> None:
    east, west = hq.enroll("DHM"), hq.enroll("CYM")
    officer, west_officer = hq.officer("D-OFF1"), hq.officer("C-OFF1")
    people = [subject(east, name=f"东{i}") for i in range(25)]
    east.write(people, officer_id=officer.id)
    west.write([subject(west, name="西1")], officer_id=west_officer.id)
    hq.push(east)
    hq.push(west)
    everything, cursor = hq.pull_all(east, limit=7)
    seqs = [c["server_seq"] for c in everything]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    names = {c["change"]["fields"].get("name") for c in everything
             if c["change"]["entity"] == "subject"}
    assert {p.fields["name"] for p in people} <= names and "西1" not in names
    assert any(c["change"]["entity"] == "violation_type" for c in everything)  # reference
    origin = {c["origin_device"] for c in everything if c["change"]["entity"] == "subject"}
    assert origin == {east.device_id}
    half, mid = hq.pull_all(east, limit=1000)
    again, _ = hq.pull_all(east, cursor=seqs[9], limit=5)
    assert [c["server_seq"] for c in again] == seqs[10:]
    assert mid == cursor
    assert len(half) == len(everything)


def test_pull_is_gzip_when_asked(hq: Hq) -> None:
    device = hq.enroll()
    raw = hq.http.get(hq.url("/v1/pull"), headers={**device.headers(),
                                                    "Accept-Encoding": "gzip"},
                      stream=True, timeout=30)
    assert raw.headers["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(raw.raw.read()))
    assert data["changes"] and data["cursor"] > 0


def test_checksums_match_what_the_device_pulled(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    first = subject(device)
    device.write([first, subject(device)], officer_id=officer.id)
    hq.push(device)
    device.write([device.change(Entity.SUBJECT, first.entity_id, {"phone": "13800000000"},
                                base=first)], officer_id=officer.id)
    hq.push(device)
    pulled, _ = hq.pull_all(device)
    newest: dict[tuple[str, str], dict] = {}  # type: ignore[type-arg]
    for item in pulled:
        c = item["change"]
        newest[(c["entity"], c["entity_id"])] = c
    mine: dict[str, list[int]] = {}
    for (entity, entity_id), c in newest.items():
        mine.setdefault(entity, []).append(record_digest(entity, entity_id, c["version"],
                                                         c["content_sha256"]))
    sums = hq.http.get(hq.url("/v1/checksums"), headers=device.headers(), timeout=30).json()
    theirs = {s["entity"]: (s["count"], s["digest"]) for s in sums["checksums"]}
    assert theirs == {e: (len(d), fold_digests(d)) for e, d in mine.items()}
    assert theirs["subject"][0] == 2


def test_concurrent_edits_merge_field_by_field_and_the_loser_is_logged(hq: Hq) -> None:
    a, b = hq.enroll(), hq.enroll()
    officer = hq.officer("D-OFF1")
    person = subject(a, phone="13900000000", address="旧地址")
    a.write([person], officer_id=officer.id)
    hq.push(a)
    a_edit = a.change(Entity.SUBJECT, person.entity_id, {"phone": "13911111111",
                                                          "address": "甲改"}, base=person)
    b_edit = b.change(Entity.SUBJECT, person.entity_id, {"address": "乙改",
                                                          "goods": "水果"}, base=person)
    a.write([a_edit], officer_id=officer.id)
    b.write([b_edit], officer_id=officer.id)
    assert _statuses(hq.push(a)) == ["applied"]
    result = hq.push(b)["results"][0]
    assert result["status"] == "conflict"
    merged = result["hq_state"]
    assert merged["version"] == 3 and merged["device_id"] == "hq"
    assert merged["fields"]["phone"] == "13911111111"  # only A changed it
    assert merged["fields"]["goods"] == "水果"  # only B changed it
    assert merged["fields"]["address"] == "乙改"  # both: the newer HLC (B) wins
    [lost] = result["conflicts"]
    assert (lost["field"], lost["kept"], lost["lost"]) == ("address", "乙改", "甲改")
    leader = hq.login(a, "D-LEAD")
    listed = hq.http.get(hq.url("/v1/conflicts"), headers=a.headers(leader), timeout=30)
    assert [c["id"] for c in listed.json()["items"]] == [lost["conflict_id"]]
    done = hq.http.post(hq.url(f"/v1/conflicts/{lost['conflict_id']}/resolve"),
                        json={"note": "已核实"}, headers=a.headers(leader), timeout=30)
    assert done.status_code == 200 and done.json()["resolved_by"] == hq.officer("D-LEAD").id
    again = hq.http.post(hq.url(f"/v1/conflicts/{lost['conflict_id']}/resolve"),
                         json={}, headers=a.headers(leader), timeout=30)
    assert again.status_code == 409 and again.json()["code"] == "already_done"


def test_an_update_arriving_before_its_predecessor_is_held_then_applied(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    person = subject(device)
    second = device.change(Entity.SUBJECT, person.entity_id, {"phone": "1"}, base=person)
    third = device.change(Entity.SUBJECT, person.entity_id, {"phone": "2"}, base=second)
    device.write([person], officer_id=officer.id)
    device.write([second], officer_id=officer.id)
    device.write([third], officer_id=officer.id)
    assert _statuses(hq.push(device, [person])) == ["applied"]
    held = hq.push(device, [third])["results"][0]
    assert (held["status"], held["reason"]) == ("held", "awaiting_predecessor")
    assert _statuses(hq.push(device, [second])) == ["applied"]
    pulled, _ = hq.pull_all(device)
    versions = [c["change"]["version"] for c in pulled if c["change"]["entity_id"]
                == person.entity_id]
    assert versions == [1, 2, 3]
    assert pulled[-1]["change"]["fields"]["phone"] == "2"


def test_a_change_before_its_chain_event_is_held_until_the_event_arrives(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    person = subject(device)
    device.write([person], officer_id=officer.id)
    early = hq.push(device, body=device.push_body([person], events=[]))
    assert early["results"][0]["reason"] == "awaiting_chain"
    hq.push(device, body=device.push_body([]))
    pulled, _ = hq.pull_all(device)
    assert person.entity_id in {c["change"]["entity_id"] for c in pulled}


def test_clock_skew_is_measured_by_hq(hq: Hq) -> None:
    device = hq.enroll()
    body = device.push_body([])
    body["device_time"] = now_text(dt.timedelta(minutes=-20))
    answer = hq.push(device, body=body)
    assert answer["skew_ok"] is False and -21 * 60_000 < answer["skew_ms"] < -19 * 60_000
    clock = hq.http.get(hq.url("/v1/clock"), params={"device_time": now_text(
        dt.timedelta(minutes=10))}, timeout=30).json()
    assert clock["skew_ok"] is False and "分钟" in clock["message"]
