"""What HQ computes for the squad leader and the device lists and acts on: subjects
likely registered twice (merge or dismiss), ladder steps taken without the squad's full
history (seen), and the conflict log (resolved). These need the leader's HQ session
(``sync.login.online_login``) and HQ answering; HQ checks the role again.
"""

from __future__ import annotations

from fieldapp.domain.errors import DomainError
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext
from fieldapp.services.sync.errors import refused_text
from fieldapp.services.sync.login import leader_client
from fieldapp.sync.client import HqClient, HqRefused, HqUnreachable
from fieldapp.sync.protocol import (
    ConflictRecord,
    ErrorCode,
    LateStep,
    MergeDecision,
    MergeProposal,
)


def _call(ctx: ServiceContext, what: str, run: object) -> object:
    client = leader_client(ctx)
    try:
        return run(client)  # type: ignore[operator]
    except HqRefused as refused:
        raise DomainError("HQ refused: {reason}", reason=refused_text(refused)) from None
    except HqUnreachable:
        raise DomainError("HQ does not answer: {what} needs HQ; try again when online",
                          what=what) from None
    finally:
        client.close()


def merge_proposals(*, ctx: ServiceContext) -> list[MergeProposal]:
    """Subjects HQ thinks are one (same ID number or credit code, or likely the same
    vendor by description and place), still undecided."""
    answer = _call(ctx, "the list of duplicate subjects", lambda c: c.merges())
    return [p for p in answer.items if p.state == "proposed"]  # type: ignore[attr-defined]


def decide_merge(*, ctx: ServiceContext, officer_id: str, proposal_id: str, merge: bool,
                 kept_id: str | None = None) -> MergeProposal:
    """Merge two subjects (both histories under one) or dismiss the proposal; the merge
    comes back to every device in the next pull."""
    ctx.authorize(officer_id, Action.MERGE_SUBJECTS)
    decision = MergeDecision(merge=merge, kept_id=kept_id)
    answer = _call(ctx, "a merge", lambda c: c.decide_merge(proposal_id, decision))
    assert isinstance(answer, MergeProposal)
    return answer


def late_steps(*, ctx: ServiceContext) -> list[LateStep]:
    """Ladder steps recorded without the squad's full history, not seen yet."""
    answer = _call(ctx, "the list of late steps", lambda c: c.late_steps())
    return [s for s in answer.items if not s.seen_by]  # type: ignore[attr-defined]


def see_late_step(*, ctx: ServiceContext, officer_id: str, step_id: str) -> LateStep:
    ctx.authorize(officer_id, Action.RESOLVE_CONFLICT)
    answer = _call(ctx, "marking a late step seen", lambda c: c.see_late_step(step_id))
    assert isinstance(answer, LateStep)
    return answer


def hq_conflicts(*, ctx: ServiceContext) -> list[ConflictRecord]:
    """The squad's conflict log at HQ (every device's lost values)."""
    answer = _call(ctx, "the conflict log", lambda c: c.conflicts())
    return list(answer.items)  # type: ignore[attr-defined]


def resolve_at_hq(ctx: ServiceContext, conflict_id: str, note: str) -> None:
    """Mark a conflict resolved at HQ too, when HQ answers (and it is not done there)."""
    try:
        client: HqClient = leader_client(ctx)
    except DomainError:
        return
    try:
        client.resolve_conflict(conflict_id, note)
    except HqRefused as refused:
        if refused.code not in (ErrorCode.ALREADY_DONE, ErrorCode.NOT_FOUND,
                                ErrorCode.OUT_OF_SCOPE):
            raise DomainError("HQ refused: {reason}", reason=refused_text(refused)) from None
    except HqUnreachable:
        pass  # resolved here; HQ's log is marked at the next online resolve
    finally:
        client.close()
