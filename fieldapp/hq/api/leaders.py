"""What squad leaders see and decide: conflicts, subject merges, late ladder steps and
the squad's status (device token plus a leader's session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from fieldapp.hq.api.deps import DEVICE, DeviceDep, HqDep, Lang, LeaderDep, errors
from fieldapp.hq.services import leaders
from fieldapp.sync.protocol import (
    ConflictList,
    ConflictRecord,
    ErrorCode,
    LateStep,
    LateStepList,
    MergeDecision,
    MergeProposal,
    MergeProposalList,
    ResolveRequest,
    SquadStatus,
)

router = APIRouter(prefix="/v1", tags=["squad leaders"])
Id = Annotated[str, Path(min_length=1, max_length=80)]
LEADER = (*DEVICE, ErrorCode.OUT_OF_SCOPE)
DECIDE = (*LEADER, ErrorCode.ALREADY_DONE)


@router.get("/conflicts", responses=errors(*LEADER))
def list_conflicts(hq: HqDep, device: DeviceDep, _leader: LeaderDep) -> ConflictList:
    """The squad's merge conflicts, unresolved first."""
    return ConflictList(items=tuple(leaders.conflicts(hq, squad_id=device.squad_id)))


@router.post("/conflicts/{conflict_id}/resolve", responses=errors(*DECIDE))
def resolve_conflict(hq: HqDep, device: DeviceDep, leader: LeaderDep, conflict_id: Id,
                     body: ResolveRequest) -> ConflictRecord:
    """Mark a conflict resolved."""
    return leaders.resolve(hq, squad_id=device.squad_id, conflict_id=conflict_id,
                           officer=leader, note=body.note)


@router.get("/merges", responses=errors(*LEADER))
def list_merges(hq: HqDep, device: DeviceDep, _leader: LeaderDep) -> MergeProposalList:
    """Subjects that may be the same person or shop."""
    return MergeProposalList(items=tuple(leaders.proposals(hq, squad_id=device.squad_id)))


@router.post("/merges/{proposal_id}/decide", responses=errors(*DECIDE))
def decide_merge(hq: HqDep, device: DeviceDep, leader: LeaderDep, proposal_id: Id,
                 body: MergeDecision) -> MergeProposal:
    """Merge two subjects (both histories under one) or dismiss the proposal."""
    return leaders.decide(hq, squad_id=device.squad_id, proposal_id=proposal_id,
                          officer=leader, decision=body)


@router.get("/late-steps", responses=errors(*LEADER))
def list_late_steps(hq: HqDep, device: DeviceDep, _leader: LeaderDep) -> LateStepList:
    """Ladder steps recorded without the squad's full history."""
    return LateStepList(items=tuple(leaders.late_steps(hq, squad_id=device.squad_id)))


@router.post("/late-steps/{step_id}/seen", responses=errors(*DECIDE))
def see_late_step(hq: HqDep, device: DeviceDep, leader: LeaderDep, step_id: Id) -> LateStep:
    """Mark a late ladder step as seen."""
    return leaders.mark_seen(hq, squad_id=device.squad_id, step_id=step_id, officer=leader)


@router.get("/status", responses=errors(*LEADER))
def squad_status(hq: HqDep, device: DeviceDep, _leader: LeaderDep, lang: Lang) -> SquadStatus:
    """The squad's devices, last syncs and problems."""
    return leaders.squad_status(hq, squad_id=device.squad_id, lang=lang)
