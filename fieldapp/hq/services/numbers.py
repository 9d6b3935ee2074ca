"""Document-number blocks (文号): HQ leases each device ranges of a squad's serials per
document kind and year; ranges never overlap, a returned range is never leased again."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, select

from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.errors import HqError
from fieldapp.hq.services.auth import DeviceAuth
from fieldapp.hq.services.reference import HqWriter
from fieldapp.sync.protocol import (
    Change,
    Entity,
    ErrorCode,
    FieldValue,
    LeaseRequest,
    NumberBlockResponse,
    ReturnRequest,
)


def _block_fields(row: Any, next_serial: int, now: str) -> dict[str, FieldValue]:
    r = row
    return {"squad_id": r.squad_id, "kind": r.kind, "year": r.year,
            "first_serial": r.first_serial, "last_serial": r.last_serial,
            "next_serial": next_serial, "device_id": r.device_id, "source": "hq",
            "created_at": r.leased_at}


def lease(hq: Hq, *, device: DeviceAuth, request: LeaseRequest,
          first_serial: int | None = None) -> NumberBlockResponse:
    now = hq.now_text()
    with hq.db.write() as conn:
        first = _take(conn, device.squad_id, request.kind, request.year, request.size,
                      first_serial)
        block_id = hq.new_id()
        conn.execute(t.number_block.insert().values(
            id=block_id, squad_id=device.squad_id, kind=request.kind, year=request.year,
            first_serial=first, last_serial=first + request.size - 1, device_id=device.id,
            leased_at=now))
        row = conn.execute(select(t.number_block).where(t.number_block.c.id == block_id)).one()
        change = _write(hq, conn, device, row, first, now)
    return NumberBlockResponse(block=change, remaining=request.size)


def _take(conn: Connection, squad_id: str, kind: str, year: int, size: int,
          first_serial: int | None) -> int:
    s = t.number_sequence.c
    row = conn.execute(select(s.next_serial).where(
        s.squad_id == squad_id, s.kind == kind, s.year == year).with_for_update()).first()
    start = max(row.next_serial if row else 1, first_serial or 1)
    if row is None:
        conn.execute(t.number_sequence.insert().values(
            squad_id=squad_id, kind=kind, year=year, next_serial=start + size))
    else:
        conn.execute(t.number_sequence.update().where(
            s.squad_id == squad_id, s.kind == kind, s.year == year)
            .values(next_serial=start + size))
    return start


def _write(hq: Hq, conn: Connection, device: DeviceAuth, row: Any, next_serial: int,
           now: str) -> Change:
    writer = HqWriter(conn, hq.now(), now, lock=hq.db.lock_sequence)
    change = writer.write(Entity.NUMBER_BLOCK, row.id,
                          _block_fields(row, next_serial, now), device_id=device.id)
    writer.flush()
    return change


def give_back(hq: Hq, *, device: DeviceAuth, request: ReturnRequest) -> NumberBlockResponse:
    now = hq.now_text()
    with hq.db.write() as conn:
        row = conn.execute(select(t.number_block).where(
            t.number_block.c.id == request.block_id).with_for_update()).first()
        if row is None or row.device_id != device.id:
            raise HqError(ErrorCode.NUMBERS, "this number block was not leased to this "
                          "device")
        end = row.returned_from if row.returned_from is not None else row.last_serial + 1
        if not row.first_serial <= request.first_unused <= end:
            raise HqError(ErrorCode.NUMBERS, "serials from {first} may not be returned "
                          "from this block", first=request.first_unused)
        conn.execute(t.number_block.update().where(t.number_block.c.id == row.id)
                     .values(returned_from=request.first_unused))
        fields_row = SimpleNamespace(**{**row._mapping, "last_serial": request.first_unused - 1})
        change = _write(hq, conn, device, fields_row, request.first_unused, now)
    return NumberBlockResponse(block=change, remaining=0)


def blocks(hq: Hq, *, squad_id: str) -> list[dict[str, object]]:
    with hq.db.read() as conn:
        return [dict(r._mapping) for r in conn.execute(select(t.number_block).where(
            t.number_block.c.squad_id == squad_id).order_by(t.number_block.c.leased_at))]
