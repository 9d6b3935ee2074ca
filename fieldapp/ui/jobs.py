"""What the screens ask of the services, run on the worker thread.

Each job calls services and turns what they return into plain frozen values, so the
GUI thread never holds a row that could reach back into the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.services.context import ServiceContext
from fieldapp.services.records import changes_since_backup
from fieldapp.services.rules import CurrentStep, current_steps, rule_config
from fieldapp.services.staff import list_officers
from fieldapp.services.subjects import (
    AgreementView,
    HistoryEntry,
    agreements_of,
    display_name,
    find_subjects,
    get_subject,
    subject_history,
)

SEARCH_LIMIT = 50
_PROFILE_FIELDS = [f.name for f in dataclasses.fields(SubjectData) if f.name != "kind"]


@dataclass(frozen=True)
class SubjectHit:
    """One line of the search results."""

    id: str
    title: str
    kind: str
    phone: str
    place: str


@dataclass(frozen=True)
class SubjectFile:
    """A subject's profile and history, as the subject screen shows them."""

    id: str
    title: str
    profile: SubjectData
    history: tuple[HistoryEntry, ...]
    current: tuple[CurrentStep, ...] = ()
    agreements: tuple[AgreementView, ...] = ()


@dataclass(frozen=True)
class StatusCounts:
    officers: int
    changes_since_backup: int


def search(ctx: ServiceContext, query: str) -> list[SubjectHit]:
    return [SubjectHit(s.id, display_name(s), s.kind, s.phone,
                       s.usual_place or s.address)
            for s in find_subjects(ctx=ctx, query=query, limit=SEARCH_LIMIT)]


def subject_file(ctx: ServiceContext, subject_id: str) -> SubjectFile:
    row = get_subject(ctx=ctx, subject_id=subject_id)
    profile = SubjectData(kind=SubjectKind(row.kind),
                          **{name: getattr(row, name) for name in _PROFILE_FIELDS})
    history = subject_history(ctx=ctx, subject_id=subject_id)
    current = current_steps(ctx=ctx, subject_id=subject_id,
                            at=dt.datetime.now(dt.UTC), config=rule_config(ctx=ctx))
    return SubjectFile(row.id, display_name(row), profile, tuple(history), tuple(current),
                       tuple(agreements_of(ctx=ctx, subject_id=subject_id)))


def status_counts(ctx: ServiceContext) -> StatusCounts:
    return StatusCounts(len(list_officers(ctx=ctx)), changes_since_backup(ctx=ctx))
