"""The full-process record covers what was recorded, against a person with the file.

A store is built through the real services; then each legal table and each mutable
record is tampered with directly in a copy of the SQLite file (triggers dropped first,
as an attacker would): every edit, deletion, insertion and reordering is named by
``audit verify`` as the first bad record. A chain rewritten and re-hashed without the
device key fails on its signature. Every table is either mapped to the protocol, with
each column a protocol field or declared local, or is the device's own bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from fieldapp.domain.entities import (
    EvidenceData,
    EvidenceType,
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.workflow import Action as CaseAction
from fieldapp.resources import resource
from fieldapp.services.cases import act
from fieldapp.services.inspections import complete_revisit, list_revisits, record_inspection
from fieldapp.services.paperwork import issue_document, record_service, void_unused_number
from fieldapp.services.records import verify_audit
from fieldapp.services.rules import import_list, set_rule
from fieldapp.services.subjects import create_subject, update_subject
from fieldapp.store import audit, chain
from fieldapp.store.entities import APPEND_ONLY_TABLES, BY_TABLE, LOCAL_TABLES, MAPS
from fieldapp.store.tables import CaseFile
from fieldapp.sync.protocol import SPECS, content_hash, rows_digest

UTC8 = dt.timezone(dt.timedelta(hours=8))
DAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC8)


def _photo(path: Path) -> Path:
    Image.new("RGB", (64, 48), (120, 30, 30)).save(path, "JPEG")
    return path


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A store with a row in every legal table and several versions of mutable records;
    returns the data directory (closed)."""
    from fieldapp.domain.entities import OfficerRole
    from fieldapp.services.context import open_context
    from fieldapp.services.rules import load_catalogue, load_city_rules, load_default_list
    from fieldapp.services.staff import add_officer, add_squad, set_agency

    root = tmp_path_factory.mktemp("scene")
    ctx = open_context(root / "data", clock=lambda: DAY + dt.timedelta(days=20))
    load_catalogue(ctx=ctx)
    load_default_list(ctx=ctx)
    load_city_rules(ctx=ctx)
    set_agency(ctx=ctx, full_name="示例市东城区城市管理综合行政执法局", short_code="东城管")
    squad = add_squad(ctx=ctx, name="东华门中队", code="DHM").id
    leader, o1, o2 = (add_officer(ctx=ctx, squad_id=squad, name=n, certificate_no=c,
                                  valid_from=dt.date(2020, 1, 1),
                                  valid_to=dt.date(2030, 12, 31), role=r).id
                      for n, c, r in (("王建国", "C001", OfficerRole.SQUAD_LEADER),
                                      ("李秀英", "C002", OfficerRole.OFFICER),
                                      ("张伟", "C003", OfficerRole.OFFICER)))
    head = add_officer(ctx=ctx, squad_id=squad, name="刘局长", certificate_no="C004",
                       valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 12, 31),
                       role=OfficerRole.AGENCY_HEAD).id
    subjects = [create_subject(ctx=ctx, officer_id=o1, data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name=name, phone=f"1390000000{n}")).id
        for n, name in enumerate(("陈小明", "周大福", "吴晓丽"))]
    update_subject(ctx=ctx, officer_id=o1, subject_id=subjects[0],
                   changes={"phone": "13911112222"})
    update_subject(ctx=ctx, officer_id=o1, subject_id=subjects[0],
                   changes={"address": "东华门大街30号"})

    def inspect(subject: str, days: int, **finding) -> str:
        photo = _photo(root / f"p{subject[-4:]}{days}.jpg")
        done = record_inspection(ctx=ctx, data=InspectionData(
            subject_id=subject, officer_ids=(o1, o2), at=DAY + dt.timedelta(days=days),
            address="东华门大街30号门前", findings=(FindingData(
                violation_code="JM01", facts="推车占道卖水果", corrected_on_spot=False,
                **finding),),
            evidence=(EvidenceData(path=str(photo), evidence_type=EvidenceType.AUDIOVISUAL,
                                   captured_at=DAY + dt.timedelta(days=days)),)))
        return done.finding_ids[0]

    first = inspect(subjects[0], 0)
    inspect(subjects[0], 1)  # the second time: a warning with a revisit
    [revisit] = list_revisits(ctx=ctx, now=DAY + dt.timedelta(days=30))
    complete_revisit(ctx=ctx, revisit_id=revisit.id, officer_id=o1, corrected=True,
                     at=DAY + dt.timedelta(days=5))
    second = inspect(subjects[1], 2)
    inspect(subjects[1], 3)  # warned too, and corrected by the revisit
    [revisit] = list_revisits(ctx=ctx, now=DAY + dt.timedelta(days=30))
    complete_revisit(ctx=ctx, revisit_id=revisit.id, officer_id=o1, corrected=True,
                     at=DAY + dt.timedelta(days=6))
    inspect(subjects[2], 3, step=StepKind.ENFORCE, override_reason="占用消防通道，情节较重")
    with ctx.read() as session:
        case_id = session.exec(select(CaseFile.id)).one()
    act(ctx=ctx, case_id=case_id, officer_id=leader, action=CaseAction.APPROVE_FILING)
    act(ctx=ctx, case_id=case_id, officer_id=head, action=CaseAction.APPROVE_FILING)
    for n, finding in enumerate((first, second)):
        notice = issue_document(ctx=ctx, officer_id=o1, kind="education_notice",
                                finding_id=finding)
        record_service(ctx=ctx, document_id=notice.id, method="direct",
                       served_at=DAY + dt.timedelta(days=2 * n, hours=1),
                       officer_ids=(o1, o2), receiver="当事人")
    set_rule(ctx=ctx, officer_id=leader, key="lookback_months", value=10)
    set_rule(ctx=ctx, officer_id=leader, key="lookback_months", value=12)
    import_list(ctx=ctx, officer_id=leader, path=resource("catalogue", "no_penalty_list.json"),
                metadata={"doc_no": "示城管发〔2026〕9号"})
    for serial in (3, 4):  # the next numbers of the block, spoiled pre-printed forms
        void_unused_number(ctx=ctx, officer_id=o1, squad_id=squad, kind="education_notice",
                           year=2026, serial=serial, reason="预印文书损毁")
    assert verify_audit(ctx=ctx).ok
    ctx.close()
    return root / "data"


