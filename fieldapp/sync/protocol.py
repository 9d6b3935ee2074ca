"""The wire protocol between devices and HQ: entities, change envelopes, chain segments.

One vocabulary, shared by the desktop client and HQ, independent of either side's
tables: each side maps its own schema to these entities in one place (the desktop in
``fieldapp.store.entities``). A device schema can change without changing the wire.

**The canonical form** of a record version is defined here, once: the JSON array
``[entity, id, version, value…]`` with the entity's declared fields in declared order,
compact separators, UTF-8 (no ``\\u`` escapes). Values are JSON scalars: text, integers,
floats, ``true``/``false``, ``null``; times are UTC written ``YYYY-MM-DD HH:MM:SS.ffffff``
(the stored form, so neither side reformats millions of them), days ``YYYY-MM-DD``;
JSON-valued fields travel as their text. Its SHA-256 is the record's content hash: the
device's full-process record (the audit chain) carries it for every version written, a
change envelope carries it, and HQ recomputes it from the envelope's fields.

Legal records (inspections, findings, ladder steps, documents, evidence, case events …)
are append-only: version 1 is their only version and they never conflict. Mutable
records carry a version, the base version a change was made on, and a hybrid logical
clock; they merge field by field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PROTOCOL_VERSION = 1
# The oldest client version HQ still accepts; an older device is told to update.
MIN_PROTOCOL_VERSION = 1

FieldValue = str | int | float | bool | None


class Entity(StrEnum):
    AGENCY = "agency"
    SQUAD = "squad"
    OFFICER = "officer"
    DEVICE = "device"
    GRID = "grid"
    SUBJECT = "subject"
    PLACE = "place"
    VIOLATION_TYPE = "violation_type"
    CITY_VIOLATION_RULE = "city_violation_rule"
    NO_PENALTY_LIST = "no_penalty_list"
    NO_PENALTY_ITEM = "no_penalty_item"
    NO_PENALTY_ITEM_VIOLATION = "no_penalty_item_violation"
    INSPECTION = "inspection"
    FINDING = "finding"
    LADDER_STEP = "ladder_step"
    CASE = "case"
    CASE_EVENT = "case_event"
    DOCUMENT = "document"
    DOCUMENT_SERVICE = "document_service"
    EVIDENCE = "evidence"
    EPISODE_CLOSE = "episode_close"
    REVISIT = "revisit"
    VOIDED_NUMBER = "voided_number"
    NUMBER_BLOCK = "number_block"
    HOLIDAY = "holiday"
    RULE_SETTING = "rule_setting"
    FRONTAGE_AGREEMENT = "frontage_agreement"


class Nature(StrEnum):
    """How records of an entity change."""

    APPEND_ONLY = "append_only"  # legal records: written once, never changed
    MUTABLE = "mutable"  # versioned, merged field by field


class Scope(StrEnum):
    """Who sees an entity's records."""

    SQUAD = "squad"  # the squad's own work: its devices and HQ
    REFERENCE = "reference"  # published by HQ to every device (catalogue, lists …)
    DEVICE = "device"  # one device's own (number blocks leased to it)


class FieldType(StrEnum):
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    TIME = "time"  # a UTC moment, "YYYY-MM-DD HH:MM:SS.ffffff"
    DAY = "day"  # "YYYY-MM-DD"
    JSON = "json"  # a JSON document, carried as its text


T, INT, F, B, TM, D, J = (FieldType.TEXT, FieldType.INT, FieldType.FLOAT,
                          FieldType.BOOL, FieldType.TIME, FieldType.DAY, FieldType.JSON)


@dataclass(frozen=True)
class EntitySpec:
    entity: Entity
    nature: Nature
    scope: Scope
    fields: tuple[tuple[str, FieldType], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _type in self.fields)


def _spec(entity: Entity, nature: Nature, scope: Scope, fields: str,
          **types: FieldType) -> EntitySpec:
    """Fields as one string of names (text unless ``types`` says otherwise)."""
    return EntitySpec(entity, nature, scope,
                      tuple((name, types.get(name, T)) for name in fields.split()))


E, A, M = Entity, Nature.APPEND_ONLY, Nature.MUTABLE
SQ, REF, DEV = Scope.SQUAD, Scope.REFERENCE, Scope.DEVICE

