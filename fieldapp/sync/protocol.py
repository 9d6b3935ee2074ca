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

Longer than 500 lines on purpose: the protocol is one versioned vocabulary that client
and HQ import whole (entities, envelopes, chain, and every API message); split, its
version would no longer name one thing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

import orjson
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

    @cached_property
    def names(self) -> tuple[str, ...]:  # on every hot path: computed once
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


_ORJSON_SAFE = frozenset({str, int, bool, type(None)})


def canonical(entity: str, entity_id: str, version: int,
              values: Sequence[FieldValue]) -> bytes:
    """The canonical bytes of one record version (values in the spec's field order).

    orjson writes text, integers, booleans and null byte for byte as the reference
    encoder does (compact, UTF-8, the same escapes; ``tests/unit/test_canonical_form.py``
    holds it to that) at a tenth of the cost, which bulk loads and ``audit verify`` need.
    Any other value goes to the reference: the two spell some floats differently
    (``1e+16`` and ``1e16``), orjson refuses integers beyond 64 bits, and it would write a
    stray datetime or UUID that the reference refuses."""
    for value in values:
        if type(value) not in _ORJSON_SAFE:
            break
    else:
        try:
            return orjson.dumps([entity, entity_id, version, *values])
        except orjson.JSONEncodeError:
            pass
    return reference_canonical(entity, entity_id, version, values)


def reference_canonical(entity: str, entity_id: str, version: int,
                        values: Sequence[FieldValue]) -> bytes:
    """The canonical bytes through the standard library's encoder (the definition
    ``canonical`` is checked against)."""
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


# ======================================================================================
# The sync API's messages (HQ ``fieldapp.hq`` and the desktop client). docs/protocol.md
# describes the flows; every message forbids unknown fields and caps sizes and counts.
# ======================================================================================

API_PREFIX = "/v1"
PROTOCOL_HEADER = "X-Fieldapp-Protocol"  # every request names its protocol version
SESSION_HEADER = "X-Fieldapp-Session"  # an officer's session (from login), beside the device token
LANGUAGE_HEADER = "Accept-Language"  # zh-CN (default) or en: the language of messages
HQ_DEVICE_ID = "hq"  # the origin of record versions HQ itself makes (merges, reference data)

MAX_PUSH_CHANGES = 2_000
MAX_PUSH_EVENTS = 5_000
MAX_PULL_PAGE = 5_000
DEFAULT_PULL_PAGE = 1_000
MAX_BODY_BYTES = 64 * 1024 * 1024  # a request body after gunzip
MAX_BLOB_CHUNK = 8 * 1024 * 1024
MAX_BLOB_BYTES = 4 * 1024 * 1024 * 1024
MAX_BLOB_QUERY = 1_000
MAX_CLOCK_SKEW_MS = 5 * 60 * 1000  # beyond this the officer and HQ are told
MAX_MESSAGE = 2_000

