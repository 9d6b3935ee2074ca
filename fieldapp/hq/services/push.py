"""Push: a device's batch of changes and chain events, applied in one transaction that
commits before HQ answers. Each change gets its own result; none blocks another.

The order inside a batch: records created first, then legal records, then updates by
version (so a case step is replayed before the case's new status is checked, and an
update never waits for a create sent in the same batch). A change is checked against
the device's chain (its content hash against the event's row for it), then the
officer's permission as HQ knows it, the squad scope and the record's own rules, then
applied: legal records once, mutable records fast-forward or merged field by field.

Longer than 500 lines on purpose: the push is one transaction's steps (parse, order,
check against the chain, apply, bookkeeping) and the group commit that runs them; kept
together so that what is checked before what stays visible in one place.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import Connection, delete, select, tuple_

from fieldapp.hq.context import Hq, parse_utc
from fieldapp.hq.db import tables as t
from fieldapp.hq.services import chain as chains
from fieldapp.hq.services import checks, effects
from fieldapp.hq.services.chain import DeviceChain, Ref, RefKey
from fieldapp.hq.services.merge import merge
from fieldapp.hq.services.records import (
    Stored,
    VersionWriter,
    audience,
    newest,
    next_seq,
    version_envelope,
)
from fieldapp.hq.text import describe, tr
from fieldapp.sync.protocol import (
    HQ_DEVICE_ID,
    MAX_CLOCK_SKEW_MS,
    SPECS,
    Change,
    ChangeResult,
    ChangeStatus,
    Entity,
    FieldConflict,
    Nature,
    Op,
    PushRequest,
    PushResponse,
    Reason,
    Scope,
    change_problem,
    content_hash,
)

S, R = ChangeStatus, Reason
MESSAGES: dict[Reason | ChangeStatus, str] = {
    R.MALFORMED: "the change is not a valid record version: {detail}",
    R.CONTENT_MISMATCH: "its content differs from what the device's record says was "
                        "written",
    R.ID_COLLISION: "HQ already has another record with this id",
    R.HQ_OWNED: "this is reference data: only HQ changes it",
    R.OUT_OF_SCOPE: "the record belongs to another squad or device",
    R.NUMBERS: "the document number block was not leased to this device",
    R.AWAITING_CHAIN: "kept at HQ: waiting for the device's record that covers it",
    R.AWAITING_PREDECESSOR: "kept at HQ: waiting for the version it follows",
    R.CHAIN_BROKEN: "kept at HQ but not shared: the device's record failed to verify; "
                    "an administrator reviews it",
    S.CONFLICT: "merged with a newer change: some values lost (a squad leader sees them)",
}


@dataclass(frozen=True)
class Author:
    """The device a change came from, and its squad."""

    device_id: str
    squad_id: str


@dataclass
class Outcome:
    status: ChangeStatus
    reason: Reason | None = None
    message: str = ""
    seq: int | None = None
    hq_state: Change | None = None
    conflicts: tuple[FieldConflict, ...] = ()
    hq_version: int | None = None


@dataclass
class Batch:
    hq: Hq
    conn: Connection
    author: Author
    chain: DeviceChain
    lang: str
    now: str
    writer: VersionWriter
    officers: dict[str, checks.Officer]
    stored_refs: dict[RefKey, Ref] = field(default_factory=dict)
    used_refs: set[RefKey] = field(default_factory=set)
    mapped: dict[tuple[str, str, int], int] = field(default_factory=dict)
    current: dict[tuple[str, str], Stored | None] = field(default_factory=dict)
    replay: checks.CaseReplay = field(default_factory=checks.CaseReplay)
    change_rows: list[dict[str, Any]] = field(default_factory=list)
    parked_rows: list[dict[str, Any]] = field(default_factory=list)
    released: set[str] = field(default_factory=set)
    waiting: set[str] = field(default_factory=set)  # what parked changes wait for

    parked_here: set[str] = field(default_factory=set)  # reasons this device has parked

    def __post_init__(self) -> None:
        p = t.parked.c
        mine = p.device_id == self.author.device_id
        for waits_for, reason, own in self.conn.execute(select(
                p.waits_for, p.reason, mine).where((p.waits_for != "") | mine).distinct()):
            if waits_for:
                self.waiting.add(waits_for)
            if own:
                self.parked_here.add(reason)

    # --- lookups, one query per kind of record in the batch -----------------------------

    def preload(self, changes: Sequence[Change]) -> None:
        by_entity: dict[str, set[str]] = {}
        for change in changes:
            by_entity.setdefault(change.entity.value, set()).add(change.entity_id)
        for entity, ids in by_entity.items():
            found = newest(self.conn, entity, ids)
            for entity_id in ids:
                self.current[(entity, entity_id)] = found.get(entity_id)
        self._preload_refs(changes)
        self._preload_mapping([c for c in changes if c.base_version > 0])

    def _preload_refs(self, changes: Sequence[Change]) -> None:
        keys = [(c.entity.value, c.entity_id, c.version) for c in changes
                if (c.entity.value, c.entity_id, c.version) not in self.chain.refs]
        c = t.chain_ref.c
        for start in range(0, len(keys), 300):
            part = keys[start:start + 300]
            for row in self.conn.execute(select(
                    c.entity, c.entity_id, c.version, c.sha256, c.event_seq, c.officer_id)
                    .where(c.device_id == self.author.device_id,
                           tuple_(c.entity, c.entity_id, c.version).in_(part))):
                self.stored_refs[(row.entity, row.entity_id, row.version)] = Ref(
                    row.sha256, row.event_seq, row.officer_id)

    def _preload_mapping(self, updates: Sequence[Change]) -> None:
        c = t.change.c
        ids = sorted({u.entity_id for u in updates})
        for start in range(0, len(ids), 500):
            for row in self.conn.execute(select(c.entity, c.entity_id, c.version,
                                                c.hq_version).where(
                    c.device_id == self.author.device_id,
                    c.entity_id.in_(ids[start:start + 500]),
                    c.hq_version.is_not(None))):
                self.mapped[(row.entity, row.entity_id, row.version)] = row.hq_version

    def ref_for(self, change: Change) -> Ref | None:
        key = (change.entity.value, change.entity_id, change.version)
        self.used_refs.add(key)
        return self.chain.refs.get(key) or self.stored_refs.get(key)

    def env(self, entity: str, entity_id: str, version: int) -> Change | None:
        return version_envelope(self.conn, self.writer, entity, entity_id, version)

    def hq_envelope(self, change: Change) -> Change | None:
        known = self.current.get((change.entity.value, change.entity_id))
        if known is None:
            return None
        return self.env(known.entity, known.entity_id, known.version)

    # --- one change -----------------------------------------------------------------

    def apply(self, change: Change, *, verified: bool = False) -> Outcome:
        """The outcome of one change (``verified``: its chain, officer and scope were
        checked when it was parked)."""
        spec = SPECS[change.entity]
        if change.device_id != self.author.device_id:
            return self._malformed("it was recorded on another device")
        if spec.scope is Scope.REFERENCE:
            return self._refused(R.HQ_OWNED, change, state=True)
        if not verified:
            early = self._verify(change)
            if early is not None:
                return early
        aud = audience(change.entity, squad_id=self.author.squad_id,
                       device_id=self.author.device_id)
        known = self.current.get((change.entity.value, change.entity_id))
        if known is not None and known.audience != aud:
            return self._refused(R.OUT_OF_SCOPE, change, state=False)
        if spec.nature is Nature.APPEND_ONLY:
            return self._append(change, known, aud)
        return self._update(change, known, aud)

    def _verify(self, change: Change) -> Outcome | None:
        ref = self.ref_for(change)
        if ref is None:
            reason = R.AWAITING_CHAIN if self.chain.ok else R.CHAIN_BROKEN
            return self._park(change, reason)
        if ref.sha256 != change.content_sha256:
            chains.fail(self.chain, ref.event_seq, "the content of {entity} {id} differs "
                        "from what event {seq} recorded", entity=change.entity.value,
                        id=change.entity_id, seq=ref.event_seq)
            return self._refused(R.CONTENT_MISMATCH, change, state=False)
        if not self.chain.ok and ref.event_seq >= (self.chain.bad_from or 0):
            return self._park(change, R.CHAIN_BROKEN)
        officer = self.officers.get(ref.officer_id)
        problem = checks.permission_problem(officer, self.author.squad_id, change)
        if problem is not None:
            code, message, params = problem
            return Outcome(S.REJECTED, Reason(code), tr(self.lang, message, **params))
        squad = change.fields.get("squad_id")
        if "squad_id" in change.fields and squad not in (None, self.author.squad_id):
            return self._refused(R.OUT_OF_SCOPE, change, state=False)
        if change.entity is Entity.CASE_EVENT:
            return self._case_step(change, officer)
        return None

    def _case_step(self, change: Change, officer: checks.Officer | None) -> Outcome | None:
        case_id = str(change.fields.get("case_id") or "")
        case = self.current.get((Entity.CASE.value, case_id))
        if case is None:
            self.current.update(
                {(Entity.CASE.value, k): v for k, v in newest(
                    self.conn, Entity.CASE.value, [case_id]).items()})
            case = self.current.get((Entity.CASE.value, case_id))
        if case is None and change.fields.get("action") != "open":
            return self._park(change, R.AWAITING_PREDECESSOR, waits_for=f"case:{case_id}")
        case_env = self.env("case", case_id, case.version) if case else None
        role = officer.role if officer else ""
        refused = self.replay.step_problem(change, role, case_env)
        if refused is not None:
            return Outcome(S.REJECTED, R.WORKFLOW, describe(self.lang, refused))
        return None

    def _append(self, change: Change, known: Stored | None, aud: str) -> Outcome:
        if known is not None:
            if known.sha256 == change.content_sha256:
                return Outcome(S.DUPLICATE, seq=known.seq, hq_version=1)
            return self._refused(R.ID_COLLISION, change, state=True)
        return self._write(change, aud, None, S.APPLIED)

    def _update(self, change: Change, known: Stored | None, aud: str) -> Outcome:
        if change.entity is Entity.CASE:
            refused = self.replay.status_problem(change, self.hq_envelope(change))
            if refused is not None:
                return Outcome(S.REJECTED, R.WORKFLOW, describe(self.lang, refused),
                               hq_state=self.hq_envelope(change))
        if change.entity is Entity.NUMBER_BLOCK:
            refused_block = self._block_problem(change, known)
            if refused_block is not None:
                return refused_block
        if known is None:
            if change.op is Op.CREATE:
                return self._write(change, aud, None, S.APPLIED)
            return self._park(change, R.AWAITING_PREDECESSOR,
                              waits_for=f"{change.entity.value}:{change.entity_id}")
        if change.op is Op.CREATE:
            if known.sha256 == change.content_sha256:
                return Outcome(S.DUPLICATE, seq=known.seq, hq_version=known.version)
            return self._refused(R.ID_COLLISION, change, state=True)
        base = self.mapped.get((change.entity.value, change.entity_id, change.base_version),
                               change.base_version)
        if base > known.version:
            return self._park(change, R.AWAITING_PREDECESSOR,
                              waits_for=f"{change.entity.value}:{change.entity_id}")
        if base == known.version:
            if change.version == known.version + 1:
                return self._write(change, aud, known, S.APPLIED)
            remade = self._remake(change, change.fields, known, change.device_id,
                                  change.changed)
            return self._write(remade, aud, known, S.APPLIED, origin=change.device_id,
                               state=True)
        return self._merge(change, known, base, aud)

    def _merge(self, change: Change, known: Stored, base: int, aud: str) -> Outcome:
        base_env = self.env(known.entity, known.entity_id, base)
        current = self.env(known.entity, known.entity_id, known.version)
        assert current is not None
        if base_env is None:
            return self._park(change, R.AWAITING_PREDECESSOR,
                              waits_for=f"{change.entity.value}:{change.entity_id}")
        merged = merge(SPECS[change.entity], base=base_env.fields, current=current.fields,
                       incoming=change.fields, current_hlc=current.hlc,
                       incoming_hlc=change.hlc)
        conflicts = tuple(self._log_conflict(change, known, lost) for lost in merged.lost)
        status = S.CONFLICT if conflicts else S.APPLIED
        message = tr(self.lang, MESSAGES[S.CONFLICT]) if conflicts else ""
        if not merged.changed:
            return Outcome(S.CONFLICT if conflicts else S.DUPLICATE, message=message,
                           seq=known.seq, hq_state=current, conflicts=conflicts,
                           hq_version=known.version)
        remade = self._remake(change, merged.fields, known, HQ_DEVICE_ID, merged.changed)
        outcome = self._write(remade, aud, known, status, origin=HQ_DEVICE_ID, state=True)
        outcome.conflicts, outcome.message = conflicts, message
        return outcome

    def _block_problem(self, change: Change, known: Stored | None) -> Outcome | None:
        """A device moves only its own block's next serial, and only forward."""
        if known is None:
            return self._refused(R.NUMBERS, change, state=False)
        current = self.env(known.entity, known.entity_id, known.version)
        assert current is not None
        fixed = [n for n in SPECS[Entity.NUMBER_BLOCK].names
                 if n not in ("next_serial", "hlc")
                 and change.fields.get(n) != current.fields.get(n)]
        ahead = int(change.fields.get("next_serial") or 0) >= int(
            current.fields.get("next_serial") or 0)
        if fixed or not ahead:
            return self._refused(R.NUMBERS, change, state=True)
        return None

    # --- writing --------------------------------------------------------------------

    def _remake(self, change: Change, fields: dict[str, Any], known: Stored, origin: str,
                changed: Sequence[str]) -> Change:
        """A version HQ numbers itself (after a merge, or renumbered)."""
        version = known.version + 1
        spec = SPECS[change.entity]
        values = [fields[n] for n in spec.names]
        change_id = "hq-" + hashlib.sha256(
            f"{change.change_id}\n{version}".encode()).hexdigest()[:32]
        return Change(change_id=change_id, entity=change.entity, entity_id=change.entity_id,
                      op=Op.UPDATE, version=version, base_version=known.version,
                      hlc=str(fields.get("hlc") or change.hlc), device_id=origin,
                      recorded_at=self.now, fields=fields, changed=tuple(sorted(changed)),
                      content_sha256=content_hash(change.entity.value, change.entity_id,
                                                  version, values))

    def _write(self, change: Change, aud: str, known: Stored | None, status: ChangeStatus,
               *, origin: str | None = None, state: bool = False) -> Outcome:
        stored = self.writer.add(change, audience=aud, origin=origin or change.device_id,
                                 replaced=known)
        self.current[(change.entity.value, change.entity_id)] = stored
        if change.entity is Entity.CASE:
            self.replay.remember(change)
        effects.after_write(self.conn, change, squad_id=self.author.squad_id,
                            device_id=self.author.device_id, now=self.now,
                            new_id=self.hq.new_id)
        self._release(change.entity.value, change.entity_id)
        return Outcome(status, seq=stored.seq, hq_state=change if state else None,
                       hq_version=change.version)

    def _log_conflict(self, change: Change, known: Stored, lost: Any) -> FieldConflict:
        conflict_id = self.hq.new_id()
        lost_device = change.device_id if lost.incoming_lost else known.origin
        self.conn.execute(t.conflict.insert().values(
            id=conflict_id, squad_id=self.author.squad_id, entity=change.entity.value,
            entity_id=change.entity_id, field=lost.field,
            kept_json=json.dumps(lost.kept, ensure_ascii=False),
            lost_json=json.dumps(lost.lost, ensure_ascii=False), kept_hlc=lost.kept_hlc,
            lost_hlc=lost.lost_hlc, lost_device=lost_device, change_id=change.change_id,
            at=self.now))
        return FieldConflict(field=lost.field, kept=lost.kept, lost=lost.lost,
                             kept_hlc=lost.kept_hlc, lost_hlc=lost.lost_hlc,
                             conflict_id=conflict_id)

    def _park(self, change: Change, reason: Reason, waits_for: str = "") -> Outcome:
        if waits_for:
            self.waiting.add(waits_for)
        self.parked_rows.append({
            "change_id": change.change_id, "device_id": self.author.device_id,
            "reason": reason.value, "entity": change.entity.value,
            "entity_id": change.entity_id, "version": change.version,
            "envelope": change.model_dump_json(), "received_at": self.now,
            "recorded_at": change.recorded_at, "waits_for": waits_for})
        status = S.QUARANTINED if reason is R.CHAIN_BROKEN else S.HELD
        return Outcome(status, reason, tr(self.lang, MESSAGES[reason]))

    def _release(self, entity: str, entity_id: str) -> None:
        """Apply the changes that waited for this record (they were checked already)."""
        key = f"{entity}:{entity_id}"
        if key not in self.waiting:
            return
        self.waiting.discard(key)
        waiting = [r for r in self.parked_rows if r["waits_for"] == key]
        self.parked_rows = [r for r in self.parked_rows if r["waits_for"] != key]
        stored = self.conn.execute(select(t.parked).where(t.parked.c.waits_for == key)
                                   .order_by(t.parked.c.version)).mappings().all()
        if stored:
            self.conn.execute(delete(t.parked).where(t.parked.c.waits_for == key))
        for row in sorted([*waiting, *map(dict, stored)], key=lambda r: r["version"]):
            change = Change.model_validate_json(row["envelope"])
            mine = self.author
            if row["device_id"] != mine.device_id:
                squad = self.conn.execute(select(t.device.c.squad_id).where(
                    t.device.c.id == row["device_id"])).scalar_one()
                self.author = Author(row["device_id"], squad)
            try:
                self._preload_mapping([change])
                outcome = self.apply(change, verified=True)
                self.record(change, outcome, device_id=row["device_id"])
            finally:
                self.author = mine
            self.released.add(change.change_id)

    # --- results --------------------------------------------------------------------

    def _refused(self, reason: Reason, change: Change, *, state: bool) -> Outcome:
        return Outcome(S.REJECTED, reason, tr(self.lang, MESSAGES[reason]),
                       hq_state=self.hq_envelope(change) if state else None)

    def _malformed(self, detail: str) -> Outcome:
        return Outcome(S.REJECTED, R.MALFORMED,
                       tr(self.lang, MESSAGES[R.MALFORMED], detail=tr(self.lang, detail)))

    def record(self, change: Change, outcome: Outcome, device_id: str | None = None) -> None:
        if outcome.status in (S.HELD, S.QUARANTINED):
            return
        self.change_rows.append({
            "change_id": change.change_id, "device_id": device_id or self.author.device_id,
            "status": outcome.status.value,
            "reason": outcome.reason.value if outcome.reason else "",
            "entity": change.entity.value, "entity_id": change.entity_id,
            "version": change.version, "hq_version": outcome.hq_version,
            "seq": outcome.seq, "received_at": self.now, "recorded_at": change.recorded_at})
        if outcome.hq_version is not None:
            self.mapped[(change.entity.value, change.entity_id, change.version)] = \
                outcome.hq_version

    def result(self, change_id: str, outcome: Outcome) -> ChangeResult:
        # Built from checked values only: no validation per result (a batch has 2,000).
        return ChangeResult.model_construct(change_id=change_id, status=outcome.status,
                            reason=outcome.reason, message=outcome.message,
                            server_seq=outcome.seq, hq_state=outcome.hq_state,
                            conflicts=outcome.conflicts)