def _copy(scene: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(scene, target)
    return target


def _tamper(data: Path, table: str, *statements: str) -> None:
    conn = sqlite3.connect(data / "fieldapp.sqlite3")
    for verb in ("update", "delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _rows(data: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(data / "fieldapp.sqlite3")
    rows = conn.execute(f'SELECT rowid, * FROM "{table}" ORDER BY rowid').fetchall()
    conn.close()
    return rows


def _id(data: Path, table: str, rowid: int) -> str:
    table_map = BY_TABLE[table]
    conn = sqlite3.connect(data / "fieldapp.sqlite3")
    value = conn.execute(f'SELECT {table_map.id_sql} FROM "{table}" WHERE rowid = ?',
                         (rowid,)).fetchone()[0]
    conn.close()
    return str(value)


def _text_column(table: str) -> str:
    """A text column to edit: one that is not part of the id where there is one."""
    table_map = BY_TABLE[table]
    texts = [name for name, kind in table_map.spec.fields if kind.value == "text"]
    return next((n for n in texts if n not in table_map.key), texts[-1])


def _verify(data: Path) -> chain.VerifyResult:
    return chain.verify_data_dir(data)


LEGAL = [m.table for m in MAPS if not m.mutable and m.table != "place"]


def test_the_scene_covers_every_legal_table(scene) -> None:
    assert chain.verify_data_dir(scene).ok
    empty = [t for t in LEGAL if not _rows(scene, t)]
    assert empty == []  # place: no service writes one yet; everything else is here


@pytest.mark.parametrize("table", LEGAL)
def test_an_edited_legal_record_is_named(scene, tmp_path, table) -> None:
    data = _copy(scene, tmp_path)
    rowid = _rows(data, table)[-1][0]
    original = _id(data, table, rowid)
    column = _text_column(table)
    _tamper(data, table, f'UPDATE "{table}" SET "{column}" = "{column}" || \'改\' '
                         f"WHERE rowid = {rowid}")
    result = _verify(data)
    assert not result.ok
    assert result.params["id"] == original
    assert result.params["entity"] == BY_TABLE[table].entity.value
    # An edited id column leaves the recorded id missing; any other column, changed.
    assert ("missing" if column in BY_TABLE[table].key else "changed") in result.problem


@pytest.mark.parametrize("table", LEGAL)
def test_a_deleted_legal_record_is_named(scene, tmp_path, table) -> None:
    data = _copy(scene, tmp_path)
    rowid = _rows(data, table)[0][0]
    victim = _id(data, table, rowid)
    _tamper(data, table, "PRAGMA foreign_keys = OFF",
            f'DELETE FROM "{table}" WHERE rowid = {rowid}')
    result = _verify(data)
    assert not result.ok
    assert result.params["id"] == victim and "missing" in result.problem


@pytest.mark.parametrize("table", LEGAL)
def test_an_inserted_legal_record_is_named(scene, tmp_path, table) -> None:
    data = _copy(scene, tmp_path)
    table_map = BY_TABLE[table]
    conn = sqlite3.connect(data / "fieldapp.sqlite3")
    columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    conn.close()
    key = table_map.key[-1]
    unique = {"item_no", "serial"}  # parts of a unique key beside the id

    def copy_of(column: str) -> str:
        if column == key:
            return f"'{'0' * 8}-forged' || {column}"
        return f'"{column}" + 1000' if column in unique else f'"{column}"'

    copied = ", ".join(copy_of(c) for c in columns)
    _tamper(data, table, f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT {copied} '
                         f'FROM "{table}" ORDER BY rowid LIMIT 1')
    result = _verify(data)
    assert not result.ok
    assert "forged" in result.params["id"] and "added outside" in result.problem


@pytest.mark.parametrize("table", LEGAL)
def test_reordered_legal_records_are_named(scene, tmp_path, table) -> None:
    data = _copy(scene, tmp_path)
    rows = _rows(data, table)
    first, second = rows[0][0], rows[1][0]
    moved = _id(data, table, first)
    conn = sqlite3.connect(data / "fieldapp.sqlite3")
    columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    conn.close()
    names = ", ".join(f'"{c}"' for c in columns)
    # Take both out and put them back the other way round (as a copy-and-swap would).
    _tamper(data, table, "PRAGMA foreign_keys = OFF",
            f'CREATE TEMP TABLE keep AS SELECT * FROM "{table}" WHERE rowid IN ({first}, {second})',
            f'DELETE FROM "{table}" WHERE rowid IN ({first}, {second})',
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM keep ORDER BY rowid DESC')
    result = _verify(data)
    assert not result.ok
    assert result.params["id"] == moved and "not where it was recorded" in result.problem


def test_every_legal_table_has_at_least_two_rows_to_reorder(scene) -> None:
    assert [t for t in LEGAL if len(_rows(scene, t)) < 2] == []


@pytest.mark.parametrize(("table", "column"), [
    ("subject", "name"), ("case_file", "summary"), ("revisit", "result"),
    ("officer", "name"), ("rule_setting", "value_json")])
def test_an_edited_mutable_record_is_named(scene, tmp_path, table, column) -> None:
    data = _copy(scene, tmp_path)
    rowid = _rows(data, table)[0][0]
    _tamper(data, table, f'UPDATE "{table}" SET "{column}" = "{column}" || \'x\' '
                         f"WHERE rowid = {rowid}")
    result = _verify(data)
    assert not result.ok
    assert result.params["id"] == _id(data, table, rowid) and "changed" in result.problem


def test_an_edited_earlier_version_of_a_subject_is_named(scene, tmp_path) -> None:
    data = _copy(scene, tmp_path)
    conn = sqlite3.connect(data / "fieldapp.sqlite3")
    entity, entity_id, version = conn.execute(
        "SELECT entity, entity_id, version FROM record_version WHERE entity = 'subject' "
        "ORDER BY version LIMIT 1").fetchone()
    conn.close()
    _tamper(data, "record_version",
            f"UPDATE record_version SET content = replace(content, '陈小明', '陈大明') "
            f"WHERE entity = '{entity}' AND entity_id = '{entity_id}' AND version = {version}")
    result = _verify(data)
    assert not result.ok
    assert (result.params["id"], result.params["version"]) == (entity_id, version)


def test_a_changed_row_reference_is_caught_by_the_event(scene, tmp_path) -> None:
    data = _copy(scene, tmp_path)
    _tamper(data, "audit_row", "UPDATE audit_row SET sha256 = zeroblob(32) WHERE seq = "
                               "(SELECT MIN(seq) FROM audit_row) AND pos = 0")
    result = _verify(data)
    assert not result.ok and "names were changed" in result.problem


def test_a_chain_rewritten_without_the_key_fails_on_its_signature(scene, tmp_path) -> None:
    """Edit a finding's facts, then recompute its content hash, the event's rows digest,
    every later event's hash and the head — everything but the signature."""
    data = _copy(scene, tmp_path)
    db = data / "fieldapp.sqlite3"
    conn = sqlite3.connect(db)
    for table in ("finding", "audit_event", "audit_row"):
        for verb in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    finding_map = BY_TABLE["finding"]
    finding_id = conn.execute("SELECT id FROM finding ORDER BY rowid LIMIT 1").fetchone()[0]
    conn.execute("UPDATE finding SET facts = '当事人未占道' WHERE id = ?", (finding_id,))
    row = conn.execute(f"{finding_map.select_sql} WHERE id = ?", (finding_id,)).fetchone()
    from fieldapp.store.entities import canonical_values

    values = canonical_values(finding_map.entity, row[2:])
    new_sha = content_hash("finding", finding_id, 1, values)
    seq = conn.execute("SELECT seq FROM audit_row WHERE entity = 'finding' AND entity_id = ?",
                       (finding_id,)).fetchone()[0]
    conn.execute("UPDATE audit_row SET sha256 = ? WHERE entity = 'finding' AND entity_id = ?",
                 (bytes.fromhex(new_sha), finding_id))
    prev = conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (seq - 1,)).fetchone()[0]
    events = conn.execute("SELECT seq, id, at_utc, device_id, officer_id, action, entity, "
                          "entity_id, payload_json, format FROM audit_event WHERE seq >= ? "
                          "ORDER BY seq", (seq,)).fetchall()
    for s, id_, at, dev, off, action, entity, eid, payload, fmt in events:
        refs = [(e, i, v, h.hex()) for e, i, v, h in conn.execute(
            "SELECT entity, entity_id, version, sha256 FROM audit_row WHERE seq = ? "
            "ORDER BY pos", (s,))]
        digest_rows = rows_digest(refs)
        digest = audit.event_hash(prev, audit.event_fields(
            s, id_, at, dev, off, action, entity, eid, payload, fmt, digest_rows))
        conn.execute("UPDATE audit_event SET prev_hash = ?, hash = ?, rows_sha256 = ? "
                     "WHERE seq = ?", (prev, digest, digest_rows, s))
        prev = digest
    conn.execute("UPDATE sync_state SET value = ? WHERE key = 'audit_head'",
                 (f"{events[-1][0]}:{prev}",))
    conn.commit()
    conn.close()
    result = _verify(data)
    assert not result.ok
    assert "signature" in result.problem


def test_every_table_is_mapped_or_bookkeeping_and_every_column_is_a_field_or_local(
        scene) -> None:
    conn = sqlite3.connect(scene / "fieldapp.sqlite3")
    tables = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'subject_search%'")}
    unmapped = sorted(tables - set(BY_TABLE) - LOCAL_TABLES)
    assert unmapped == []
    for table_map in MAPS:
        columns = {r[1] for r in conn.execute(f'PRAGMA table_info("{table_map.table}")')}
        meta = {"version"} if table_map.mutable else set()
        wanted = set(SPECS[table_map.entity].names) | set(table_map.key) | meta
        assert columns - wanted - table_map.local_only == set(), table_map.table
        assert wanted - columns == set(), table_map.table
    triggers = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    conn.close()
    for table in APPEND_ONLY_TABLES:
        assert {f"{table}_no_update", f"{table}_no_delete"} <= triggers, table
