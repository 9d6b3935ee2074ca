"""Cases (案件): opening, the workflow actions, deadlines, lists and details.

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.cases.history import (
    PAGE_SIZE,
    CaseDetail,
    CaseEventView,
    CaseFilter,
    CaseRow,
    case_detail,
    case_events,
    case_rows,
    count_cases,
    overdue_case_counts,
)
from fieldapp.services.cases.next_step import NextStep, next_step
from fieldapp.services.cases.workflow import (
    CaseView,
    Deadline,
    act,
    case_actions,
    get_case,
    list_cases,
    open_case,
    open_case_in,
)

__all__ = [
    "PAGE_SIZE",
    "CaseDetail",
    "CaseEventView",
    "CaseFilter",
    "CaseRow",
    "CaseView",
    "Deadline",
    "NextStep",
    "act",
    "case_actions",
    "case_detail",
    "case_events",
    "case_rows",
    "count_cases",
    "get_case",
    "list_cases",
    "next_step",
    "open_case",
    "open_case_in",
    "overdue_case_counts",
]
