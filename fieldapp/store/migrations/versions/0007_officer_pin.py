"""An officer's PIN (argon2id hash) for confirming as the second officer of a record.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (officer is referenced by legal records), with a server default
    # so existing officers and rows the bulk loader writes (it names its columns) have
    # no PIN.
    op.add_column("officer", sa.Column("pin_hash", sa.String(), nullable=False,
                                       server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("officer") as batch:
        batch.drop_column("pin_hash")
