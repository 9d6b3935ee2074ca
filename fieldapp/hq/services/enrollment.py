"""Enrollment: a one-time code becomes the device's token; the device is recorded with
its own id and Ed25519 public key (which HQ then checks its chain heads and document
signatures against)."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.hq import keys
from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.errors import HqError
from fieldapp.hq.services.admin import agency_id, code_hash
from fieldapp.hq.services.auth import new_token, token_hash
from fieldapp.hq.services.reference import HqWriter
from fieldapp.sync.protocol import (
    EnrollRequest,
    EnrollResponse,
    Entity,
    ErrorCode,
    SquadInfo,
)


def enroll(hq: Hq, request: EnrollRequest) -> EnrollResponse:
    now = hq.now_text()
    if keys.public_key(request.public_key) is None:
        raise HqError(ErrorCode.INVALID_REQUEST, "the public key is not an Ed25519 key",
                      field="public_key")
    with hq.db.write() as conn:
        code = conn.execute(select(t.enrollment).where(
            t.enrollment.c.code_hash == code_hash(request.code))).first()
        if code is None or code.used_at or code.expires_at < now:
            raise HqError(ErrorCode.CODE_INVALID, "this enrollment code is unknown, "
                          "already used or expired: ask HQ for a new one")
        if conn.execute(select(t.device.c.id).where(t.device.c.id == request.device_id)
                        ).first():
            raise HqError(ErrorCode.CODE_INVALID, "a device with this id is enrolled "
                          "already", field="device_id")
        squad = conn.execute(select(t.squad).where(t.squad.c.id == code.squad_id)).one()
        token = new_token("fa_dev")
        conn.execute(t.device.insert().values(
            id=request.device_id, squad_id=squad.id, name=request.device_name,
            public_key=request.public_key, key_id=keys.key_id(request.public_key),
            token_hash=token_hash(token), enrolled_at=now))
        conn.execute(t.enrollment.update().where(t.enrollment.c.id == code.id)
                     .values(used_at=now, device_id=request.device_id))
        writer = HqWriter(conn, hq.now(), now, lock=hq.db.lock_sequence)
        writer.write(Entity.DEVICE, request.device_id, {
            "name": request.device_name, "squad_id": squad.id,
            "public_key": request.public_key, "registered_at": now})
        writer.flush()
        agency = agency_id(conn) or ""
    return EnrollResponse(device_id=request.device_id, device_token=token,
                          squad=SquadInfo(id=squad.id, code=squad.code, name=squad.name),
                          agency_id=agency, hq_public_key=hq.key.public_text,
                          hq_key_id=hq.key.key_id, server_time=now)
