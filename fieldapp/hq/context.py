"""The composition root: settings, store, key, evidence store, clock and ids, made once
per process and handed to every use case."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from fieldapp.domain.ids import uuid7_text
from fieldapp.hq.blobs import BlobStore, open_blob_store
from fieldapp.hq.db.engine import Db
from fieldapp.hq.keys import HqKey
from fieldapp.hq.settings import Settings


def utc_text(moment: dt.datetime) -> str:
    """The protocol's time text (UTC, microseconds)."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def parse_utc(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


@dataclass
class Hq:
    settings: Settings
    db: Db
    key: HqKey
    blobs: BlobStore
    _clock_offset: dt.timedelta = field(default=dt.timedelta(0))

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._clock_offset

    def now_text(self) -> str:
        return utc_text(self.now())

    def new_id(self) -> str:
        return uuid7_text(int(self.now().timestamp() * 1000), os.urandom(10))

    def close(self) -> None:
        self.db.dispose()


def open_hq(settings: Settings, *, migrate: bool = True) -> Hq:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Db(settings.db_url, pool_size=max(4, 2 * settings.workers))
    if migrate:
        db.migrate()
    return Hq(settings, db, HqKey.load_or_create(settings.key_path), open_blob_store(settings))
