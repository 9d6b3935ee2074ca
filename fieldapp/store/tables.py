"""The local store's tables (SQLModel), one module for the device side.

Every id that can cross a device boundary is a UUIDv7 string made on the device. Times
are aware datetimes stored as UTC, with the device's UTC offset (minutes) kept beside them.
Legal records (findings, ladder steps, documents, evidence, audit events) are
append-only; migration 0002 adds triggers that refuse UPDATE and DELETE on them.

Longer than 500 lines on purpose: the tables of one side live in one module (STYLE rule
6), so a migration is checked against one place.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Which tables are records, how they map to the protocol's entities and which are
# append-only: ``fieldapp.store.entities`` (one place). The migrations keep their own
# frozen lists of the triggers they made.
APPEND_ONLY_TABLES = ("finding", "ladder_step", "document", "evidence", "audit_event")
APPEND_ONLY_TABLES_0003 = ("episode_close", "case_event")
APPEND_ONLY_TABLES_0004 = ("voided_number", "document_service")


class AgencyProfile(SQLModel, table=True):
    """执法机关: printed on every document."""

    __tablename__ = "agency_profile"
    id: str = Field(primary_key=True, max_length=36)
    full_name: str
    short_name: str = ""
    short_code: str = Field(description="文号 prefix, e.g. 东城管")
    city: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""
    review_body: str = Field(default="", description="行政复议机关")
    court: str = Field(default="", description="管辖法院")
    bank: str = Field(default="", description="罚款代收银行")
    version: int = 1
    hlc: str = ""
    updated_at: dt.datetime


class Squad(SQLModel, table=True):
    __tablename__ = "squad"
    id: str = Field(primary_key=True, max_length=36)
    agency_id: str = Field(foreign_key="agency_profile.id")
    name: str
    code: str = Field(unique=True)
    address: str = ""
    phone: str = ""
    version: int = 1
    hlc: str = ""


class Officer(SQLModel, table=True):
    __tablename__ = "officer"
    id: str = Field(primary_key=True, max_length=36)
    squad_id: str = Field(foreign_key="squad.id", index=True)
    name: str
    certificate_no: str = Field(unique=True, description="执法证号")
    certificate_valid_from: dt.date
    certificate_valid_to: dt.date
    role: str = "officer"
    phone: str = ""
    active: bool = True
    version: int = 1
    hlc: str = ""
    # Login on the device (argon2 hash); never synced in clear, never shown.
    password_hash: str = ""
    # A PIN (argon2 hash) to confirm as the second officer of a record; never synced.
    pin_hash: str = ""
    failed_logins: int = 0
    locked_until: dt.datetime | None = None


class Device(SQLModel, table=True):
    __tablename__ = "device"
    id: str = Field(primary_key=True, max_length=36)
    name: str
    squad_id: str | None = Field(default=None, foreign_key="squad.id")
    public_key: str = ""
    is_local: bool = False
    registered_at: dt.datetime
    version: int = 1
    hlc: str = ""


class Grid(SQLModel, table=True):
    """网格: a cell of 网格化管理 with its responsible officer (片长)."""

    __tablename__ = "grid"
    id: str = Field(primary_key=True, max_length=36)
    squad_id: str = Field(foreign_key="squad.id", index=True)
    code: str = Field(unique=True)
    name: str
    officer_id: str | None = Field(default=None, foreign_key="officer.id")
    description: str = ""
    version: int = 1
    hlc: str = ""


class Subject(SQLModel, table=True):
    """当事人: a person, a business, an individual business or an unidentified vendor."""

    __tablename__ = "subject"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('individual','business','individual_business','unidentified_vendor')",
            name="ck_subject_kind",
        ),
    )
    id: str = Field(primary_key=True, max_length=36)
    local_seq: int = Field(unique=True, description="row key of the search index; local only")
    kind: str
    name: str = ""
    id_number: str = Field(default="", index=True)
    credit_code: str = Field(default="", index=True)
    legal_representative: str = ""
    shop_sign: str = ""
    phone: str = ""
    address: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    appearance: str = ""
    goods: str = ""
    usual_place: str = ""
    photo_sha256: str = ""
    grid_id: str | None = Field(default=None, foreign_key="grid.id", index=True)
    notes: str = ""
    created_at: dt.datetime
    created_by: str | None = Field(default=None, foreign_key="officer.id")
    updated_at: dt.datetime
    version: int = 1
    hlc: str = ""
    deleted: bool = False


class Place(SQLModel, table=True):
    __tablename__ = "place"
    id: str = Field(primary_key=True, max_length=36)
    grid_id: str | None = Field(default=None, foreign_key="grid.id")
    address: str
    latitude: float | None = None
    longitude: float | None = None
    description: str = ""
    created_at: dt.datetime


class ViolationType(SQLModel, table=True):
    """违法行为类型, loaded from the catalogue in resources/."""

    __tablename__ = "violation_type"
    code: str = Field(primary_key=True)
    name: str
    domain: str
    event_code: str = Field(default="", description="数字城管 event code")
    provision: str = Field(default="", description="违则")
    penalty_provision: str = Field(default="", description="罚则")
    penalty_range: str = ""
    correction_days: int = 3
    ladder_applies: bool = True
    catalogue_version: str = ""
    fine_min_yuan: float | None = None
    fine_max_yuan: float | None = None
    local_regulation: bool = False
    summary_allowed: bool = True
    skip_reason: str = ""
    notes: str = ""
    # 0008: the statutory range per party kind (fine_min/max_yuan are a person's), the
    # unit the range is per ("平方米", "日"; empty: per act) and the benchmark's tiers.
    fine_min_org_yuan: float | None = None
    fine_max_org_yuan: float | None = None
    fine_unit: str = ""
    discretion_json: str = Field(default="[]", sa_column=Column(Text, nullable=False,
                                                                server_default="[]"))


class CityViolationRule(SQLModel, table=True):
    """本市规则: a city's version of a violation type's 违则, 罚则, amounts and benchmark,
    in force from a date (行政处罚法 art. 37 compares versions). Append-only: a change is
    a new version."""

    __tablename__ = "city_violation_rule"
    __table_args__ = (UniqueConstraint("violation_code", "effective_from"),)
    id: str = Field(primary_key=True, max_length=36)
    violation_code: str = Field(foreign_key="violation_type.code", index=True)
    effective_from: dt.date
    provision: str
    penalty_provision: str
    penalty_range: str = ""
    fine_min_yuan: float | None = None
    fine_max_yuan: float | None = None
    fine_min_org_yuan: float | None = None
    fine_max_org_yuan: float | None = None
    fine_unit: str = ""
    discretion_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    source: str = Field(default="", description="the city rule's title and document number")
    created_at: dt.datetime
    created_by: str = ""
    version: int = 1
    hlc: str = ""


class NoPenaltyList(SQLModel, table=True):
    """轻微违法行为免罚清单, one row per issued version."""

    __tablename__ = "no_penalty_list"
    id: str = Field(primary_key=True, max_length=36)
    city: str
    issuer: str
    doc_no: str = ""
    title: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    imported_at: dt.datetime
    # 0008: a list imported as a bureau published it waits as a draft until a leader has
    # confirmed its matches to the catalogue; only published lists are ever in force.
    status: str = Field(default="published", sa_column_kwargs={"server_default": "published"})
    notes: str = Field(default="", sa_column_kwargs={"server_default": ""})
    version: int = 1
    hlc: str = ""


class NoPenaltyItem(SQLModel, table=True):
    __tablename__ = "no_penalty_item"
    __table_args__ = (UniqueConstraint("list_id", "item_no"),)
    id: str = Field(primary_key=True, max_length=36)
    list_id: str = Field(foreign_key="no_penalty_list.id", index=True)
    item_no: int
    domain: str
    name: str
    prohibiting_provision: str = ""
    penalty_provision: str = ""
    statutory_penalty: str = ""
    exemption_kind: str = Field(description="minor | first_offence | no_fault")
    conditions_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    required_measure: str = ""
    notes: str = ""
    source: str = ""
    # 0008: how the item was matched to catalogue types (confirmed | doubtful |
    # unmatched) and the basis text the bureau printed (实施依据).
    match_state: str = Field(default="confirmed",
                             sa_column_kwargs={"server_default": "confirmed"})
    basis: str = Field(default="", sa_column_kwargs={"server_default": ""})
    version: int = 1
    hlc: str = ""


class NoPenaltyItemViolation(SQLModel, table=True):
    """An item's match to a catalogue type. A leader's re-mapping of a draft list marks
    a match removed (a new version) rather than deleting it: every version stays under
    the chain."""

    __tablename__ = "no_penalty_item_violation"
    item_id: str = Field(foreign_key="no_penalty_item.id", primary_key=True)
    violation_code: str = Field(foreign_key="violation_type.code", primary_key=True)
    removed: bool = False
    version: int = 1
    hlc: str = ""


class Inspection(SQLModel, table=True):
    """巡查检查: two officers (主办, 协办) meet a subject at a place and time."""

    __tablename__ = "inspection"
    __table_args__ = (
        CheckConstraint("officer1_id <> officer2_id", name="ck_inspection_two_officers"),
        Index("ix_inspection_subject_at", "subject_id", "at_utc"),
        Index("ix_inspection_at", "at_utc"),
    )
    id: str = Field(primary_key=True, max_length=36)
    squad_id: str = Field(foreign_key="squad.id")
    device_id: str | None = Field(default=None, foreign_key="device.id")
    subject_id: str = Field(foreign_key="subject.id")
    grid_id: str | None = Field(default=None, foreign_key="grid.id")
    place_id: str | None = Field(default=None, foreign_key="place.id")
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    at_utc: dt.datetime
    utc_offset_min: int = 480
    officer1_id: str = Field(foreign_key="officer.id")
    officer2_id: str = Field(foreign_key="officer.id")
    notes: str = ""
    created_at: dt.datetime


class Finding(SQLModel, table=True):
    """检查发现: one violation found in an inspection. Append-only."""

    __tablename__ = "finding"
    id: str = Field(primary_key=True, max_length=36)
    inspection_id: str = Field(foreign_key="inspection.id", index=True)
    subject_id: str = Field(foreign_key="subject.id")
    violation_code: str = Field(foreign_key="violation_type.code")
    facts: str
    corrected_on_spot: bool = False
    step: str
    at_utc: dt.datetime
    created_at: dt.datetime


class LadderStep(SQLModel, table=True):
    """处置步骤: educate (教育劝导), warn (告诫) or enforce (立案). Append-only."""

    __tablename__ = "ladder_step"
    __table_args__ = (
        CheckConstraint("kind IN ('educate','warn','enforce')", name="ck_ladder_step_kind"),
        Index("ix_ladder_subject_violation_at", "subject_id", "violation_code", "taken_at_utc"),
    )
    id: str = Field(primary_key=True, max_length=36)
    finding_id: str | None = Field(default=None, foreign_key="finding.id")
    subject_id: str = Field(foreign_key="subject.id")
    violation_code: str = Field(foreign_key="violation_type.code")
    squad_id: str = Field(foreign_key="squad.id")
    kind: str
    taken_at_utc: dt.datetime
    officer_id: str = Field(foreign_key="officer.id")
    correction_deadline_utc: dt.datetime | None = None
    override_reason: str = ""
    case_id: str | None = None
    created_at: dt.datetime


class CaseFile(SQLModel, table=True):
    """案件. ``case`` is an SQL keyword, hence the table name."""

    __tablename__ = "case_file"
    __table_args__ = (Index("ix_case_status", "status"),)
    id: str = Field(primary_key=True, max_length=36)
    case_no: str = Field(default="", index=True)
    squad_id: str = Field(foreign_key="squad.id")
    subject_id: str = Field(foreign_key="subject.id", index=True)
    violation_code: str = Field(foreign_key="violation_type.code")
    status: str
    procedure: str = "ordinary"
    source: str = "patrol"
    external_ref: str = ""
    summary: str = ""
    lead_officer_id: str = Field(foreign_key="officer.id")
    assist_officer_id: str = Field(foreign_key="officer.id")
    opened_at: dt.datetime
    filed_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = 1
    hlc: str = ""
    state_json: str = Field(default="{}", sa_column=Column(Text, nullable=False,
                                                           server_default="{}"))
    next_deadline_at: dt.datetime | None = Field(default=None, index=True)


class Document(SQLModel, table=True):
    """执法文书 as issued: an immutable snapshot. Void and amend are new rows."""

    __tablename__ = "document"
    id: str = Field(primary_key=True, max_length=36)
    kind: str
    number: str = ""
    squad_id: str = Field(foreign_key="squad.id")
    year: int | None = None
    serial: int | None = None
    case_id: str | None = Field(default=None, foreign_key="case_file.id", index=True)
    finding_id: str | None = Field(default=None, foreign_key="finding.id")
    subject_id: str | None = Field(default=None, foreign_key="subject.id", index=True)
    snapshot_json: str = Field(sa_column=Column(Text, nullable=False))
    content_sha256: str
    pdf_sha256: str = ""
    issued_at: dt.datetime
    issued_by: str = Field(foreign_key="officer.id")
    device_id: str | None = Field(default=None, foreign_key="device.id")
    voids_document_id: str | None = Field(default=None, foreign_key="document.id")
    amends_document_id: str | None = Field(default=None, foreign_key="document.id")
    reason: str = ""
    layout: str = "a4"  # a4 | receipt (80 mm portable printer)
    qr_payload: str = ""  # compact signed payload printed as the QR code
    signature: str = ""  # Ed25519 signature by the issuing device (base64url)
    # 0008: the algorithm of ``signature`` (ed25519; sm2-sm3 once a library serves).
    signature_algorithm: str = Field(default="ed25519",
                                     sa_column_kwargs={"server_default": "ed25519"})


class Evidence(SQLModel, table=True):
    """证据: a file stored once by SHA-256, with who, when and where. Append-only."""

    __tablename__ = "evidence"
    id: str = Field(primary_key=True, max_length=36)
    sha256: str = Field(index=True)
    evidence_type: str
    media_type: str
    size_bytes: int
    original_name: str = ""
    captured_at_utc: dt.datetime
    utc_offset_min: int = 480
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    officer_id: str = Field(foreign_key="officer.id")
    inspection_id: str | None = Field(default=None, foreign_key="inspection.id", index=True)
    finding_id: str | None = Field(default=None, foreign_key="finding.id")
    case_id: str | None = Field(default=None, foreign_key="case_file.id", index=True)
    description: str = ""
    created_at: dt.datetime


class EpisodeClose(SQLModel, table=True):
    """An episode of the ladder ends: the party corrected by the deadline (回头看 found it
    corrected) or the case was closed. Steps before it no longer count. Append-only."""

    __tablename__ = "episode_close"
    __table_args__ = (Index("ix_episode_subject_violation_at", "subject_id", "violation_code",
                            "closed_at_utc"),)
    id: str = Field(primary_key=True, max_length=36)
    subject_id: str = Field(foreign_key="subject.id")
    violation_code: str = Field(foreign_key="violation_type.code")
    squad_id: str = Field(foreign_key="squad.id")
    closed_at_utc: dt.datetime
    reason: str = Field(description="corrected | case_closed")
    officer_id: str = Field(foreign_key="officer.id")
    step_id: str | None = Field(default=None, foreign_key="ladder_step.id")
    created_at: dt.datetime


class Revisit(SQLModel, table=True):
    """回头看: the re-inspection a warning's correction deadline creates."""

    __tablename__ = "revisit"
    __table_args__ = (Index("ix_revisit_status_due", "status", "due_at_utc"),)
    id: str = Field(primary_key=True, max_length=36)
    step_id: str = Field(foreign_key="ladder_step.id", index=True)
    subject_id: str = Field(foreign_key="subject.id", index=True)
    violation_code: str = Field(foreign_key="violation_type.code")
    squad_id: str = Field(foreign_key="squad.id")
    officer_id: str = Field(foreign_key="officer.id", description="assigned officer")
    due_at_utc: dt.datetime
    status: str = "open"  # open | done | cancelled
    result: str = ""  # corrected | not_corrected
    done_at_utc: dt.datetime | None = None
    done_by: str | None = Field(default=None, foreign_key="officer.id")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = 1
    hlc: str = ""


