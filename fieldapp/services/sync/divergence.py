"""The divergence check: after a sync that left nothing waiting, HQ's per-kind checksums
over this device's scope are compared with the device's own (``store.checksums``, kept
incrementally). A kind that differs is repaired by a full resync of it: pulled again from
cursor 0, every version counted again; local changes are kept (a version is never
applied over one still waiting). A kind that still differs is reported, not hidden.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fieldapp.domain.changes import ChangeKind
from fieldapp.services.context import ServiceContext
from fieldapp.services.sync import db
from fieldapp.services.sync.pull import pull_all
from fieldapp.store import checksums
from fieldapp.store.entities import BY_ENTITY
from fieldapp.sync.client import HqClient
from fieldapp.sync.protocol import ChecksumResponse, Entity

_ZERO = (0, "0" * 32)


def differing(remote: ChecksumResponse, local: dict[str, tuple[int, str]]) -> list[str]:
    theirs = {c.entity.value: (c.count, c.digest) for c in remote.checksums}
    kinds = sorted(set(theirs) | set(local))
    return [k for k in kinds if theirs.get(k, _ZERO) != local.get(k, _ZERO)]


def _current(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection,
             kinds: set[ChangeKind]) -> ChecksumResponse:
    """HQ's checksums, with this device caught up to the sequence they are as of."""
    remote = client.checksums()
    if int(db.get(conn, db.CURSOR, "0")) < remote.cursor:
        caught_up = pull_all(ctx, client, conn)
        kinds |= {BY_ENTITY[e].kind for e in caught_up.entities}
        remote = client.checksums()
    return remote


def check_and_repair(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection,
                     report: Any, kinds: set[ChangeKind]) -> list[str]:
    """The kinds that still differ after a repair (none, normally)."""
    remote = _current(ctx, client, conn, kinds)
    wrong = differing(remote, checksums.local_checksums(conn))
    if not wrong:
        return []
    with db.transaction(conn):
        checksums.forget(conn, wrong)
    repaired = pull_all(ctx, client, conn, from_zero=True, rebuild=frozenset(wrong))
    report.pulled += repaired.pulled
    kinds |= {BY_ENTITY[Entity(e)].kind for e in wrong}
    remote = _current(ctx, client, conn, kinds)
    return differing(remote, checksums.local_checksums(conn))
