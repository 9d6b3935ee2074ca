"""An HQ with the demo agency, squads, officers and a realistic history.

The history comes from the desktop's demo generator (``fieldapp.demo.generator``) through
``generator_batches``, the one adapter: today the generator emits the desktop's table
rows and imports the desktop store, which HQ may not import, so it runs in a child
process that prints its batches as JSON lines; the adapter maps them to protocol
entities. When the generator emits ``EntityBatch(entity, fields, rows)`` in protocol
field names (the lead's conversion), the adapter becomes a plain import and the mapping
goes away.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.services import admin, effects, publish
from fieldapp.hq.services.reference import HqWriter
from fieldapp.sync.protocol import SPECS, Entity, FieldType, Scope

_CHILD = """
import dataclasses, datetime as dt, json, sys
from fieldapp.demo.generator import Batch, DemoSpec, demo_batches
args = json.loads(sys.argv[1])
spec = DemoSpec(subjects=args["subjects"], inspections=args["inspections"], seed=args["seed"],
                now=dt.datetime.fromisoformat(args["now"]), device_id=args["device_id"],
                violation_types=tuple(tuple(v) for v in args["types"]))
out = sys.stdout
for item in demo_batches(spec):
    if isinstance(item, Batch):
        out.write(json.dumps({"table": item.table, "columns": item.columns,
                              "rows": item.rows}, ensure_ascii=False, default=str))
        out.write("\\n")
"""
_TABLES = {"agency_profile": Entity.AGENCY, "case_file": Entity.CASE}
_KEYS = {Entity.VIOLATION_TYPE: ("code",), Entity.HOLIDAY: ("day",),
         Entity.RULE_SETTING: ("key",),
         Entity.NO_PENALTY_ITEM_VIOLATION: ("item_id", "violation_code")}
# Where a record without its own squad_id finds its squad: (field, kind of the parent).
_PARENTS = {Entity.SUBJECT: "grid_id", Entity.PLACE: "grid_id", Entity.FINDING: "inspection_id",
            Entity.CASE_EVENT: "case_id", Entity.DOCUMENT_SERVICE: "document_id",
            Entity.EVIDENCE: "inspection_id", Entity.FRONTAGE_AGREEMENT: "subject_id"}


@dataclass(frozen=True)
class EntityBatch:
    """Record versions of one kind in protocol field names (what the generator will
    emit itself)."""

    entity: Entity
    ids: list[str]
    rows: list[dict[str, Any]]
    extra: list[dict[str, Any]]  # desktop-only columns (password hashes) by row


def generator_batches(*, subjects: int, inspections: int, seed: int, now: dt.datetime,
                      device_id: str) -> Iterator[EntityBatch]:
    """The demo history as entity batches (the adapter; see the module docstring)."""
    types = [(code, fields["name"], bool(fields.get("ladder_applies", True)))
             for code, fields in publish.read_catalogue(publish.default_catalogue())]
    args = json.dumps({"subjects": subjects, "inspections": inspections, "seed": seed,
                       "now": now.isoformat(), "device_id": device_id, "types": types})
    with subprocess.Popen([sys.executable, "-c", _CHILD, args], stdout=subprocess.PIPE,
                          text=True, encoding="utf-8") as child:
        assert child.stdout is not None
        for line in child.stdout:
            batch = _entity_batch(json.loads(line))
            if batch is not None:
                yield batch
    if child.returncode:
        raise RuntimeError(f"the demo generator failed ({child.returncode})")


def _entity_batch(data: dict[str, Any]) -> EntityBatch | None:
    table = data["table"]
    entity = _TABLES.get(table) or (Entity(table) if table in Entity._value2member_map_
                                    else None)
    if entity is None:
        return None
    spec = SPECS[entity]
    columns = data["columns"]
    keys = _KEYS.get(entity, ("id",))
    ids, rows, extra = [], [], []
    for raw in data["rows"]:
        row = dict(zip(columns, raw, strict=True))
        ids.append(":".join(str(row[k]) for k in keys))
        rows.append({name: _value(kind, row.get(name)) for name, kind in spec.fields})
        extra.append({k: v for k, v in row.items() if k not in spec.names})
    return EntityBatch(entity, ids, rows, extra)


def _value(kind: FieldType, value: Any) -> Any:
    if value is None:
        return None
    if kind is FieldType.BOOL:
        return bool(value)
    if kind is FieldType.FLOAT:
        return float(value)
    if kind is FieldType.INT:
        return int(value)
    if kind is FieldType.TIME:
        text = str(value).replace("T", " ")[:26]
        return text + ".000000" if len(text) == 19 else text.ljust(26, "0")
    return str(value)


def make_demo(hq: Hq, *, subjects: int = 2_000, inspections: int = 8_000,
              seed: int = 7) -> dict[str, int]:
    """Fill an empty HQ with the demo data set; returns counts by entity."""
    with hq.db.read() as conn:
        if admin.agency_id(conn) is not None:
            from fieldapp.domain.errors import DomainError

            raise DomainError("this HQ already has an agency; demo data goes only into "
                              "an empty one")
    publish.publish_catalogue(hq)
    publish.publish_list(hq)
    counts: dict[str, int] = {}
    squads: dict[str, str] = {}  # record id -> squad id, for records without squad_id
    now = hq.now().replace(microsecond=0)
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), hq.now_text(), lock=hq.db.lock_sequence)
        for batch in generator_batches(subjects=subjects, inspections=inspections,
                                       seed=seed, now=now, device_id="demo"):
            _store(conn, writer, batch, squads, hq.new_id)
            counts[batch.entity.value] = counts.get(batch.entity.value, 0) + len(batch.ids)
        writer.flush()
    return counts


def _store(conn: Any, writer: HqWriter, batch: EntityBatch, squads: dict[str, str],
           new_id: Any) -> None:
    entity, scope = batch.entity, SPECS[batch.entity].scope
    for entity_id, fields, extra in zip(batch.ids, batch.rows, batch.extra, strict=True):
        squad = str(fields.get("squad_id") or "")
        if not squad and entity in _PARENTS:
            squad = squads.get(str(fields.get(_PARENTS[entity]) or ""), "")
        if entity is not Entity.CASE_EVENT and squad:
            squads[entity_id] = squad
        if scope is Scope.SQUAD and not squad:
            squad = next(iter(squads.values()), "")
        _bookkeeping(conn, entity, entity_id, fields, extra)
        writer.known.setdefault((entity.value, entity_id), None)  # all new: no lookup
        change = writer.write(entity, entity_id, fields, squad_id=squad)
        effects.after_write(conn, change, squad_id=squad, device_id="demo",
                            now=writer.writer.now, new_id=new_id)


def _bookkeeping(conn: Any, entity: Entity, entity_id: str, fields: dict[str, Any],
                 extra: dict[str, Any]) -> None:
    """HQ's own tables for the organisation rows."""
    if entity is Entity.AGENCY:
        conn.execute(t.meta.insert().values(key="agency_id", value=entity_id))
    elif entity is Entity.SQUAD:
        conn.execute(t.squad.insert().values(id=entity_id, code=fields["code"],
                                             name=fields["name"],
                                             agency_id=fields["agency_id"]))
    elif entity is Entity.OFFICER:
        conn.execute(t.officer.insert().values(
            id=entity_id, squad_id=fields["squad_id"], name=fields["name"],
            certificate_no=fields["certificate_no"], role=fields["role"],
            password_hash=str(extra.get("password_hash") or ""), active=True,
            valid_from=fields["certificate_valid_from"],
            valid_to=fields["certificate_valid_to"]))
