"""Loading the violation catalogue and reading it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from fieldapp.domain.permissions import Action
from fieldapp.resources import resource
from fieldapp.services.context import ServiceContext
from fieldapp.store.tables import ViolationType

_FIELDS = ("name", "domain", "event_code", "provision", "penalty_provision",
           "penalty_range", "correction_days", "ladder_applies", "fine_min_yuan",
           "fine_max_yuan", "local_regulation", "summary_allowed", "skip_reason", "notes",
           "fine_min_org_yuan", "fine_max_org_yuan", "fine_unit")


def default_catalogue_path() -> Path:
    return resource("catalogue", "violations.json")


def read_catalogue(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def domain_names(path: Path | None = None) -> dict[str, str]:
    data = read_catalogue(path or default_catalogue_path())
    return {d["code"]: d["name"] for d in data["domains"]}


def load_catalogue(*, ctx: ServiceContext, path: Path | None = None,
                   officer_id: str = "") -> int:
    """Insert or update the violation types of a catalogue file; returns how many changed.
    The built-in catalogue loads with nobody; another file needs a leader."""
    data = read_catalogue(path or default_catalogue_path())
    names = {d["code"]: d["name"] for d in data["domains"]}
    changed = 0
    action = Action.SET_RULES if officer_id or path is not None else Action.LOAD_CATALOGUE
    with ctx.write(officer_id, action=action) as tx:
        for item in data["types"]:
            values = {k: item[k] for k in _FIELDS if k in item}
            values["domain"] = names.get(item["domain"], item["domain"])
            values["catalogue_version"] = data["version"]
            values["discretion_json"] = json.dumps(item.get("discretion", []),
                                                   ensure_ascii=False)
            row = tx.session.get(ViolationType, item["code"])
            if row is None:
                tx.add(ViolationType(code=item["code"], **values))
                changed += 1
            elif tx.update(row, values):
                changed += 1
        if changed:
            tx.audit("catalogue.load", "violation_type", data["version"],
                     {"changed": changed, "version": data["version"]})
    return changed


def violation_types(*, ctx: ServiceContext) -> list[ViolationType]:
    with ctx.read() as session:
        return list(session.exec(select(ViolationType).order_by(ViolationType.code)))
