"""Demo generation's bulk path on real SQLite files: the child process, the search
index it builds, and the repair of a bulk load that died half-way."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from fieldapp.demo import load as demo
from fieldapp.domain.errors import DomainError
from fieldapp.services.context import open_context
from fieldapp.services.subjects import find_subjects
from fieldapp.store import bulk, search

_TABLES = ("subject", "subject_search", "frontage_agreement", "inspection", "finding",
           "ladder_step", "case_file")


_NOW = dt.datetime(2026, 11, 21, 2, 30, tzinfo=dt.UTC)


def _generate(data_dir: Path, *, parallel: bool) -> dict[str, list[tuple[object, ...]]]:
    ctx = open_context(data_dir, clock=lambda: _NOW)
    try:
        result = demo.generate_demo(ctx=ctx, subjects=120, inspections=400, seed=5,
                                    parallel=parallel, showcase=False)
    finally:
        ctx.close()
    with sqlite3.connect(data_dir / "fieldapp.sqlite3") as conn:
        rows = {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in _TABLES}
        device = conn.execute("SELECT id FROM device WHERE is_local").fetchone()[0]
    # Each data directory is its own device; the rest must be the same.
    rows["inspection"] = [tuple("<device>" if v == device else v for v in row)
                          for row in rows["inspection"]]
    assert result.counts["subject_search"] == result.counts["subject"] == 120
    assert result.rows == sum(result.counts.values())
    return rows


def test_child_process_generates_the_same_rows_as_this_one(tmp_path: Path) -> None:
    here = _generate(tmp_path / "here", parallel=False)
    child = _generate(tmp_path / "child", parallel=True)
    for table in _TABLES:
        assert child[table] == here[table], table


def test_the_search_rows_are_the_tokens_the_app_makes_for_each_subject(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ctx = open_context(data_dir)
    demo.generate_demo(ctx=ctx, subjects=300, inspections=10, seed=4, showcase=False)
    ctx.close()
    with sqlite3.connect(data_dir / "fieldapp.sqlite3") as conn:
        conn.row_factory = sqlite3.Row
        subjects = conn.execute("SELECT * FROM subject ORDER BY local_seq").fetchall()
        stored = dict(conn.execute("SELECT rowid, tokens FROM subject_search").fetchall())
    assert len(stored) == len(subjects) == 300
    for row in subjects:
        assert stored[row["local_seq"]] == search.tokens_for(dict(row)), row["name"]


def test_bulk_load_leaves_indexes_search_and_merge_settings_as_a_normal_store(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ctx = open_context(data_dir)
    demo.generate_demo(ctx=ctx, subjects=200, inspections=300, seed=2, parallel=True)
    with ctx.read() as session:
        name = session.connection().exec_driver_sql(
            "SELECT name FROM subject WHERE kind = 'individual' LIMIT 1").scalar_one()
    found = find_subjects(ctx=ctx, query=name)
    assert name in [s.name for s in found]
    ctx.close()
    with sqlite3.connect(data_dir / "fieldapp.sqlite3") as conn:
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        config = dict(conn.execute("SELECT k, v FROM subject_search_config"))
        pending = conn.execute("SELECT COUNT(*) FROM sync_state WHERE key LIKE 'bulk_%'"
                               ).fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # FTS5 raises "database disk image is malformed" when the index is inconsistent.
        conn.execute("INSERT INTO subject_search(subject_search) VALUES ('integrity-check')")
    assert {"ix_inspection_subject_at", "ix_ladder_subject_violation_at",
            "ix_subject_id_number", "ix_case_status"} <= indexes
    assert (config.get("automerge"), config.get("crisismerge")) == (4, 16)
    assert pending == 0


def test_a_bulk_load_that_died_is_repaired_when_the_store_opens(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ctx = open_context(data_dir)
    with ctx.store.engine.begin() as conn:
        dropped = bulk.drop_secondary_indexes(conn, ("inspection", "ladder_step"),
                                              fts_tables=("subject_search",))
    ctx.close()
    db = data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn:
        left = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert dict(conn.execute("SELECT k, v FROM subject_search_config"))["automerge"] == 0
    assert dropped >= 3 and "ix_inspection_subject_at" not in left

    open_context(data_dir).close()  # the process that died is gone; the app starts again

    with sqlite3.connect(db) as conn:
        back = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        config = dict(conn.execute("SELECT k, v FROM subject_search_config"))
        pending = conn.execute("SELECT COUNT(*) FROM sync_state WHERE key LIKE 'bulk_%'"
                               ).fetchone()[0]
    assert {"ix_inspection_subject_at", "ix_inspection_at",
            "ix_ladder_subject_violation_at"} <= back
    assert (config["automerge"], config["crisismerge"]) == (4, 16)
    assert pending == 0


def _exit_at_once(code: int) -> None:
    raise SystemExit(code)


def test_a_generator_that_dies_is_reported_at_once_not_after_the_timeout() -> None:
    mp = multiprocessing.get_context("spawn")
    channel = mp.Queue()
    child = mp.Process(target=_exit_at_once, args=(3,), daemon=True)
    child.start()
    started = time.monotonic()
    with pytest.raises(DomainError) as err:
        demo._next_from(child, channel)
    assert time.monotonic() - started < 15 < demo._CHILD_TIMEOUT_S
    assert err.value.params == {"code": 3}
    child.join()
    channel.close()


def test_demo_data_is_under_the_chain_and_an_edit_of_it_is_named(tmp_path: Path) -> None:
    from fieldapp.store import chain

    for parallel in (False, True):
        data = tmp_path / f"p{parallel}"
        _generate(data, parallel=parallel)
        result = chain.verify_data_dir(data)
        assert result.ok, result
        with sqlite3.connect(data / "fieldapp.sqlite3") as conn:
            covered = conn.execute("SELECT COUNT(*) FROM audit_row WHERE entity IN "
                                   "('inspection', 'finding', 'subject')").fetchone()[0]
            assert covered == 400 + 400 + 120
            assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
            victim = conn.execute("SELECT id FROM finding ORDER BY rowid LIMIT 1 OFFSET 200"
                                  ).fetchone()[0]
            conn.execute("DROP TRIGGER finding_no_update")
            conn.execute("UPDATE finding SET facts = '已改' WHERE id = ?", (victim,))
        conn.close()
        broken = chain.verify_data_dir(data)
        assert not broken.ok and broken.params["id"] == victim