def _order(change: Change) -> tuple[int, int]:
    if SPECS[change.entity].nature is Nature.APPEND_ONLY:
        return (1, 0)
    return (0, 0) if change.op is Op.CREATE else (2, change.version)


_TOP = {"change_id": (str, 1, 80), "entity_id": (str, 1, 80), "device_id": (str, 1, 80),
        "hlc": (str, 0, 80), "recorded_at": (str, 0, 32)}
_FIELDS = frozenset(Change.model_fields)


def fast_change(raw: dict[str, Any]) -> Change | None:
    """The envelope as a ``Change`` when it has exactly the model's plain shape (checked
    here field by field, then ``change_problem`` as the model's own validator runs it);
    None sends it through full pydantic validation (which names what is wrong)."""
    if set(raw) - _FIELDS or not {"change_id", "entity", "entity_id", "op", "version",
                                   "base_version", "hlc", "device_id", "recorded_at",
                                   "fields", "content_sha256"} <= set(raw):
        return None
    for name, (kind, low, high) in _TOP.items():
        value = raw[name]
        if type(value) is not kind or not low <= len(value) <= high:
            return None
    version, base, fields = raw["version"], raw["base_version"], raw["fields"]
    changed = raw.get("changed", ())
    sha = raw["content_sha256"]
    if (type(version) is not int or version < 1 or type(base) is not int or base < 0
            or type(fields) is not dict or len(fields) > 200
            or not isinstance(changed, list | tuple)
            or not all(type(c) is str for c in changed)
            or type(sha) is not str or len(sha) != 64 or sha.strip("0123456789abcdef")
            or raw["entity"] not in Entity._value2member_map_
            or raw["op"] not in ("create", "update")):
        return None
    change = Change.model_construct(
        change_id=raw["change_id"], entity=Entity(raw["entity"]), entity_id=raw["entity_id"],
        op=Op(raw["op"]), version=version, base_version=base, hlc=raw["hlc"],
        device_id=raw["device_id"], recorded_at=raw["recorded_at"], fields=fields,
        changed=tuple(changed), content_sha256=sha)
    return change if not change_problem(change) else None


