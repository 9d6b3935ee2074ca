"""The engine: SQLite (WAL, fsynced commits, one writer at a time) or PostgreSQL, and the
two ways in — ``write()`` (one transaction that commits before the caller answers) and
``read()``. Migrations run through Alembic (``fieldapp/hq/migrations``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
# One lock for everything that takes HQ sequence numbers on PostgreSQL: a sequence number
# becomes visible only in commit order, so a puller's cursor never skips a later commit.
_SEQUENCE_LOCK = 0x46_41_48_51


class Db:
    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.engine = _sqlite_engine(url)
        else:
            self.engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                                        pool_pre_ping=True)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction; it commits (durably) when the block ends."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(hq_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def lock_sequence(self, conn: Connection) -> None:
        """Before taking sequence numbers (SQLite's writer lock already orders them)."""
        if not self.sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SEQUENCE_LOCK})

    def migrate(self) -> None:
        from alembic import command

        with self.engine.begin() as conn:
            config = alembic_config(self.url)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"isolation_level": None, "timeout": 60,
                                              "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi: Any, _record: Any) -> None:
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       "busy_timeout=60000", "cache_size=-65536"):
            dbapi.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A writer takes the lock at BEGIN, so two writers never deadlock on upgrade.
        immediate = conn.get_execution_options().get("hq_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
