"""Subject search index (FTS5 over our own tokens) and append-only legal records.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from fieldapp.store.search import CREATE_INDEX_SQL, rebuild
from fieldapp.store.tables import APPEND_ONLY_TABLES

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(CREATE_INDEX_SQL)
    rebuild(op.get_bind())
    for table in APPEND_ONLY_TABLES:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {table} rows are never "
                f"{verb.lower()}d; record a correction instead'); END"
            )


def downgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.execute("DROP TABLE IF EXISTS subject_search")
