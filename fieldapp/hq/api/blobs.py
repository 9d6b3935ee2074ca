"""Evidence files by SHA-256: status, resumable upload, download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from fieldapp.hq.api.deps import DEVICE, DeviceDep, HqDep, errors
from fieldapp.hq.errors import HqError
from fieldapp.hq.services import evidence
from fieldapp.sync.protocol import (
    MAX_BLOB_BYTES,
    MAX_BLOB_CHUNK,
    BlobQuery,
    BlobStatus,
    BlobStatusResponse,
    ErrorCode,
)

router = APIRouter(prefix="/v1/blobs", tags=["evidence"])
Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.post("/status", responses=errors(*DEVICE))
def blob_status(hq: HqDep, _device: DeviceDep, body: BlobQuery) -> BlobStatusResponse:
    """Which of these files HQ has, and where a stopped upload stands."""
    return BlobStatusResponse(items=tuple(evidence.status(hq, body.sha256s)))


@router.put("/{sha256}", responses=errors(*DEVICE, ErrorCode.BLOB_OFFSET, ErrorCode.BLOB_HASH),
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/octet-stream": {"schema": {"type": "string",
                                                        "format": "binary"}}}}})
async def upload(hq: HqDep, _device: DeviceDep, request: Request, sha256: Sha,
                 size: Annotated[int, Query(ge=1, le=MAX_BLOB_BYTES)],
                 offset: Annotated[int, Query(ge=0, le=MAX_BLOB_BYTES)] = 0) -> BlobStatus:
    """Append up to 8 MiB of a file at ``offset``; the last chunk is hash-checked."""
    data = await request.body()
    if len(data) > MAX_BLOB_CHUNK:
        raise HqError(ErrorCode.TOO_LARGE, "a chunk may hold at most {limit} bytes",
                      limit=MAX_BLOB_CHUNK)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(evidence.upload, hq, sha256=sha256, offset=offset,
                                   size=size, data=data)


@router.get("/{sha256}", response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "The file"},
                       **errors(*DEVICE, ErrorCode.OUT_OF_SCOPE)})
def download(hq: HqDep, device: DeviceDep, sha256: Sha) -> StreamingResponse:
    """A file an evidence record of this device's squad names."""
    return StreamingResponse(evidence.download(hq, device=device, sha256=sha256),
                             media_type="application/octet-stream")
