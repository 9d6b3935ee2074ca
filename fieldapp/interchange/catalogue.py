"""The violation catalogue file (``resources/catalogue/violations.json`` or a city's
own): read once into violation-type records in the protocol's field names, for the
desktop's catalogue load and for HQ's publication alike."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp.domain.errors import ValidationError
from fieldapp.resources import resource

# Fields a catalogue item gives as they are (the rest are derived below).
ITEM_FIELDS = ("name", "event_code", "provision", "penalty_provision", "penalty_range",
               "correction_days", "ladder_applies", "fine_min_yuan", "fine_max_yuan",
               "local_regulation", "summary_allowed", "skip_reason", "notes",
               "fine_min_org_yuan", "fine_max_org_yuan", "fine_unit")
_NUMBERS = ("fine_min_yuan", "fine_max_yuan", "fine_min_org_yuan", "fine_max_org_yuan")


@dataclass(frozen=True)
class Catalogue:
    version: str
    domains: dict[str, str]  # domain code -> name
    types: list[tuple[str, dict[str, Any]]]  # (violation code, violation_type fields)


def default_catalogue_path() -> Path:
    return resource("catalogue", "violations.json")


def read_catalogue_file(path: Path) -> Catalogue:
    """The catalogue's violation types; a file that is not a catalogue is a clear error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = str(data["version"])
        domains = {str(d["code"]): str(d["name"]) for d in data["domains"]}
        items = list(data["types"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise ValidationError("catalogue file", "'{name}' is not a violation catalogue",
                              name=path.name) from error
    types = []
    for item in items:
        fields: dict[str, Any] = {k: item[k] for k in ITEM_FIELDS if k in item}
        for number in _NUMBERS:
            if fields.get(number) is not None:
                fields[number] = float(fields[number])
        fields["domain"] = domains.get(item["domain"], item["domain"])
        fields["catalogue_version"] = version
        fields["discretion_json"] = json.dumps(item.get("discretion", []),
                                               ensure_ascii=False)
        types.append((str(item["code"]), fields))
    return Catalogue(version, domains, types)
