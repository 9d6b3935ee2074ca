"""Publishing reference data to every device: the violation catalogue, no-penalty lists
and holiday calendars, read from the same files the desktop imports.

The catalogue is read by the desktop's own reader (``fieldapp.interchange.catalogue``);
lists by its list reader (``fieldapp.interchange.no_penalty_import``: the city's sheets
and a bureau's), calendars by ``fieldapp.interchange.holiday_calendar``. Each
publication is recorded with the file's SHA-256."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fieldapp.domain.bureau_lists import CatalogueEntry, MatchState
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.fine_limits import FineLimits, fine_range, tiers_from_json
from fieldapp.domain.violation_rules import ViolationRule, check_rule_text
from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.services.records import newest_envelope
from fieldapp.hq.services.reference import HqWriter
from fieldapp.interchange.catalogue import default_catalogue_path, read_catalogue_file
from fieldapp.interchange.city_rules import (
    city_rule_fields,
    city_rule_id,
    default_city_rules_path,
    read_city_rules_file,
)
from fieldapp.interchange.holiday_calendar import parse_calendar_csv, read_calendar_text
from fieldapp.interchange.no_penalty_import import parse_list_file
from fieldapp.interchange.no_penalty_sheets import conditions_json
from fieldapp.resources import resource
from fieldapp.sync.protocol import Entity

Rows = list[tuple[str, dict[str, Any]]]


def default_catalogue() -> Path:
    return default_catalogue_path()


def default_list() -> Path:
    return resource("catalogue", "no_penalty_list.json")


def read_catalogue(path: Path) -> Rows:
    """violation_type records of a catalogue file (the desktop's own reader)."""
    return read_catalogue_file(path).types


def read_holidays(path: Path, year: int | None = None) -> Rows:
    """holiday rows (by day) of a calendar file, read as the desktop reads it; the year
    is the file's own when all its days fall in one."""
    text = read_calendar_text(path)
    if year is None:
        years = {int(found.group(1)) for found in re.finditer(r"(\d{4})[-/.]\d{1,2}[-/.]", text)}
        if len(years) != 1:
            raise ValidationError("year", "the file's days fall in {count} years: name the "
                                  "year", count=len(years))
        year = years.pop()
    return [(day.isoformat(), {"kind": kind, "name": name, "source": "hq"})
            for day, kind, name in parse_calendar_csv(text, year)]


def _record(hq: Hq, conn: Any, kind: str, label: str, path: Path, records: int) -> None:
    conn.execute(t.publication.insert().values(
        id=hq.new_id(), kind=kind, label=label[:200],
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(), records=records,
        published_at=hq.now_text()))


def publish_catalogue(hq: Hq, path: Path | None = None) -> int:
    path = path or default_catalogue()
    rows = read_catalogue(path)
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), hq.now_text(), lock=hq.db.lock_sequence)
        changed = writer.bulk(Entity.VIOLATION_TYPE, rows)
        writer.flush()
        _record(hq, conn, "catalogue", str(rows[0][1]["catalogue_version"]) if rows else "",
                path, changed)
    return changed


def publish_list(hq: Hq, path: Path | None = None,
                 metadata: Mapping[str, str | None] | None = None) -> int:
    """A no-penalty list from the files the desktop imports (.json, .csv, .xlsx, a
    bureau's sheet), read by the desktop's own reader. A list whose items are not all
    matched to the catalogue is refused: a leader reviews the matches on a device first
    and HQ publishes the file the device exports. ``metadata`` gives list details the
    file lacks (a bureau's sheet rarely prints its own document number)."""
    path = path or default_list()
    with hq.db.read() as conn:
        types = _violation_types(conn)
        rules = _city_provisions(conn)
    entries = [CatalogueEntry(code, str(f.get("name") or code), "\n".join(
        (str(f.get("provision") or ""), str(f.get("penalty_provision") or ""),
         *rules.get(code, ())))) for code, f in types.items()]
    lst = parse_list_file(path, metadata, set(types), lambda: (
        entries, {code: str(f.get("domain") or "") for code, f in types.items()})).lst
    if lst.status != "published":
        unmatched = "、".join(str(i.item_no) for i in lst.items
                             if i.match_state != MatchState.CONFIRMED)
        raise ValidationError("no-penalty list file", "items {items} are not matched to "
                              "the catalogue: confirm them on a device, export the list "
                              "and publish that file", items=unmatched)
    now = hq.now_text()
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), now, lock=hq.db.lock_sequence)
        list_id = hq.new_id()
        writer.write(Entity.NO_PENALTY_LIST, list_id, {
            "city": lst.city, "issuer": lst.issuer, "doc_no": lst.doc_no, "title": lst.title,
            "effective_from": lst.effective_from.isoformat(),
            "effective_to": lst.effective_to.isoformat() if lst.effective_to else None,
            "imported_at": now, "status": "published", "notes": lst.notes})
        count = 1
        for item in lst.items:
            item_id = hq.new_id()
            writer.write(Entity.NO_PENALTY_ITEM, item_id, {
                "list_id": list_id, "item_no": item.item_no, "domain": item.domain,
                "name": item.name, "prohibiting_provision": item.prohibiting_provision,
                "penalty_provision": item.penalty_provision,
                "statutory_penalty": item.statutory_penalty,
                "exemption_kind": item.exemption_kind.value,
                "conditions_json": json.dumps(conditions_json(item.conditions),
                                              ensure_ascii=False),
                "required_measure": item.required_measure.value, "notes": item.notes,
                "source": item.source, "match_state": item.match_state, "basis": item.basis})
            for code in item.violation_codes:
                writer.write(Entity.NO_PENALTY_ITEM_VIOLATION, f"{item_id}:{code}",
                             {"item_id": item_id, "violation_code": code, "removed": False})
                count += 1
            count += 1
        writer.flush()
        _record(hq, conn, "no_penalty_list", lst.doc_no, path, count)
    return count