Text = Annotated[str, Field(max_length=MAX_MESSAGE)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Sha = Hex64


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- errors and refusals ---------------------------------------------------------------


class ErrorCode(StrEnum):
    """Why HQ refused a whole request (HTTP 4xx; the body is a ``Problem``)."""

    INVALID_REQUEST = "invalid_request"  # 422: the body or a parameter is malformed
    BAD_GZIP = "bad_gzip"  # 400: the gzip body does not decompress
    TOO_LARGE = "too_large"  # 413: more bytes, changes or events than the limits allow
    PROTOCOL_TOO_OLD = "protocol_too_old"  # 426: update fieldapp on this device
    NO_TOKEN = "no_token"  # 401: no device token (or no officer session where needed)
    BAD_TOKEN = "bad_token"  # 401: the token is not one HQ issued
    SESSION_EXPIRED = "session_expired"  # 401: log the officer in again
    DEVICE_REVOKED = "device_revoked"  # 403: this device may no longer sync
    FORBIDDEN = "forbidden"  # 403: the officer's role does not allow this
    OUT_OF_SCOPE = "out_of_scope"  # 404: not the device's squad (never says more)
    NOT_FOUND = "not_found"  # 404
    CODE_INVALID = "code_invalid"  # 403: the enrollment code is unknown, used or expired
    LOGIN_FAILED = "login_failed"  # 401: wrong certificate number or password
    ALREADY_DONE = "already_done"  # 409: the conflict or proposal was already decided
    BLOB_OFFSET = "blob_offset"  # 409: the upload is elsewhere; resume from ``offset``
    BLOB_HASH = "blob_hash"  # 422: the uploaded bytes do not hash to the name
    NUMBERS = "numbers"  # 409: the number block cannot be leased or returned so


class Problem(Message):
    """The body of every 4xx answer: a code a program reads, a message a person reads
    (in the request's language), and the field concerned when there is one."""

    code: ErrorCode
    message: Text
    field: Annotated[str, Field(max_length=200)] = ""
    offset: int | None = None  # BLOB_OFFSET: where the upload stands at HQ


# --- version check and clock -----------------------------------------------------------


class VersionInfo(Message):
    """``GET /v1/version``: what HQ speaks. A request naming a protocol older than
    ``min_protocol_version`` is refused with 426 and a plain Chinese message."""

    protocol_version: int
    min_protocol_version: int
    server_version: Annotated[str, Field(max_length=40)]
    server_time: Annotated[str, Field(max_length=32)]


class ClockInfo(Message):
    """``GET /v1/clock?device_time=…``: HQ's time and the device's skew (device − HQ)."""

    server_time: Annotated[str, Field(max_length=32)]
    skew_ms: int | None = None
    max_skew_ms: int = MAX_CLOCK_SKEW_MS
    skew_ok: bool = True
    message: Text = ""


# --- enrollment and officers -----------------------------------------------------------

PublicKeyText = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{43}$")]  # base64url, 32 bytes
Signature = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{86}$")]  # base64url, 64 bytes


class EnrollRequest(Message):
    """``POST /v1/enroll``: a one-time code (from ``fieldapp-hq admin device enroll``)
    exchanged for the device's token. The device keeps its own id and key."""

    code: Annotated[str, Field(min_length=4, max_length=64)]
    device_id: Ident
    device_name: Name
    public_key: PublicKeyText
    client_version: Annotated[str, Field(max_length=40)] = ""


class SquadInfo(Message):
    id: Ident
    code: Annotated[str, Field(max_length=40)]
    name: Name


class EnrollResponse(Message):
    """The device token is shown once: the device stores it owner-only and sends it as
    ``Authorization: Bearer <token>``. ``hq_public_key`` checks receipts."""

    device_id: Ident
    device_token: Annotated[str, Field(max_length=200)]
    squad: SquadInfo
    agency_id: Ident
    hq_public_key: PublicKeyText
    hq_key_id: Annotated[str, Field(max_length=16)]
    server_time: Annotated[str, Field(max_length=32)]


class LoginRequest(Message):
    """``POST /v1/login`` (device token needed): an officer logs in online."""

    certificate_no: Annotated[str, Field(min_length=1, max_length=40)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class OfficerInfo(Message):
    id: Ident
    squad_id: Ident
    name: Name
    role: Annotated[str, Field(max_length=40)]
    certificate_no: Annotated[str, Field(max_length=40)]
    certificate_valid_from: Annotated[str, Field(max_length=10)] | None = None
    certificate_valid_to: Annotated[str, Field(max_length=10)] | None = None
    active: bool = True


class OfflineVerifier(Message):
    """What the device caches to let this officer log in offline: HQ's argon2 hash
    (never the password); replaced at the next online login, void after ``valid_until``."""

    algorithm: Literal["argon2id"] = "argon2id"
    hash: Annotated[str, Field(max_length=300)]
    issued_at: Annotated[str, Field(max_length=32)]
    valid_until: Annotated[str, Field(max_length=32)]


class LoginResponse(Message):
    session_token: Annotated[str, Field(max_length=200)]
    expires_at: Annotated[str, Field(max_length=32)]
    officer: OfficerInfo
    verifier: OfflineVerifier


# --- push: the outbox, its chain, the results ------------------------------------------


class ChainSegment(Message):
    """The chain events since the last head HQ acknowledged, in order, and the signed
    head when the segment ends at it (a long chain may come in several pushes)."""

    events: tuple[ChainEvent, ...] = Field(default=(), max_length=MAX_PUSH_EVENTS)
    head: SignedHead | None = None


# A change as pushed: HQ validates each one on its own (``Change.model_validate``), so a
# malformed change is rejected ``malformed`` and never fails the rest of its batch.
RawChange = Annotated[dict[str, Any], Field(max_length=20)]


class PushRequest(Message):
    """``POST /v1/push`` (gzip JSON, ``Content-Encoding: gzip``): a batch of outbox
    changes (``Change`` envelopes, as JSON objects) with their own ids. Sending the same
    batch again changes nothing."""

    batch_id: Ident
    changes: tuple[RawChange, ...] = Field(default=(), max_length=MAX_PUSH_CHANGES)
    chain: ChainSegment = ChainSegment()
    device_time: Annotated[str, Field(max_length=32)] = ""  # for the skew; never orders


class ChangeStatus(StrEnum):
    APPLIED = "applied"  # stored; ``server_seq`` is its place in HQ's order
    DUPLICATE = "duplicate"  # HQ had this change (or this very version) already
    REJECTED = "rejected"  # refused (``reason``); HQ's state is in ``hq_state``
    CONFLICT = "conflict"  # merged: some fields lost to a newer change (``conflicts``)
    HELD = "held"  # kept at HQ, applied when what it waits for arrives (``reason``)
    QUARANTINED = "quarantined"  # kept, not shared, until an administrator reviews


class Reason(StrEnum):
    """Why a change was rejected or held (the device shows ``message``, translated)."""

    MALFORMED = "malformed"  # the envelope is not a valid record version
    CONTENT_MISMATCH = "content_mismatch"  # its hash differs from the chain's for it
    ID_COLLISION = "id_collision"  # a legal record with this id exists, other content
    HQ_OWNED = "hq_owned"  # reference data (officers, catalogue …) changes only at HQ
    OUT_OF_SCOPE = "out_of_scope"  # another squad's record, or another device's
    UNKNOWN_OFFICER = "unknown_officer"  # the officer who recorded it is not at HQ
    NOT_PERMITTED = "not_permitted"  # that officer's role (as HQ knows it) may not
    WORKFLOW = "workflow"  # the case step is not allowed by the case workflow
    NUMBERS = "numbers"  # the document number was not leased to this device
    AWAITING_CHAIN = "awaiting_chain"  # held: its chain event has not arrived
    AWAITING_PREDECESSOR = "awaiting_predecessor"  # held: the version it follows
    CHAIN_BROKEN = "chain_broken"  # quarantined: the device's record failed to verify


class FieldConflict(Message):
    """One field two changes set differently: the HLC chose ``kept``; ``lost`` is in
    HQ's conflict log until a squad leader marks it resolved."""

    field: Annotated[str, Field(max_length=80)]
    kept: FieldValue
    lost: FieldValue
    kept_hlc: Annotated[str, Field(max_length=80)]
    lost_hlc: Annotated[str, Field(max_length=80)]
    conflict_id: Ident


class ChangeResult(Message):
    change_id: Ident
    status: ChangeStatus
    reason: Reason | None = None
    message: Text = ""  # in the request's language
    server_seq: int | None = None
    hq_state: Change | None = None  # HQ's version of the record (rejected, conflict)
    conflicts: tuple[FieldConflict, ...] = ()


class HeadReceipt(Message):
    """HQ's countersignature of a device head it verified and stored: the device keeps
    it (``audit verify`` checks it with ``hq_public_key``)."""

    device_id: Ident
    seq: int = Field(ge=0)
    hash: Hex64
    device_signature: Annotated[str, Field(max_length=200)]
    received_at: Annotated[str, Field(max_length=32)]
    hq_key_id: Annotated[str, Field(max_length=16)]
    algorithm: Literal["ed25519"] = "ed25519"
    hq_signature: Annotated[str, Field(max_length=200)]


def receipt_message(device_id: str, seq: int, digest: str, device_signature: str,
                    received_at: str) -> bytes:
    """The bytes HQ signs for a receipt: the device's signed head and when HQ had it."""
    return (f"fieldapp-hq-receipt\n{device_id}\n{seq}\n{digest}\n{device_signature}\n"
            f"{received_at}").encode()


class ChainStatus(Message):
    """Where HQ stands with the device's full-process record after a push."""

    verified_seq: int  # the last event HQ verified and stored as valid
    verified_hash: Hex64
    ok: bool  # False: quarantined from ``quarantined_from`` until an administrator reviews
    quarantined_from: int | None = None
    problem: Text = ""
    receipt: HeadReceipt | None = None


class PushResponse(Message):
    results: tuple[ChangeResult, ...]
    chain: ChainStatus
    server_time: Annotated[str, Field(max_length=32)]
    skew_ms: int | None = None
    skew_ok: bool = True


# --- pull ------------------------------------------------------------------------------


class PulledChange(Message):
    """A record version in HQ's order (``server_seq``), with the device it came from
    (``HQ_DEVICE_ID`` for merges and reference data)."""

    server_seq: int
    origin_device: Ident
    change: Change


class SubjectMerge(Message):
    """A squad leader's decision that two subjects are one: ``merged_id``'s history
    counts as ``kept_id``'s (both records stay; the ladder reads both)."""

    id: Ident
    squad_id: Ident
    kept_id: Ident
    merged_id: Ident
    decided_by: Ident
    decided_at: Annotated[str, Field(max_length=32)]
    server_seq: int


class PullResponse(Message):
    """``GET /v1/pull?cursor=N&limit=M``: what follows ``cursor`` in the device's scope
    (its squad, reference data, its own number blocks). Apply a page whole, then store
    ``cursor``; ask again while ``more``."""

    changes: tuple[PulledChange, ...]
    merges: tuple[SubjectMerge, ...] = ()
    cursor: int
    more: bool
    high_water: int  # HQ's newest sequence number (for a progress bar)
    server_time: Annotated[str, Field(max_length=32)]


# --- divergence check ------------------------------------------------------------------


class KindChecksum(Message):
    """A record kind over the device's scope: how many records and the XOR of each
    record's ``record_digest`` (its newest version), 32 hex digits."""

    entity: Entity
    count: int
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class ChecksumResponse(Message):
    """``GET /v1/checksums``: compare after a sync that left nothing pending; a kind
    that differs is repaired by a full resync of that kind (local changes kept)."""

    checksums: tuple[KindChecksum, ...]
    cursor: int  # the sequence number the checksums are as of


def record_digest(entity: str, entity_id: str, version: int, sha256: str) -> int:
    """One record's contribution to its kind's checksum (128 bits)."""
    text = f"{entity}\t{entity_id}\t{version}\t{sha256}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:16], "big")


def fold_digests(digests: Sequence[int]) -> str:
    """The XOR of record digests as 32 hex digits (order does not matter)."""
    acc = 0
    for value in digests:
        acc ^= value
    return f"{acc:032x}"


# --- document numbers ------------------------------------------------------------------


class LeaseRequest(Message):
    """``POST /v1/numbers/lease``: a block of serials for a document kind and year."""

    kind: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
    year: int = Field(ge=2000, le=2100)
    size: int = Field(default=100, ge=1, le=10_000)


class ReturnRequest(Message):
    """``POST /v1/numbers/return``: serials from ``first_unused`` to the block's end
    were never used; HQ records them as returned (never leased again)."""

    block_id: Ident
    first_unused: int = Field(ge=1)


class NumberBlockResponse(Message):
    """The block as a ``number_block`` record version (the device stores it as such)."""

    block: Change
    remaining: int


# --- evidence files --------------------------------------------------------------------


class BlobState(StrEnum):
    PRESENT = "present"  # HQ has the whole file, hash checked
    PARTIAL = "partial"  # an upload stopped at ``offset``: resume there
    MISSING = "missing"


class BlobQuery(Message):
    """``POST /v1/blobs/status``: which of these files HQ has."""

    sha256s: tuple[Sha, ...] = Field(max_length=MAX_BLOB_QUERY)


class BlobStatus(Message):
    sha256: Sha
    state: BlobState
    offset: int = 0
    size: int | None = None


class BlobStatusResponse(Message):
    items: tuple[BlobStatus, ...]

# Upload: ``PUT /v1/blobs/{sha256}?offset=N&size=TOTAL`` with raw bytes (≤ MAX_BLOB_CHUNK);
# answered with a ``BlobStatus``. A wrong offset is 409 with the right ``offset``; the
# last chunk makes HQ hash the file: a mismatch is 422 and the partial file is dropped.


# --- squad leaders: conflicts, merges, late ladder steps, status -----------------------


class ConflictRecord(Message):
    id: Ident
    entity: Entity
    entity_id: Ident
    field: Annotated[str, Field(max_length=80)]
    kept: FieldValue
    lost: FieldValue
    kept_hlc: Annotated[str, Field(max_length=80)]
    lost_hlc: Annotated[str, Field(max_length=80)]
    lost_device: Annotated[str, Field(max_length=80)]
    at: Annotated[str, Field(max_length=32)]
    resolved_by: Annotated[str, Field(max_length=80)] = ""
    resolved_at: Annotated[str, Field(max_length=32)] = ""
    note: Text = ""


class ConflictList(Message):
    items: tuple[ConflictRecord, ...]


class ResolveRequest(Message):
    note: Text = ""


class MergeBasis(StrEnum):
    ID_NUMBER = "id_number"  # the same 身份证号
    CREDIT_CODE = "credit_code"  # the same 统一社会信用代码
    DESCRIPTION = "description"  # likely the same vendor by description and place


class MergeProposal(Message):
    id: Ident
    squad_id: Ident
    subject_ids: tuple[Ident, Ident]
    basis: MergeBasis
    score: float = Field(ge=0, le=1)
    state: Literal["proposed", "merged", "dismissed"]
    at: Annotated[str, Field(max_length=32)]


class MergeProposalList(Message):
    items: tuple[MergeProposal, ...]


class MergeDecision(Message):
    merge: bool  # False: not the same subject (the proposal is dismissed)
    kept_id: Ident | None = None  # which subject's id stays (default: the older)


class LateStep(Message):
    """A ladder step recorded without the squad's full history: the step the whole
    history would have advised differs from the one taken."""

    step_id: Ident
    subject_id: Ident
    violation_code: Annotated[str, Field(max_length=80)]
    taken: Annotated[str, Field(max_length=20)]
    advised: Annotated[str, Field(max_length=20)]
    officer_id: Annotated[str, Field(max_length=80)]
    device_id: Annotated[str, Field(max_length=80)]
    earlier_steps: tuple[Ident, ...] = ()
    at: Annotated[str, Field(max_length=32)]
    seen_by: Annotated[str, Field(max_length=80)] = ""


class LateStepList(Message):
    items: tuple[LateStep, ...]


class DeviceStatus(Message):
    id: Ident
    name: Name
    enrolled_at: Annotated[str, Field(max_length=32)]
    revoked: bool
    last_push_at: Annotated[str, Field(max_length=32)] = ""
    last_pull_at: Annotated[str, Field(max_length=32)] = ""
    oldest_unsynced_at: Annotated[str, Field(max_length=32)] = ""  # the oldest change
    # still held or not yet verified at HQ, as recorded on the device
    skew_ms: int | None = None
    chain_seq: int = 0
    quarantined_from: int | None = None
    quarantine_problem: Text = ""


class SquadStatus(Message):
    squad: SquadInfo
    devices: tuple[DeviceStatus, ...]
    rejected: int
    held: int
    open_conflicts: int
    merge_proposals: int
    late_steps: int
    quarantined_devices: int


# --- document verification -------------------------------------------------------------


class Genuineness(StrEnum):
    GENUINE = "genuine"  # signed by an enrolled device and matching HQ's record
    NOT_YET_AT_HQ = "not_yet_at_hq"  # a valid signature of an enrolled device; not synced
    ALTERED = "altered"  # the signature or the content does not match
    VOIDED = "voided"  # genuine, but voided since
    UNKNOWN = "unknown"  # not a fieldapp code, or no enrolled device has this key


class VerifyResponse(Message):
    """``GET /v1/verify?code=…`` (public): what the QR code of a document proves."""

    state: Genuineness
    message: Text
    kind: Annotated[str, Field(max_length=80)] = ""
    number: Annotated[str, Field(max_length=80)] = ""
    party: Annotated[str, Field(max_length=200)] = ""
    amount_yuan: float | None = None
    issued_on: Annotated[str, Field(max_length=10)] = ""
    status: Annotated[str, Field(max_length=80)] = ""


# --- the canonical event hash (the same as the device's store computes) ----------------


def chain_event_fields(seq: int, id_: str, at: str, device: str, officer: str, action: str,
                       entity: str, entity_id: str, payload_json: str, fmt: int,
                       rows_sha256: str = "") -> dict[str, Any]:
    """What a chain event's hash covers (format 1 events, written before content hashes,
    keep their original fields so they still verify)."""
    fields: dict[str, Any] = {
        "seq": seq, "id": id_, "at": at, "device": device, "officer": officer,
        "action": action, "entity": entity, "entity_id": entity_id,
        "payload": payload_json}
    if fmt >= 2:
        fields |= {"format": fmt, "rows": rows_sha256}
    return fields


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """One link of a device's chain: SHA-256 over the previous hash and the event's
    fields as canonical JSON. The device (``store.audit``) and HQ compute it here."""
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def event_hash(prev_hash: str, event: ChainEvent) -> str:
    """The hash of a chain event as the device computed it (format 2 covers its rows
    through ``rows_digest``; format 1 events have none)."""
    rows = rows_digest([(r.entity.value, r.entity_id, r.version, r.sha256)
                        for r in event.rows]) if event.format >= 2 else ""
    return chain_hash(prev_hash, chain_event_fields(
        event.seq, event.id, event.at, event.device_id, event.officer_id, event.action,
        event.entity, event.entity_id, event.payload, event.format, rows))


GENESIS_HASH = "0" * 64
