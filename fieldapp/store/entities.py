"""The one map from this device's tables to the protocol's entities.

Each synced table names its entity, the column of each protocol field (in the spec's
order), its key columns, the columns that never leave the device, and the kind of
change a screen hears about. Reading a stored row back into canonical values (for the
outbox, the chain and ``audit verify``) happens here and nowhere else, so the hash the
chain carries and the hash verify recomputes come from the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from fieldapp.domain.changes import ChangeKind
from fieldapp.sync.protocol import (
    SPECS,
    Entity,
    EntitySpec,
    FieldType,
    FieldValue,
    Nature,
    content_hash,
)

K = ChangeKind


@dataclass(frozen=True)
class TableMap:
    entity: Entity
    table: str
    key: tuple[str, ...]  # the columns whose values make the entity id
    kind: ChangeKind
    local_only: frozenset[str] = frozenset()

    @property
    def spec(self) -> EntitySpec:
        return SPECS[self.entity]

    @property
    def mutable(self) -> bool:
        return self.spec.nature is Nature.MUTABLE

    @property
    def id_sql(self) -> str:
        return " || ':' || ".join(f'"{c}"' for c in self.key)

    @property
    def select_sql(self) -> str:
        """SELECT id, version, fields… (rowid order is the order rows were appended)."""
        version = '"version"' if self.mutable else "1"
        columns = ", ".join(f'"{name}"' for name in self.spec.names)
        return f'SELECT {self.id_sql}, {version}, {columns} FROM "{self.table}"'

    def entity_id(self, obj: Any) -> str:
        return ":".join(_key_text(getattr(obj, column)) for column in self.key)


def _key_text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


E = Entity
MAPS: tuple[TableMap, ...] = (
    TableMap(E.AGENCY, "agency_profile", ("id",), K.STAFF),
    TableMap(E.SQUAD, "squad", ("id",), K.STAFF),
    TableMap(E.OFFICER, "officer", ("id",), K.STAFF, frozenset(
        {"password_hash", "pin_hash", "failed_logins", "locked_until"})),
    TableMap(E.DEVICE, "device", ("id",), K.STAFF, frozenset({"is_local"})),
    TableMap(E.GRID, "grid", ("id",), K.STAFF),
    TableMap(E.SUBJECT, "subject", ("id",), K.SUBJECTS, frozenset({"local_seq"})),
    TableMap(E.PLACE, "place", ("id",), K.INSPECTIONS),
    TableMap(E.VIOLATION_TYPE, "violation_type", ("code",), K.LISTS),
    TableMap(E.CITY_VIOLATION_RULE, "city_violation_rule", ("id",), K.LISTS),
    TableMap(E.NO_PENALTY_LIST, "no_penalty_list", ("id",), K.LISTS),
    TableMap(E.NO_PENALTY_ITEM, "no_penalty_item", ("id",), K.LISTS),
    TableMap(E.NO_PENALTY_ITEM_VIOLATION, "no_penalty_item_violation",
             ("item_id", "violation_code"), K.LISTS),
    TableMap(E.INSPECTION, "inspection", ("id",), K.INSPECTIONS),
    TableMap(E.FINDING, "finding", ("id",), K.INSPECTIONS),
    TableMap(E.LADDER_STEP, "ladder_step", ("id",), K.INSPECTIONS),
    TableMap(E.CASE, "case_file", ("id",), K.CASES),
    TableMap(E.CASE_EVENT, "case_event", ("id",), K.CASES),
    TableMap(E.DOCUMENT, "document", ("id",), K.DOCUMENTS),
    TableMap(E.DOCUMENT_SERVICE, "document_service", ("id",), K.DOCUMENTS),
    TableMap(E.EVIDENCE, "evidence", ("id",), K.INSPECTIONS),
    TableMap(E.EPISODE_CLOSE, "episode_close", ("id",), K.INSPECTIONS),
    TableMap(E.REVISIT, "revisit", ("id",), K.TASKS),
    TableMap(E.VOIDED_NUMBER, "voided_number", ("id",), K.DOCUMENTS),
    TableMap(E.NUMBER_BLOCK, "number_block", ("id",), K.DOCUMENTS),
    TableMap(E.HOLIDAY, "holiday", ("day",), K.SETTINGS),
    TableMap(E.RULE_SETTING, "rule_setting", ("key",), K.SETTINGS),
    TableMap(E.FRONTAGE_AGREEMENT, "frontage_agreement", ("id",), K.SUBJECTS),
)
BY_TABLE: dict[str, TableMap] = {m.table: m for m in MAPS}
BY_ENTITY: dict[Entity, TableMap] = {m.entity: m for m in MAPS}
assert set(BY_ENTITY) == set(Entity), "every protocol entity has a table"

# Tables that are the device's own bookkeeping, never records: not on the wire, not
# under the chain (the chain and the outbox are the bookkeeping of everything else).
LOCAL_TABLES = frozenset({"sync_state", "outbox", "audit_event", "audit_row",
                          "record_version", "alembic_version", "subject_search",
                          "chain_receipt", "record_displaced", "sync_conflict",
                          "blob_queue", "hq_verifier", "subject_merge",
                          "sync_checksum", "sync_digest"})
# Legal records and the record itself: UPDATE and DELETE refused by triggers.
APPEND_ONLY_TABLES = (*(m.table for m in MAPS if not m.mutable),
                      "audit_event", "audit_row", "record_version")


def table_columns(entity: Entity, fields: Sequence[str]) -> tuple[str, ...]:
    """The columns of ``entity``'s table that hold these protocol fields (``id`` and
    ``version`` included): the names are the same today; a renamed column is mapped
    here and nowhere else."""
    table_map = BY_ENTITY[entity]
    known = {"id", "version", *table_map.spec.names, *table_map.key}
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise ValueError(f"{entity.value} has no fields {unknown}")
    return tuple(fields)


def kind_of_table(table: str) -> ChangeKind:
    return BY_TABLE[table].kind if table in BY_TABLE else ChangeKind.RECORD


# --- stored values to canonical values --------------------------------------------------


def _converters(spec: EntitySpec) -> tuple[tuple[int, FieldType], ...]:
    """Positions (after id and version) whose stored value needs converting."""
    return tuple((i, kind) for i, (_name, kind) in enumerate(spec.fields)
                 if kind in (FieldType.BOOL, FieldType.FLOAT, FieldType.TIME))


_CONVERT = {m.entity: _converters(m.spec) for m in MAPS}


def canonical_values(entity: Entity, stored: Sequence[Any]) -> list[FieldValue]:
    """Field values as SQLite returned them → canonical values (bools from 0/1, floats
    from integers SQLite kept as such, times without a zone suffix)."""
    values = list(stored)
    for i, kind in _CONVERT[entity]:
        value = values[i]
        if value is None:
            continue
        if kind is FieldType.BOOL:
            values[i] = bool(value)
        elif kind is FieldType.FLOAT:
            values[i] = float(value)
        elif len(value) == 19:  # a whole second written without microseconds
            values[i] = value + ".000000"
    return values


@dataclass(frozen=True)
class StoredVersion:
    entity: Entity
    entity_id: str
    version: int
    values: tuple[FieldValue, ...]
    sha256: str

    def fields(self) -> dict[str, FieldValue]:
        return dict(zip(SPECS[self.entity].names, self.values, strict=True))


def stored_version(table_map: TableMap, row: Sequence[Any]) -> StoredVersion:
    """A row read with ``select_sql`` (id, version, fields…) as a canonical version."""
    entity = table_map.entity
    entity_id, version, *stored = row
    values = canonical_values(entity, stored)
    return StoredVersion(entity, str(entity_id), int(version), tuple(values),
                         content_hash(entity.value, str(entity_id), int(version), values))


def read_version(conn: Connection, table_map: TableMap, entity_id: str) -> StoredVersion:
    """The stored row of ``entity_id`` as a canonical version (it must exist)."""
    where = " AND ".join(f'"{c}" = ?' for c in table_map.key)
    parts = tuple(entity_id.split(":", len(table_map.key) - 1))
    row = conn.exec_driver_sql(f"{table_map.select_sql} WHERE {where}", parts).one()
    return stored_version(table_map, row)


def scan_versions(conn: Any, table_map: TableMap) -> Iterator[StoredVersion]:
    """Every stored row of a table in the order it was appended (DB-API connection)."""
    for row in conn.execute(f"{table_map.select_sql} ORDER BY rowid"):
        yield stored_version(table_map, row)


# --- a flushed object as its canonical version (no re-read) ----------------------------


def _affinity(declared: str) -> str:
    """SQLite's column affinity of a declared type (https://sqlite.org/datatype3.html)."""
    name = declared.upper()
    if "INT" in name:
        return "INTEGER"
    if any(t in name for t in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not name or "BLOB" in name:
        return "BLOB"
    if any(t in name for t in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


# Per protocol type, the Python types a bound value may have for SQLite to hand the same
# value back, and the column affinities under which that holds. A value of any other
# type, or a column of another affinity, is read back instead.
_TEXTUAL = (FieldType.TEXT, FieldType.JSON, FieldType.TIME, FieldType.DAY)
_SAFE: dict[FieldType, tuple[tuple[type, ...], frozenset[str]]] = {
    **{k: ((str,), frozenset({"TEXT", "BLOB", "NUMERIC", "INTEGER", "REAL"}))
       for k in _TEXTUAL},
    FieldType.INT: ((int,), frozenset({"INTEGER", "NUMERIC"})),
    # an integer bound to a REAL column reads back as a float, a whole float bound to
    # a NUMERIC one as an integer: the canonical value is float() of either
    FieldType.FLOAT: ((float, int), frozenset({"REAL", "NUMERIC", "INTEGER"})),
    FieldType.BOOL: ((int, bool), frozenset({"INTEGER", "NUMERIC"})),
}


@dataclass(frozen=True)
class _Bind:
    """How one protocol field's column turns an attribute into the value stored."""

    name: str
    process: Any  # the column type's bind processor (None: stored as given)
    types: tuple[type, ...]  # () : never known without reading the row back
    textual_numeric: bool  # a text bound here becomes a number if it looks like one
    has_default: bool  # a None lets SQLAlchemy or SQLite fill in a default


_BINDS: dict[tuple[str, str], tuple[tuple[_Bind, ...], tuple[_Bind, ...]]] = {}


def _binds(table_map: TableMap, table: Any, dialect: Any) -> tuple[tuple[_Bind, ...],
                                                                      tuple[_Bind, ...]]:
    key = (table_map.table, dialect.name)
    found = _BINDS.get(key)
    if found is None:
        columns = table.columns

        def bind(name: str, kind: FieldType) -> _Bind:
            if name not in columns:  # a column the model does not declare: the
                return _Bind(name, None, (), False, True)  # database fills it in
            column = columns[name]
            impl = column.type.dialect_impl(dialect)
            affinity = _affinity(impl.compile(dialect=dialect))
            types, affinities = _SAFE[kind]
            return _Bind(name, impl.bind_processor(dialect),
                         types if affinity in affinities else (),
                         kind in _TEXTUAL and affinity not in ("TEXT", "BLOB"),
                         column.default is not None or column.server_default is not None)

        found = (tuple(bind(c, FieldType.TEXT) for c in table_map.key),
                 tuple(bind(n, k) for n, k in table_map.spec.fields))
        _BINDS[key] = found
    return found


def _numeric_text(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


_UNKNOWN = object()


def _stored(bind: _Bind, state: dict[str, Any]) -> Any:
    """The value SQLite hands back for this attribute, or ``_UNKNOWN``."""
    if not bind.types or bind.name not in state:
        return _UNKNOWN  # expired, never set or not declared: the database filled it in
    value = state[bind.name]
    if value is None:
        return _UNKNOWN if bind.has_default else None
    if bind.process is not None:
        value = bind.process(value)
    if type(value) not in bind.types:  # exact types: a str subclass may bind otherwise
        return _UNKNOWN
    if bind.textual_numeric and _numeric_text(value):
        return _UNKNOWN
    return value


def object_version(table_map: TableMap, obj: Any, dialect: Any) -> StoredVersion | None:
    """The canonical version of a just-flushed ORM object, from the values it bound
    (through each column type's own bind processor and SQLite's affinity rules):
    byte-identical to what ``read_version`` gives for the same row, or ``None`` when
    that cannot be known without reading the row back (an attribute the database filled
    in or expired, a value whose stored form SQLite could change)."""
    state = obj.__dict__
    key_binds, field_binds = _binds(table_map, obj.__table__, dialect)
    parts = []
    for bind in key_binds:
        value = _stored(bind, state)
        if type(value) is not str:
            return None
        parts.append(value)
    version = state.get("version") if table_map.mutable else 1
    if type(version) is not int:
        return None
    stored = []
    for bind in field_binds:
        value = _stored(bind, state)
        if value is _UNKNOWN:
            return None
        stored.append(value)
    entity = table_map.entity
    entity_id = ":".join(parts)
    values = canonical_values(entity, stored)
    return StoredVersion(entity, entity_id, version, tuple(values),
                         content_hash(entity.value, entity_id, version, values))
