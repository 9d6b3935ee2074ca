"""A subject's history: every inspection, finding, step, case and document, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text

from fieldapp.services.context import ServiceContext
from fieldapp.services.subjects import get_subject


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
