"""Backup and restore of a data directory: a consistent copy while the app runs.

A backup is one zip file: the database copied with SQLite's online backup API (a
consistent snapshot even while the app writes), every evidence file, and a manifest
with the SHA-256 of each part. Restore checks all of it before it touches anything, and
keeps the data it replaces in ``replaced-<time>/`` inside the data directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp import __version__
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext
from fieldapp.store import audit, chain
from fieldapp.store.engine import DB_FILE

FORMAT = "fieldapp-backup/1"
_EXTRA_FOLDERS = ("documents", "keys")
_LAST_BACKUP_KEY = "last_backup"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    evidence_files: int
    audit_events: int


@dataclass(frozen=True)
class RestoreResult:
    evidence_files: int
    audit_events: int
    replaced_dir: Path | None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def backup(*, ctx: ServiceContext, dest: Path, officer_id: str = "") -> BackupResult:
    """Write a backup zip to ``dest`` (atomically) and remember when it was made."""
    ctx.authorize(officer_id, Action.BACK_UP)
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".backup-") as tmp:
        snapshot = Path(tmp) / DB_FILE
        _snapshot_db(ctx.store.data_dir / DB_FILE, snapshot)
        outbox_seq, head = _snapshot_marks(snapshot)
        # Blobs are written before the rows that name them, so copying them after the
        # snapshot captures every file the snapshot refers to.
        blobs = sorted(p for p in ctx.store.blobs.root.glob("??/*") if p.is_file())
        # Issued PDFs and the device's signing key: without the key, documents issued
        # after a restore could not be verified with the device's known public key.
        extras = sorted(p for folder in _EXTRA_FOLDERS
                        for p in (ctx.store.data_dir / folder).glob("*") if p.is_file())
        manifest = {
            "format": FORMAT, "app_version": __version__,
            "created_at": audit.utc_text(ctx.now()), "device_id": ctx.device_id,
            "database": {"file": DB_FILE, "sha256": _sha256(snapshot)},
            "blobs": {p.parent.name + p.name: p.stat().st_size for p in blobs},
            "files": {f"{p.parent.name}/{p.name}": _sha256(p) for p in extras},
            "audit_events": head, "outbox_seq": outbox_seq,
        }
        partial = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(partial, "w") as zf:
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            zf.write(snapshot, DB_FILE, compress_type=zipfile.ZIP_DEFLATED)
            for path in blobs:
                zf.write(path, f"blobs/{path.parent.name}/{path.name}")
            for path in extras:
                zf.write(path, f"{path.parent.name}/{path.name}")
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, dest)
    with ctx.write(officer_id, action=Action.BACK_UP) as tx:
        tx.conn.exec_driver_sql(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) "
            "DO UPDATE SET value = excluded.value",
            (_LAST_BACKUP_KEY, json.dumps({"outbox_seq": outbox_seq,
                                           "at": manifest["created_at"],
                                           "path": str(dest)})))
        tx.audit("backup.create", "backup", dest.name,
                 {"path": str(dest), "evidence_files": len(blobs), "audit_events": head})
    return BackupResult(dest, dest.stat().st_size, len(blobs), head)


def _snapshot_db(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _snapshot_marks(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        outbox = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0]
        events = conn.execute("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    finally:
        conn.close()
    return int(outbox), int(events)


def changes_since_backup(*, ctx: ServiceContext) -> int:
    """How many changes were recorded after the last backup (all of them if none)."""
    with ctx.read() as session:
        conn = session.connection()
        row = conn.exec_driver_sql(
            "SELECT value FROM sync_state WHERE key = ?", (_LAST_BACKUP_KEY,)).first()
        since = json.loads(row[0])["outbox_seq"] if row else 0
        return int(conn.exec_driver_sql(
            "SELECT COUNT(*) FROM outbox WHERE seq > ?", (since,)).scalar_one())


def restore(*, data_dir: Path, source: Path, now: dt.datetime) -> RestoreResult:
    """Replace the data in ``data_dir`` by a checked backup; the old data is kept aside.

    The app must not have the data directory open while this runs.
    """
    if not zipfile.is_zipfile(source):
        raise ValidationError("backup file", "'{path}' is not a fieldapp backup", path=str(source))
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as tmp:
        staging = Path(tmp)
        manifest = _extract_checked(source, staging)
        events = _check_database(staging / DB_FILE)
        replaced = _move_aside(data_dir, now)
        os.replace(staging / DB_FILE, data_dir / DB_FILE)
        for folder in ("blobs", *_EXTRA_FOLDERS):
            if (staging / folder).exists():
                os.replace(staging / folder, data_dir / folder)
        for key in (data_dir / "keys").glob("*"):
            key.chmod(0o600)  # zip does not keep it: the private key is the device's alone
    return RestoreResult(len(manifest["blobs"]), events, replaced)


def _extract_checked(source: Path, staging: Path) -> dict[str, Any]:
    with zipfile.ZipFile(source) as zf:
        try:
            manifest = json.loads(zf.read("manifest.json"))
        except KeyError:
            raise ValidationError("backup file", "has no manifest") from None
        if manifest.get("format") != FORMAT:
            raise ValidationError("backup file", "has an unknown format {format}",
                                  format=str(manifest.get("format")))
        zf.extractall(staging)
    if _sha256(staging / DB_FILE) != manifest["database"]["sha256"]:
        raise ValidationError("backup file", "the database in it is damaged")
    for name in manifest["blobs"]:
        blob = staging / "blobs" / name[:2] / name[2:]
        if not blob.is_file() or _sha256(blob) != name:
            raise ValidationError("backup file", "evidence file {sha} is missing or damaged",
                                  sha=name[:12])
    for name, digest in manifest.get("files", {}).items():
        path = staging / name
        if not path.is_file() or _sha256(path) != digest:
            raise ValidationError("backup file", "{name} is missing or damaged", name=name)
    return dict(manifest)


def _check_database(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValidationError("backup file", "the database in it is damaged")
    finally:
        conn.close()
    result = chain.verify_data_dir(db.parent, db.name)
    if not result.ok:
        raise DomainError("the audit log in the backup is broken at event {seq}",
                          seq=result.first_bad_seq)
    return result.checked


def _move_aside(data_dir: Path, now: dt.datetime) -> Path | None:
    parts = [data_dir / n for n in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", "blobs",
                                    "thumbs", *_EXTRA_FOLDERS)]
    present = [p for p in parts if p.exists()]
    if not present:
        return None
    aside = data_dir / f"replaced-{now.strftime('%Y%m%d-%H%M%S')}"
    aside.mkdir()
    for path in present:
        shutil.move(str(path), aside / path.name)
    return aside