def parse(raw: dict[str, Any], lang: str) -> tuple[str, Change | None, Outcome | None]:
    change_id = str(raw.get("change_id") or "")[:80] or "?"
    fast = fast_change(raw)
    if fast is not None:
        return change_id, fast, None
    try:
        return change_id, Change.model_validate(raw), None
    except PydanticError as bad:
        error = bad.errors()[0]
        detail = f"{'.'.join(str(p) for p in error['loc'])} {error['msg']}".strip()
        outcome = Outcome(S.REJECTED, R.MALFORMED,
                          tr(lang, MESSAGES[R.MALFORMED], detail=detail[:300]))
        return change_id, None, outcome


def push(hq: Hq, *, device_id: str, request: PushRequest, lang: str) -> PushResponse:
    """One push in its own transaction."""
    with hq.db.write() as conn:
        hq.db.lock_sequence(conn)
        return push_in(conn, hq, device_id=device_id, request=request, lang=lang)


def push_in(conn: Connection, hq: Hq, *, device_id: str, request: PushRequest,
            lang: str) -> PushResponse:
    """A push inside the caller's transaction (which holds the sequence lock); the
    answer may be sent only once that transaction has committed."""
    parsed = [parse(raw, lang) for raw in request.changes]
    now = hq.now_text()
    device = conn.execute(select(t.device).where(t.device.c.id == device_id)
                          .with_for_update()).one()
    chain = chains.load(conn, device)
    chains.take(conn, chain, request.chain.events, now)
    batch = Batch(hq, conn, Author(device.id, device.squad_id), chain, lang, now,
                  VersionWriter(conn, next_seq(conn), now), checks.officers(conn))
    results = _apply_all(batch, parsed)
    _release_covered(batch)
    _keep_refs(batch)
    batch.writer.flush()
    if batch.change_rows:
        conn.execute(t.change.insert(), batch.change_rows)
    if batch.parked_rows:
        conn.execute(t.parked.insert(), batch.parked_rows)
    chains.countersign(conn, chain, request.chain.head, hq.key, now)
    skew = _skew(hq, request.device_time)
    chains.save(conn, chain, request.chain.head, _bookkeeping(batch, now, skew))
    return PushResponse.model_construct(
        results=tuple(results), chain=chains.status(chain, lang), server_time=now,
        skew_ms=skew, skew_ok=skew is None or abs(skew) <= MAX_CLOCK_SKEW_MS)