class CaseEvent(SQLModel, table=True):
    """One step of a case's workflow (approval, notice, decision, service…). Append-only."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_at", "case_id", "at_utc"),)
    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case_file.id")
    action: str
    at_utc: dt.datetime
    officer_id: str = Field(foreign_key="officer.id")
    role: str
    payload_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime


class Holiday(SQLModel, table=True):
    """A day the working-day calendar must know: an official holiday (法定节假日) or an
    adjusted working day (调休上班). Built-in years come from chinese-calendar; users
    add years it does not know yet."""

    __tablename__ = "holiday"
    day: dt.date = Field(primary_key=True)
    kind: str = Field(description="holiday | workday")
    name: str = ""
    source: str = "user"  # builtin | user
    created_at: dt.datetime
    version: int = 1
    hlc: str = ""


class RuleSetting(SQLModel, table=True):
    """A city's setting of a rule (look-back window, thresholds…), JSON-valued."""

    __tablename__ = "rule_setting"
    key: str = Field(primary_key=True)
    value_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime
    updated_by: str = ""
    version: int = 1
    hlc: str = ""


class NumberBlock(SQLModel, table=True):
    """A block of document numbers (文号) reserved to this device for one squad, kind and
    year, so numbers can be issued offline without two devices ever using the same one.
    Until sync leases blocks from HQ, blocks are made locally (source 'local')."""

    __tablename__ = "number_block"
    __table_args__ = (UniqueConstraint("squad_id", "kind", "year", "first_serial"),
                      Index("ix_number_block_lookup", "squad_id", "kind", "year", "device_id"))
    id: str = Field(primary_key=True, max_length=36)
    squad_id: str = Field(foreign_key="squad.id")
    kind: str
    year: int
    first_serial: int
    last_serial: int
    next_serial: int
    device_id: str = Field(foreign_key="device.id")
    source: str = "local"  # local | hq
    created_at: dt.datetime
    version: int = 1
    hlc: str = ""


