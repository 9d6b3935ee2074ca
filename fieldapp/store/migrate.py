"""Alembic migrations, run by the app at start when the schema is behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest revision; a test checks it is Alembic's head. Knowing it lets the app skip
# importing Alembic on every start when nothing needs migrating.
HEAD_REVISION = "0009"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        if not exists:
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


def upgrade_to_head(engine: Engine) -> None:
    if current_revision(engine) != HEAD_REVISION:
        upgrade(engine, "head")
