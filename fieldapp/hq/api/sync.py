"""Push, pull and the divergence checksums."""

from __future__ import annotations

import gzip
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from fieldapp.hq.api.deps import DEVICE, DeviceDep, HqDep, Lang, errors
from fieldapp.hq.services import pull, push
from fieldapp.sync.protocol import (
    DEFAULT_PULL_PAGE,
    MAX_PULL_PAGE,
    ChecksumResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)

router = APIRouter(prefix="/v1", tags=["sync"])


@router.post("/push", responses=errors(*DEVICE))
def push_changes(hq: HqDep, device: DeviceDep, lang: Lang, body: PushRequest) -> PushResponse:
    """Store a batch of changes and chain events; one result per change."""
    return push.push(hq, device_id=device.id, request=body, lang=lang)


@router.get("/pull", response_class=Response,
            responses={200: {"model": PullResponse, "description": "One page"},
                       **errors(*DEVICE)})
def pull_changes(hq: HqDep, device: DeviceDep, request: Request,
                 cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
                 limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
                 ) -> Response:
    """The record versions after ``cursor`` in this device's scope, one page."""
    body = pull.pull_json(hq, device=device, cursor=cursor, limit=limit)
    if "gzip" in request.headers.get("accept-encoding", "") and len(body) > 1024:
        return Response(gzip.compress(body, compresslevel=1), media_type="application/json",
                        headers={"Content-Encoding": "gzip"})
    return Response(body, media_type="application/json")


@router.get("/checksums", responses=errors(*DEVICE))
def checksums(hq: HqDep, device: DeviceDep) -> ChecksumResponse:
    """Per record kind, a count and digest over this device's scope."""
    return pull.checksum_response(hq, device=device)
