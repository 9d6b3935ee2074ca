"""Subject search index (FTS5 over our own tokens) and append-only legal records.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from fieldapp.store.append_only import create_triggers, drop_triggers

from fieldapp.store.search import CREATE_INDEX_SQL, rebuild
from fieldapp.store.tables import APPEND_ONLY_TABLES

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(CREATE_INDEX_SQL)
    rebuild(op.get_bind())
    create_triggers(op.execute, APPEND_ONLY_TABLES)


def downgrade() -> None:
    drop_triggers(op.execute, APPEND_ONLY_TABLES)
    op.execute("DROP TABLE IF EXISTS subject_search")