class GroupCommit:
    """Pushes that arrive together commit together: one writer thread takes every push
    waiting, applies each in its own savepoint (one failing push never takes the others
    with it) and commits once — one fsync for many devices — before any is answered."""

    def __init__(self, hq: Hq, max_group: int = 64) -> None:
        self.hq, self.max_group = hq, max_group
        self.queue: queue.Queue[_Item | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="hq-push-writer", daemon=True)
        self.thread.start()

    def submit(self, *, device_id: str, request: PushRequest,
               lang: str) -> Future[PushResponse]:
        item = _Item(device_id, request, lang, Future())
        self.queue.put(item)
        return item.future

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=30)

    def _run(self) -> None:
        while (first := self.queue.get()) is not None:
            group = [first]
            while len(group) < self.max_group:
                try:
                    more = self.queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self.queue.put(None)
                    break
                group.append(more)
            self._commit(group)

    def _commit(self, group: list[_Item]) -> None:
        done: list[tuple[_Item, PushResponse | None, BaseException | None]] = []
        try:
            with self.hq.db.write() as conn:
                self.hq.db.lock_sequence(conn)
                for item in group:
                    try:
                        with conn.begin_nested():
                            done.append((item, push_in(conn, self.hq, device_id=item.device_id,
                                                       request=item.request, lang=item.lang),
                                         None))
                    except Exception as refused:  # that push alone is rolled back
                        done.append((item, None, refused))
        except Exception as failed:  # the commit failed: nobody is told "stored"
            for item in group:
                item.future.set_exception(failed)
            return
        for item, answer, error in done:
            if error is not None:
                item.future.set_exception(error)
            else:
                item.future.set_result(answer)  # type: ignore[arg-type]


