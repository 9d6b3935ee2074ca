"""Pull: the record versions after a device's cursor, in HQ's order, in its scope (its
squad, reference data, its own number blocks), as one JSON text built from the stored
envelopes (no re-encoding of millions of rows). Checksums per kind for the divergence
check come from the totals kept as versions were written."""

from __future__ import annotations

import heapq
import json

from sqlalchemy import Connection, func, select

from fieldapp.hq.context import Hq, parse_utc
from fieldapp.hq.db import tables as t
from fieldapp.hq.services.auth import DeviceAuth
from fieldapp.hq.services.records import checksums, device_audiences
from fieldapp.sync.protocol import ChecksumResponse, Entity, KindChecksum


def pull_json(hq: Hq, *, device: DeviceAuth, cursor: int, limit: int) -> bytes:
    """The ``PullResponse`` JSON (UTF-8) of one page."""
    with hq.db.read() as conn:
        rows = _page(conn, device, cursor, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1][0] if rows else cursor
        merges = _merges(conn, device.squad_id, cursor, last if more else None)
        high = int(conn.execute(select(func.coalesce(func.max(t.version.c.seq), 0)))
                   .scalar_one())
    now = hq.now_text()
    parts = [f'{{"server_seq":{seq},"origin_device":{json.dumps(origin)},"change":{env}}}'
             for seq, origin, env in rows]
    body = (f'{{"changes":[{",".join(parts)}],"merges":{json.dumps(merges, ensure_ascii=False)},'
            f'"cursor":{last},"more":{"true" if more else "false"},"high_water":{high},'
            f'"server_time":"{now}"}}')
    _note_pull(hq, device, last, now)
    return body.encode()


def _page(conn: Connection, device: DeviceAuth, cursor: int,
          limit: int) -> list[tuple[int, str, str]]:
    """The first ``limit`` versions after ``cursor`` over the device's audiences: one
    index range per audience, merged by sequence number."""
    v = t.version.c
    streams = []
    for audience in device_audiences(device.squad_id, device.id):
        streams.append([tuple(r) for r in conn.execute(
            select(v.seq, v.origin_device, v.envelope).where(
                v.audience == audience, v.seq > cursor).order_by(v.seq).limit(limit))])
    return list(heapq.merge(*streams))[:limit]


def _merges(conn: Connection, squad_id: str, cursor: int,
            upto: int | None) -> list[dict[str, object]]:
    m = t.subject_merge.c
    query = select(m.id, m.squad_id, m.kept_id, m.merged_id, m.decided_by, m.decided_at,
                   m.seq).where(m.squad_id == squad_id, m.seq > cursor)
    if upto is not None:
        query = query.where(m.seq <= upto)
    return [{"id": r.id, "squad_id": r.squad_id, "kept_id": r.kept_id,
             "merged_id": r.merged_id, "decided_by": r.decided_by,
             "decided_at": r.decided_at, "server_seq": r.seq}
            for r in conn.execute(query.order_by(m.seq))]


def _note_pull(hq: Hq, device: DeviceAuth, cursor: int, now: str) -> None:
    """Remember how far the device pulled (for the status page), at most every 30 s, so
    pulling costs a write (and an fsync) only now and then."""
    with hq.db.read() as conn:
        row = conn.execute(select(t.device.c.pull_cursor, t.device.c.last_pull_at).where(
            t.device.c.id == device.id)).first()
    if row is None:
        return
    recent = row.last_pull_at and (parse_utc(now) - parse_utc(row.last_pull_at)  # type: ignore[operator]
                                   ).total_seconds() < 30
    if recent and row.pull_cursor != 0:
        return
    with hq.db.write() as conn:
        conn.execute(t.device.update().where(t.device.c.id == device.id).values(
            pull_cursor=max(cursor, row.pull_cursor), last_pull_at=now))


def checksum_response(hq: Hq, *, device: DeviceAuth) -> ChecksumResponse:
    with hq.db.read() as conn:
        sums = checksums(conn, device_audiences(device.squad_id, device.id))
        high = int(conn.execute(select(func.coalesce(func.max(t.version.c.seq), 0)))
                   .scalar_one())
    items = tuple(KindChecksum(entity=Entity(e), count=c, digest=f"{d:032x}")
                  for e, (c, d) in sorted(sums.items()))
    return ChecksumResponse(checksums=items, cursor=high)
