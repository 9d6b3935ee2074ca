"""Legal rules: statutory ranges per party kind and unit, discretion benchmarks, the
city's dated rule versions (art. 37), draft no-penalty lists with their matches.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): the append-only triggers of migrations 0002
    # and 0003 stay in place.
    text = sqlmodel.sql.sqltypes.AutoString
    op.add_column("violation_type", sa.Column("fine_min_org_yuan", sa.Float(), nullable=True))
    op.add_column("violation_type", sa.Column("fine_max_org_yuan", sa.Float(), nullable=True))
    op.add_column("violation_type", sa.Column("fine_unit", text(), nullable=False,
                                              server_default=""))
    op.add_column("violation_type", sa.Column("discretion_json", sa.Text(), nullable=False,
                                              server_default="[]"))
    op.add_column("no_penalty_list", sa.Column("status", text(), nullable=False,
                                               server_default="published"))
    op.add_column("no_penalty_list", sa.Column("notes", text(), nullable=False,
                                               server_default=""))
    op.add_column("no_penalty_item", sa.Column("match_state", text(), nullable=False,
                                               server_default="confirmed"))
    op.add_column("no_penalty_item", sa.Column("basis", text(), nullable=False,
                                               server_default=""))
    # Each signature names its algorithm (documents signed before this are Ed25519).
    op.add_column("document", sa.Column("signature_algorithm", text(), nullable=False,
                                        server_default="ed25519"))
    op.create_table(
        "city_violation_rule",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("violation_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("provision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("penalty_provision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("penalty_range", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fine_min_yuan", sa.Float(), nullable=True),
        sa.Column("fine_max_yuan", sa.Float(), nullable=True),
        sa.Column("fine_min_org_yuan", sa.Float(), nullable=True),
        sa.Column("fine_max_org_yuan", sa.Float(), nullable=True),
        sa.Column("fine_unit", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("discretion_json", sa.Text(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("hlc", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["violation_code"], ["violation_type.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("violation_code", "effective_from"),
    )
    op.create_index("ix_city_violation_rule_violation_code", "city_violation_rule",
                    ["violation_code"])
    # A city rule version is never changed in place: a change is a new version.
    op.execute("CREATE TRIGGER city_violation_rule_no_delete BEFORE DELETE ON "
               "city_violation_rule BEGIN SELECT RAISE(ABORT, 'append-only'); END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS city_violation_rule_no_delete")
    op.drop_index("ix_city_violation_rule_violation_code", "city_violation_rule")
    op.drop_table("city_violation_rule")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("signature_algorithm")
    with op.batch_alter_table("no_penalty_item") as batch:
        batch.drop_column("basis")
        batch.drop_column("match_state")
    with op.batch_alter_table("no_penalty_list") as batch:
        batch.drop_column("notes")
        batch.drop_column("status")
    with op.batch_alter_table("violation_type") as batch:
        batch.drop_column("discretion_json")
        batch.drop_column("fine_unit")
        batch.drop_column("fine_max_org_yuan")
        batch.drop_column("fine_min_org_yuan")
