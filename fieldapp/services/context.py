"""The composition root of the service layer: one store, one clock, one id source."""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from fieldapp.domain.ids import uuid7
from fieldapp.store.store import Store
from fieldapp.store.tables import Device
from fieldapp.store.unit import Tx

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid7(time.time_ns() // 1_000_000, os.urandom(10)))


@dataclass
class ServiceContext:
    """What every service needs: the store, the clock and this device's id."""

    store: Store
    device_id: str
    clock: Clock = system_clock
    new_id: Callable[[], str] = field(default=new_id)

    def now(self) -> dt.datetime:
        return self.clock()

    @contextmanager
    def write(self, officer_id: str = "", now: dt.datetime | None = None) -> Iterator[Tx]:
        with self.store.write(now=now or self.now(), device_id=self.device_id,
                              officer_id=officer_id, new_id=self.new_id) as tx:
            yield tx

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.store.read() as session:
            yield session

    def close(self) -> None:
        self.store.close()


def open_context(data_dir: Path, clock: Clock = system_clock) -> ServiceContext:
    """Open the data directory (migrating it if needed) and make sure it knows its device."""
    store = Store.open(data_dir)
    ctx = ServiceContext(store=store, device_id="", clock=clock)
    ctx.device_id = _local_device(ctx)
    from fieldapp.services.rules.settings import rule_config

    rule_config(ctx=ctx)  # sets the agency's time zone for this process
    return ctx


def _local_device(ctx: ServiceContext) -> str:
    with ctx.read() as session:
        device = session.exec(select(Device).where(Device.is_local == True)).first()  # noqa: E712
        if device is not None:
            return device.id
    device_id = ctx.new_id()
    with ctx.store.write(now=ctx.now(), device_id=device_id, officer_id="",
                         new_id=ctx.new_id) as tx:
        tx.add(Device(id=device_id, name=platform.node() or "fieldapp", is_local=True,
                      registered_at=tx.now))
        tx.audit("device.register", "device", device_id, {"name": platform.node()})
    return device_id
