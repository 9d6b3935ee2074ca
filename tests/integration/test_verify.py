"""Verifying a document offline: genuine, altered (any field, any character), voided,
unknown. The QR code is decoded from a real rendering of the PDF (pdftoppm + zxing-cpp).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlmodel import select

from fieldapp.domain.doc_payload import parse_payload
from fieldapp.domain.document_kinds import DocumentKind as K
from fieldapp.domain.entities import FindingData, InspectionData, SubjectData, SubjectKind
from fieldapp.domain.permissions import Action
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import issue_document, render, verify, void_document
from fieldapp.services.subjects import create_subject
from fieldapp.store.tables import AgencyProfile, Device

LOCAL = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=LOCAL)
NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=LOCAL)
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _issue(ctx, officers):
    subject = create_subject(ctx=ctx, officer_id=officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="陈小明", phone="13912345678",
        address="东华门大街30号")).id
    data = InspectionData(subject_id=subject, officer_ids=tuple(officers), at=AT,
                          address="东华门大街30号门前", findings=(FindingData(
                              violation_code="JM01", facts="推三轮车在路口占道卖水果",
                              corrected_on_spot=False),))
    finding_id = record_inspection(ctx=ctx, data=data).finding_ids[0]
    return issue_document(ctx=ctx, officer_id=officers[0], kind=K.EDUCATION_NOTICE,
                          finding_id=finding_id)


@pytest.fixture
def issued(org):
    org.ctx.clock = lambda: NOW
    return org, _issue(org.ctx, org.officers[1:3])


def _db(org) -> sqlite3.Connection:
    return sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3")


def _unlock_documents(conn: sqlite3.Connection) -> None:
    """As an attacker holding the file would: drop the append-only triggers."""
    conn.execute("DROP TRIGGER IF EXISTS document_no_update")
    conn.execute("DROP TRIGGER IF EXISTS document_no_delete")


def qr_text(pdf: Path, tmp: Path) -> str:
    subprocess.run(["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(pdf),
                    str(tmp / "page")], check=True)
    with Image.open(next(tmp.glob("page*.png"))) as image:
        codes = zxingcpp.read_barcodes(image)
    assert codes, "no QR code found on page 1"
    return str(codes[0].text)


def test_issued_document_is_genuine_by_payload_url_and_pdf(issued, tmp_path) -> None:
    org, doc = issued
    scanned = qr_text(doc.pdf_path, tmp_path)
    assert scanned.startswith("HTTPS://VERIFY.EXAMPLE/D/FA1.")
    assert parse_payload(scanned).document_id == doc.id
    for given in (doc.qr_payload, scanned, doc.pdf_path, str(doc.pdf_path)):
        result = verify(ctx=org.ctx, payload_or_pdf=given)
        assert result.status == "genuine", (given, result)
        assert (result.document_id, result.number) == (doc.id, doc.number)
        assert result.title == "教育劝导书" and result.subject == "陈小明"


def test_changing_any_single_field_of_the_snapshot_is_detected(issued) -> None:
    org, doc = issued
    with _db(org) as conn:
        _unlock_documents(conn)
        original = conn.execute("SELECT snapshot_json FROM document WHERE id = ?",
                                (doc.id,)).fetchone()[0]
    snapshot = json.loads(original)
    assert len(snapshot) > 40
    for key in sorted(snapshot):
        changed = dict(snapshot, **{key: snapshot[key] + "改"})
        with _db(org) as conn:
            conn.execute("UPDATE document SET snapshot_json = ? WHERE id = ?",
                         (json.dumps(changed, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")), doc.id))
        result = verify(ctx=org.ctx, payload_or_pdf=doc.qr_payload)
        assert result.status == "altered", key
    added = snapshot | {"subject.note": "x"}
    removed = {k: v for k, v in snapshot.items() if k != "finding.facts"}
    for changed in (added, removed):
        with _db(org) as conn:
            conn.execute("UPDATE document SET snapshot_json = ? WHERE id = ?",
                         (json.dumps(changed, ensure_ascii=False), doc.id))
        assert verify(ctx=org.ctx, payload_or_pdf=doc.qr_payload).status == "altered"
    with _db(org) as conn:
        conn.execute("UPDATE document SET snapshot_json = ? WHERE id = ?", (original, doc.id))
    assert verify(ctx=org.ctx, payload_or_pdf=doc.qr_payload).status == "genuine"


@pytest.mark.parametrize("column", ["number", "kind", "serial", "year", "qr_payload",
                                    "content_sha256", "device_id"])
def test_changing_the_documents_row_is_detected(issued, column) -> None:
    org, doc = issued
    value = {"number": "'东城管劝字〔2026〕第9号'", "kind": "'warning_notice'",
             "serial": "9", "year": "2025", "qr_payload": "qr_payload || 'A'",
             "content_sha256": "'00'", "device_id": "NULL"}[column]
    with _db(org) as conn:
        _unlock_documents(conn)
        conn.execute(f"UPDATE document SET {column} = {value} WHERE id = ?", (doc.id,))
    assert verify(ctx=org.ctx, payload_or_pdf=doc.qr_payload).status in ("altered", "unknown")
    if column != "device_id":
        assert verify(ctx=org.ctx, payload_or_pdf=doc.qr_payload).status == "altered"


def test_a_payload_with_any_one_character_changed_is_altered(issued) -> None:
    org, doc = issued
    payload = doc.qr_payload
    for i, char in enumerate(payload):
        if char == ".":
            continue
        other = "7" if char == "A" else ("A" if char.isalpha() else "B")
        if char.isdigit() and i < len(payload) - 110:  # year, serial, date: stay digits
            other = "9" if char != "9" else "8"
        changed = payload[:i] + other + payload[i + 1:]
        result = verify(ctx=org.ctx, payload_or_pdf=changed)
        assert result.status == "altered", (i, char, other, result)
    assert verify(ctx=org.ctx, payload_or_pdf=payload[:-1]).status == "altered"
    assert verify(ctx=org.ctx, payload_or_pdf=payload + "A").status == "altered"


def test_a_voided_document_verifies_as_voided(issued) -> None:
    org, doc = issued
    void_document(ctx=org.ctx, officer_id=org.officers[1], document_id=doc.id,
                  reason="文书内容有误")
    for given in (doc.qr_payload, doc.pdf_path):
        result = verify(ctx=org.ctx, payload_or_pdf=given)
        assert result.status == "voided"
        assert result.void_reason == "文书内容有误"


def test_a_changed_stored_pdf_is_altered(issued) -> None:
    org, doc = issued
    data = bytearray(doc.pdf_path.read_bytes())
    data[-200] ^= 0x01
    doc.pdf_path.write_bytes(bytes(data))
    assert verify(ctx=org.ctx, payload_or_pdf=doc.qr_payload).status == "altered"


def test_a_pdf_with_other_text_but_the_real_code_is_altered(issued, tmp_path) -> None:
    org, doc = issued
    with _db(org) as conn:
        snapshot = json.loads(conn.execute("SELECT snapshot_json FROM document WHERE id = ?",
                                           (doc.id,)).fetchone()[0])
    forged = render(snapshot | {"finding.facts": "当事人无违法行为"}, layout="a4",
                    qr="HTTPS://VERIFY.EXAMPLE/D/" + doc.qr_payload)
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged)
    result = verify(ctx=org.ctx, payload_or_pdf=path)
    assert result.status == "altered" and result.text_checked
    copy = tmp_path / "copy.pdf"
    shutil.copy(doc.pdf_path, copy)
    assert verify(ctx=org.ctx, payload_or_pdf=copy).status == "genuine"


def test_codes_from_other_stores_are_unknown_until_the_device_is_known(issued, tmp_path) -> None:
    from fieldapp.services.context import open_context
    from fieldapp.services.rules import load_catalogue, load_city_rules
    from fieldapp.services.staff import add_officer, add_squad, set_agency

    org, _doc = issued
    other = open_context(tmp_path / "other", clock=lambda: NOW)
    try:
        load_catalogue(ctx=other)
        load_city_rules(ctx=other)
        set_agency(ctx=other, full_name="示例市西城区城市管理综合行政执法局", short_code="西城管")
        squad = add_squad(ctx=other, name="金融街中队", code="JRJ").id
        officers = [add_officer(ctx=other, squad_id=squad, name=n, certificate_no=c,
                                valid_from=dt.date(2020, 1, 1),
                                valid_to=dt.date(2030, 1, 1)).id
                    for n, c in (("赵一", "X1"), ("钱二", "X2"))]
        foreign = _issue(other, officers)
        with other.read() as session:
            device = session.exec(select(Device).where(Device.is_local == True)).one()  # noqa: E712
            agency = session.exec(select(AgencyProfile)).one()
        assert agency.short_code == "西城管"
    finally:
        other.close()
    result = verify(ctx=org.ctx, payload_or_pdf=foreign.qr_payload)
    assert result.status == "unknown"
    assert verify(ctx=org.ctx, payload_or_pdf="hello").status == "unknown"
    # Once the other device is known here (as sync will bring it), its signature checks
    # out but the document itself is still not known.
    with org.ctx.write(action=Action.SET_UP) as tx:
        tx.session.add(Device(id=device.id, name="other", public_key=device.public_key,
                              registered_at=NOW))
    result = verify(ctx=org.ctx, payload_or_pdf=foreign.qr_payload)
    assert result.status == "unknown" and "signed by a known device" in result.problem
    i = foreign.qr_payload.rindex(".") + 5
    forged = foreign.qr_payload[:i] + ("A" if foreign.qr_payload[i] != "A" else "B") + \
        foreign.qr_payload[i + 1:]
    assert verify(ctx=org.ctx, payload_or_pdf=forged).status == "altered"
    assert all(c in B32 for c in forged.rsplit(".", 1)[1])
