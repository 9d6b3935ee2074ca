"""Inspections (巡查检查): recording findings with their steps and evidence;
revisits (回头看).

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.inspections.recording import (
    RecordedInspection,
    record_inspection,
)
from fieldapp.services.inspections.revisits import (
    RevisitView,
    complete_revisit,
    list_revisits,
)
from fieldapp.store.blobs import check_evidence_file  # an edge checks a file before asking

__all__ = [
    "RecordedInspection",
    "RevisitView",
    "check_evidence_file",
    "complete_revisit",
    "list_revisits",
    "record_inspection",
]

