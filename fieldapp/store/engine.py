"""Opening the local SQLite store: pragmas, durable commits, migrations at start."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from fieldapp.store import bulk
from fieldapp.store.migrate import upgrade_to_head

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


def open_engine(data_dir: Path) -> Engine:
    """The engine of the store in ``data_dir``, created or migrated to the newest schema."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(data_dir / DB_FILE)
    upgrade_to_head(engine)
    _repair_interrupted_bulk_load(engine)
    return engine


def _repair_interrupted_bulk_load(engine: Engine) -> None:
    with engine.connect() as conn:
        if not bulk.needs_repair(conn):
            return
    with engine.execution_options(immediate=True).begin() as conn:
        bulk.restore_indexes(conn)
