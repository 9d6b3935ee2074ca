"""Alembic environment: runs on the connection the app hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import fieldapp.store.tables  # noqa: F401  (registers the tables on the metadata)

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    from sqlalchemy import create_engine

    connection = create_engine(config.get_main_option("sqlalchemy.url") or "").connect()



def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # The FTS5 search index and its shadow tables are made by migration 0002 in raw SQL.
    return not (type_ == "table" and name and name.startswith("subject_search"))


context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
