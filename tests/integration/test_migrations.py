"""Alembic migrations: head matches the app's constant; a populated first-revision
database upgrades to head with its data and a working search index."""

from __future__ import annotations

import datetime as dt
import sqlite3

from alembic.script import ScriptDirectory

from fieldapp.services.context import open_context
from fieldapp.services.subjects import find_subjects
from fieldapp.store.engine import DB_FILE, make_engine
from fieldapp.store.migrate import HEAD_REVISION, alembic_config, current_revision, upgrade


def test_head_constant_is_alembic_head() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_populated_first_revision_upgrades_to_head(tmp_path) -> None:
    data = tmp_path / "old"
    data.mkdir()
    engine = make_engine(data / DB_FILE)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    engine.dispose()
    now = dt.datetime(2026, 1, 5, 8, 0).isoformat(" ")
    conn = sqlite3.connect(data / DB_FILE)
    conn.execute("INSERT INTO subject (id, local_seq, kind, name, id_number, credit_code, "
                 "legal_representative, shop_sign, phone, address, gender, appearance, goods, "
                 "usual_place, photo_sha256, notes, created_at, updated_at, version, hlc, "
                 "deleted) VALUES ('0191d8a0-0000-7000-8000-000000000001', 1, 'individual', "
                 "'欧阳春梅', '', '', '', '春梅花店', '13700001234', '花园路9号', '', '', '', "
                 "'', '', '', ?, ?, 1, '', 0)", (now, now))
    conn.execute("INSERT INTO violation_type (code, name, domain, event_code, provision, "
                 "penalty_provision, penalty_range, correction_days, ladder_applies, "
                 "catalogue_version) VALUES ('ZZ01', '旧目录项', '街面秩序', '', '', '', '', 3, 1, "
                 "'old')")
    conn.commit()
    conn.close()

    ctx = open_context(data)  # the app migrates at start
    try:
        assert current_revision(ctx.store.engine) == HEAD_REVISION
        assert [s.name for s in find_subjects(ctx=ctx, query="春梅")] == ["欧阳春梅"]
        assert [s.name for s in find_subjects(ctx=ctx, query="oycm")] == ["欧阳春梅"]
        with sqlite3.connect(data / DB_FILE) as check:
            triggers = {r[0] for r in check.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"finding_no_update", "case_event_no_delete"} <= triggers
        with sqlite3.connect(data / DB_FILE) as check:
            old = check.execute("SELECT local_regulation, summary_allowed, skip_reason "
                                "FROM violation_type WHERE code = 'ZZ01'").fetchone()
        assert old == (0, 1, "")
    finally:
        ctx.close()
