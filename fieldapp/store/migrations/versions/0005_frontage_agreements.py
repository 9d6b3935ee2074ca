"""Frontage-responsibility agreements (门前四包责任书) per subject.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frontage_agreement",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("subject_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("duties", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("officer_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("hlc", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["officer.id"]),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_frontage_agreement_subject_id", "frontage_agreement", ["subject_id"])


def downgrade() -> None:
    op.drop_index("ix_frontage_agreement_subject_id", "frontage_agreement")
    op.drop_table("frontage_agreement")