def publish_city_rules(hq: Hq, path: Path | None = None) -> int:
    """The city's rules (本市规则) as ``city_violation_rule`` versions, each checked as a
    device checks a leader's rule (no placeholder text, amounts in order)."""
    path = path or default_city_rules_path()
    rules = read_city_rules_file(path)
    now = hq.now_text()
    with hq.db.read() as conn:
        names = _violation_names(conn)
    rows = []
    for rule in rules:
        fields = city_rule_fields(rule)
        code = fields["violation_code"]
        if code not in names:
            raise ValidationError("violation code", "'{value}' is not in the published "
                                  "catalogue", value=code)
        check_rule_text(ViolationRule(
            code, names[code], fields["provision"], fields["penalty_provision"],
            fields["penalty_range"], FineLimits(fields["penalty_provision"], fine_range(
                fields["fine_min_yuan"], fields["fine_max_yuan"]), fine_range(
                fields["fine_min_org_yuan"], fields["fine_max_org_yuan"]),
                fields["fine_unit"], tiers_from_json(json.loads(fields["discretion_json"])))))
        rows.append((city_rule_id(code, fields["effective_from"]),
                     {**fields, "created_at": now, "created_by": ""}))
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), now, lock=hq.db.lock_sequence)
        changed = writer.bulk(Entity.CITY_VIOLATION_RULE, rows)
        writer.flush()
        _record(hq, conn, "city_rules", path.name, path, changed)
    return changed


def _newest_records(conn: Any, entity: Entity) -> dict[str, dict[str, Any]]:
    """The newest published version of every record of a reference kind, by id."""
    ids = conn.execute(select(t.version.c.entity_id).where(
        t.version.c.entity == entity.value).distinct()).scalars().all()
    out = {}
    for entity_id in ids:
        change = newest_envelope(conn, entity.value, entity_id)
        if change is not None:
            out[str(entity_id)] = dict(change.fields)
    return out


def _violation_types(conn: Any) -> dict[str, dict[str, Any]]:
    return _newest_records(conn, Entity.VIOLATION_TYPE)


def _violation_names(conn: Any) -> dict[str, str]:
    """The published violation types' names by code."""
    return {code: str(f.get("name") or code) for code, f in _violation_types(conn).items()}


def _city_provisions(conn: Any) -> dict[str, list[str]]:
    """The city rules' articles by violation code (a bureau's items name them)."""
    out: dict[str, list[str]] = {}
    for fields in _newest_records(conn, Entity.CITY_VIOLATION_RULE).values():
        out.setdefault(str(fields["violation_code"]), []).extend(
            (str(fields.get("provision") or ""), str(fields.get("penalty_provision") or "")))
    return out


def publish_holidays(hq: Hq, path: Path, year: int | None = None) -> int:
    rows = read_holidays(path, year)
    now = hq.now_text()
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), now, lock=hq.db.lock_sequence)
        changed = writer.bulk(Entity.HOLIDAY, [(d, {**f, "created_at": now}) for d, f in rows])
        writer.flush()
        _record(hq, conn, "holidays", path.name, path, changed)
    return changed