@dataclass
class _Item:
    device_id: str
    request: PushRequest
    lang: str
    future: Future[PushResponse]


def _apply_all(batch: Batch,
               parsed: list[tuple[str, Change | None, Outcome | None]]) -> list[ChangeResult]:
    outcomes: dict[int, Outcome] = {}
    valid = [(i, c) for i, (_id, c, bad) in enumerate(parsed) if c is not None]
    for i, (_id, _c, bad) in enumerate(parsed):
        if bad is not None:
            outcomes[i] = bad
    seen = _seen(batch, [c.change_id for _i, c in valid])
    fresh: list[tuple[int, Change]] = []
    ids: set[str] = set()
    for i, change in valid:
        if change.change_id in seen or change.change_id in ids:
            outcomes[i] = seen.get(change.change_id) or Outcome(S.DUPLICATE)
        else:
            ids.add(change.change_id)
            fresh.append((i, change))
    batch.preload([c for _i, c in fresh])
    for i, change in sorted(fresh, key=lambda item: _order(item[1])):
        if change.change_id in batch.released:
            outcomes[i] = Outcome(S.APPLIED)
            continue
        outcome = batch.apply(change)
        batch.record(change, outcome)
        outcomes[i] = outcome
    return [batch.result(parsed[i][0], outcomes[i]) for i in range(len(parsed))]


