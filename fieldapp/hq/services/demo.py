"""An HQ with the demo agency, squads, officers and a realistic history: the same
generator as the desktop demo (``fieldapp.interchange.demo.generator``), whose protocol
entity batches HQ stores as record versions in its own tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.services import admin, effects, publish
from fieldapp.hq.services.reference import HqWriter
from fieldapp.interchange.demo.generator import DemoSpec, demo_batches
from fieldapp.sync.protocol import SPECS, Entity, EntityBatch, Scope, Verifiers

# Where a record without its own squad_id finds its squad: (field, kind of the parent).
_PARENTS = {Entity.SUBJECT: "grid_id", Entity.PLACE: "grid_id", Entity.FINDING: "inspection_id",
            Entity.CASE_EVENT: "case_id", Entity.DOCUMENT_SERVICE: "document_id",
            Entity.EVIDENCE: "inspection_id", Entity.FRONTAGE_AGREEMENT: "subject_id"}


@dataclass(frozen=True)
class Records:
    """One entity batch as HQ writes it: ids and full field dicts (absent fields null)."""

    entity: Entity
    ids: list[str]
    rows: list[dict[str, Any]]


def generator_batches(*, subjects: int, inspections: int, seed: int, now: dt.datetime,
                      device_id: str) -> Iterator[Records | Verifiers]:
    """The demo history as HQ records, and the officers' password verifiers."""
    types = tuple((code, str(fields["name"]), bool(fields.get("ladder_applies", True)))
                  for code, fields in publish.read_catalogue(publish.default_catalogue()))
    spec = DemoSpec(subjects=subjects, inspections=inspections, seed=seed, now=now,
                    device_id=device_id, violation_types=types)
    for item in demo_batches(spec):
        if isinstance(item, EntityBatch):
            yield _records(item)
        elif isinstance(item, Verifiers):
            yield item


def _records(batch: EntityBatch) -> Records:
    names = SPECS[batch.entity].names
    at = batch.fields.index("id")
    ids, rows = [], []
    for raw in batch.rows:
        given = dict(zip(batch.fields, raw, strict=True))
        ids.append(str(raw[at]))
        rows.append({name: given.get(name) for name in names})
    return Records(batch.entity, ids, rows)


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
    publish.publish_city_rules(hq)
    counts: dict[str, int] = {}
    squads: dict[str, str] = {}  # record id -> squad id, for records without squad_id
    now = hq.now().replace(microsecond=0)
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), hq.now_text(), lock=hq.db.lock_sequence)
        for batch in generator_batches(subjects=subjects, inspections=inspections,
                                       seed=seed, now=now, device_id="demo"):
            if isinstance(batch, Verifiers):
                for officer_id, verifier in batch.by_officer.items():
                    conn.execute(t.officer.update().where(t.officer.c.id == officer_id)
                                 .values(password_hash=verifier))
                continue
            _store(conn, writer, batch, squads, hq.new_id)
            counts[batch.entity.value] = counts.get(batch.entity.value, 0) + len(batch.ids)
        writer.flush()
    return counts


def _store(conn: Any, writer: HqWriter, batch: Records, squads: dict[str, str],
           new_id: Any) -> None:
    entity, scope = batch.entity, SPECS[batch.entity].scope
    for entity_id, fields in zip(batch.ids, batch.rows, strict=True):
        squad = str(fields.get("squad_id") or "")
        if not squad and entity in _PARENTS:
            squad = squads.get(str(fields.get(_PARENTS[entity]) or ""), "")
        if entity is not Entity.CASE_EVENT and squad:
            squads[entity_id] = squad
        if scope is Scope.SQUAD and not squad:
            squad = next(iter(squads.values()), "")
        _bookkeeping(conn, entity, entity_id, fields)
        writer.known.setdefault((entity.value, entity_id), None)  # all new: no lookup
        change = writer.write(entity, entity_id, fields, squad_id=squad)
        effects.after_write(conn, change, squad_id=squad, device_id="demo",
                            now=writer.writer.now, new_id=new_id)


def _bookkeeping(conn: Any, entity: Entity, entity_id: str, fields: dict[str, Any]) -> None:
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
            password_hash="", active=True,  # set from the batch's verifiers
            valid_from=fields["certificate_valid_from"],
            valid_to=fields["certificate_valid_to"]))
