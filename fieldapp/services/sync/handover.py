"""A revoked device: its unsynced work goes to an encrypted hand-over file, then its
store is wiped.

When HQ answers ``device_revoked`` (a lost or stolen laptop, a device retired), the
device stops syncing, writes every change HQ does not have (waiting or rejected), the
chain events HQ has not verified and the evidence files those changes name into one zip,
seals it under a new passphrase (``crypto.handover_seal``) beside the data directory,
and deletes the data directory: a device taken away keeps nothing readable. The hand-
over file and its passphrase go to the squad leader, who reads it on another device
(``read_handover``) and records what is missing there.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp.atomic import write_atomically
from fieldapp.crypto.handover_seal import new_passphrase, seal, unseal
from fieldapp.services.context import ServiceContext
from fieldapp.services.sync import db
from fieldapp.services.sync.link import HANDOVER_SUFFIX
from fieldapp.store.audit import utc_text
from fieldapp.store.queries import sync as queries
from fieldapp.sync.client import HqClient


@dataclass(frozen=True)
class HandOver:
    path: Path
    passphrase: str
    changes: int
    events: int
    files: int


def export_unsynced(ctx: ServiceContext, conn: sqlite3.Connection,
                    dest: Path | None = None) -> HandOver:
    """Seal everything HQ does not have into a hand-over file (outside the data dir)."""
    data_dir = ctx.store.data_dir
    stamp = utc_text(ctx.now())[:19].replace(" ", "T").replace(":", "")
    path = dest or data_dir.parent / f"{data_dir.name}-handover-{stamp}{HANDOVER_SUFFIX}"
    changes = [json.loads(p) | {"_state": s, "_reason": r}
               for p, s, r in queries.pending_envelopes(conn)]
    acked = int(db.get(conn, db.ACKED, "0"))
    names = ("seq", "id", "at", "device_id", "officer_id", "action", "entity",
             "entity_id", "payload", "format", "prev_hash", "hash")
    events = [{k: v for k, v in zip(names, row, strict=True) if k != "format"}
              for row in queries.chain_events_after(conn, seq=acked)]
    shas = sorted({str(c["fields"].get("sha256")) for c in changes
                   if c.get("entity") == "evidence" and c["fields"].get("sha256")})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("handover.json", json.dumps({
            "device_id": ctx.device_id, "made_at": utc_text(ctx.now()),
            "changes": changes, "events": events}, ensure_ascii=False))
        for sha in shas:
            if ctx.store.blobs.has(sha):
                archive.write(ctx.store.blobs.path_of(sha), f"blobs/{sha}")
    passphrase = new_passphrase()
    write_atomically(path, seal(buffer.getvalue(), passphrase))
    return HandOver(path, passphrase, len(changes), len(events), len(shas))


def read_handover(path: Path, passphrase: str) -> dict[str, Any]:
    """The contents of a hand-over file (on the device that takes the work over)."""
    data = unseal(path.read_bytes(), passphrase)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content: dict[str, Any] = json.loads(archive.read("handover.json"))
        content["files"] = sorted(n.removeprefix("blobs/") for n in archive.namelist()
                                  if n.startswith("blobs/"))
    return content


def wipe(ctx: ServiceContext) -> None:
    """Delete the data directory (the store, evidence files, keys, the HQ token)."""
    data_dir = ctx.store.data_dir
    ctx.store.close()
    shutil.rmtree(data_dir, ignore_errors=True)


def revoke_here(ctx: ServiceContext, client: HqClient) -> Exception:
    """What a device does when HQ says it is revoked; returns the ``DeviceRevoked`` to
    raise (the store is gone by then)."""
    from fieldapp.services.sync.pipeline import DeviceRevoked

    conn = db.connect(ctx)
    try:
        with db.transaction(conn):
            db.put(conn, db.REVOKED, utc_text(ctx.now()))
        handover = export_unsynced(ctx, conn)
    finally:
        conn.close()
    wipe(ctx)
    return DeviceRevoked(str(handover.path), handover.passphrase)