def _seen(batch: Batch, change_ids: list[str]) -> dict[str, Outcome]:
    """Changes HQ has answered already: their result again (parked ones are retried)."""
    seen: dict[str, Outcome] = {}
    c = t.change.c
    for start in range(0, len(change_ids), 500):
        part = change_ids[start:start + 500]
        for row in batch.conn.execute(select(c.change_id, c.status, c.reason, c.seq)
                                      .where(c.change_id.in_(part))):
            status = ChangeStatus(row.status)
            if status in (S.APPLIED, S.CONFLICT):
                status = S.DUPLICATE
            reason = Reason(row.reason) if row.reason else None
            message = tr(batch.lang, MESSAGES[reason]) if reason in MESSAGES else ""
            seen[row.change_id] = Outcome(status, reason, message, row.seq)
        if batch.parked_here:  # parked ones sent again are tried again
            batch.conn.execute(delete(t.parked).where(t.parked.c.change_id.in_(part)))
    return seen


def _release_covered(batch: Batch) -> None:
    """Changes parked for their chain event, now that more of the chain arrived."""
    if not batch.chain.refs or R.AWAITING_CHAIN.value not in batch.parked_here:
        return
    rows = batch.conn.execute(select(t.parked).where(
        t.parked.c.device_id == batch.author.device_id,
        t.parked.c.reason == R.AWAITING_CHAIN.value).order_by(t.parked.c.version)
        .limit(20_000)).mappings().all()
    covered = [r for r in rows
               if (r["entity"], r["entity_id"], r["version"]) in batch.chain.refs]
    if not covered:
        return
    batch.conn.execute(delete(t.parked).where(
        t.parked.c.change_id.in_([r["change_id"] for r in covered])))
    changes = [Change.model_validate_json(r["envelope"]) for r in covered]
    batch.preload(changes)
    for change in sorted(changes, key=_order):
        batch.record(change, batch.apply(change))


