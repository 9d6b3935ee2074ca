"""What changed, in the words a screen cares about (not table names).

A service's result says which kinds of records it changed; the UI reloads only the
pages that show those kinds, and knows whether it initiated the change itself (as
Anki's ``OpChanges`` do), so a page need not reload what it has just drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChangeKind(StrEnum):
    SUBJECTS = "subjects"  # profiles, agreements
    INSPECTIONS = "inspections"  # inspections, findings, steps, evidence
    TASKS = "tasks"  # revisits (回头看)
    CASES = "cases"
    DOCUMENTS = "documents"  # documents, services, numbers
    LISTS = "lists"  # the catalogue and no-penalty lists
    SETTINGS = "settings"  # city rules, holidays
    STAFF = "staff"  # agency, squads, officers, grids, devices
    RECORD = "record"  # the full-process record itself
    BACKUP = "backup"
    SYNC = "sync"  # what waits for HQ, rejections, conflicts


@dataclass(frozen=True)
class OpChanges:
    """The kinds a job changed and who started it (``initiator``: the page's token)."""

    kinds: frozenset[ChangeKind]
    initiator: object | None = None

    def touches(self, *kinds: ChangeKind) -> bool:
        return not self.kinds.isdisjoint(kinds)
