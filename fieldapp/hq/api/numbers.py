"""Document-number blocks."""

from __future__ import annotations

from fastapi import APIRouter

from fieldapp.hq.api.deps import DEVICE, DeviceDep, HqDep, errors
from fieldapp.hq.services import numbers
from fieldapp.sync.protocol import ErrorCode, LeaseRequest, NumberBlockResponse, ReturnRequest

router = APIRouter(prefix="/v1/numbers", tags=["numbers"])


@router.post("/lease", responses=errors(*DEVICE))
def lease(hq: HqDep, device: DeviceDep, body: LeaseRequest) -> NumberBlockResponse:
    """Lease this device the next block of the squad's serials for a kind and year."""
    return numbers.lease(hq, device=device, request=body)


@router.post("/return", responses=errors(*DEVICE, ErrorCode.NUMBERS))
def give_back(hq: HqDep, device: DeviceDep, body: ReturnRequest) -> NumberBlockResponse:
    """Return the unused end of one of this device's blocks."""
    return numbers.give_back(hq, device=device, request=body)
