"""Publishing reference data to every device: the violation catalogue, no-penalty lists
and holiday calendars, read from the same files the desktop imports.

Reading a file is one small function per kind (``read_*``); the desktop's file readers
are moving to ``fieldapp.interchange`` and will replace these (the XLSX/CSV list sheets
then come for free). Each publication is recorded with the file's SHA-256."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from fieldapp.domain.errors import ValidationError
from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.services.reference import HqWriter
from fieldapp.resources import resource
from fieldapp.sync.protocol import Entity

Rows = list[tuple[str, dict[str, Any]]]
_TYPE_FIELDS = ("name", "event_code", "provision", "penalty_provision", "penalty_range",
                "correction_days", "ladder_applies", "fine_min_yuan", "fine_max_yuan",
                "local_regulation", "summary_allowed", "skip_reason", "notes")


def default_catalogue() -> Path:
    return resource("catalogue", "violations.json")


def default_list() -> Path:
    return resource("catalogue", "no_penalty_list.json")


def read_catalogue(path: Path) -> Rows:
    """violation_type rows of a catalogue JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    names = {d["code"]: d["name"] for d in data["domains"]}
    rows: Rows = []
    for item in data["types"]:
        fields = {k: item.get(k) for k in _TYPE_FIELDS}
        fields["domain"] = names.get(item["domain"], item["domain"])
        fields["catalogue_version"] = data["version"]
        for number in ("fine_min_yuan", "fine_max_yuan"):
            if fields[number] is not None:
                fields[number] = float(fields[number])
        rows.append((item["code"], fields))
    return rows


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
            "imported_at": now})
        count = 1
        for item in data["items"]:
            item_id = hq.new_id()
            fields = {k: item.get(k) for k in (
                "item_no", "domain", "name", "prohibiting_provision", "penalty_provision",
                "statutory_penalty", "exemption_kind", "required_measure", "notes", "source")}
            fields["list_id"] = list_id
            fields["conditions_json"] = json.dumps(item.get("conditions", []),
                                                   ensure_ascii=False)
            writer.write(Entity.NO_PENALTY_ITEM, item_id, fields)
            for code in item.get("violation_codes", []):
                writer.write(Entity.NO_PENALTY_ITEM_VIOLATION, f"{item_id}:{code}",
                             {"item_id": item_id, "violation_code": code})
                count += 1
            count += 1
        writer.flush()
        _record(hq, conn, "no_penalty_list", str(head.get("doc_no") or ""), path, count)
    return count


def publish_holidays(hq: Hq, path: Path) -> int:
    rows = read_holidays(path)
    now = hq.now_text()
    with hq.db.write() as conn:
        writer = HqWriter(conn, hq.now(), now, lock=hq.db.lock_sequence)
        changed = writer.bulk(Entity.HOLIDAY, [(d, {**f, "created_at": now}) for d, f in rows])
        writer.flush()
        _record(hq, conn, "holidays", path.name, path, changed)
    return changed
