"""What the sync shows a person, and what they can do about it: the changes waiting,
held at HQ or rejected (with HQ's reason and what to do), the fields this device lost in
a merge, and the status line (last sync, waiting, problems).

A rejected change stays visible until someone acts: sends it again as a new change (a
mutable record: the values the officer meant, over HQ's current state) or marks it
dealt with (a legal record is corrected by recording a correction, never re-sent).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.errors import DomainError, NotFound
from fieldapp.domain.permissions import Action
from fieldapp.i18n import N_
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.services.sync import db
from fieldapp.services.sync.link import load_link
from fieldapp.services.sync.numbers import numbers_left, years_to_stock
from fieldapp.store.audit import utc_text
from fieldapp.store.entities import BY_ENTITY
from fieldapp.store.queries import sync as queries
from fieldapp.sync.protocol import SPECS, Entity, Nature, Reason

# What the officer does about each kind of refusal (shown beside HQ's message).
WHAT_TO_DO: dict[str, str] = {
    Reason.MALFORMED: N_("report it to the administrator; the record stays on this device"),
    Reason.CONTENT_MISMATCH: N_("the record differs from this device's record of it: "
                                "report it to the administrator"),
    Reason.ID_COLLISION: N_("HQ has another record under this id: check both, then mark "
                            "this one dealt with"),
    Reason.HQ_OWNED: N_("only HQ changes this; HQ's version is applied here"),
    Reason.OUT_OF_SCOPE: N_("the record belongs to another squad: mark it dealt with"),
    Reason.UNKNOWN_OFFICER: N_("the officer is not known at HQ: ask HQ to add the officer, "
                               "then send it again"),
    Reason.NOT_PERMITTED: N_("the officer's role may not do this: a permitted officer "
                             "records it again"),
    Reason.WORKFLOW: N_("the case step is not allowed now: HQ's case status is applied "
                        "here; record the right step"),
    Reason.NUMBERS: N_("the document number was not leased to this device: sync, then "
                       "issue the document again"),
    Reason.AWAITING_CHAIN: N_("nothing: HQ applies it when the rest of this device's "
                              "record arrives"),
    Reason.AWAITING_PREDECESSOR: N_("nothing: HQ applies it when the version it follows "
                                    "arrives"),
    Reason.CHAIN_BROKEN: N_("an administrator reviews this device's record at HQ"),
}
STATES = ("pending", "held", "rejected", "sent")
_HELD = (Reason.AWAITING_CHAIN.value, Reason.AWAITING_PREDECESSOR.value,
         Reason.CHAIN_BROKEN.value)


@dataclass(frozen=True)
class ChangeView:
    change_id: str
    entity: str
    entity_id: str
    version: int
    state: str  # pending, held, rejected, sent
    reason_code: str
    reason: str  # HQ's message, in the officer's language
    what_to_do: str  # a msgid: translate at the edge
    recorded_at: str
    resolved_at: str
    fields: dict[str, Any]
    hq_fields: dict[str, Any] | None  # HQ's state of the record, beside a rejection
    kind: ChangeKind


@dataclass(frozen=True)
class ConflictView:
    id: str
    entity: str
    entity_id: str
    field: str
    kept: Any
    lost: Any
    at: str
    resolved_at: str


@dataclass
class SyncStatus:
    enrolled: bool
    server: str = ""
    squad: str = ""
    last_sync: dt.datetime | None = None
    waiting: int = 0
    held: int = 0
    rejected: int = 0
    conflicts: int = 0
    files_pending: int = 0
    numbers_left: dict[str, int] = field(default_factory=dict)
    skew_ms: int | None = None
    last_error: str = ""
    quarantine: str = ""
    revoked: bool = False
    diverged: list[str] = field(default_factory=list)
    first_sync_done: bool = False

    @property
    def problems(self) -> int:
        return self.rejected + self.conflicts + bool(self.quarantine) + bool(self.diverged)


def sync_status(*, ctx: ServiceContext) -> SyncStatus:
    link = load_link(ctx.store.data_dir)
    if link is None:
        return SyncStatus(enrolled=False)
    conn = db.connect(ctx)
    try:
        last = db.get(conn, db.LAST_SYNC)
        skew = db.get(conn, db.SKEW)
        return SyncStatus(
            enrolled=True, server=link.server, squad=link.squad_name,
            last_sync=dt.datetime.fromisoformat(last).replace(tzinfo=dt.UTC) if last else None,
            waiting=queries.pending_count(conn),
            held=queries.held_count(conn, reasons=_HELD),
            rejected=queries.open_rejection_count(conn),
            conflicts=queries.open_conflict_count(conn),
            files_pending=queries.pending_files_count(conn),
            numbers_left=numbers_left(conn, ctx.device_id, link.squad_id,
                                      years_to_stock(ctx.now())[0]),
            skew_ms=int(skew) if skew else None, last_error=db.get(conn, db.LAST_ERROR),
            quarantine=db.get(conn, db.QUARANTINE), revoked=bool(db.get(conn, db.REVOKED)),
            diverged=[k for k in db.get(conn, db.DIVERGED).split(",") if k],
            first_sync_done=bool(db.get(conn, db.FIRST_SYNC_DONE)))
    finally:
        conn.close()


def list_changes(*, ctx: ServiceContext, state: str | None = None, open_only: bool = True,
                 limit: int = 1000) -> list[ChangeView]:
    """Changes by state (``pending``, ``held``, ``rejected``; None: all but plain sent
    ones), newest first."""
    if state not in STATES and state is not None:
        from fieldapp.domain.errors import ValidationError

        raise ValidationError("state", "'{value}' is not one of {choices}", value=state,
                              choices=", ".join(STATES))
    with ctx.read() as session:
        rows = queries.changes(session, state=state, held=_HELD, open_only=open_only,
                               limit=limit)
    return [_view(r) for r in rows]


def _view(row: Any) -> ChangeView:
    (change_id, entity, entity_id, version, state, code, reason, created, resolved,
     payload, hq_state) = row
    if state == "sent" and code in _HELD:
        state = "held"
    envelope = json.loads(payload)
    return ChangeView(str(change_id), str(entity), str(entity_id), int(version), str(state),
                      str(code), str(reason), WHAT_TO_DO.get(code, ""), str(created),
                      str(resolved), dict(envelope["fields"]),
                      dict(json.loads(hq_state)["fields"]) if hq_state else None,
                      BY_ENTITY[Entity(entity)].kind)


def _rejected(tx: Any, change_id: str) -> ChangeView:
    row = queries.change(tx.session, change_id=change_id)
    if row is None:
        raise NotFound("change", change_id)
    view = _view(row)
    if view.state != "rejected" or view.resolved_at:
        raise DomainError("this change is not a rejected change waiting for someone to act")
    return view


def mark_dealt_with(*, ctx: ServiceContext, officer_id: str, change_id: str,
                    note: str = "") -> Written:
    """A rejected change someone has looked at and acted on (it stays in the record)."""
    with ctx.write(officer_id, action=Action.SYNC) as tx:
        view = _rejected(tx, change_id)
        now = utc_text(tx.now)
        tx.conn.exec_driver_sql("UPDATE outbox SET resolved_at = ? WHERE id = ?",
                                (now, change_id))
        tx.audit("sync.rejection_dealt_with", view.entity, view.entity_id,
                 {"change": change_id, "reason": view.reason_code, "note": note})
    return Written(change_id, frozenset({ChangeKind.SYNC}))


def send_again(*, ctx: ServiceContext, officer_id: str, change_id: str) -> Written:
    """Send the values of a rejected change of a mutable record again, as a new change
    over the record's current (HQ's) state."""
    with ctx.write(officer_id, action=Action.SYNC) as tx:
        view = _rejected(tx, change_id)
        entity = Entity(view.entity)
        if SPECS[entity].nature is Nature.APPEND_ONLY:
            raise DomainError("a legal record is never sent again: record a correction "
                              "instead, then mark this one dealt with")
        table_map = BY_ENTITY[entity]
        model = _model(table_map.table)
        obj = tx.session.get(model, view.entity_id)
        if obj is None:
            raise NotFound(view.entity, view.entity_id)
        envelope = _envelope(tx, change_id)
        wanted = {k: _python(model, k, view.fields[k]) for k in envelope.get("changed", ())
                  if k != "hlc"}
        created = envelope["op"] == "create"
        if created or not tx.update(obj, wanted):
            _new_version(tx, obj)
        if created:  # HQ never had the record: the new version goes as its creation
            _as_creation(tx, view.entity, view.entity_id)
        tx.conn.exec_driver_sql("UPDATE outbox SET resolved_at = ? WHERE id = ?",
                                (utc_text(tx.now), change_id))
        tx.audit("sync.sent_again", view.entity, view.entity_id, {"change": change_id})
    return Written(change_id, frozenset({ChangeKind.SYNC, table_map.kind}))


def _new_version(tx: Any, obj: Any) -> None:
    """A new version with the values as they stand (a new change with its own chain
    event: HQ has used the old one's)."""
    stamp = "updated_at" if hasattr(obj, "updated_at") else None
    tx.update(obj, {stamp: tx.now} if stamp else {"hlc": ""})


def _as_creation(tx: Any, entity: str, entity_id: str) -> None:
    seq, payload = queries.last_pending_change(tx.session, entity=entity,
                                               entity_id=entity_id)
    envelope = json.loads(payload) | {"op": "create", "base_version": 0, "changed": []}
    tx.conn.exec_driver_sql(
        "UPDATE outbox SET op = 'create', base_version = 0, payload_json = ? WHERE seq = ?",
        (json.dumps(envelope, ensure_ascii=False, separators=(",", ":")), seq))


def _envelope(tx: Any, change_id: str) -> dict[str, Any]:
    return dict(json.loads(queries.change_envelope(tx.session, change_id=change_id)))


def _model(table: str) -> Any:
    from sqlmodel import SQLModel

    for mapper in SQLModel._sa_registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tablename__", None) == table:
            return cls
    raise NotFound("table", table)


def _python(model: Any, name: str, value: Any) -> Any:
    """A canonical value as the table's model holds it (times and days as objects)."""
    if not isinstance(value, str):
        return value
    column = model.__table__.c[name]
    python_type = getattr(column.type, "python_type", str)
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    if python_type is dt.date:
        return dt.date.fromisoformat(value)
    return value


def list_conflicts(*, ctx: ServiceContext, open_only: bool = True) -> list[ConflictView]:
    """Fields this device's changes lost in HQ's merges (HQ keeps the squad's log)."""
    with ctx.read() as session:
        rows = queries.conflicts(session, open_only=open_only)
    return [ConflictView(str(i), str(e), str(eid), str(f), json.loads(k), json.loads(lo),
                         str(at), str(res)) for i, e, eid, f, k, lo, at, res in rows]


def resolve_conflict(*, ctx: ServiceContext, officer_id: str, conflict_id: str,
                     note: str = "") -> Written:
    """A squad leader marks a conflict resolved, here and (when online) at HQ."""
    ctx.authorize(officer_id, Action.RESOLVE_CONFLICT)
    from fieldapp.services.sync.leaders import resolve_at_hq

    resolve_at_hq(ctx, conflict_id, note)
    with ctx.write(officer_id, action=Action.RESOLVE_CONFLICT) as tx:
        found = tx.conn.exec_driver_sql(
            "UPDATE sync_conflict SET resolved_at = ?, resolved_by = ?, note = ? WHERE id = ?",
            (utc_text(tx.now), officer_id, note, conflict_id)).rowcount
        if not found:
            raise NotFound("conflict", conflict_id)
        tx.audit("sync.conflict_resolved", "conflict", conflict_id, {"note": note})
    return Written(conflict_id, frozenset({ChangeKind.SYNC}))
