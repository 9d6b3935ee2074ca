"""The sync's own connection to the store, and its small state in ``sync_state``.

The sync writes through one plain sqlite3 connection of its own, in BEGIN IMMEDIATE
transactions (one per pushed batch, one per pulled page), so that applying 100,000
records runs at bulk speed. Durability: ``synchronous=NORMAL`` in WAL mode — a power cut
may undo the last sync transactions, never corrupt the store, and everything the sync
writes can be had again from HQ (a page is pulled again from the stored cursor; a batch
is pushed again, and HQ answers a resent change as a duplicate). What an officer records
is still committed with ``synchronous=FULL`` by ``Store.write``. Foreign keys are not
enforced on this connection: HQ checked the records, and a page may hold a child
before a parent that follows in the next page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fieldapp.services.context import ServiceContext
from fieldapp.store.engine import DB_FILE
from fieldapp.store.queries import sync as queries


def connect(ctx: ServiceContext) -> sqlite3.Connection:
    conn = sqlite3.connect(ctx.store.data_dir / DB_FILE, isolation_level=None,
                           check_same_thread=False, timeout=30)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=OFF",
                   "busy_timeout=30000", "cache_size=-64000"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def get(conn: sqlite3.Connection, key: str, default: str = "") -> str:
    value = queries.state_value(conn, key=key)
    return default if value is None else value


def put(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO "
                 "UPDATE SET value = excluded.value", (key, str(value)))


def delete(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))


# sync_state keys
CURSOR = "hq_cursor"  # the last HQ sequence number applied
ACKED = "hq_chain_acked"  # the last chain event HQ verified
LAST_SYNC = "hq_last_sync"  # when the last sync finished (UTC text)
LAST_ERROR = "hq_last_error"  # the last sync's problem, for the status bar
SKEW = "hq_skew_ms"
QUARANTINE = "hq_quarantine"  # HQ's words when it quarantined this device's record
REVOKED = "hq_revoked"
FIRST_SYNC_DONE = "hq_first_sync_done"
DIVERGED = "hq_diverged"  # kinds whose checksums still differ after a repair
