"""Evidence files by SHA-256: which HQ has, resumable uploads checked against their
name, downloads only for a squad that has an evidence record naming the file."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from fieldapp.hq.blobs import OffsetMismatch
from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.db.upsert import insert_ignore
from fieldapp.hq.errors import HqError, out_of_scope
from fieldapp.hq.services.auth import DeviceAuth
from fieldapp.sync.protocol import MAX_BLOB_BYTES, BlobState, BlobStatus, ErrorCode


def status(hq: Hq, sha256s: tuple[str, ...]) -> list[BlobStatus]:
    with hq.db.read() as conn:
        present = {r.sha256: r.size for r in conn.execute(select(
            t.blob.c.sha256, t.blob.c.size).where(t.blob.c.sha256.in_(list(sha256s)),
                                                 t.blob.c.state == "present"))}
    out = []
    for sha in sha256s:
        if sha in present:
            out.append(BlobStatus(sha256=sha, state=BlobState.PRESENT, offset=present[sha],
                                  size=present[sha]))
            continue
        staged = hq.blobs.staged(sha)
        out.append(BlobStatus(sha256=sha, state=BlobState.PARTIAL if staged else
                              BlobState.MISSING, offset=staged))
    return out


def upload(hq: Hq, *, sha256: str, offset: int, size: int, data: bytes) -> BlobStatus:
    if not 0 < size <= MAX_BLOB_BYTES or offset + len(data) > size:
        raise HqError(ErrorCode.INVALID_REQUEST, "the chunk does not fit the file's size",
                      field="size")
    if status(hq, (sha256,))[0].state is BlobState.PRESENT:
        return BlobStatus(sha256=sha256, state=BlobState.PRESENT, offset=size, size=size)
    try:
        reached = hq.blobs.append(sha256, offset, data)
    except OffsetMismatch as elsewhere:
        raise HqError(ErrorCode.BLOB_OFFSET, "the upload stands at byte {offset}: resume "
                      "there", offset=elsewhere.offset) from None
    if reached < size:
        return BlobStatus(sha256=sha256, state=BlobState.PARTIAL, offset=reached, size=size)
    if not hq.blobs.finish(sha256):
        raise HqError(ErrorCode.BLOB_HASH, "the file's bytes do not match its SHA-256: "
                      "upload it again from the start")
    with hq.db.write() as conn:
        insert_ignore(conn, t.blob, [{"sha256": sha256, "size": size, "received": size,
                                      "state": "present", "created_at": hq.now_text()}])
    return BlobStatus(sha256=sha256, state=BlobState.PRESENT, offset=size, size=size)


def download(hq: Hq, *, device: DeviceAuth, sha256: str) -> Iterator[bytes]:
    with hq.db.read() as conn:
        named = conn.execute(select(t.evidence_file.c.sha256).where(
            t.evidence_file.c.sha256 == sha256,
            t.evidence_file.c.squad_id == device.squad_id)).first()
        present = conn.execute(select(t.blob.c.sha256).where(
            t.blob.c.sha256 == sha256, t.blob.c.state == "present")).first()
    if named is None or present is None:
        raise out_of_scope()
    return hq.blobs.read(sha256)