SPECS: dict[Entity, EntitySpec] = {s.entity: s for s in (
    _spec(E.AGENCY, M, REF, "full_name short_name short_code city address postcode phone "
          "review_body court bank hlc updated_at", updated_at=TM),
    _spec(E.SQUAD, M, REF, "agency_id name code address phone hlc"),
    _spec(E.OFFICER, M, REF, "squad_id name certificate_no certificate_valid_from "
          "certificate_valid_to role phone active hlc",
          certificate_valid_from=D, certificate_valid_to=D, active=B),
    _spec(E.DEVICE, M, REF, "name squad_id public_key registered_at hlc", registered_at=TM),
    _spec(E.GRID, M, SQ, "squad_id code name officer_id description hlc"),
    _spec(E.SUBJECT, M, SQ, "kind name id_number credit_code legal_representative "
          "shop_sign phone address gender birth_date appearance goods usual_place "
          "photo_sha256 grid_id notes created_at created_by updated_at hlc deleted",
          birth_date=D, created_at=TM, updated_at=TM, deleted=B),
    _spec(E.PLACE, A, SQ, "grid_id address latitude longitude description created_at",
          latitude=F, longitude=F, created_at=TM),
    _spec(E.VIOLATION_TYPE, M, REF, "name domain event_code provision penalty_provision "
          "penalty_range correction_days ladder_applies catalogue_version fine_min_yuan "
          "fine_max_yuan local_regulation summary_allowed skip_reason notes hlc "
          "fine_min_org_yuan fine_max_org_yuan fine_unit discretion_json",
          correction_days=INT, ladder_applies=B, fine_min_yuan=F, fine_max_yuan=F,
          local_regulation=B, summary_allowed=B, fine_min_org_yuan=F, fine_max_org_yuan=F,
          discretion_json=J),
    _spec(E.CITY_VIOLATION_RULE, M, REF, "violation_code effective_from provision "
          "penalty_provision penalty_range fine_min_yuan fine_max_yuan fine_min_org_yuan "
          "fine_max_org_yuan fine_unit discretion_json source created_at created_by hlc",
          effective_from=D, fine_min_yuan=F, fine_max_yuan=F, fine_min_org_yuan=F,
          fine_max_org_yuan=F, discretion_json=J, created_at=TM),
    _spec(E.NO_PENALTY_LIST, M, REF, "city issuer doc_no title effective_from "
          "effective_to imported_at status notes hlc", effective_from=D, effective_to=D,
          imported_at=TM),
    _spec(E.NO_PENALTY_ITEM, M, REF, "list_id item_no domain name prohibiting_provision "
          "penalty_provision statutory_penalty exemption_kind conditions_json "
          "required_measure notes source match_state basis hlc", item_no=INT,
          conditions_json=J),
    _spec(E.NO_PENALTY_ITEM_VIOLATION, M, REF, "item_id violation_code removed hlc",
          removed=B),
    _spec(E.INSPECTION, A, SQ, "squad_id device_id subject_id grid_id place_id address "
          "latitude longitude at_utc utc_offset_min officer1_id officer2_id notes "
          "created_at", latitude=F, longitude=F, at_utc=TM, utc_offset_min=INT,
          created_at=TM),
    _spec(E.FINDING, A, SQ, "inspection_id subject_id violation_code facts "
          "corrected_on_spot step at_utc created_at", corrected_on_spot=B, at_utc=TM,
          created_at=TM),
    _spec(E.LADDER_STEP, A, SQ, "finding_id subject_id violation_code squad_id kind "
          "taken_at_utc officer_id correction_deadline_utc override_reason case_id "
          "created_at", taken_at_utc=TM, correction_deadline_utc=TM, created_at=TM),
    _spec(E.CASE, M, SQ, "case_no squad_id subject_id violation_code status procedure "
          "source external_ref summary lead_officer_id assist_officer_id opened_at "
          "filed_at decided_at closed_at created_at updated_at hlc state_json "
          "next_deadline_at", opened_at=TM, filed_at=TM, decided_at=TM, closed_at=TM,
          created_at=TM, updated_at=TM, state_json=J, next_deadline_at=TM),
    _spec(E.CASE_EVENT, A, SQ, "case_id action at_utc officer_id role payload_json "
          "created_at", at_utc=TM, payload_json=J, created_at=TM),
    _spec(E.DOCUMENT, A, SQ, "kind number squad_id year serial case_id finding_id "
          "subject_id snapshot_json content_sha256 pdf_sha256 issued_at issued_by "
          "device_id voids_document_id amends_document_id reason layout qr_payload "
          "signature signature_algorithm", year=INT, serial=INT, snapshot_json=J,
          issued_at=TM),
    _spec(E.DOCUMENT_SERVICE, A, SQ, "document_id method served_at_utc place receiver "
          "refused refusal_note witness officer1_id officer2_id created_at",
          served_at_utc=TM, refused=B, created_at=TM),
    _spec(E.EVIDENCE, A, SQ, "sha256 evidence_type media_type size_bytes original_name "
          "captured_at_utc utc_offset_min place latitude longitude officer_id "
          "inspection_id finding_id case_id description created_at", size_bytes=INT,
          captured_at_utc=TM, utc_offset_min=INT, latitude=F, longitude=F, created_at=TM),
    _spec(E.EPISODE_CLOSE, A, SQ, "subject_id violation_code squad_id closed_at_utc "
          "reason officer_id step_id created_at", closed_at_utc=TM, created_at=TM),
    _spec(E.REVISIT, M, SQ, "step_id subject_id violation_code squad_id officer_id "
          "due_at_utc status result done_at_utc done_by created_at updated_at hlc",
          due_at_utc=TM, done_at_utc=TM, created_at=TM, updated_at=TM),
    _spec(E.VOIDED_NUMBER, A, SQ, "squad_id kind year serial number reason document_id "
          "officer_id at_utc created_at", year=INT, serial=INT, at_utc=TM, created_at=TM),
    _spec(E.NUMBER_BLOCK, M, DEV, "squad_id kind year first_serial last_serial "
          "next_serial device_id source created_at hlc", year=INT, first_serial=INT,
          last_serial=INT, next_serial=INT, created_at=TM),
    _spec(E.HOLIDAY, M, REF, "kind name source created_at hlc", created_at=TM),
    _spec(E.RULE_SETTING, M, REF, "value_json updated_at updated_by hlc", value_json=J,
          updated_at=TM),
    _spec(E.FRONTAGE_AGREEMENT, M, SQ, "subject_id signed_on ends_on scope duties "
          "signed_by officer_id created_at hlc", signed_on=D, ends_on=D, created_at=TM),
)}
assert set(SPECS) == set(Entity), "every entity has a spec"


