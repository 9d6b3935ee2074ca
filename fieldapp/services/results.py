"""What services return: the id written and the kinds of records that changed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Written:
    id: str
    changed: frozenset[str]
