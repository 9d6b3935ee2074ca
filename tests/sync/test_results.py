"""What HQ answers, as the device keeps it: merges and the conflicts a leader sees, a
rejected change that never blocks the rest and can be sent again, receipts that
``audit verify`` checks, a device offline, a wrong clock, a revoked device's hand-over,
evidence files, number blocks, offline login with HQ's verifier."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from fieldapp.domain.entities import OfficerRole, StepKind
from fieldapp.domain.errors import DomainError
from fieldapp.hq.services import admin
from fieldapp.hq.throwaway import PASSWORD
from fieldapp.services.records import verify_audit
from fieldapp.services.staff import add_officer, login
from fieldapp.services.subjects import update_subject
from fieldapp.services.sync import (
    DeviceRevoked,
    list_changes,
    list_conflicts,
    mark_dealt_with,
    read_handover,
    resolve_conflict,
    send_again,
    sync_status,
)
from tests.sync.devices import Desk, Squad

AT = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _pair(squad: Squad):  # type: ignore[no-untyped-def]
    one, two = squad.enroll("笔记本1"), squad.enroll("笔记本2")
    for desk in (one, two):
        desk.sync()
        desk.login("D-LEAD")
    return one, two


def test_both_change_a_field_offline_the_newer_wins_and_the_loser_is_shown(
        squad: Squad) -> None:
    one, two = _pair(squad)
    lead = one.officer("D-LEAD")
    vendor = one.vendor(lead)
    one.sync()
    two.sync()
    update_subject(ctx=two.ctx, officer_id=lead, subject_id=vendor,
                   changes={"phone": "13800000002", "goods": "蔬菜"})
    update_subject(ctx=one.ctx, officer_id=lead, subject_id=vendor,
                   changes={"phone": "13800000001"})  # later: its HLC wins
    one.sync()
    report = two.sync()
    assert report.conflicts == 1 and report.rejected == 0
    [lost] = list_conflicts(ctx=two.ctx)
    assert (lost.field, lost.kept, lost.lost) == ("phone", "13800000001", "13800000002")
    one.sync()
    for desk in (one, two):  # both converge on the merge: one's phone, two's goods
        assert desk.sql("SELECT phone, goods FROM subject WHERE id = ?", vendor) == [
            ("13800000001", "蔬菜")]
        assert verify_audit(ctx=desk.ctx).ok
    resolve_conflict(ctx=two.ctx, officer_id=lead, conflict_id=lost.id, note="电话已核实")
    assert list_conflicts(ctx=two.ctx) == []
    assert sync_status(ctx=two.ctx).conflicts == 0


def test_a_rejected_change_never_blocks_the_rest_and_is_sent_again(squad: Squad) -> None:
    one, two = _pair(squad)
    lead = one.officer("D-LEAD")
    # An officer typed in on this laptop only: HQ does not know who recorded the subject.
    stranger = add_officer(ctx=one.ctx, squad_id=one.sql("SELECT squad_id FROM officer "
                                                         "WHERE id = ?", lead)[0][0],
                           name="临时工", certificate_no="LOCAL-1",
                           valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2035, 1, 1),
                           role=OfficerRole.OFFICER, by_officer_id=lead).id
    refused = one.vendor(stranger, goods="冷饮")
    fine = one.vendor(lead, goods="水果")
    report = one.sync()
    assert report.rejected == 1 and report.waiting == 0
    [rejected] = list_changes(ctx=one.ctx, state="rejected")
    assert rejected.entity_id == refused and rejected.reason_code == "unknown_officer"
    assert rejected.reason and rejected.what_to_do
    two.sync()
    assert two.sql("SELECT id FROM subject WHERE id IN (?, ?)", refused, fine) == [(fine,)]
    send_again(ctx=one.ctx, officer_id=lead, change_id=rejected.change_id)
    assert one.sync().rejected == 0 and list_changes(ctx=one.ctx, state="rejected") == []
    two.sync()
    assert two.sql("SELECT goods FROM subject WHERE id = ?", refused) == [("冷饮",)]
    assert verify_audit(ctx=one.ctx).ok and verify_audit(ctx=two.ctx).ok
    with pytest.raises(DomainError):
        mark_dealt_with(ctx=one.ctx, officer_id=lead, change_id=rejected.change_id)


def test_a_countersigned_head_rewritten_and_resigned_is_caught(squad: Squad) -> None:
    desk = squad.enroll()
    desk.sync()
    lead = desk.login("D-LEAD")
    desk.vendor(lead)
    desk.sync()
    receipts = desk.sql("SELECT seq, hash FROM chain_receipt")
    assert receipts and verify_audit(ctx=desk.ctx).ok
    # Someone with the device key rewrites an event HQ countersigned, re-hashes every
    # event after it and signs the new head: the chain alone would verify again.
    _rewrite_and_resign(desk, receipts[-1][0])
    result = verify_audit(ctx=desk.ctx)
    assert not result.ok and "HQ" in result.problem


def _rewrite_and_resign(desk, seq: int) -> None:  # type: ignore[no-untyped-def]
    from fieldapp.store import audit
    from fieldapp.sync.protocol import head_message

    conn = sqlite3.connect(desk.db, isolation_level=None)
    conn.execute("DROP TRIGGER audit_event_no_update")
    rows = conn.execute("SELECT seq, id, at_utc, device_id, officer_id, action, entity,"
                        " entity_id, payload_json, format, rows_sha256, prev_hash FROM"
                        " audit_event WHERE seq >= ? ORDER BY seq", (seq - 1,)).fetchall()
    prev = rows[0][11]
    for s, i, at, dev, off, action, ent, eid, payload, fmt, rows_sha, _p in rows:
        if s == seq - 1:
            payload = payload.replace("}", ',"x":1}', 1) if payload != "{}" else '{"x":1}'
        digest = audit.event_hash(prev, audit.event_fields(s, i, at, dev, off, action, ent,
                                                           eid, payload, fmt, rows_sha))
        conn.execute("UPDATE audit_event SET payload_json = ?, prev_hash = ?, hash = ? "
                     "WHERE seq = ?", (payload, prev, digest, s))
        prev = digest
    last = rows[-1][0]
    conn.execute("UPDATE sync_state SET value = ? WHERE key = 'audit_head'",
                 (f"{last}:{prev}",))
    signature = desk.ctx.store.sign(head_message(desk.ctx.device_id, last, prev))
    conn.execute("UPDATE sync_state SET value = ? WHERE key = 'audit_head_signature'",
                 (signature,))
    conn.close()


def test_offline_the_officer_keeps_working_and_nothing_is_lost(squad: Squad) -> None:
    desk = squad.enroll()
    desk.sync()
    lead = desk.login("D-LEAD")
    squad.hq.server.stop()
    try:
        vendor = desk.vendor(lead)
        report = desk.sync()
        assert not report.online and report.waiting >= 1
        assert sync_status(ctx=desk.ctx).last_error
        assert login(ctx=desk.ctx, certificate_no="D-LEAD", password=PASSWORD)
    finally:
        squad.hq.server.start()
    report = desk.sync()
    assert report.online and report.waiting == 0 and report.pushed >= 1
    assert not sync_status(ctx=desk.ctx).last_error
    other = squad.enroll("另一台")
    other.sync()
    assert other.sql("SELECT COUNT(*) FROM subject WHERE id = ?", vendor) == [(1,)]


def test_a_wrong_clock_is_reported_and_never_reorders(squad: Squad) -> None:
    desk = squad.enroll()
    desk.ctx.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    desk.sync()
    lead = desk.login("D-LEAD")
    desk.vendor(lead)
    report = desk.sync()
    assert not report.skew_ok and report.skew_ms is not None and report.skew_ms > 600_000
    assert sync_status(ctx=desk.ctx).skew_ms == report.skew_ms


def test_offline_login_uses_hq_verifier_until_it_expires(squad: Squad) -> None:
    desk = squad.enroll()
    desk.sync()
    desk.login("D-OFF1")
    assert login(ctx=desk.ctx, certificate_no="D-OFF1", password=PASSWORD).role == "officer"
    with sqlite3.connect(desk.db) as conn:
        conn.execute("UPDATE hq_verifier SET valid_until = '2020-01-01 00:00:00.000000'")
    conn.close()
    with pytest.raises(DomainError):
        login(ctx=desk.ctx, certificate_no="D-OFF1", password=PASSWORD)


def test_number_blocks_are_leased_refilled_and_next_year_comes_early(squad: Squad) -> None:
    desk = squad.enroll()
    report = desk.sync()
    year = dt.datetime.now(dt.UTC).year
    assert report.numbers_left["warning_notice"] >= 10
    blocks = desk.sql("SELECT kind, first_serial, last_serial, source FROM number_block "
                      "WHERE year = ?", year)
    assert blocks and {b[3] for b in blocks} == {"hq"}
    other = squad.enroll("另一台")
    other.sync()
    mine = {(k, f, la) for k, f, la, _s in blocks}
    theirs = {(k, f, la) for k, f, la, _s in other.sql(
        "SELECT kind, first_serial, last_serial, source FROM number_block WHERE year = ?",
        year)}
    for kind, first, last in mine:  # never overlapping
        assert not any(k == kind and f <= last and first <= la for k, f, la in theirs)
    desk.ctx.clock = lambda: dt.datetime(year, 12, 24, 4, tzinfo=dt.UTC)
    desk.sync()
    assert desk.sql("SELECT COUNT(*) FROM number_block WHERE year = ?", year + 1)[0][0] > 0


def test_a_revoked_device_hands_its_unsynced_work_over_and_is_wiped(squad: Squad) -> None:
    desk = squad.enroll()
    desk.sync()
    lead = desk.login("D-LEAD")
    vendor = desk.vendor(lead, goods="早点")
    admin.revoke_device(squad.hq.hq, device_id=desk.ctx.device_id)
    data_dir = desk.ctx.store.data_dir
    with pytest.raises(DeviceRevoked) as revoked:
        desk.sync()
    squad.desks.remove(desk)
    assert not data_dir.exists()
    handed = read_handover(__import__("pathlib").Path(revoked.value.handover),
                           revoked.value.passphrase)
    assert [c["entity_id"] for c in handed["changes"] if c["entity"] == "subject"] == [vendor]
    assert handed["device_id"] == desk.ctx.device_id and handed["events"]


def _photo(path, seed: int):  # type: ignore[no-untyped-def]
    from PIL import Image

    Image.effect_noise((600, 400), 40 + seed).convert("RGB").save(path, "JPEG", quality=95)
    return path


def _inspect_with_photo(desk: Desk, tmp_path: Path, seed: int) -> str:
    """An inspection with one photo on ``desk``; returns the photo's SHA-256."""
    import hashlib

    from fieldapp.domain.entities import EvidenceData, EvidenceType, FindingData, InspectionData
    from fieldapp.services.inspections import record_inspection

    pair = (desk.officer("D-OFF1"), desk.officer("D-OFF2"))
    photo = _photo(tmp_path / f"p{seed}.jpg", seed)
    record_inspection(ctx=desk.ctx, data=InspectionData(
        subject_id=desk.vendor(pair[0]), officer_ids=pair, at=AT, address="人民路",
        findings=(FindingData(violation_code="SR01", facts="占道经营", corrected_on_spot=True,
                              step=StepKind.EDUCATE),),
        evidence=(EvidenceData(path=str(photo), evidence_type=EvidenceType.AUDIOVISUAL,
                               captured_at=AT),)))
    return hashlib.sha256(photo.read_bytes()).hexdigest()


