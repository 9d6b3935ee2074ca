"""A test's view of a running HQ: HTTP through ``requests``, simulated devices enrolled
through the real admin use case and the real enroll endpoint, and a few records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import select

from fieldapp.hq.db import tables as t
from fieldapp.hq.services import admin
from fieldapp.hq.simulator import SimDevice, gzip_json, new_id, utc
from fieldapp.hq.throwaway import PASSWORD, Server
from fieldapp.sync.protocol import Change, Entity


def now_text(offset: dt.timedelta = dt.timedelta(0)) -> str:
    return utc(dt.datetime.now(dt.UTC) + offset)


@dataclass
class Hq:
    server: Server
    http: requests.Session

    @property
    def base(self) -> str:
        return self.server.base

    @property
    def hq(self) -> Any:
        return self.server.hq

    def url(self, path: str) -> str:
        return self.base + path

    def officer(self, certificate: str) -> Any:
        with self.hq.db.read() as conn:
            return conn.execute(select(t.officer).where(
                t.officer.c.certificate_no == certificate)).one()

    def squad(self, code: str) -> Any:
        with self.hq.db.read() as conn:
            return conn.execute(select(t.squad).where(t.squad.c.code == code)).one()

    def enroll(self, squad: str = "DHM") -> SimDevice:
        code, _ = admin.enroll_code(self.hq, squad_code=squad, device_name="笔记本")
        device = SimDevice()
        answer = self.http.post(self.url("/v1/enroll"), json=device.enroll_body(code),
                                timeout=30)
        assert answer.status_code == 200, answer.text
        device.token = answer.json()["device_token"]
        device.squad_id = self.squad(squad).id
        return device

    def login(self, device: SimDevice, certificate: str) -> str:
        answer = self.http.post(self.url("/v1/login"), headers=device.headers(), timeout=30,
                                json={"certificate_no": certificate, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["session_token"])

    def push(self, device: SimDevice, changes: list[Change] | None = None,
             body: dict[str, Any] | None = None) -> dict[str, Any]:
        body = body or device.push_body(changes)
        answer = self.http.post(self.url("/v1/push"), data=gzip_json(body), timeout=120,
                                headers={**device.headers(), "Content-Encoding": "gzip",
                                         "Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()
        device.acked = data["chain"]["verified_seq"]
        sent = {c["change_id"] for c in body["changes"]}
        device.outbox = [c for c in device.outbox if c.change_id not in sent]
        return data

    def pull_all(self, device: SimDevice, cursor: int = 0, limit: int = 1000
                 ) -> tuple[list[dict[str, Any]], int]:
        out: list[dict[str, Any]] = []
        for _ in range(10_000):
            page = self.http.get(self.url("/v1/pull"), params={"cursor": cursor,
                                                                "limit": limit},
                                 headers=device.headers(), timeout=60).json()
            out += page["changes"]
            cursor = page["cursor"]
            if not page["more"]:
                break
        return out, cursor


def subject(device: SimDevice, **fields: Any) -> Change:
    return device.change(Entity.SUBJECT, new_id(), {
        "kind": "individual", "name": "张三", "created_at": now_text(), "updated_at":
        now_text(), "deleted": False, **fields})


def inspection(device: SimDevice, subject_id: str, officer_id: str, **fields: Any) -> Change:
    return device.change(Entity.INSPECTION, new_id(), {
        "squad_id": device.squad_id, "device_id": device.device_id,
        "subject_id": subject_id, "address": "人民路12号", "at_utc": now_text(),
        "utc_offset_min": 480, "officer1_id": officer_id, "created_at": now_text(),
        **fields})


def step(device: SimDevice, subject_id: str, officer_id: str, kind: str, at: str,
         code: str = "SR01", **fields: Any) -> Change:
    return device.change(Entity.LADDER_STEP, new_id(), {
        "finding_id": new_id(), "subject_id": subject_id, "violation_code": code,
        "squad_id": device.squad_id, "kind": kind,
        "taken_at_utc": at, "officer_id": officer_id, "created_at": at, **fields})
