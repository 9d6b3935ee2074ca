"""Desktop devices for the sync tests: a real data directory each, enrolled with a real HQ
through the real enroll endpoint, officers logged in online, records made through the
real services."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldapp.domain.entities import (
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.hq.services import admin
from fieldapp.hq.throwaway import PASSWORD
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.subjects import create_subject
from fieldapp.services.sync import SyncReport, enroll, sync_now
from fieldapp.services.sync.link import client_for
from fieldapp.services.sync.login import online_login
from tests.hq.client import Hq

CODE = "SR01"  # a catalogue violation the ladder applies to


@dataclass
class Desk:
    """One enrolled desktop device."""

    ctx: ServiceContext
    name: str
    base: str
    retries: int = 0
    timeout_s: float = 30.0

    @property
    def db(self) -> Path:
        return self.ctx.store.data_dir / "fieldapp.sqlite3"

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Plain SQL on the store file (the tests' own ledger reads, not the system's)."""
        with sqlite3.connect(self.db) as conn:
            return conn.execute(query, params).fetchall()

    def sync(self, **kw: Any) -> SyncReport:
        client = client_for(self.ctx, retries=self.retries, backoff_s=0.01,
                            timeout_s=self.timeout_s)
        try:
            return sync_now(ctx=self.ctx, client=client, **kw)
        finally:
            client.close()

    def officer(self, certificate: str) -> str:
        return str(self.sql("SELECT id FROM officer WHERE certificate_no = ?",
                            certificate)[0][0])

    def login(self, certificate: str) -> str:
        return online_login(ctx=self.ctx, certificate_no=certificate,
                            password=PASSWORD).officer_id

    def vendor(self, officer: str, **kw: Any) -> str:
        data = dict(kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="水果",
                    appearance="中年男子，蓝色三轮车", usual_place="人民路地铁站B口")
        data.update(kw)
        return create_subject(ctx=self.ctx, officer_id=officer,
                              data=SubjectData(**data)).id  # type: ignore[arg-type]

    def inspect(self, subject_id: str, officers: tuple[str, str], step: StepKind,
                at: dt.datetime, code: str = CODE) -> Any:
        return record_inspection(ctx=self.ctx, data=InspectionData(
            subject_id=subject_id, officer_ids=officers, at=at, address="人民路地铁站B口",
            findings=(FindingData(violation_code=code, facts="占用人行道摆摊销售水果",
                                  corrected_on_spot=True, step=step),)))


@dataclass
class Squad:
    hq: Hq
    root: Path
    desks: list[Desk] = field(default_factory=list)

    def enroll(self, name: str = "笔记本", squad: str = "DHM", base: str = "") -> Desk:
        code, _ = admin.enroll_code(self.hq.hq, squad_code=squad, device_name=name)
        ctx = open_context(self.root / f"desk{len(self.desks)}")
        enroll(ctx=ctx, server=base or self.hq.base, code=code, device_name=name)
        desk = Desk(ctx, name, base or self.hq.base)
        self.desks.append(desk)
        return desk

    def close(self) -> None:
        for desk in self.desks:
            desk.ctx.close()
