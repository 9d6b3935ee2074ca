"""Opening the local SQLite store: pragmas, durable commits, migrations at start."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from fieldapp.atomic import PRIVATE_DIR, create_private_file
from fieldapp.store import bulk
from fieldapp.store.lock import DataDirectoryInUse
from fieldapp.store.migrate import HEAD_REVISION, current_revision, upgrade_to_head

DB_FILE = "fieldapp.sqlite3"
PAGE_SIZE = 8192


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Take control of BEGIN so that writers can ask for BEGIN IMMEDIATE (see _on_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # A new store gets 8 KiB pages (before anything is written; an existing store keeps
    # its own): inserting the demo's three million rows takes a fifth less time.
    cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # FULL: a commit that returned survives a power cut, not only a process crash.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-32000")
    cur.close()


def _on_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def open_engine(data_dir: Path, *, alone: bool = True) -> Engine:
    """The engine of the store in ``data_dir``, created or migrated to the newest schema.

    ``alone``: whether this process holds the data directory's lock exclusively. Only
    then may it migrate or repair (another process may be using the old schema, or be
    in the middle of the bulk load that looks interrupted); otherwise a store that
    needs migrating is refused with DataDirectoryInUse."""
    data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    create_private_file(data_dir / DB_FILE)
    engine = make_engine(data_dir / DB_FILE)
    try:
        if alone:
            upgrade_to_head(engine)
            _repair_interrupted_bulk_load(engine)
        elif current_revision(engine) != HEAD_REVISION:
            raise DataDirectoryInUse(data_dir)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _repair_interrupted_bulk_load(engine: Engine) -> None:
    with engine.connect() as conn:
        if not bulk.needs_repair(conn):
            return
    with engine.execution_options(immediate=True).begin() as conn:
        bulk.restore_indexes(conn)