class VoidedNumber(SQLModel, table=True):
    """A document number that will never be used or reused (作废). Append-only."""

    __tablename__ = "voided_number"
    __table_args__ = (UniqueConstraint("squad_id", "kind", "year", "serial"),)
    id: str = Field(primary_key=True, max_length=36)
    squad_id: str = Field(foreign_key="squad.id")
    kind: str
    year: int
    serial: int
    number: str
    reason: str
    document_id: str | None = Field(default=None, foreign_key="document.id")
    officer_id: str = Field(foreign_key="officer.id")
    at_utc: dt.datetime
    created_at: dt.datetime


class DocumentService(SQLModel, table=True):
    """送达: how, when and to whom a document was served. Append-only."""

    __tablename__ = "document_service"
    id: str = Field(primary_key=True, max_length=36)
    document_id: str = Field(foreign_key="document.id", index=True)
    method: str  # direct | left_at_address | post | electronic | entrusted | forwarded | notice
    served_at_utc: dt.datetime
    place: str = ""
    receiver: str = ""
    refused: bool = False
    refusal_note: str = ""
    witness: str = ""
    officer1_id: str = Field(foreign_key="officer.id")
    officer2_id: str = Field(foreign_key="officer.id")
    created_at: dt.datetime


class FrontageAgreement(SQLModel, table=True):
    """门前四包（三包）责任书: what a shop undertakes for the pavement in front of it.
    A renewed agreement is a new row; ``ends_on`` closes the old one's term."""

    __tablename__ = "frontage_agreement"
    id: str = Field(primary_key=True, max_length=36)
    subject_id: str = Field(foreign_key="subject.id", index=True)
    signed_on: dt.date
    ends_on: dt.date | None = None
    scope: str = Field(description="the frontage, e.g. 门前至人行道路缘石，东西各5米")
    duties: str = Field(default="", description="包卫生、包绿化、包秩序、包设施")
    signed_by: str = Field(default="", description="the party's signatory")
    officer_id: str = Field(foreign_key="officer.id")
    created_at: dt.datetime
    version: int = 1
    hlc: str = ""


