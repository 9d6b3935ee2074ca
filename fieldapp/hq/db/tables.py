"""HQ's tables (SQLAlchemy Core). Records travel as protocol envelopes: HQ keeps every
record version it accepted as the envelope's JSON in ``hq_version`` (its sequence number
is the pull cursor), so HQ's schema is independent of the desktop's tables. The other
tables are HQ's own bookkeeping: squads, officers, devices, chains, results, leases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()
ID = 80  # the protocol's Ident


def _id(name: str = "id", **kw: Any) -> Column[Any]:
    return Column(name, String(ID), **kw)


def _time(name: str, nullable: bool = True) -> Column[Any]:
    return Column(name, String(32), nullable=nullable)


meta = Table("hq_meta", metadata, Column("key", String(80), primary_key=True),
             Column("value", Text, nullable=False))

squad = Table(
    "hq_squad", metadata, _id(primary_key=True), Column("code", String(40), unique=True,
                                                          nullable=False),
    Column("name", String(200), nullable=False), _id("agency_id", nullable=False))

officer = Table(
    "hq_officer", metadata, _id(primary_key=True), _id("squad_id", nullable=False),
    Column("name", String(200), nullable=False),
    Column("certificate_no", String(40), unique=True, nullable=False),
    Column("role", String(40), nullable=False),
    Column("password_hash", String(300), nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("valid_from", String(10)), Column("valid_to", String(10)),
    Column("failed_logins", Integer, nullable=False, server_default="0"))

device = Table(
    "hq_device", metadata, _id(primary_key=True), _id("squad_id", nullable=False),
    Column("name", String(200), nullable=False),
    Column("public_key", String(64), nullable=False), Column("key_id", String(16),
                                                             nullable=False),
    Column("token_hash", String(64), unique=True, nullable=False),
    _time("enrolled_at", False), _time("revoked_at"), _time("last_push_at"),
    _time("last_pull_at"), Column("pull_cursor", BigInteger, nullable=False, server_default="0"),
    Column("skew_ms", BigInteger), _time("oldest_unsynced_at"),
    Column("chain_seq", BigInteger, nullable=False, server_default="0"),
    Column("chain_hash", String(64), nullable=False, server_default="0" * 64),
    Column("chain_signature", String(200), nullable=False, server_default=""),
    Column("bad_from_seq", BigInteger), Column("bad_problem", Text, nullable=False,
                                               server_default=""))
Index("ix_hq_device_key", device.c.key_id)

enrollment = Table(
    "hq_enrollment", metadata, _id(primary_key=True),
    Column("code_hash", String(64), unique=True, nullable=False),
    _id("squad_id", nullable=False), Column("device_name", String(200), nullable=False),
    _time("created_at", False), _time("expires_at", False), _time("used_at"),
    _id("device_id", nullable=True))

session = Table(
    "hq_session", metadata, Column("token_hash", String(64), primary_key=True),
    _id("officer_id", nullable=False), _id("device_id", nullable=False),
    _time("expires_at", False))

# Every record version HQ accepted, in HQ's order. ``audience`` is who may pull it: a
# squad id, "*" (reference data) or "dev:<device id>" (a device's own number blocks).
version = Table(
    "hq_version", metadata, Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("entity", String(40), nullable=False), _id("entity_id", nullable=False),
    Column("version", Integer, nullable=False), Column("audience", String(90),
                                                       nullable=False),
    _id("origin_device", nullable=False), Column("sha256", String(64), nullable=False),
    Column("hlc", String(80), nullable=False, server_default=""),
    Column("envelope", Text, nullable=False), _time("received_at", False),
    UniqueConstraint("entity", "entity_id", "version", name="uq_hq_version_record"))
Index("ix_hq_version_audience", version.c.audience, version.c.seq)

# The result of every change HQ saw, by its id: a resend is answered from here. For a
# mutable record, ``hq_version`` is the HQ version the device's version became.
change = Table(
    "hq_change", metadata, _id("change_id", primary_key=True), _id("device_id",
                                                                    nullable=False),
    Column("status", String(20), nullable=False), Column("reason", String(40),
                                                         nullable=False, server_default=""),
    Column("entity", String(40), nullable=False), _id("entity_id", nullable=False),
    Column("version", Integer, nullable=False), Column("hq_version", Integer),
    Column("seq", BigInteger), _time("received_at", False), _time("recorded_at"))
Index("ix_hq_change_record", change.c.device_id, change.c.entity, change.c.entity_id)
Index("ix_hq_change_status", change.c.device_id, change.c.status)

# Changes kept but not applied: waiting for their chain event or their predecessor, or
# quarantined with the device's record.
parked = Table(
    "hq_parked", metadata, _id("change_id", primary_key=True), _id("device_id",
                                                                    nullable=False),
    Column("reason", String(40), nullable=False), Column("entity", String(40),
                                                         nullable=False),
    _id("entity_id", nullable=False), Column("version", Integer, nullable=False),
    Column("envelope", Text, nullable=False), _time("received_at", False),
    _time("recorded_at"), Column("waits_for", String(130), nullable=False,
                                 server_default=""))
Index("ix_hq_parked_waits", parked.c.waits_for)
Index("ix_hq_parked_device", parked.c.device_id, parked.c.reason)

chain_event = Table(
    "hq_chain_event", metadata, _id("device_id"), Column("seq", BigInteger),
    _id("id", nullable=False), Column("at", String(32), nullable=False),
    _id("officer_id", nullable=False), Column("action", String(80), nullable=False),
    Column("entity", String(80), nullable=False), Column("entity_id", String(200),
                                                         nullable=False),
    Column("payload", Text, nullable=False), Column("rows_json", Text, nullable=False),
    Column("format", Integer, nullable=False), Column("prev_hash", String(64),
                                                      nullable=False),
    Column("hash", String(64), nullable=False), Column("valid", Boolean, nullable=False),
    _time("received_at", False), PrimaryKeyConstraint("device_id", "seq"))

# Row references of verified events whose change has not arrived yet.
chain_ref = Table(
    "hq_chain_ref", metadata, _id("device_id"), Column("entity", String(40)),
    _id("entity_id"), Column("version", Integer), Column("sha256", String(64),
                                                         nullable=False),
    Column("event_seq", BigInteger, nullable=False), _id("officer_id", nullable=False),
    PrimaryKeyConstraint("device_id", "entity", "entity_id", "version"))

receipt = Table(
    "hq_receipt", metadata, _id("device_id"), Column("seq", BigInteger),
    Column("hash", String(64), nullable=False), Column("device_signature", String(200),
                                                       nullable=False),
    Column("hq_signature", String(200), nullable=False), _time("received_at", False),
    PrimaryKeyConstraint("device_id", "seq"))

checksum = Table(
    "hq_checksum", metadata, Column("audience", String(90)), Column("entity", String(40)),
    Column("count", BigInteger, nullable=False), Column("digest", String(32),
                                                        nullable=False),
    PrimaryKeyConstraint("audience", "entity"))

conflict = Table(
    "hq_conflict", metadata, _id(primary_key=True), _id("squad_id", nullable=False),
    Column("entity", String(40), nullable=False), _id("entity_id", nullable=False),
    Column("field", String(80), nullable=False), Column("kept_json", Text, nullable=False),
    Column("lost_json", Text, nullable=False), Column("kept_hlc", String(80),
                                                      nullable=False),
    Column("lost_hlc", String(80), nullable=False), _id("lost_device", nullable=False),
    _id("change_id", nullable=False), _time("at", False),
    _id("resolved_by", nullable=False, server_default=""), _time("resolved_at"),
    Column("note", Text, nullable=False, server_default=""))
Index("ix_hq_conflict_squad", conflict.c.squad_id, conflict.c.resolved_at)

number_sequence = Table(
    "hq_number_sequence", metadata, _id("squad_id"), Column("kind", String(40)),
    Column("year", Integer), Column("next_serial", BigInteger, nullable=False),
    PrimaryKeyConstraint("squad_id", "kind", "year"))

number_block = Table(
    "hq_number_block", metadata, _id(primary_key=True), _id("squad_id", nullable=False),
    Column("kind", String(40), nullable=False), Column("year", Integer, nullable=False),
    Column("first_serial", BigInteger, nullable=False),
    Column("last_serial", BigInteger, nullable=False), _id("device_id", nullable=False),
    _time("leased_at", False), Column("returned_from", BigInteger))
Index("ix_hq_number_block_device", number_block.c.device_id, number_block.c.kind,
      number_block.c.year)

blob = Table(
    "hq_blob", metadata, Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False), Column("received", BigInteger,
                                                       nullable=False),
    Column("state", String(20), nullable=False), _time("created_at", False))

evidence_file = Table(
    "hq_evidence_file", metadata, Column("sha256", String(64)), _id("squad_id"),
    PrimaryKeyConstraint("sha256", "squad_id"))

subject_key = Table(
    "hq_subject_key", metadata, _id("squad_id"), Column("basis", String(20)),
    Column("key", String(400)), _id("subject_id"),
    PrimaryKeyConstraint("squad_id", "basis", "key", "subject_id"))

merge_proposal = Table(
    "hq_merge_proposal", metadata, _id(primary_key=True), _id("squad_id", nullable=False),
    _id("subject_a", nullable=False), _id("subject_b", nullable=False),
    Column("basis", String(20), nullable=False), Column("score", Float, nullable=False),
    Column("state", String(20), nullable=False), _time("at", False),
    _id("decided_by", nullable=False, server_default=""),
    UniqueConstraint("squad_id", "subject_a", "subject_b", name="uq_hq_merge_pair"))

subject_merge = Table(
    "hq_subject_merge", metadata, _id(primary_key=True), _id("squad_id", nullable=False),
    _id("kept_id", nullable=False), _id("merged_id", nullable=False),
    _id("decided_by", nullable=False), _time("decided_at", False),
    Column("seq", BigInteger, nullable=False))
Index("ix_hq_subject_merge_seq", subject_merge.c.squad_id, subject_merge.c.seq)

ladder_step = Table(
    "hq_ladder_step", metadata, _id("step_id", primary_key=True), _id("squad_id",
                                                                       nullable=False),
    _id("subject_id", nullable=False), Column("violation_code", String(80), nullable=False),
    Column("kind", String(20), nullable=False), _time("taken_at", False),
    _id("officer_id", nullable=False), _id("device_id", nullable=False),
    Column("override_reason", Text, nullable=False, server_default=""))
Index("ix_hq_ladder_subject", ladder_step.c.squad_id, ladder_step.c.subject_id,
      ladder_step.c.violation_code)

late_step = Table(
    "hq_late_step", metadata, _id("step_id", primary_key=True), _id("squad_id",
                                                                     nullable=False),
    _id("subject_id", nullable=False), Column("violation_code", String(80), nullable=False),
    Column("taken", String(20), nullable=False), Column("advised", String(20),
                                                        nullable=False),
    _id("officer_id", nullable=False), _id("device_id", nullable=False),
    Column("earlier_json", Text, nullable=False), _time("at", False),
    _id("seen_by", nullable=False, server_default=""))

document = Table(
    "hq_document", metadata, _id(primary_key=True), _id("squad_id", nullable=False),
    Column("kind", String(80), nullable=False), Column("number", String(80),
                                                       nullable=False),
    _id("device_id", nullable=False), Column("content_sha256", String(64), nullable=False),
    Column("qr_payload", Text, nullable=False), _id("subject_id", nullable=False,
                                                    server_default=""),
    Column("issued_at", String(32), nullable=False), _id("voided_by", nullable=False,
                                                         server_default=""),
    Column("snapshot_json", Text, nullable=False, server_default="{}"))

publication = Table(
    "hq_publication", metadata, _id(primary_key=True), Column("kind", String(40),
                                                             nullable=False),
    Column("label", String(200), nullable=False), Column("sha256", String(64),
                                                         nullable=False),
    Column("records", Integer, nullable=False), _time("published_at", False))

review = Table(
    "hq_review", metadata, _id(primary_key=True), _id("device_id", nullable=False),
    Column("from_seq", BigInteger, nullable=False), Column("decision", String(20),
                                                           nullable=False),
    Column("note", Text, nullable=False), Column("released", Integer, nullable=False),
    _time("at", False))
