"""Inspections (巡查检查): recording findings with their steps and evidence;
revisits (回头看).

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.inspections.outcome import (
    FindingOutcome,
    IssuedForFinding,
    finding_outcome,
)
from fieldapp.services.inspections.photos import (
    CapturedPhoto,
    check_unchanged,
    photo_from_camera,
    photo_from_file,
)
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
    "CapturedPhoto",
    "FindingOutcome",
    "IssuedForFinding",
    "RecordedInspection",
    "RevisitView",
    "check_evidence_file",
    "check_unchanged",
    "complete_revisit",
    "finding_outcome",
    "list_revisits",
    "photo_from_camera",
    "photo_from_file",
    "record_inspection",
]

