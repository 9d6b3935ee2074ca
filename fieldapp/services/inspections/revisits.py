"""回头看: the re-inspection a warning's correction deadline creates.

Completing a revisit records whether the party corrected. A correction closes the
episode (an append-only ``episode_close``), so the ladder starts again at education.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import select

from fieldapp.domain.errors import DomainError, NotFound
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.store.tables import EpisodeClose, LadderStep, Revisit
from fieldapp.store.unit import Tx


@dataclass(frozen=True)
class RevisitView:
    id: str
    subject_id: str
    violation_code: str
    squad_id: str
    officer_id: str
    due_at: dt.datetime
    status: str
    overdue: bool


def create_revisit(tx: Tx, step: LadderStep, due_at: dt.datetime) -> str:
    """Inside the transaction that records the warning."""
    revisit = tx.add(Revisit(
        id=tx.new_id(), step_id=step.id, subject_id=step.subject_id,
        violation_code=step.violation_code, squad_id=step.squad_id,
        officer_id=step.officer_id, due_at_utc=due_at, created_at=tx.now,
        updated_at=tx.now))
    return revisit.id


def complete_revisit(*, ctx: ServiceContext, revisit_id: str, officer_id: str,
                     corrected: bool, at: dt.datetime | None = None) -> Written:
    """Record the re-inspection made at ``at`` (default: now)."""
    with ctx.write(officer_id, action=Action.COMPLETE_REVISIT) as tx:
        at = at or tx.now
        revisit = tx.session.get(Revisit, revisit_id)
        if revisit is None:
            raise NotFound("revisit", revisit_id)
        if revisit.status != "open":
            raise DomainError("this revisit is already {status}", status=revisit.status)
        tx.update(revisit, {"status": "done", "done_at_utc": at, "done_by": officer_id,
                            "result": "corrected" if corrected else "not_corrected",
                            "updated_at": tx.now})
        if corrected:
            tx.add(EpisodeClose(
                id=tx.new_id(), subject_id=revisit.subject_id,
                violation_code=revisit.violation_code, squad_id=revisit.squad_id,
                closed_at_utc=at, reason="corrected", officer_id=officer_id,
                step_id=revisit.step_id, created_at=tx.now))
        tx.audit("revisit.complete", "revisit", revisit_id, {"corrected": corrected})
    return Written(revisit_id, frozenset(tx.changed))


def list_revisits(*, ctx: ServiceContext, squad_id: str | None = None,
                  officer_id: str | None = None, overdue_only: bool = False,
                  now: dt.datetime | None = None, limit: int = 500) -> list[RevisitView]:
    now = now or ctx.now()
    query = select(Revisit).where(Revisit.status == "open")
    if squad_id:
        query = query.where(Revisit.squad_id == squad_id)
    if officer_id:
        query = query.where(Revisit.officer_id == officer_id)
    if overdue_only:
        query = query.where(Revisit.due_at_utc < now)
    with ctx.read() as session:
        rows = session.exec(query.order_by(Revisit.due_at_utc).limit(limit)).all()  # type: ignore[arg-type]
    return [RevisitView(r.id, r.subject_id, r.violation_code, r.squad_id, r.officer_id,
                        r.due_at_utc, r.status, r.due_at_utc < now) for r in rows]