# --- the canonical form ----------------------------------------------------------------

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def canonical(entity: str, entity_id: str, version: int,
              values: Sequence[FieldValue]) -> bytes:
    """The canonical bytes of one record version (values in the spec's field order)."""
    return _ENCODER.encode([entity, entity_id, version, *values]).encode()


def content_hash(entity: str, entity_id: str, version: int,
                 values: Sequence[FieldValue]) -> str:
    """SHA-256 (hex) of the canonical form: what the chain and the envelope carry."""
    return hashlib.sha256(canonical(entity, entity_id, version, values)).hexdigest()


def ordered_values(spec: EntitySpec, fields: Mapping[str, FieldValue]) -> list[FieldValue]:
    return [fields[name] for name in spec.names]


def time_text(moment: dt.datetime) -> str:
    """The canonical text of a moment: UTC, ``YYYY-MM-DD HH:MM:SS.ffffff`` (a naive
    moment is taken as UTC)."""
    if moment.tzinfo is not None and moment.tzinfo is not dt.UTC:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


@dataclass(frozen=True)
class EntityBatch:
    """Many new records of one entity at once, as bulk paths carry them (the demo data
    set, a first sync): ``fields`` names the columns of ``rows`` — ``id``, ``version``
    for a mutable entity, then any of the entity's fields (those left out are null)."""

    entity: Entity
    fields: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Verifiers:
    """Officers' password verifiers (argon2 hashes) by officer id: they travel apart
    from the officer records, to the devices where those officers may log in."""

    by_officer: dict[str, str]


# --- change envelopes ------------------------------------------------------------------

Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Ident = Annotated[str, Field(min_length=1, max_length=80)]
MAX_TEXT = 20_000  # characters of one text value
MAX_JSON = 2_000_000  # characters of one JSON value (a document snapshot)


class Op(StrEnum):
    CREATE = "create"
    UPDATE = "update"


