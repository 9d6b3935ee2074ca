"""Bulk loading: secondary indexes are dropped while rows stream in, then rebuilt.

Building an index once over sorted data is much cheaper than updating it row by row.
The dropped indexes' SQL is kept in ``sync_state`` in the same transaction as the drop,
so a load that dies half-way is repaired the next time the store opens.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

_KEY = "bulk_pending_indexes"


def drop_secondary_indexes(conn: Connection, tables: Sequence[str]) -> int:
    """Drop the non-unique indexes of ``tables``; call inside a transaction."""
    marks = ",".join("?" * len(tables))
    rows = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({marks})", tuple(tables)).all()
    pending = dict(rows) | _pending(conn)
    conn.exec_driver_sql(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) "
        "DO UPDATE SET value = excluded.value", (_KEY, json.dumps(pending)))
    for name, _sql in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return len(rows)


def restore_indexes(conn: Connection) -> int:
    """Recreate any index a bulk load dropped; call inside a transaction."""
    pending = _pending(conn)
    for sql in pending.values():
        conn.exec_driver_sql(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
    conn.exec_driver_sql("DELETE FROM sync_state WHERE key = ?", (_KEY,))
    return len(pending)


def _pending(conn: Connection) -> dict[str, str]:
    row = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = ?", (_KEY,)).first()
    return dict(json.loads(row[0])) if row else {}


def needs_repair(conn: Connection) -> bool:
    return bool(_pending(conn))
