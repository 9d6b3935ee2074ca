"""A subject's history: every inspection, finding, step, case and document, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text

from fieldapp.services.context import ServiceContext
from fieldapp.services.subjects.profiles import get_subject


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    kind: str  # finding | case | document | evidence
    id: str
    violation_code: str
    violation_name: str
    step: str
    summary: str
    officers: str
    corrected_on_spot: bool = False


_FINDINGS_SQL = text("""
SELECT f.at_utc, f.id, f.violation_code, v.name, f.step, f.facts, f.corrected_on_spot,
       o1.name || '、' || o2.name
FROM finding f JOIN inspection i ON i.id = f.inspection_id
JOIN violation_type v ON v.code = f.violation_code
JOIN officer o1 ON o1.id = i.officer1_id JOIN officer o2 ON o2.id = i.officer2_id
WHERE f.subject_id = :sid ORDER BY f.at_utc DESC LIMIT :limit
""")
_CASES_SQL = text("""
SELECT c.opened_at, c.id, c.violation_code, v.name, c.status, c.case_no || ' ' || c.summary
FROM case_file c JOIN violation_type v ON v.code = c.violation_code
WHERE c.subject_id = :sid ORDER BY c.opened_at DESC LIMIT :limit
""")
_DOCUMENTS_SQL = text("""
SELECT issued_at, id, kind, number FROM document WHERE subject_id = :sid
ORDER BY issued_at DESC LIMIT :limit
""")


def _utc(value: str | dt.datetime) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def subject_history(*, ctx: ServiceContext, subject_id: str,
                    limit: int = 500) -> list[HistoryEntry]:
    get_subject(ctx=ctx, subject_id=subject_id)
    params = {"sid": subject_id, "limit": limit}
    entries: list[HistoryEntry] = []
    with ctx.read() as session:
        conn = session.connection()
        for at, id_, code, name, step, facts, corrected, officers in conn.execute(
                _FINDINGS_SQL, params):
            entries.append(HistoryEntry(_utc(at), "finding", id_, code, name, step,
                                        facts, officers, bool(corrected)))
        for at, id_, code, name, status, summary in conn.execute(_CASES_SQL, params):
            entries.append(HistoryEntry(_utc(at), "case", id_, code, name, status,
                                        summary.strip(), ""))
        for at, id_, kind, number in conn.execute(_DOCUMENTS_SQL, params):
            entries.append(HistoryEntry(_utc(at), "document", id_, "", "", kind, number, ""))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class RecentFinding:
    at: dt.datetime
    subject_id: str
    subject_name: str
    violation_name: str
    step: str


_RECENT_SQL = text("""
SELECT f.at_utc, s.id, COALESCE(NULLIF(s.shop_sign, ''), s.name), v.name, f.step
FROM finding f JOIN inspection i ON i.id = f.inspection_id
JOIN subject s ON s.id = f.subject_id JOIN violation_type v ON v.code = f.violation_code
WHERE i.officer1_id = :oid OR i.officer2_id = :oid
ORDER BY f.at_utc DESC LIMIT :limit
""")


def recent_findings(*, ctx: ServiceContext, officer_id: str,
                    limit: int = 20) -> list[RecentFinding]:
    """What this officer recorded lately (lead or assisting), newest first."""
    with ctx.read() as session:
        rows = session.connection().execute(_RECENT_SQL, {"oid": officer_id, "limit": limit})
        return [RecentFinding(_utc(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


@dataclass(frozen=True)
class InspectionRow:
    id: str
    at: dt.datetime
    subject_name: str
    address: str
    violation_name: str
    step: str
    officers: str


_PAGE_SQL = """
SELECT i.id, i.at_utc, COALESCE(NULLIF(s.shop_sign, ''), s.name), i.address,
       COALESCE(v.name, ''), COALESCE(f.step, ''), o1.name || '、' || o2.name
FROM inspection i JOIN subject s ON s.id = i.subject_id
JOIN officer o1 ON o1.id = i.officer1_id JOIN officer o2 ON o2.id = i.officer2_id
LEFT JOIN finding f ON f.inspection_id = i.id
LEFT JOIN violation_type v ON v.code = f.violation_code
WHERE (:squad IS NULL OR i.squad_id = :squad) {after}
ORDER BY i.at_utc DESC, i.id DESC LIMIT :limit
"""


def inspections_page(*, ctx: ServiceContext, after: tuple[str, str] | None = None,
                     squad_id: str | None = None, limit: int = 200) -> list[InspectionRow]:
    """One page of all inspections, newest first; ``after`` is the (stored time, id) of
    the last row already shown (keyset paging: as fast on page 5,000 as on page 1)."""
    params: dict[str, object] = {"squad": squad_id, "limit": limit}
    cond = ""
    if after is not None:
        cond = "AND (i.at_utc < :at OR (i.at_utc = :at AND i.id < :id))"
        params |= {"at": after[0], "id": after[1]}
    with ctx.read() as session:
        rows = session.connection().execute(text(_PAGE_SQL.format(after=cond)), params).all()
    return [InspectionRow(r[0], _utc(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in rows]


def page_key(row: InspectionRow) -> tuple[str, str]:
    """The keyset position of a row, as ``inspections_page(after=...)`` wants it."""
    return (row.at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds"),
            row.id)