class Change(BaseModel):
    """One record version as it travels: the full row at ``version``, its content hash,
    and (for a mutable record) the version it was made on and the fields that changed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    change_id: Ident
    entity: Entity
    entity_id: Ident
    op: Op
    version: int = Field(ge=1)
    base_version: int = Field(ge=0)
    hlc: str = Field(max_length=80)
    device_id: Ident
    recorded_at: str = Field(max_length=32)
    fields: dict[str, FieldValue]
    changed: tuple[str, ...] = ()
    content_sha256: Hex64

    @model_validator(mode="after")
    def _consistent(self) -> Change:
        problem = change_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def spec(self) -> EntitySpec:
        return SPECS[self.entity]

    def values(self) -> list[FieldValue]:
        return ordered_values(self.spec, self.fields)


def change_problem(change: Change) -> str:
    """Why a change envelope is malformed, or "" (English; HQ maps it to a reason code)."""
    spec = SPECS[change.entity]
    if set(change.fields) != set(spec.names):
        missing = sorted(set(spec.names) - set(change.fields))
        extra = sorted(set(change.fields) - set(spec.names))
        return f"fields do not match {spec.entity.value}: missing {missing}, extra {extra}"
    for name, kind in spec.fields:
        problem = value_problem(kind, change.fields[name])
        if problem:
            return f"{name}: {problem}"
    if spec.nature is Nature.APPEND_ONLY and (change.version != 1 or change.op is Op.UPDATE):
        return "a legal record has one version and is never updated"
    if change.op is Op.CREATE and change.base_version != 0:
        return "a created record has no base version"
    if change.op is Op.UPDATE and change.base_version >= change.version:
        return "an update must come after its base version"
    if not set(change.changed) <= set(spec.names):
        return "changed names fields the entity does not have"
    digest = content_hash(change.entity.value, change.entity_id, change.version,
                          change.values())
    if digest != change.content_sha256:
        return "content_sha256 does not match the fields"
    return ""


_PYTHON_TYPES: dict[FieldType, type | tuple[type, ...]] = {
    FieldType.INT: int, FieldType.FLOAT: (int, float), FieldType.BOOL: bool}


def value_problem(kind: FieldType, value: FieldValue) -> str:
    if value is None:
        return ""
    expected = _PYTHON_TYPES.get(kind, str)
    if isinstance(value, bool) != (kind is FieldType.BOOL) or not isinstance(value, expected):
        return f"is not a {kind.value} value"
    if isinstance(value, str):
        limit = MAX_JSON if kind is FieldType.JSON else MAX_TEXT
        if len(value) > limit:
            return f"is longer than {limit} characters"
        if kind is FieldType.TIME and not _is_time_text(value):
            return "is not a time like 2026-11-21 01:30:00.000000"
        if kind is FieldType.DAY and not _is_day_text(value):
            return "is not a day like 2026-11-21"
    return ""


def _is_day_text(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-" \
        and (text[:4] + text[5:7] + text[8:]).isdigit()


def _is_time_text(text: str) -> bool:
    return len(text) == 26 and _is_day_text(text[:10]) and text[10] == " " \
        and text[13] == ":" and text[16] == ":" and text[19] == "." \
        and (text[11:13] + text[14:16] + text[17:19] + text[20:]).isdigit()


# --- the full-process record on the wire -----------------------------------------------


class RowRef(BaseModel):
    """One record version an audit event covers, by its content hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: Entity
    entity_id: Ident
    version: int = Field(ge=1)
    sha256: Hex64


class ChainEvent(BaseModel):
    """One event of a device's hash-chained full-process record (执法全过程记录)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=1)
    id: Ident
    at: str = Field(max_length=32)
    device_id: str = Field(max_length=80)
    officer_id: str = Field(max_length=80)
    action: str = Field(max_length=80)
    entity: str = Field(max_length=80)
    entity_id: str = Field(max_length=200)
    payload: str = Field(max_length=MAX_JSON)
    rows: tuple[RowRef, ...] = Field(default=(), max_length=100_000)
    format: int = Field(ge=1, le=2)
    prev_hash: Hex64
    hash: Hex64


class SignedHead(BaseModel):
    """The newest event of a device's chain, signed with the device key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    device_id: Ident
    seq: int = Field(ge=0)
    hash: Hex64
    algorithm: Literal["ed25519"] = "ed25519"
    signature: str = Field(max_length=200)


def head_message(device_id: str, seq: int, digest: str) -> bytes:
    """The bytes a device signs for its chain head (and HQ countersigns)."""
    return f"fieldapp-audit-head\n{device_id}\n{seq}\n{digest}".encode()


def rows_digest(rows: Sequence[tuple[str, str, int, str]]) -> str:
    """SHA-256 over an event's row references in order; part of the event's hash."""
    digest = hashlib.sha256()
    for entity, entity_id, version, sha in rows:
        digest.update(f"{entity}\t{entity_id}\t{version}\t{sha}\n".encode())
    return digest.hexdigest()


def describe_entity_kinds() -> dict[str, Any]:
    """The entity table as plain data (published in HQ's OpenAPI description)."""
    return {e.value: {"nature": s.nature.value, "scope": s.scope.value,
                      "fields": dict(s.fields)} for e, s in SPECS.items()}
