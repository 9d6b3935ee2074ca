"""Subjects (当事人): profiles, search, history, frontage agreements (门前四包).

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.subjects.agreements import (
    AgreementView,
    add_agreement,
    agreements_of,
)
from fieldapp.services.subjects.history import (
    HistoryEntry,
    InspectionRow,
    RecentFinding,
    inspections_page,
    page_key,
    recent_findings,
    subject_history,
)
from fieldapp.services.subjects.profiles import (
    create_subject,
    display_name,
    find_subjects,
    get_subject,
    update_subject,
)

__all__ = [
    "AgreementView",
    "HistoryEntry",
    "InspectionRow",
    "RecentFinding",
    "add_agreement",
    "agreements_of",
    "create_subject",
    "display_name",
    "find_subjects",
    "get_subject",
    "inspections_page",
    "page_key",
    "recent_findings",
    "subject_history",
    "update_subject",
]
