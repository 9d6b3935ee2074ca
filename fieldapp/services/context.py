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

from sqlmodel import Session

from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.ids import uuid7
from fieldapp.domain.permissions import OPEN, Action, PermissionDenied, require
from fieldapp.store import chain
from fieldapp.store.keys import public_key_text
from fieldapp.store.lock import SHARED_WAIT_S, take_for_start
from fieldapp.store.queries import staff as queries
from fieldapp.store.store import Store
from fieldapp.store.tables import Device, Officer
from fieldapp.store.unit import Tx, enqueue_rows
from fieldapp.store.upkeep import remove_leftovers, secure

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
    def write(self, officer_id: str = "", *, action: Action,
              now: dt.datetime | None = None) -> Iterator[Tx]:
        """One atomic write on behalf of ``officer_id``, refused unless the permission
        table lets the officer's role take ``action`` (checked inside the transaction,
        against the officer as stored now)."""
        with self.store.write(now=now or self.now(), device_id=self.device_id,
                              officer_id=officer_id, new_id=self.new_id) as tx:
            authorize(tx.session, officer_id, action)
            yield tx

    def authorize(self, officer_id: str, action: Action) -> None:
        """Refuse early, before costly work, what ``write`` would refuse."""
        with self.read() as session:
            authorize(session, officer_id, action)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.store.read() as session:
            yield session

    def close(self) -> None:
        """Close the store and let go of the data directory (another close does nothing)."""
        self.store.close()
        if self.store.lock is not None:
            self.store.lock.release()


def authorize(session: Session, officer_id: str, action: Action) -> None:
    """Refuse ``action`` unless ``officer_id`` is an active officer whose role may take it.

    Setting up a new data directory needs nobody, but only until the first officer has
    logged in: from then on the squad leader or agency head does it."""
    if action in OPEN and not officer_id:
        if action is Action.SET_UP and setup_done(session):
            raise PermissionDenied(Action.MANAGE_OFFICERS, None)
        return
    officer = session.get(Officer, officer_id) if officer_id else None
    if officer is None or not officer.active:
        raise PermissionDenied(action, None)
    if action is Action.SET_UP:
        action = Action.MANAGE_OFFICERS
    if action not in OPEN:
        require(officer.role, action)


SETUP_DONE_KEY = "setup_done"


def setup_done(session: Session) -> bool:
    """Whether an officer has logged in on this device (set-up mode is over)."""
    return queries.state_flag(session, key=SETUP_DONE_KEY)


def open_context(data_dir: Path, clock: Clock = system_clock) -> ServiceContext:
    """Open the data directory (migrating it if needed) and make sure it knows its device.

    The context holds the data directory's lock shared until ``close``. The process
    that finds nobody else there holds it exclusively for a moment first: it removes
    what killed processes left behind and migrates the schema, which a process that
    is not alone refuses to do (DataDirectoryInUse)."""
    lock = take_for_start(data_dir)
    try:
        alone = lock.kind == "exclusive"
        if alone:
            remove_leftovers(data_dir)
        secure(data_dir)
        store = Store.open(data_dir, alone=alone)
    except BaseException:
        lock.release()
        raise
    store.lock = lock
    ctx = ServiceContext(store=store, device_id="", clock=clock)
    try:
        ctx.device_id = _local_device(ctx)  # alone, if it is new: one device row
        _cover_old_records(ctx)
        from fieldapp.services.rules.settings import rule_config

        rule_config(ctx=ctx)  # sets the agency's time zone for this process
        if alone:
            lock.take("shared", wait_s=SHARED_WAIT_S)  # let the others in
    except BaseException:
        ctx.close()
        raise
    return ctx


def _local_device(ctx: ServiceContext) -> str:
    """This device's id; registers it (with a new signing key) the first time, and
    records the key of a device registered before keys were made at registration."""
    with ctx.read() as session:
        device = queries.local_device(session)
    if device is not None:
        if not device.public_key and not ctx.store.key_path.exists():
            _record_new_key(ctx, device.id)
        return device.id
    device_id = ctx.new_id()
    key = ctx.store.device_key(create=True)
    assert key is not None
    public = public_key_text(key.public_key())
    with ctx.store.write(now=ctx.now(), device_id=device_id, officer_id="",
                         new_id=ctx.new_id) as tx:
        tx.add(Device(id=device_id, name=platform.node() or "fieldapp", is_local=True,
                      public_key=public, registered_at=tx.now))
        tx.audit("device.register", "device", device_id,
                 {"name": platform.node(), "public_key": public})
    return device_id


def _cover_old_records(ctx: ServiceContext) -> None:
    """A store written before the chain carried content is covered once, as it stands;
    its records wait in the outbox for HQ (except demo data, which never goes there)."""
    with ctx.read() as session:
        if chain.baseline_done(session.connection()):
            return
    with ctx.store.write(now=ctx.now(), device_id=ctx.device_id, officer_id="",
                         new_id=ctx.new_id) as tx:
        demo = queries.state_flag(tx.session, key="demo_data")
        covered = chain.cover_baseline(
            tx.conn, device_id=ctx.device_id, now=tx.now, new_id=ctx.new_id,
            enqueue=None if demo else lambda m, rows: enqueue_rows(tx, m, rows))
        if covered:
            tx.changed.add(ChangeKind.RECORD)


def _record_new_key(ctx: ServiceContext, device_id: str) -> None:
    key = ctx.store.device_key(create=True)
    assert key is not None
    public = public_key_text(key.public_key())
    with ctx.store.write(now=ctx.now(), device_id=device_id, officer_id="",
                         new_id=ctx.new_id) as tx:
        device = tx.session.get(Device, device_id)
        assert device is not None
        tx.update(device, {"public_key": public})
        tx.audit("device.key", "device", device_id, {"public_key": public})