class AuditEvent(SQLModel, table=True):
    """执法全过程记录: the hash-chained log of every service-level write."""

    __tablename__ = "audit_event"
    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True, max_length=36)
    at_utc: dt.datetime
    device_id: str = ""
    officer_id: str = ""
    action: str
    entity: str
    entity_id: str
    payload_json: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str
    hash: str
    format: int = 2  # 1: before content hashes (no rows); 2: rows_sha256 is hashed
    rows_sha256: str = ""  # over this event's rows in ``audit_row`` (raw SQL table)


class Outbox(SQLModel, table=True):
    """Change envelopes (``fieldapp.sync.protocol.Change`` as JSON in ``payload_json``)
    for HQ, written in the same transaction as the change; ``id`` is the change id.
    ``state``: pending → sent, or rejected (with HQ's reason) until someone acts."""

    __tablename__ = "outbox"
    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True, max_length=36)
    entity: str
    entity_id: str
    op: str
    payload_json: str = Field(sa_column=Column(Text, nullable=False))
    hlc: str = ""
    created_at: dt.datetime
    sent_at: dt.datetime | None = Field(default=None, index=True)
    version: int = 1
    base_version: int = 0
    state: str = "pending"
    reason_code: str = ""
    reason: str = ""
    attempts: int = 0


class SyncState(SQLModel, table=True):
    """Small key/value state: sync cursor, audit head, last backup."""

    __tablename__ = "sync_state"
    key: str = Field(primary_key=True)
    value: str
