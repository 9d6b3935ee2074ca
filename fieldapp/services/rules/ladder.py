"""Reading the ladder history of a subject and a violation type (whole squad)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from fieldapp.domain.entities import StepKind
from fieldapp.domain.ladder import LadderDecision, PastStep, months_before, next_step
from fieldapp.domain.rules_config import LIMITATION_MONTHS, RuleConfig
from fieldapp.services.context import ServiceContext
from fieldapp.store.audit import utc_text
from fieldapp.store.tables import LadderStep

# The subject and those a squad leader merged with it at HQ (``subject_merge``, pulled by
# the sync): the ladder reads both histories as one.
_SAME = ("IN (SELECT :s UNION SELECT merged_id FROM subject_merge WHERE kept_id = :s "
         "UNION SELECT kept_id FROM subject_merge WHERE merged_id = :s)")
_STEPS_SQL = (
    "SELECT s.id, s.kind, s.taken_at_utc, o.name, s.override_reason FROM ladder_step s "
    f"JOIN officer o ON o.id = s.officer_id WHERE s.subject_id {_SAME} AND "
    "s.violation_code = :v AND s.taken_at_utc > :a AND s.taken_at_utc <= :b "
    "ORDER BY s.taken_at_utc"
)
_CLOSES_SQL = (
    f"SELECT closed_at_utc FROM episode_close WHERE subject_id {_SAME} AND "
    "violation_code = :v AND closed_at_utc > :a AND closed_at_utc <= :b"
)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _bounds(at: dt.datetime) -> tuple[str, str]:
    # Nothing older than the two-year limitation can matter, whatever the window.
    start = months_before(at, LIMITATION_MONTHS)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    return start.astimezone(dt.UTC).strftime(fmt), at.astimezone(dt.UTC).strftime(fmt)


def ladder_decision(conn: Connection, *, subject_id: str, violation_code: str,
                    at: dt.datetime, config: RuleConfig, ladder_applies: bool) -> LadderDecision:
    since, until = _bounds(at)
    params = {"s": subject_id, "v": violation_code, "a": since, "b": until}
    steps = [PastStep(id=r[0], kind=StepKind(r[1]), taken_at=_utc(r[2]), officer=r[3],
                      override_reason=r[4])
             for r in conn.exec_driver_sql(_STEPS_SQL, params)]
    closes = [_utc(r[0]) for r in conn.exec_driver_sql(_CLOSES_SQL, params)]
    return next_step(steps=steps, episode_closes=closes, at=at, config=config,
                     ladder_applies=ladder_applies)


def history_before(conn: Connection, step: LadderStep, *, config: RuleConfig,
                   ladder_applies: bool) -> LadderDecision:
    """The history that led to ``step``: what the ladder counted just before it was taken."""
    return ladder_decision(conn, subject_id=step.subject_id,
                           violation_code=step.violation_code,
                           at=step.taken_at_utc - dt.timedelta(microseconds=1), config=config,
                           ladder_applies=ladder_applies)


@dataclass(frozen=True)
class Override:
    """A step taken against the advice, with the officer's reason (for the squad leader)."""

    step_id: str
    taken_at: dt.datetime
    kind: StepKind
    officer: str
    subject_id: str
    violation_code: str
    reason: str


_OVERRIDES_SQL = (
    "SELECT s.id, s.taken_at_utc, s.kind, o.name, s.subject_id, s.violation_code, "
    "s.override_reason FROM ladder_step s JOIN officer o ON o.id = s.officer_id "
    "WHERE s.override_reason != '' AND s.taken_at_utc >= ? AND s.taken_at_utc < ? "
    "AND (? IS NULL OR s.squad_id = ?) ORDER BY s.taken_at_utc DESC"
)


def list_overrides(*, ctx: ServiceContext, start: dt.datetime, end: dt.datetime,
                   squad_id: str | None = None) -> list[Override]:
    """Every step taken against the ladder's advice in [start, end), newest first."""
    params = (utc_text(start), utc_text(end), squad_id, squad_id)
    with ctx.read() as session:
        rows = session.connection().exec_driver_sql(_OVERRIDES_SQL, params).all()
    return [Override(r[0], _utc(r[1]), StepKind(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


@dataclass(frozen=True)
class CurrentStep:
    """Where a subject stands on the ladder for one violation type now."""

    violation_code: str
    violation_name: str
    due: StepKind
    counted: int  # steps inside the window


def current_steps(*, ctx: ServiceContext, subject_id: str, at: dt.datetime,
                  config: RuleConfig) -> list[CurrentStep]:
    """The step due now for every violation type this subject has a step for."""
    with ctx.read() as session:
        conn = session.connection()
        codes = conn.exec_driver_sql(
            "SELECT DISTINCT s.violation_code, v.name, v.ladder_applies FROM ladder_step s "
            "JOIN violation_type v ON v.code = s.violation_code WHERE s.subject_id = ? "
            "ORDER BY s.violation_code", (subject_id,)).all()
        out = []
        for code, name, ladder in codes:
            decision = ladder_decision(conn, subject_id=subject_id, violation_code=code,
                                       at=at, config=config, ladder_applies=bool(ladder))
            out.append(CurrentStep(code, name, decision.due, len(decision.counted)))
    return out
