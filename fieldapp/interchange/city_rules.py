"""A city's rules file (本市规则: ``resources/catalogue/demo_city_rules.json`` or a
city's own): each rule a violation code, the day it takes effect, the local articles and
amounts. Read here for the desktop's load and for HQ's publication alike."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fieldapp.domain.errors import ValidationError
from fieldapp.resources import resource

_AMOUNTS = ("fine_min_yuan", "fine_max_yuan", "fine_min_org_yuan", "fine_max_org_yuan")


def default_city_rules_path() -> Path:
    return resource("catalogue", "demo_city_rules.json")


def read_city_rules_file(path: Path) -> list[Mapping[str, Any]]:
    """The file's rules as given; a file that is not a rules file is a clear error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rules = list(data["rules"])
        for rule in rules:
            str(rule["violation_code"])
            dt.date.fromisoformat(str(rule["effective_from"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise ValidationError("city rules file", "'{name}' is not a city rules file",
                              name=path.name) from error
    return rules


def city_rule_id(violation_code: str, effective_from: str) -> str:
    """One id per (violation, first day) wherever the version is made, so that HQ's
    publication and a device's own load of the same file are one record."""
    return f"rule:{violation_code}:{effective_from}"


def city_rule_fields(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A rule as a ``city_violation_rule`` record (the protocol's field names); the
    organisation's amounts default to the person's where the file gives only one."""
    fields: dict[str, Any] = {
        "violation_code": str(rule["violation_code"]),
        "effective_from": str(rule["effective_from"]),
        "provision": str(rule["provision"]).strip(),
        "penalty_provision": str(rule["penalty_provision"]).strip(),
        "penalty_range": str(rule.get("penalty_range", "")),
        "fine_min_yuan": rule.get("fine_min_yuan"),
        "fine_max_yuan": rule.get("fine_max_yuan"),
        "fine_min_org_yuan": rule.get("fine_min_org_yuan", rule.get("fine_min_yuan")),
        "fine_max_org_yuan": rule.get("fine_max_org_yuan", rule.get("fine_max_yuan")),
        "fine_unit": str(rule.get("fine_unit", "")),
        "discretion_json": json.dumps(list(rule.get("discretion", ())), ensure_ascii=False),
        "source": str(rule.get("source", ""))}
    for amount in _AMOUNTS:
        if fields[amount] is not None:
            fields[amount] = float(fields[amount])
    return fields
