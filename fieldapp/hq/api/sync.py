"""Push, pull and the divergence checksums."""

from __future__ import annotations

import asyncio
import gzip
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

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


@router.post("/push", response_model=PushResponse, responses=errors(*DEVICE),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"$ref":
                                                 "#/components/schemas/PushRequest"}}}}})
async def push_changes(hq: HqDep, device: DeviceDep, lang: Lang, request: Request) -> Response:
    """Store a batch of changes and chain events; one result per change."""
    body = await request.body()
    try:  # parsed in one step by pydantic's own JSON reader (a batch is megabytes)
        parsed = PushRequest.model_validate_json(body)
    except ValidationError as bad:
        raise RequestValidationError(bad.errors(include_url=False, include_context=False),
                                     body=None) from None
    pushes: push.GroupCommit = request.app.state.pushes
    answer = await asyncio.wrap_future(pushes.submit(device_id=device.id, request=parsed,
                                                     lang=lang))
    return Response(answer.model_dump_json(), media_type="application/json")


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
