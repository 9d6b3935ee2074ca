"""What services return: the id written and the kinds of records that changed."""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.domain.changes import ChangeKind


@dataclass(frozen=True)
class Written:
    id: str
    changed: frozenset[ChangeKind]
