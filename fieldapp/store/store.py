"""The store of one data directory: engine, evidence files and transactions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from fieldapp.store.blobs import BlobStore
from fieldapp.store.engine import open_engine
from fieldapp.store.lock import DataDirLock
from fieldapp.store.unit import Tx


class Store:
    def __init__(self, data_dir: Path, engine: Engine) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self._writer = engine.execution_options(immediate=True)
        self.blobs = BlobStore(data_dir / "blobs")
        # The hold on the data directory's lock while this store is open (see
        # services.context.open_context, which takes it and releases it at close).
        self.lock: DataDirLock | None = None

    @classmethod
    def open(cls, data_dir: Path, *, alone: bool = True) -> Store:
        """Open (creating, or migrating when ``alone``) the store in ``data_dir``."""
        return cls(data_dir, open_engine(data_dir, alone=alone))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self, *, now: dt.datetime, device_id: str, officer_id: str,
              new_id: Callable[[], str]) -> Iterator[Tx]:
        """One atomic, durable write: commits on exit, rolls back on error."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield Tx(session, now=now, device_id=device_id,
                     officer_id=officer_id, new_id=new_id)
