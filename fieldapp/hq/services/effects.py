"""What HQ learns from a record version it stored, beside storing it: subjects that may
be the same person or shop (proposed to the squad leader for merging), ladder steps
recorded without the squad's full history (flagged with the step it would have advised),
documents (for verification) and the squad's evidence files (who may download them)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select, update

from fieldapp.domain.entities import StepKind
from fieldapp.domain.ladder import PastStep, next_step
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.hq.db import tables as t
from fieldapp.hq.db.upsert import insert_ignore
from fieldapp.sync.protocol import Change, Entity, MergeBasis

CLOSED = "closed"  # an episode close, kept beside the steps of its subject
_SPACE = re.compile(r"[\s,，。.、;；:：()（）\-]+")


def after_write(conn: Connection, change: Change, *, squad_id: str, device_id: str,
                now: str, new_id: Callable[[], str]) -> None:
    handler = _HANDLERS.get(change.entity)
    if handler is not None:
        handler(conn, change, squad_id, device_id, now, new_id)


# --- subjects -------------------------------------------------------------------------


def _norm(value: Any) -> str:
    return _SPACE.sub("", str(value or "")).upper()


def subject_keys(fields: dict[str, Any]) -> list[tuple[MergeBasis, str, float]]:
    """The keys two records of the same subject share, with how sure each one is."""
    keys: list[tuple[MergeBasis, str, float]] = []
    if _norm(fields.get("id_number")):
        keys.append((MergeBasis.ID_NUMBER, _norm(fields["id_number"]), 1.0))
    if _norm(fields.get("credit_code")):
        keys.append((MergeBasis.CREDIT_CODE, _norm(fields["credit_code"]), 1.0))
    place, looks = _norm(fields.get("usual_place")), _norm(fields.get("goods"))
    if place and looks and not keys:
        described = f"{place}|{looks}|{_norm(fields.get('gender'))}"
        keys.append((MergeBasis.DESCRIPTION, described[:400], 0.6))
    return keys


def _subject(conn: Connection, change: Change, squad_id: str, _device: str, now: str,
             new_id: Callable[[], str]) -> None:
    if change.fields.get("deleted"):
        return
    for basis, key, score in subject_keys(change.fields):
        insert_ignore(conn, t.subject_key, [{"squad_id": squad_id, "basis": basis.value,
                                             "key": key, "subject_id": change.entity_id}])
        c = t.subject_key.c
        others = conn.execute(select(c.subject_id).where(
            c.squad_id == squad_id, c.basis == basis.value, c.key == key,
            c.subject_id != change.entity_id)).scalars().all()
        rows = []
        for other in others:
            a, b = sorted((other, change.entity_id))
            rows.append({"id": new_id(), "squad_id": squad_id, "subject_a": a,
                         "subject_b": b, "basis": basis.value, "score": score,
                         "state": "proposed", "at": now})
        insert_ignore(conn, t.merge_proposal, rows)


# --- ladder steps ---------------------------------------------------------------------


def _moment(text: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(str(text)).replace(tzinfo=dt.UTC)


def _step(conn: Connection, change: Change, squad_id: str, device_id: str, now: str,
          _new_id: Callable[[], str]) -> None:
    f = change.fields
    if not f.get("subject_id") or not f.get("taken_at_utc"):
        return
    conn.execute(t.ladder_step.insert().values(
        step_id=change.entity_id, squad_id=squad_id, subject_id=f["subject_id"],
        violation_code=str(f.get("violation_code") or ""), kind=str(f.get("kind")),
        taken_at=str(f["taken_at_utc"]), officer_id=str(f.get("officer_id") or ""),
        device_id=device_id, override_reason=str(f.get("override_reason") or "")))
    _check_late(conn, squad_id, str(f["subject_id"]), str(f.get("violation_code") or ""),
                str(f["taken_at_utc"]), now)


def _close(conn: Connection, change: Change, squad_id: str, device_id: str, now: str,
           _new_id: Callable[[], str]) -> None:
    f = change.fields
    if not f.get("subject_id") or not f.get("closed_at_utc"):
        return
    conn.execute(t.ladder_step.insert().values(
        step_id=change.entity_id, squad_id=squad_id, subject_id=f["subject_id"],
        violation_code=str(f.get("violation_code") or ""), kind=CLOSED,
        taken_at=str(f["closed_at_utc"]), officer_id=str(f.get("officer_id") or ""),
        device_id=device_id))


def _check_late(conn: Connection, squad_id: str, subject_id: str, code: str,
                since: str, now: str) -> None:
    """Steps at or after ``since`` whose device followed its own history, where the
    squad's whole history advises another step."""
    c = t.ladder_step.c
    rows = conn.execute(select(c.step_id, c.kind, c.taken_at, c.officer_id, c.device_id,
                               c.override_reason).where(
        c.squad_id == squad_id, c.subject_id == subject_id, c.violation_code == code)
        .order_by(c.taken_at)).all()
    closes = [_moment(r.taken_at) for r in rows if r.kind == CLOSED]
    steps = [r for r in rows if r.kind != CLOSED]
    config = RuleConfig()
    for i, row in enumerate(steps):
        if row.taken_at < since or row.override_reason:
            continue
        at = _moment(row.taken_at)
        before = [PastStep(r.step_id, StepKind(r.kind), _moment(r.taken_at))
                  for r in steps[:i] if r.kind in StepKind.__members__.values()]
        own = [s for s, r in zip(before, steps[:i], strict=True) if r.device_id == row.device_id]
        full = next_step(steps=before, episode_closes=closes, at=at, config=config,
                         ladder_applies=True)
        alone = next_step(steps=own, episode_closes=closes, at=at, config=config,
                          ladder_applies=True)
        if full.due.value != row.kind and alone.due.value == row.kind:
            others = [s.id for s, r in zip(before, steps[:i], strict=True)
                      if r.device_id != row.device_id]
            insert_ignore(conn, t.late_step, [{
                "step_id": row.step_id, "squad_id": squad_id, "subject_id": subject_id,
                "violation_code": code, "taken": row.kind, "advised": full.due.value,
                "officer_id": row.officer_id, "device_id": row.device_id,
                "earlier_json": json.dumps(others), "at": now}])


# --- documents and evidence -----------------------------------------------------------


def _document(conn: Connection, change: Change, squad_id: str, device_id: str, _now: str,
              _new_id: Callable[[], str]) -> None:
    f = change.fields
    conn.execute(t.document.insert().values(
        id=change.entity_id, squad_id=squad_id, kind=str(f.get("kind") or ""),
        number=str(f.get("number") or ""), device_id=device_id,
        content_sha256=str(f.get("content_sha256") or ""),
        qr_payload=str(f.get("qr_payload") or ""), subject_id=str(f.get("subject_id") or ""),
        issued_at=str(f.get("issued_at") or ""),
        snapshot_json=str(f.get("snapshot_json") or "{}")))
    voided = f.get("voids_document_id")
    if voided:
        conn.execute(update(t.document).where(t.document.c.id == voided)
                     .values(voided_by=change.entity_id))


def _evidence(conn: Connection, change: Change, squad_id: str, _device: str, _now: str,
              _new_id: Callable[[], str]) -> None:
    sha = change.fields.get("sha256")
    if sha:
        insert_ignore(conn, t.evidence_file, [{"sha256": str(sha), "squad_id": squad_id}])


_HANDLERS: dict[Entity, Callable[..., None]] = {
    Entity.SUBJECT: _subject, Entity.LADDER_STEP: _step, Entity.EPISODE_CLOSE: _close,
    Entity.DOCUMENT: _document, Entity.EVIDENCE: _evidence,
}
