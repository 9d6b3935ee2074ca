"""Content under the chain; the outbox holds protocol envelopes.

- ``audit_row``: the content hash of every record version an audit event covers; the
  event's hash covers them (``audit_event.rows_sha256``, event format 2).
- ``record_version``: the canonical content of every superseded version of a mutable
  record (the live row is the newest version).
- ``chain_receipt``: HQ's countersignatures of chain heads it has received.
- outbox rows carry version, base version and a state (pending / sent / rejected).
- devices, violation types and the no-penalty list tables get a version and an HLC
  (they are mutable records; a list's match to the catalogue can be marked removed).
- inspections and places become append-only too.

Stores written before this revision are covered when the store next opens: one
baseline event per table hashes the rows already there (``store.chain.cover_baseline``).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fieldapp.store.append_only import create_triggers, drop_triggers

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_LIST_TABLES = ("no_penalty_list", "no_penalty_item", "no_penalty_item_violation")
NEW_APPEND_ONLY = ("inspection", "place", "audit_row", "record_version")


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: the table is not rebuilt, its triggers stay.
    op.add_column("audit_event", sa.Column("format", sa.Integer(), nullable=False,
                                           server_default="1"))
    op.add_column("audit_event", sa.Column("rows_sha256", sa.Text(), nullable=False,
                                           server_default=""))
    op.execute(
        "CREATE TABLE audit_row (seq INTEGER NOT NULL, pos INTEGER NOT NULL, "
        "entity TEXT NOT NULL, entity_id TEXT NOT NULL, version INTEGER NOT NULL, "
        "sha256 BLOB NOT NULL, PRIMARY KEY (seq, pos)) WITHOUT ROWID")
    op.execute(
        "CREATE TABLE record_version (entity TEXT NOT NULL, entity_id TEXT NOT NULL, "
        "version INTEGER NOT NULL, content TEXT NOT NULL, "
        "PRIMARY KEY (entity, entity_id, version)) WITHOUT ROWID")
    op.execute(
        "CREATE TABLE chain_receipt (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, "
        "hq_key_id TEXT NOT NULL, signature TEXT NOT NULL, received_at TEXT NOT NULL)")
    for name, kind, default in (("version", sa.Integer(), "1"),
                                ("base_version", sa.Integer(), "0"),
                                ("state", sa.Text(), "pending"),
                                ("reason_code", sa.Text(), ""), ("reason", sa.Text(), ""),
                                ("attempts", sa.Integer(), "0")):
        op.add_column("outbox", sa.Column(name, kind, nullable=False, server_default=default))
    op.create_index("ix_outbox_state_seq", "outbox", ["state", "seq"])
    # Rows of the old format named device tables: they are replaced by envelopes of the
    # rows as they stand when the store is covered (nothing has ever been sent).
    op.execute("DELETE FROM outbox")
    for table in ("device", "violation_type", *_LIST_TABLES):
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default="1"))
        op.add_column(table, sa.Column("hlc", sa.Text(), nullable=False, server_default=""))
    op.add_column("no_penalty_item_violation", sa.Column(
        "removed", sa.Boolean(), nullable=False, server_default="0"))
    create_triggers(op.execute, NEW_APPEND_ONLY)


def downgrade() -> None:
    drop_triggers(op.execute, NEW_APPEND_ONLY)
    op.drop_column("no_penalty_item_violation", "removed")
    for table in ("device", "violation_type", *_LIST_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("hlc")
            batch.drop_column("version")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_state_seq")
        for column in ("attempts", "reason", "reason_code", "state", "base_version",
                       "version"):
            batch.drop_column(column)
    op.execute("DROP TABLE chain_receipt")
    op.execute("DROP TABLE record_version")
    op.execute("DROP TABLE audit_row")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("rows_sha256")
        batch.drop_column("format")
