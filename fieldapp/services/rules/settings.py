"""The city's rule settings (``rule_setting`` rows), read as one ``RuleConfig``."""

from __future__ import annotations

import dataclasses
import json
import weakref
from typing import Any

from sqlmodel import func, select

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.localtime import set_agency_zone
from fieldapp.domain.permissions import Action
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.store.store import Store
from fieldapp.store.tables import RuleSetting
from fieldapp.store.unit import Tx

_FIELDS = {f.name: f for f in dataclasses.fields(RuleConfig)}


# Read on every recorded finding and every advice: cached per store until a setting
# changes (the count and the newest HLC change with every write, synced ones too).
_cached: weakref.WeakKeyDictionary[Store, tuple[tuple[Any, ...], RuleConfig]] = (
    weakref.WeakKeyDictionary())


def put_setting(tx: Tx, key: str, value: Any, officer_id: str) -> None:
    """Write one setting (its JSON value), creating the row the first time."""
    row = tx.session.get(RuleSetting, key)
    text = json.dumps(value, ensure_ascii=False)
    if row is None:
        tx.add(RuleSetting(key=key, value_json=text, updated_at=tx.now, updated_by=officer_id))
    else:
        tx.update(row, {"value_json": text, "updated_at": tx.now, "updated_by": officer_id})


def rule_config(*, ctx: ServiceContext) -> RuleConfig:
    with ctx.read() as session:
        stamp = tuple(session.exec(select(func.count(), func.max(RuleSetting.hlc))).one())
        cached = _cached.get(ctx.store)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        rows = session.exec(select(RuleSetting)).all()
    config = RuleConfig.from_settings({r.key: json.loads(r.value_json) for r in rows})
    _cached[ctx.store] = (stamp, config)
    set_agency_zone(config.time_zone)
    return config


def set_rule(*, ctx: ServiceContext, officer_id: str, key: str, value: Any) -> Written:
    """Change one setting; the whole configuration is validated before it is stored."""
    if key not in _FIELDS:
        raise ValidationError("setting", "'{key}' is not a rule setting", key=key)
    current = dataclasses.asdict(rule_config(ctx=ctx))
    RuleConfig.from_settings(current | {key: value})  # raises on a bad value
    with ctx.write(officer_id, action=Action.SET_RULES) as tx:
        put_setting(tx, key, value, officer_id)
        tx.audit("rule_setting.set", "rule_setting", key, {"value": value})
    return Written(key, frozenset(tx.changed))
