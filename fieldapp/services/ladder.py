"""Reading the ladder history of a subject and a violation type (whole squad)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from fieldapp.domain.entities import StepKind
from fieldapp.domain.ladder import LadderDecision, PastStep, next_step
from fieldapp.domain.rules_config import LIMITATION_DAYS, RuleConfig

_STEPS_SQL = (
    "SELECT s.id, s.kind, s.taken_at_utc, o.name, s.override_reason FROM ladder_step s "
    "JOIN officer o ON o.id = s.officer_id WHERE s.subject_id = ? AND s.violation_code = ? "
    "AND s.taken_at_utc > ? AND s.taken_at_utc <= ? ORDER BY s.taken_at_utc"
)
_CLOSES_SQL = (
    "SELECT closed_at_utc FROM episode_close WHERE subject_id = ? AND violation_code = ? "
    "AND closed_at_utc > ? AND closed_at_utc <= ?"
)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _bounds(at: dt.datetime) -> tuple[str, str]:
    # Nothing older than the two-year limitation can matter, whatever the window.
    start = at - dt.timedelta(days=LIMITATION_DAYS)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    return start.astimezone(dt.UTC).strftime(fmt), at.astimezone(dt.UTC).strftime(fmt)


def ladder_decision(conn: Connection, *, subject_id: str, violation_code: str,
                    at: dt.datetime, config: RuleConfig, ladder_applies: bool) -> LadderDecision:
    since, until = _bounds(at)
    params = (subject_id, violation_code, since, until)
    steps = [PastStep(id=r[0], kind=StepKind(r[1]), taken_at=_utc(r[2]), officer=r[3],
                      override_reason=r[4])
             for r in conn.exec_driver_sql(_STEPS_SQL, params)]
    closes = [_utc(r[0]) for r in conn.exec_driver_sql(_CLOSES_SQL, params)]
    return next_step(steps=steps, episode_closes=closes, at=at, config=config,
                     ladder_applies=ladder_applies)
