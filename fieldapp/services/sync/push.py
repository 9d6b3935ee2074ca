"""Push: the outbox and the full-process record to HQ, in batches, with a result per change.

Each request carries the next segment of the chain (the events after the last one HQ
verified, bounded in events and rows), the signed head when the segment reaches it, and
the pending changes those events cover, oldest first. The outbox holds each change as
its envelope's JSON text, so a batch is joined, not re-encoded. HQ answers every change
on its own: applied or duplicate → sent; conflict → sent, HQ's merged record applied
and the fields this device lost kept in the local conflict view; rejected → marked
rejected with HQ's reason, no longer waiting, HQ's state of the record applied beside it
(the officer may amend and send a new change); held or quarantined → sent, with HQ's
reason shown. One bad change never blocks the rest: the queue always moves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldapp.services.context import ServiceContext
from fieldapp.services.sync import db
from fieldapp.store import audit, pulled, receipts
from fieldapp.store.chain import DbApi
from fieldapp.store.queries import sync as queries
from fieldapp.sync.client import HqClient
from fieldapp.sync.protocol import (
    MAX_PUSH_CHANGES,
    ChangeResult,
    ChangeStatus,
    PushResponse,
    SignedHead,
)

ProgressFn = Callable[[str, int, int], None]
BATCH_CHANGES = MAX_PUSH_CHANGES
SEGMENT_EVENTS = 2_000
SEGMENT_ROWS = 50_000  # row references in one push (each ~140 bytes of JSON)
_MAX_ROUNDS = 10_000
S = ChangeStatus


@dataclass
class PushSummary:
    pushed: int = 0  # accepted by HQ (applied, duplicate, merged)
    rejected: int = 0
    conflicts: int = 0
    held: int = 0
    quarantined: int = 0
    events: int = 0
    receipts: int = 0
    skew_ms: int | None = None
    skew_ok: bool = True
    chain_ok: bool = True
    chain_problem: str = ""
    entities: set[Any] = field(default_factory=set)


def pending_count(conn: sqlite3.Connection) -> int:
    return queries.pending_count(conn)


def push_all(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection, *,
             progress: ProgressFn | None = None, device_time: Callable[[], str]) -> PushSummary:
    """Push until nothing is pending and HQ has the whole chain (or HQ stops taking it)."""
    summary = PushSummary()
    total = pending_count(conn)
    for _ in range(_MAX_ROUNDS):
        acked = int(db.get(conn, db.ACKED, "0"))
        changes = _changes(conn)
        events, reaches_head = _segment(conn, acked, {k for (k, _i), _j in changes})
        if not changes and not events:
            break
        head = _signed_head(ctx, conn) if reaches_head and events else None
        body = _body(ctx.new_id(), [(i, j) for (_k, i), j in changes], events, head,
                     device_time())
        answer = client.push(body)
        _take(ctx, conn, [(i, j) for (_k, i), j in changes], answer, summary)
        summary.events += len(events)
        if progress:
            progress("push", summary.pushed + summary.rejected + summary.held, total)
        stuck = not changes and answer.chain.verified_seq <= acked
        if stuck:  # HQ keeps no more of the chain (quarantined, or a gap it reported)
            break
    return summary


# --- what a batch holds ---------------------------------------------------------------


def _segment(conn: sqlite3.Connection, acked: int,
             wanted: set[tuple[str, str, int]]) -> tuple[list[dict[str, Any]], bool]:
    """The events after ``acked``, in order, up to the one that covers the last of the
    ``wanted`` record versions (the batch's changes: HQ checks each against its event
    in the same request), bounded; and whether they reach the head."""
    events: list[dict[str, Any]] = []
    rows = 0
    missing = set(wanted)
    for seq, id_, at, dev, officer, action, entity, entity_id, payload, fmt, prev, digest \
            in queries.chain_events_after(conn, seq=acked, limit=SEGMENT_EVENTS):
        refs = [{"entity": e, "entity_id": i, "version": v, "sha256": s.hex()}
                for e, i, v, s in queries.event_rows(conn, seq=seq)]
        if events and (rows + len(refs) > SEGMENT_ROWS or (wanted and not missing)):
            break
        rows += len(refs)
        missing.difference_update((r["entity"], r["entity_id"], r["version"]) for r in refs)
        events.append({"seq": seq, "id": id_, "at": str(at), "device_id": dev,
                       "officer_id": officer, "action": action, "entity": entity,
                       "entity_id": entity_id, "payload": payload, "rows": refs,
                       "format": fmt, "prev_hash": prev, "hash": digest})
    head = audit.read_head(DbApi(conn))
    return events, bool(events) and events[-1]["seq"] == head.seq


def _changes(conn: sqlite3.Connection) -> list[tuple[tuple[tuple[str, str, int], str], str]]:
    """((record version, change id), envelope JSON) of the oldest pending changes."""
    rows = queries.pending_batch(conn, limit=BATCH_CHANGES)
    return [(((str(e), str(i), int(v)), str(c)), str(p)) for e, i, v, c, p in rows]


def _signed_head(ctx: ServiceContext, conn: sqlite3.Connection) -> SignedHead | None:
    head = audit.read_head(DbApi(conn))
    signature = audit.read_head_signature(conn)
    if not signature:
        return None
    return SignedHead(device_id=ctx.device_id, seq=head.seq, hash=head.hash,
                      signature=signature)


def _body(batch_id: str, changes: list[tuple[str, str]], events: list[dict[str, Any]],
          head: SignedHead | None, device_time: str) -> bytes:
    chain = json.dumps({"events": events, "head": head.model_dump() if head else None},
                       ensure_ascii=False, separators=(",", ":"))
    joined = ",".join(payload for _id, payload in changes)
    return (f'{{"batch_id":{json.dumps(batch_id)},"changes":[{joined}],"chain":{chain},'
            f'"device_time":{json.dumps(device_time)}}}').encode()


# --- what HQ answered -----------------------------------------------------------------


def _take(ctx: ServiceContext, conn: sqlite3.Connection, changes: list[tuple[str, str]],
          answer: PushResponse, summary: PushSummary) -> None:
    now = ctx.now()
    now_text = audit.utc_text(now)
    with db.transaction(conn):
        hq_states: list[pulled.Pulled] = []
        for result in answer.results:
            _mark(conn, result, now_text, summary, hq_states)
            if result.conflicts:
                _keep_conflicts(conn, result, now_text)
        if hq_states:
            applier = pulled.PageApplier(conn, device_id=ctx.device_id, now=now,
                                         new_id=ctx.new_id,
                                         now_ms=int(now.timestamp() * 1000))
            done = applier.apply(hq_states, _pending(conn, hq_states))
            summary.entities |= done.entities
            if done.written:
                applier.sign(ctx.store.sign if ctx.store.device_key() else None)
        chain = answer.chain
        db.put(conn, db.ACKED, chain.verified_seq)
        if chain.receipt is not None and receipts.store_receipt(DbApi(conn),
                                                                chain.receipt):
            summary.receipts += 1
        if chain.ok:
            db.delete(conn, db.QUARANTINE)
        else:
            db.put(conn, db.QUARANTINE, chain.problem or str(chain.quarantined_from))
        if answer.skew_ms is not None:
            db.put(conn, db.SKEW, answer.skew_ms)
    summary.chain_ok, summary.chain_problem = answer.chain.ok, answer.chain.problem
    summary.skew_ms, summary.skew_ok = answer.skew_ms, answer.skew_ok


def _mark(conn: sqlite3.Connection, result: ChangeResult, now: str, summary: PushSummary,
          hq_states: list[pulled.Pulled]) -> None:
    status = result.status
    state = "rejected" if status is S.REJECTED else "sent"
    hq_state = result.hq_state.model_dump_json() if result.hq_state else ""
    conn.execute(
        "UPDATE outbox SET state = ?, sent_at = ?, reason_code = ?, reason = ?,"
        " hq_state_json = ?, attempts = attempts + 1 WHERE id = ? AND state = 'pending'",
        (state, now, result.reason.value if result.reason else (
            status.value if status is S.CONFLICT else ""), result.message, hq_state,
         result.change_id))
    if status in (S.APPLIED, S.DUPLICATE, S.CONFLICT):
        summary.pushed += 1
    summary.rejected += status is S.REJECTED
    summary.conflicts += len(result.conflicts)
    summary.held += status is S.HELD
    summary.quarantined += status is S.QUARANTINED
    if result.hq_state is not None:
        item = {"server_seq": result.server_seq or 0,
                "origin_device": result.hq_state.device_id,
                "change": result.hq_state.model_dump(mode="json")}
        found = pulled.parse_pulled(item, force=status is S.REJECTED)
        if found is not None:
            hq_states.append(found)


def _keep_conflicts(conn: sqlite3.Connection, result: ChangeResult, now: str) -> None:
    entity, entity_id = queries.change_entity(conn, change_id=result.change_id)
    conn.executemany(
        "INSERT OR IGNORE INTO sync_conflict (id, entity, entity_id, field, kept_json,"
        " lost_json, kept_hlc, lost_hlc, change_id, at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(c.conflict_id, entity, entity_id, c.field, json.dumps(c.kept, ensure_ascii=False),
          json.dumps(c.lost, ensure_ascii=False), c.kept_hlc, c.lost_hlc, result.change_id,
          now) for c in result.conflicts])


def _pending(conn: sqlite3.Connection, items: list[pulled.Pulled]) -> set[tuple[str, str]]:
    """Records among ``items`` with a local change still waiting to be pushed."""
    out: set[tuple[str, str]] = set()
    for item in items:
        if queries.is_pending(conn, entity=item.key[0], entity_id=item.key[1]):
            out.add(item.key)
    return out
