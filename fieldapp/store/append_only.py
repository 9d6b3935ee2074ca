"""Triggers that make legal-record tables append-only (used by the migrations)."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def create_triggers(execute: Callable[[str], object], tables: Iterable[str]) -> None:
    """Refuse UPDATE and DELETE on ``tables``: a correction is a new record."""
    for table in tables:
        for verb in ("UPDATE", "DELETE"):
            execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {table} rows are never "
                f"{verb.lower()}d; record a correction instead'); END"
            )


def drop_triggers(execute: Callable[[str], object], tables: Iterable[str]) -> None:
    for table in tables:
        for verb in ("update", "delete"):
            execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
