"""The domain's rules at HQ: the case workflow, the ladder with the squad's whole
history, duplicate subjects, document numbers, evidence files, document verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from fieldapp.domain import doc_payload
from fieldapp.domain.workflow import Procedure, new_case
from fieldapp.hq.simulator import SimDevice, new_id
from fieldapp.hq.throwaway import PASSWORD
from fieldapp.sync.protocol import Entity
from tests.hq.client import Hq, now_text, step, subject


def _case(device: SimDevice, subject_id: str, officer_id: str):  # type: ignore[no-untyped-def]
    state = new_case(procedure=Procedure.ORDINARY, organisation=False)
    return device.change(Entity.CASE, new_id(), {
        "squad_id": device.squad_id, "subject_id": subject_id, "violation_code": "SR01",
        "status": "filing", "procedure": "ordinary", "source": "inspection",
        "lead_officer_id": officer_id, "opened_at": now_text(), "created_at": now_text(),
        "updated_at": now_text(), "state_json": json.dumps(state.to_json())})


def _event(device: SimDevice, case_id: str, action: str, officer_id: str, role: str):  # type: ignore[no-untyped-def]
    return device.change(Entity.CASE_EVENT, new_id(), {
        "case_id": case_id, "action": action, "at_utc": now_text(), "officer_id": officer_id,
        "role": role, "payload_json": "{}", "created_at": now_text()})


def test_case_steps_are_replayed_with_the_workflow_rules(hq: Hq) -> None:
    device = hq.enroll()
    officer, leader = hq.officer("D-OFF1"), hq.officer("D-LEAD")
    person = subject(device)
    case = _case(device, person.entity_id, officer.id)
    device.write([person, case], officer_id=officer.id)
    by_officer = _event(device, case.entity_id, "approve_filing", officer.id, "squad_leader")
    device.write([by_officer], officer_id=officer.id)  # the device claims a leader's role
    by_leader = _event(device, case.entity_id, "approve_filing", leader.id, "squad_leader")
    device.write([by_leader], officer_id=leader.id)
    jumped = device.change(Entity.CASE, case.entity_id, {"status": "investigating"}, base=case)
    device.write([jumped], officer_id=leader.id)
    results = hq.push(device)["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("applied", None), ("applied", None), ("rejected", "workflow"), ("applied", None),
        ("rejected", "workflow")]
    assert "中队长" in results[2]["message"] or "执法队员" in results[2]["message"]
    assert results[4]["hq_state"]["fields"]["status"] == "filing"


def test_a_step_taken_without_the_squad_history_is_flagged_to_the_leader(hq: Hq) -> None:
    first, late = hq.enroll(), hq.enroll()
    officer = hq.officer("D-OFF1")
    vendor = subject(first, name="卖水果的")
    day = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    first.write([vendor, step(first, vendor.entity_id, officer.id, "educate",
                              now_text(dt.timedelta(days=-3)))], officer_id=officer.id)
    taken = step(late, vendor.entity_id, officer.id, "educate", now_text())
    late.write([taken], officer_id=officer.id)
    hq.push(first)
    assert day < dt.datetime.now(dt.UTC)
    assert [r["status"] for r in hq.push(late)["results"]] == ["applied"]
    session = hq.login(late, "D-LEAD")
    items = hq.http.get(hq.url("/v1/late-steps"), headers=late.headers(session),
                        timeout=30).json()["items"]
    assert [(i["step_id"], i["taken"], i["advised"]) for i in items] == [
        (taken.entity_id, "educate", "warn")]
    seen = hq.http.post(hq.url(f"/v1/late-steps/{taken.entity_id}/seen"),
                        headers=late.headers(session), timeout=30)
    assert seen.json()["seen_by"] == hq.officer("D-LEAD").id


def test_duplicate_subjects_are_proposed_and_a_merge_reaches_every_device(hq: Hq) -> None:
    a, b = hq.enroll(), hq.enroll()
    officer = hq.officer("D-OFF1")
    one = subject(a, name="王五", id_number="110101199003071234")
    two = subject(b, name="王 五", id_number="110101199003071234")
    a.write([one], officer_id=officer.id)
    b.write([two], officer_id=officer.id)
    hq.push(a)
    hq.push(b)
    session = hq.login(a, "D-LEAD")
    [proposal] = hq.http.get(hq.url("/v1/merges"), headers=a.headers(session),
                             timeout=30).json()["items"]
    assert set(proposal["subject_ids"]) == {one.entity_id, two.entity_id}
    assert proposal["basis"] == "id_number"
    officer_session = hq.login(a, "D-OFF1")
    refused = hq.http.post(hq.url(f"/v1/merges/{proposal['id']}/decide"),
                           json={"merge": True}, headers=a.headers(officer_session), timeout=30)
    assert refused.status_code == 403
    decided = hq.http.post(hq.url(f"/v1/merges/{proposal['id']}/decide"),
                           json={"merge": True, "kept_id": one.entity_id},
                           headers=a.headers(session), timeout=30)
    assert decided.json()["state"] == "merged"
    page = hq.http.get(hq.url("/v1/pull"), params={"cursor": 0, "limit": 5000},
                       headers=b.headers(), timeout=30).json()
    assert [(m["kept_id"], m["merged_id"]) for m in page["merges"]] == [
        (one.entity_id, two.entity_id)]


def test_number_blocks_never_overlap_and_returned_numbers_are_not_reused(hq: Hq) -> None:
    a, b, west = hq.enroll(), hq.enroll(), hq.enroll("CYM")

    def lease(device: SimDevice, year: int = 2026, size: int = 10) -> dict:  # type: ignore[type-arg]
        answer = hq.http.post(hq.url("/v1/numbers/lease"), headers=device.headers(),
                              json={"kind": "penalty_decision", "year": year, "size": size},
                              timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()["block"]

    blocks = [lease(a), lease(b), lease(a), lease(west)]
    ranges = [(x["fields"]["first_serial"], x["fields"]["last_serial"]) for x in blocks]
    assert ranges == [(1, 10), (11, 20), (21, 30), (1, 10)]  # per squad
    assert lease(a, 2027)["fields"]["first_serial"] == 1  # next year's block
    back = hq.http.post(hq.url("/v1/numbers/return"), headers=a.headers(), timeout=30,
                        json={"block_id": blocks[0]["entity_id"], "first_unused": 5})
    assert back.json()["block"]["fields"]["last_serial"] == 4
    assert lease(b)["fields"]["first_serial"] == 31  # 5–10 are never leased again
    stolen = hq.http.post(hq.url("/v1/numbers/return"), headers=b.headers(), timeout=30,
                          json={"block_id": blocks[0]["entity_id"], "first_unused": 1})
    assert stolen.status_code == 409 and stolen.json()["code"] == "numbers"
    pulled_b, _ = hq.pull_all(b)
    mine = {c["change"]["entity_id"] for c in pulled_b if c["change"]["entity"] ==
            "number_block"}
    assert blocks[0]["entity_id"] not in mine and blocks[1]["entity_id"] in mine


def test_evidence_uploads_resume_are_hash_checked_and_deduplicated(hq: Hq) -> None:
    device, west = hq.enroll(), hq.enroll("CYM")
    data = bytes(range(256)) * 4000
    sha = hashlib.sha256(data).hexdigest()
    url = hq.url(f"/v1/blobs/{sha}")

    def put(offset: int, chunk: bytes, who: SimDevice = device):  # type: ignore[no-untyped-def]
        return hq.http.put(url, params={"offset": offset, "size": len(data)}, data=chunk,
                           headers={**who.headers(), "Content-Type":
                                    "application/octet-stream"}, timeout=30)

    assert put(0, data[:300_000]).json()["state"] == "partial"
    status = hq.http.post(hq.url("/v1/blobs/status"), json={"sha256s": [sha]},
                          headers=device.headers(), timeout=30).json()["items"][0]
    assert (status["state"], status["offset"]) == ("partial", 300_000)
    wrong = put(0, data[:10])
    assert wrong.status_code == 409 and wrong.json()["offset"] == 300_000
    assert put(300_000, data[300_000:]).json()["state"] == "present"
    assert put(0, data).json()["state"] == "present"  # deduplicated
    bad = b"x" * 1000
    bad_sha = hashlib.sha256(b"other").hexdigest()
    refused = hq.http.put(hq.url(f"/v1/blobs/{bad_sha}"), params={"size": 1000}, data=bad,
                          headers=device.headers(), timeout=30)
    assert refused.status_code == 422 and refused.json()["code"] == "blob_hash"
    assert hq.http.post(hq.url("/v1/blobs/status"), json={"sha256s": [bad_sha]},
                        headers=device.headers(), timeout=30).json()["items"][0][
        "state"] == "missing"
    officer = hq.officer("D-OFF1")
    evidence = device.change(Entity.EVIDENCE, new_id(), {
        "sha256": sha, "evidence_type": "audiovisual", "media_type": "image/jpeg",
        "size_bytes": len(data), "captured_at_utc": now_text(), "officer_id": officer.id,
        "created_at": now_text()})
    device.write([evidence], officer_id=officer.id)
    hq.push(device)
    got = hq.http.get(url, headers=device.headers(), timeout=30)
    assert got.status_code == 200 and got.content == data
    assert hq.http.get(url, headers=west.headers(), timeout=30).status_code == 404


def _document(device: SimDevice, officer_id: str, *, serial: int = 7):  # type: ignore[no-untyped-def]
    doc_id = new_id()
    snapshot = {"document.id": doc_id, "document.kind": "penalty_decision",
                "document.title": "行政处罚决定书",
                "document.number": f"东城管罚〔2026〕{serial}号",
                "document.date": dt.date.today().isoformat(), "subject.name": "张三",
                "case.fine_yuan": "200"}
    content = doc_payload.content_sha256(snapshot)
    payload = doc_payload.Payload.new(
        document_id=doc_id, key_id=doc_payload.key_id(device.key.public_key().public_bytes_raw()),
        kind_code="PEN", year=2026, serial=serial, issued_on=dt.date.today(),
        content_sha256_hex=content)
    signed = payload.with_signature(device.key.sign(payload.signed_text().encode()))
    record = device.change(Entity.DOCUMENT, doc_id, {
        "kind": "penalty_decision", "number": snapshot["document.number"],
        "squad_id": device.squad_id, "year": 2026, "serial": serial,
        "snapshot_json": json.dumps(snapshot, ensure_ascii=False), "content_sha256": content,
        "issued_at": now_text(), "issued_by": officer_id, "device_id": device.device_id,
        "qr_payload": signed.text()})
    return record, signed


def test_document_codes_are_verified_against_enrolled_device_keys(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    record, signed = _document(device, officer.id)

    def check(code: str) -> dict:  # type: ignore[type-arg]
        return hq.http.get(hq.url("/v1/verify"), params={"code": code}, timeout=30).json()

    assert check(signed.text())["state"] == "not_yet_at_hq"
    device.write([record], officer_id=officer.id)
    hq.push(device)
    genuine = check(signed.url())
    assert genuine["state"] == "genuine" and genuine["party"] == "张三"
    assert genuine["number"] == "东城管罚〔2026〕7号" and genuine["amount_yuan"] == 200
    parts = signed.text().split(".")
    parts[4] = "2026-8"
    assert check(".".join(parts))["state"] == "altered"
    assert check("FA1.not.a.real.code")["state"] == "unknown"
    stranger = SimDevice()
    _, foreign = _document(stranger, officer.id)
    assert check(foreign.text())["state"] == "unknown"
    void = device.change(Entity.DOCUMENT, new_id(), {
        **record.fields, "voids_document_id": record.entity_id, "qr_payload": "",
        "reason": "填写错误"})
    device.write([void], officer_id=officer.id)
    hq.push(device)
    assert check(signed.text())["state"] == "voided"
    page = hq.http.get(hq.url("/verify"), params={"code": signed.text()}, timeout=30)
    assert page.status_code == 200 and "已作废" in page.text and "东城管罚〔2026〕7号" in page.text


def test_the_status_page_shows_the_squad_to_its_leader_only(hq: Hq) -> None:
    device = hq.enroll()
    device.write([subject(device)], officer_id=hq.officer("D-OFF1").id)
    hq.push(device)
    page = hq.http.get(hq.url("/squads/DHM/status"), auth=("D-LEAD", PASSWORD), timeout=30)
    assert page.status_code == 200 and "东华门中队" in page.text and "模拟设备" in page.text
    other = hq.http.get(hq.url("/squads/DHM/status"), auth=("C-LEAD", PASSWORD), timeout=30)
    assert other.status_code == 403
    wrong = hq.http.get(hq.url("/squads/DHM/status"), auth=("D-LEAD", "nope"), timeout=30)
    assert wrong.status_code == 401
    assert hq.http.get(hq.url("/squads/DHM/status"), timeout=30).status_code == 401
