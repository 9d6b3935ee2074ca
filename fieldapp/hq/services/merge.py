"""Merging a mutable record field by field (pure).

Against the base version both sides started from: a field only one side changed takes
that side's value; a field both changed to different values goes to the newer hybrid
logical clock, and the other value is a conflict a squad leader sees. Bookkeeping
fields (the HLC, ``updated_at``) take the newer value and never count as conflicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fieldapp.sync.protocol import EntitySpec, FieldValue

BOOKKEEPING = frozenset({"hlc", "updated_at"})


@dataclass(frozen=True)
class Lost:
    field: str
    kept: FieldValue
    lost: FieldValue
    kept_hlc: str
    lost_hlc: str
    incoming_lost: bool  # the pushed change lost (else HQ's value lost)


@dataclass(frozen=True)
class Merged:
    fields: dict[str, FieldValue]
    changed: tuple[str, ...]  # fields that differ from HQ's current version
    lost: tuple[Lost, ...]


def merge(spec: EntitySpec, *, base: Mapping[str, FieldValue],
          current: Mapping[str, FieldValue], incoming: Mapping[str, FieldValue],
          current_hlc: str, incoming_hlc: str) -> Merged:
    out = dict(current)
    lost: list[Lost] = []
    newer = incoming_hlc > current_hlc
    for name in spec.names:
        mine, theirs = incoming.get(name), current.get(name)
        if name in BOOKKEEPING:
            out[name] = _newer(mine, theirs)
            continue
        if mine == base.get(name) or mine == theirs:
            continue
        if theirs == base.get(name):
            out[name] = mine
        elif newer:
            out[name] = mine
            lost.append(Lost(name, mine, theirs, incoming_hlc, current_hlc, False))
        else:
            lost.append(Lost(name, theirs, mine, current_hlc, incoming_hlc, True))
    changed = tuple(n for n in spec.names if out.get(n) != current.get(n))
    return Merged(out, changed, tuple(lost))


def _newer(a: FieldValue, b: FieldValue) -> FieldValue:
    if a is None:
        return b
    if b is None:
        return a
    return a if str(a) > str(b) else b
