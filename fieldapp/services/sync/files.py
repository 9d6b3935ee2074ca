"""Evidence files in their own queue, by SHA-256: after the records that name them,
resumable (an upload continues at the offset HQ has), never blocking the records.

A file HQ has already is done at once. A file another device recorded is fetched when
its evidence record arrives; until then it shows as pending, never as lost.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass

from fieldapp.atomic import TEMP_PREFIX, fsync_dir
from fieldapp.services.context import ServiceContext
from fieldapp.services.sync import db
from fieldapp.store.audit import utc_text
from fieldapp.store.queries import sync as queries
from fieldapp.sync.client import HqClient, HqRefused
from fieldapp.sync.protocol import BlobState, ErrorCode

CHUNK = 1024 * 1024
_QUERY = 1000


@dataclass
class FilesSummary:
    uploaded: int = 0
    downloaded: int = 0
    pending: int = 0
    failed: int = 0


def _queue_uploads(conn: sqlite3.Connection, now: str) -> None:
    """Files of evidence records HQ has (records sync before their files)."""
    with db.transaction(conn):
        conn.execute(
            "INSERT OR IGNORE INTO blob_queue (sha256, direction, size, updated_at)"
            " SELECT DISTINCT e.sha256, 'up', e.size_bytes, ? FROM evidence e JOIN outbox o"
            " ON o.entity = 'evidence' AND o.entity_id = e.id WHERE o.state = 'sent'", (now,))


def sync_files(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection) -> FilesSummary:
    summary = FilesSummary()
    now = utc_text(ctx.now())
    _queue_uploads(conn, now)
    queued = queries.queued_files(conn, direction="up")
    for start in range(0, len(queued), _QUERY):
        status = client.blob_status(queued[start:start + _QUERY])
        for item in status.items:
            if item.state is BlobState.PRESENT:
                _set(conn, item.sha256, "up", "done", 0, now)
                summary.uploaded += 1
            elif _upload(ctx, client, conn, item.sha256, item.offset, now):
                summary.uploaded += 1
    for sha in queries.queued_files(conn, direction="down"):
        summary.downloaded += _download(ctx, client, conn, sha, now)
    summary.pending = pending_files(conn)
    summary.failed = queries.failed_files_count(conn)
    return summary


def pending_files(conn: sqlite3.Connection) -> int:
    return queries.pending_files_count(conn)


def _set(conn: sqlite3.Connection, sha: str, direction: str, state: str, offset: int,
         now: str, error: str = "") -> None:
    with db.transaction(conn):
        conn.execute("UPDATE blob_queue SET state = ?, offset = ?, last_error = ?,"
                     " updated_at = ?, attempts = attempts + 1 WHERE sha256 = ? AND"
                     " direction = ?", (state, offset, error, now, sha, direction))


def _upload(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection, sha: str,
            offset: int, now: str) -> bool:
    path = ctx.store.blobs.path_of(sha)
    if not path.is_file():
        _set(conn, sha, "up", "missing_here", 0, now, "the file is not on this device")
        return False
    size = path.stat().st_size
    with path.open("rb") as fh:
        # At least one request, even when HQ already holds every byte: an upload HQ
        # staged in full but never finished (HQ stopped in between) finishes with the
        # empty last chunk; marking it done here would leave it missing at HQ forever.
        while True:
            fh.seek(offset)
            chunk = fh.read(CHUNK)
            try:
                status = client.upload_blob(sha, offset, size, chunk)
            except HqRefused as refused:
                if refused.code is ErrorCode.BLOB_OFFSET and refused.problem.offset is not None \
                        and refused.problem.offset != offset:
                    offset = refused.problem.offset
                    continue
                _set(conn, sha, "up", "failed", 0, now, refused.problem.message)
                return False
            if status.state is BlobState.PRESENT:
                break
            if status.offset <= offset and not chunk:
                _set(conn, sha, "up", "failed", 0, now, "HQ did not take the file's end")
                return False
            offset = status.offset
            _set(conn, sha, "up", "uploading", offset, now)
    _set(conn, sha, "up", "done", size, now)
    return True


def _download(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection, sha: str,
              now: str) -> int:
    blobs = ctx.store.blobs
    if blobs.has(sha):
        _set(conn, sha, "down", "done", 0, now)
        return 0
    try:
        data = client.download_blob(sha)
    except HqRefused as refused:
        _set(conn, sha, "down", "waiting", 0, now, refused.problem.message)
        return 0  # not at HQ yet: the recording device has not uploaded it
    if hashlib.sha256(data).hexdigest() != sha:
        _set(conn, sha, "down", "queued", 0, now, "the file fetched does not match its hash")
        return 0
    target = blobs.path_of(sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{TEMP_PREFIX}{sha[:16]}")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    fsync_dir(target.parent)
    _set(conn, sha, "down", "done", len(data), now)
    return 1
