"""Publishing reference data to every device: the violation catalogue, no-penalty lists
and holiday calendars, read from the same files the desktop imports.

The catalogue is read by the desktop's own reader (``fieldapp.interchange.catalogue``);
lists and calendars by the small readers below. Each publication is recorded with the
file's SHA-256."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

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


def read_list(path: Path) -> dict[str, Any]:
    """A no-penalty list JSON file (as the desktop exports and imports it)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if "list" not in data or "items" not in data:
        raise ValidationError("no-penalty list file", "has no list and items")
    return data


def read_holidays(path: Path) -> Rows:
    """holiday rows (by day) of a ``date,kind,name`` calendar file."""
    rows: Rows = []
    for cells in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
        if not cells or cells[0].strip() in ("date", "日期"):
            continue
        day, kind, name = (c.strip() for c in (*cells, "", "")[:3])
        if len(day) != 10:
            raise ValidationError("calendar file", "'{value}' is not a date", value=day)
        rows.append((day, {"kind": kind, "name": name, "source": "hq"}))
    return rows


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


def publish_list(hq: Hq, path: Path | None = None) -> int:
    path = path or default_list()
    data = read_list(path)
    head = data["list"]
    now = hq.now_text()
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), now, lock=hq.db.lock_sequence)
        list_id = hq.new_id()
        writer.write(Entity.NO_PENALTY_LIST, list_id, {**{k: head.get(k) for k in (
            "city", "issuer", "doc_no", "title", "effective_from", "effective_to")},
            "imported_at": now, "status": "published", "notes": str(head.get("notes") or "")})
        count = 1
        for item in data["items"]:
            item_id = hq.new_id()
            fields = {k: item.get(k) for k in (
                "item_no", "domain", "name", "prohibiting_provision", "penalty_provision",
                "statutory_penalty", "exemption_kind", "required_measure", "notes", "source")}
            fields["list_id"] = list_id
            fields["match_state"] = "confirmed"  # a published list's items are matched
            fields["basis"] = str(item.get("basis") or "")
            fields["conditions_json"] = json.dumps(item.get("conditions", []),
                                                   ensure_ascii=False)
            writer.write(Entity.NO_PENALTY_ITEM, item_id, fields)
            for code in item.get("violation_codes", []):
                writer.write(Entity.NO_PENALTY_ITEM_VIOLATION, f"{item_id}:{code}",
                             {"item_id": item_id, "violation_code": code, "removed": False})
                count += 1
            count += 1
        writer.flush()
        _record(hq, conn, "no_penalty_list", str(head.get("doc_no") or ""), path, count)
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


def _violation_names(conn: Any) -> dict[str, str]:
    """The published violation types' names by code."""
    codes = conn.execute(select(t.version.c.entity_id).where(
        t.version.c.entity == Entity.VIOLATION_TYPE.value).distinct()).scalars().all()
    out = {}
    for code in codes:
        change = newest_envelope(conn, Entity.VIOLATION_TYPE.value, code)
        if change is not None:
            out[str(code)] = str(change.fields.get("name") or code)
    return out


def publish_holidays(hq: Hq, path: Path) -> int:
    rows = read_holidays(path)
    now = hq.now_text()
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), now, lock=hq.db.lock_sequence)
        changed = writer.bulk(Entity.HOLIDAY, [(d, {**f, "created_at": now}) for d, f in rows])
        writer.flush()
        _record(hq, conn, "holidays", path.name, path, changed)
    return changed
