"""The store of one data directory: engine, evidence files, the device key and
transactions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlmodel import Session

from fieldapp.store import keys
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
        self._key: Ed25519PrivateKey | None = None
        # The hold on the data directory's lock while this store is open (see
        # services.context.open_context, which takes it and releases it at close).
        self.lock: DataDirLock | None = None

    @classmethod
    def open(cls, data_dir: Path, *, alone: bool = True) -> Store:
        """Open (creating, or migrating when ``alone``) the store in ``data_dir``."""
        return cls(data_dir, open_engine(data_dir, alone=alone))

    def close(self) -> None:
        self.engine.dispose()

    @property
    def key_path(self) -> Path:
        return keys.key_path(self.data_dir)

    def device_key(self, *, create: bool = False) -> Ed25519PrivateKey | None:
        """The device's signing key (made when ``create`` and none exists yet)."""
        if self._key is None:
            self._key = keys.load_key(self.key_path)
            if self._key is None and create:
                self._key = keys.create_key(self.key_path)
        return self._key

    def sign(self, message: bytes) -> str:
        """A base64url Ed25519 signature by the device key ("" without a key)."""
        key = self.device_key()
        return keys.b64(key.sign(message)) if key is not None else ""

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self, *, now: dt.datetime, device_id: str, officer_id: str,
              new_id: Callable[[], str], outbox: bool = True) -> Iterator[Tx]:
        """One atomic, durable write: commits on exit, rolls back on error."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            tx = Tx(session, now=now, device_id=device_id, officer_id=officer_id,
                    new_id=new_id, outbox=outbox)
            yield tx
            tx.finish(self.sign if self.device_key() is not None else None)