def _keep_refs(batch: Batch) -> None:
    """Row references no change has claimed yet are kept for the changes to come;
    references to reference data or to versions HQ already holds are not needed."""
    chain = batch.chain
    if batch.used_refs & set(batch.stored_refs):
        c = t.chain_ref.c
        used = sorted(batch.used_refs & set(batch.stored_refs))
        for start in range(0, len(used), 300):
            batch.conn.execute(delete(t.chain_ref).where(
                c.device_id == chain.device_id,
                tuple_(c.entity, c.entity_id, c.version).in_(used[start:start + 300])))
    left = {k: v for k, v in chain.refs.items() if k not in batch.used_refs
            and SPECS[Entity(k[0])].scope is not Scope.REFERENCE}
    by_entity: dict[str, list[str]] = {}
    for entity, entity_id, _v in left:
        by_entity.setdefault(entity, []).append(entity_id)
    for entity, ids in by_entity.items():
        held = newest(batch.conn, entity, ids)
        for entity_id, stored in held.items():
            for key in [k for k in left if k[0] == entity and k[1] == entity_id
                        and k[2] <= stored.version]:
                left.pop(key, None)
    if left:
        batch.conn.execute(t.chain_ref.insert(), [
            {"device_id": chain.device_id, "entity": k[0], "entity_id": k[1],
             "version": k[2], "sha256": r.sha256, "event_seq": r.event_seq,
             "officer_id": r.officer_id} for k, r in left.items()])


def _skew(hq: Hq, device_time: str) -> int | None:
    moment = parse_utc(device_time) if device_time else None
    if moment is None:
        return None
    return int((moment - hq.now()).total_seconds() * 1000)


def _bookkeeping(batch: Batch, now: str, skew: int | None) -> dict[str, Any]:
    """The device row's sync columns after this push."""
    oldest = None
    if batch.parked_here or batch.parked_rows:
        oldest = batch.conn.execute(select(t.parked.c.recorded_at).where(
            t.parked.c.device_id == batch.author.device_id).order_by(
            t.parked.c.recorded_at).limit(1)).scalar()
    values: dict[str, Any] = {"last_push_at": now, "oldest_unsynced_at": oldest}
    if skew is not None:
        values["skew_ms"] = skew
    return values

