"""The device side of sync: what HQ answered, what it sent, what waits.

- ``outbox``: ``hq_state_json`` (HQ's version of a rejected change's record, shown beside
  it) and ``resolved_at`` (someone acted on a rejection: amended or dismissed it).
- ``record_displaced``: a local version HQ's state replaced at the same or a lower version
  number (a rejected change converging on HQ's record); ``audit verify`` accepts the
  chain's hash of it from here.
- ``sync_conflict``: fields this device's changes lost in HQ's field-by-field merge
  (HQ keeps the conflict log; the device shows its own and the leader's copy).
- ``blob_queue``: evidence files to upload to HQ or fetch from it, resumable by offset.
- ``hq_verifier``: when HQ's cached password verifier of an officer stops being valid for
  offline logins.
- ``subject_merge``: squad leaders' subject merges pulled from HQ.
- ``sync_checksum`` / ``sync_digest``: the divergence check's per-kind count and digest
  of the records as HQ should hold them, kept incrementally as versions are pulled or
  accepted (``sync_digest`` holds the version counted of each mutable record).
- ``chain_receipt``: the device's signature of the head HQ countersigned (the receipt
  message covers it).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("hq_state_json", sa.Text(), nullable=False,
                                      server_default=""))
    op.add_column("outbox", sa.Column("resolved_at", sa.Text(), nullable=False,
                                      server_default=""))
    op.add_column("chain_receipt", sa.Column("device_signature", sa.Text(), nullable=False,
                                             server_default=""))
    op.execute(
        "CREATE TABLE record_displaced (entity TEXT NOT NULL, entity_id TEXT NOT NULL, "
        "version INTEGER NOT NULL, sha256 TEXT NOT NULL, content TEXT NOT NULL, "
        "displaced_at TEXT NOT NULL, PRIMARY KEY (entity, entity_id, version, sha256)) "
        "WITHOUT ROWID")
    op.execute(
        "CREATE TABLE sync_conflict (id TEXT PRIMARY KEY, entity TEXT NOT NULL, "
        "entity_id TEXT NOT NULL, field TEXT NOT NULL, kept_json TEXT NOT NULL, "
        "lost_json TEXT NOT NULL, kept_hlc TEXT NOT NULL, lost_hlc TEXT NOT NULL, "
        "change_id TEXT NOT NULL, at TEXT NOT NULL, resolved_at TEXT NOT NULL DEFAULT '', "
        "resolved_by TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '')")
    op.execute(
        "CREATE TABLE blob_queue (sha256 TEXT NOT NULL, direction TEXT NOT NULL, "
        "size INTEGER NOT NULL DEFAULT 0, offset INTEGER NOT NULL DEFAULT 0, "
        "state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL DEFAULT 0, "
        "last_error TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL, "
        "PRIMARY KEY (sha256, direction))")
    op.execute(
        "CREATE TABLE hq_verifier (officer_id TEXT PRIMARY KEY, issued_at TEXT NOT NULL, "
        "valid_until TEXT NOT NULL)")
    op.execute(
        "CREATE TABLE subject_merge (id TEXT PRIMARY KEY, squad_id TEXT NOT NULL, "
        "kept_id TEXT NOT NULL, merged_id TEXT NOT NULL, decided_by TEXT NOT NULL, "
        "decided_at TEXT NOT NULL, server_seq INTEGER NOT NULL)")
    op.execute(
        "CREATE TABLE sync_checksum (entity TEXT PRIMARY KEY, count INTEGER NOT NULL, "
        "digest TEXT NOT NULL)")
    op.execute(
        "CREATE TABLE sync_digest (entity TEXT NOT NULL, entity_id TEXT NOT NULL, "
        "version INTEGER NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (entity, entity_id)) "
        "WITHOUT ROWID")
    op.execute("CREATE INDEX ix_subject_merge_merged ON subject_merge (merged_id)")
    op.execute("CREATE INDEX ix_outbox_entity ON outbox (entity, entity_id)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_outbox_entity")
    for table in ("sync_digest", "sync_checksum", "subject_merge", "hq_verifier", "blob_queue", "sync_conflict",
                  "record_displaced"):
        op.execute(f"DROP TABLE {table}")
    with op.batch_alter_table("chain_receipt") as batch:
        batch.drop_column("device_signature")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("resolved_at")
        batch.drop_column("hq_state_json")