def test_evidence_files_follow_their_records_resumably_to_the_other_device(
        squad: Squad, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fieldapp.services.sync.link import client_for

    one, two = _pair(squad)
    sha = _inspect_with_photo(one, tmp_path, 1)
    # A first chunk reached HQ before the link broke: the queue resumes from HQ's offset.
    data = one.ctx.store.blobs.path_of(sha).read_bytes()
    client = client_for(one.ctx)
    client.upload_blob(sha, 0, len(data), data[:1000])
    assert client.blob_status([sha]).items[0].offset == 1000
    client.close()
    report = one.sync()
    assert report.files_pending == 0
    two.sync()  # the record arrives (and its file, which HQ has now)
    assert two.ctx.store.blobs.has(sha) and two.ctx.store.blobs.verify(sha)
    assert sync_status(ctx=two.ctx).files_pending == 0


def test_an_upload_hq_staged_in_full_but_never_finished_is_finished_by_the_device(
        squad: Squad, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """HQ stopped after the last chunk was written but before it was checked and kept:
    HQ reports every byte staged, and the device must still finish it, not mark it
    done (the other device would wait for the file forever)."""
    one, two = _pair(squad)
    sha = _inspect_with_photo(one, tmp_path, 2)
    staged = squad.hq.server.data_dir / "blobs" / "partial" / sha
    staged.write_bytes(one.ctx.store.blobs.path_of(sha).read_bytes())
    assert one.sync().files_pending == 0
    two.sync()
    assert two.ctx.store.blobs.has(sha) and two.ctx.store.blobs.verify(sha)
    assert sync_status(ctx=two.ctx).files_pending == 0


def test_a_vendor_registered_on_two_devices_is_merged_and_the_ladder_reads_both(
        squad: Squad) -> None:
    from fieldapp.domain.entities import SubjectKind
    from fieldapp.services.rules import advise
    from fieldapp.services.sync import decide_merge, merge_proposals

    one, two = _pair(squad)
    pair = (one.officer("D-OFF1"), one.officer("D-OFF2"))
    lead = one.officer("D-LEAD")
    person = {"kind": SubjectKind.INDIVIDUAL, "name": "张三", "id_number": "11010519491231002X"}
    first = one.vendor(pair[0], **person)
    one.inspect(first, pair, StepKind.EDUCATE, AT)
    second = two.vendor(pair[0], **person)  # offline: two does not know one's record yet
    two.inspect(second, pair, StepKind.EDUCATE, AT + dt.timedelta(days=2))
    one.sync()
    two.sync()
    one.sync()
    [proposal] = merge_proposals(ctx=one.ctx)
    assert set(proposal.subject_ids) == {first, second}
    decide_merge(ctx=one.ctx, officer_id=lead, proposal_id=proposal.id, merge=True,
                 kept_id=first)
    for desk in (one, two):
        desk.sync()
        assert desk.sql("SELECT kept_id, merged_id FROM subject_merge") == [(first, second)]
        advice = advise(ctx=desk.ctx, subject_id=first, violation_code="SR01",
                        at=AT + dt.timedelta(days=3))
        assert advice.step is StepKind.WARN  # two education steps on one vendor


def test_a_step_taken_without_the_full_history_is_shown_to_the_leader(squad: Squad) -> None:
    from fieldapp.services.sync import late_steps, see_late_step

    one, two = _pair(squad)
    pair = (one.officer("D-OFF1"), one.officer("D-OFF2"))
    vendor = one.vendor(pair[0])
    one.sync()
    two.sync()
    one.inspect(vendor, pair, StepKind.EDUCATE, AT)  # neither knows of the other's step
    two.inspect(vendor, pair, StepKind.EDUCATE, AT + dt.timedelta(days=2))
    one.sync()
    two.sync()
    [late] = late_steps(ctx=two.ctx)
    assert (late.subject_id, late.taken, late.advised) == (vendor, "educate", "warn")
    see_late_step(ctx=two.ctx, officer_id=two.officer("D-LEAD"), step_id=late.step_id)
    assert late_steps(ctx=two.ctx) == []
