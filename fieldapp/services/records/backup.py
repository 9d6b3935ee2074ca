"""Backups of a data directory: a consistent, encrypted copy, made while the app runs.

A backup is one sealed file (``fieldapp.crypto.sealed``) holding a tar stream
(``archive``): the database copied with SQLite's online backup API (a consistent
snapshot even while the app writes), every evidence file, the issued PDFs and the
device's signing key. It is sealed to the agency's backup public key (the city's rule
setting ``backup_public_key``), so a scheduled backup needs no passphrase and nothing
on the device can open it; squads without an agency key give a passphrase instead.

A backup cannot hurt the data: it refuses any target inside the data directory (the
live database above all), an existing file unless told to overwrite it, and anything
that is not a plain file path (a folder, a device such as /dev/null, a pipe). It is
written to a temporary file beside the target and renamed into place when whole;
the plaintext snapshot stays inside the private data directory meanwhile.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from fieldapp import __version__
from fieldapp.atomic import TEMP_PREFIX, atomic_file, create_private_file
from fieldapp.crypto import sealed
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.i18n import N_
from fieldapp.services.context import ServiceContext
from fieldapp.services.records import archive
from fieldapp.services.records.archive import BACKUP_FILE_FIELD
from fieldapp.store import audit
from fieldapp.store.engine import DB_FILE
from fieldapp.store.upkeep import noting_temporaries

BACKUP_SUFFIX = ".fabackup"
MIN_PASSPHRASE = 8
_LAST_BACKUP_KEY = "last_backup"
PASSPHRASE_FIELD = "passphrase"
PUBLIC_KEY_FIELD = "backup public key"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    evidence_files: int
    audit_events: int
    sealed_with: str  # "agency key" or "passphrase"


def backup(*, ctx: ServiceContext, dest: Path, officer_id: str = "",
           overwrite: bool = False, public_key: str | None = None,
           passphrase: str | None = None) -> BackupResult:
    """Write an encrypted backup to ``dest`` and remember when it was made.

    Sealed to ``public_key`` if given, else with ``passphrase`` if given, else to the
    agency's backup key of the city's settings (a ValidationError when there is none).
    ``overwrite`` lets it replace an existing backup file."""
    ctx.authorize(officer_id, Action.BACK_UP)
    data_dir = ctx.store.data_dir
    target = check_target(dest, field=BACKUP_FILE_FIELD, data_dir=data_dir,
                          overwrite=overwrite)
    seal, sealed_with = _sealer(ctx, public_key, passphrase)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=f"{TEMP_PREFIX}backup-") as tmp:
        manifest, blobs, extras = _prepare(ctx, Path(tmp))
        try:
            with noting_temporaries(data_dir) as note, atomic_file(
                    target, replace=overwrite, on_temporary=note) as fh:
                writer = seal(fh)
                archive.write_archive(writer, manifest, Path(tmp) / archive.DB_MEMBER,
                                      blobs, extras)
                writer.finish()
        except FileExistsError:  # made by someone else while we wrote
            raise exists_error(target) from None
    _remember(ctx, officer_id, target, manifest, len(blobs), sealed_with)
    return BackupResult(target, target.stat().st_size, len(blobs),
                        int(manifest["audit_events"]), sealed_with)


def _prepare(ctx: ServiceContext, work: Path) -> tuple[dict[str, Any], list[Path], list[Path]]:
    """Snapshot and pack the database into ``work``; list the files to copy."""
    data_dir = ctx.store.data_dir
    snapshot = work / DB_FILE
    _snapshot_db(data_dir / DB_FILE, snapshot)
    outbox_seq, head = _snapshot_marks(snapshot)
    digest = archive.compress_database(snapshot, work / archive.DB_MEMBER)
    snapshot.unlink()
    # Blobs are written before the rows that name them, so listing them after the
    # snapshot captures every file the snapshot refers to.
    blobs = sorted(p for p in ctx.store.blobs.root.glob("??/*")
                   if p.is_file() and not p.name.startswith(TEMP_PREFIX))
    # Issued PDFs and the device's signing key: without the key, documents issued
    # after a restore could not be verified with the device's known public key.
    extras = sorted(p for folder in archive.EXTRA_FOLDERS
                    for p in (data_dir / folder).glob("*")
                    if p.is_file() and not p.name.startswith(TEMP_PREFIX))
    manifest = {
        "format": archive.FORMAT, "app_version": __version__,
        "created_at": audit.utc_text(ctx.now()), "device_id": ctx.device_id,
        "database": {"file": archive.DB_MEMBER, "sha256": digest},
        "blobs": {p.parent.name + p.name: p.stat().st_size for p in blobs},
        "files": {archive.extra_member(p): archive.sha256_of(p) for p in extras},
        "audit_events": head, "outbox_seq": outbox_seq,
    }
    return manifest, blobs, extras


def _remember(ctx: ServiceContext, officer_id: str, target: Path, manifest: dict[str, Any],
              evidence_files: int, sealed_with: str) -> None:
    with ctx.write(officer_id, action=Action.BACK_UP) as tx:
        tx.conn.exec_driver_sql(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) "
            "DO UPDATE SET value = excluded.value",
            (_LAST_BACKUP_KEY, json.dumps({"outbox_seq": manifest["outbox_seq"],
                                           "at": manifest["created_at"],
                                           "path": str(target)})))
        tx.audit("backup.create", "backup", target.name,
                 {"path": str(target), "evidence_files": evidence_files,
                  "audit_events": manifest["audit_events"], "sealed_with": sealed_with})


# --- where a backup (or a key) may be written ---------------------------------------


def check_target(dest: Path, *, field: str, data_dir: Path | None, overwrite: bool) -> Path:
    """The absolute path a new file for the user may be written to, or a
    ValidationError naming ``field``: never inside the data directory, never over
    anything but a regular file, over a regular file only with ``overwrite``."""
    target = Path(os.path.abspath(dest)).resolve()  # through links, to what they name
    if data_dir is not None:
        _check_outside(target, dest, field, data_dir.resolve())
    try:
        mode = target.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # a file where a folder should be:
        mode = None  # named below
    if mode is not None:
        if not stat.S_ISREG(mode):
            raise ValidationError(field, "'{path}' is {kind}, not a file",
                                  path=str(dest), kind=_kind(mode))
        if not overwrite:
            raise exists_error(target, field)
    _check_folder(target.parent, field)
    return target


def _check_outside(target: Path, dest: Path, field: str, live: Path) -> None:
    if target == live / DB_FILE or _same_file(target, live / DB_FILE):
        raise ValidationError(field, "'{path}' is the live database; choose a file "
                              "outside the data directory", path=str(dest))
    if target == live or live in target.parents:
        raise ValidationError(field, "'{path}' is inside the data directory {data_dir}; "
                              "choose a folder elsewhere (a USB stick, a network drive)",
                              path=str(dest), data_dir=str(live))


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` is ``b`` under another name (a hard link, a bind mount)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _kind(mode: int) -> str:
    """What the file at a path is, in words (translated where the error is shown)."""
    if stat.S_ISDIR(mode):
        return N_("a folder")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return N_("a device")
    if stat.S_ISFIFO(mode):
        return N_("a pipe")
    return N_("a special file")


def _check_folder(folder: Path, field: str) -> None:
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                raise ValidationError(field, "'{path}' is not a folder", path=str(parent))
            return


def exists_error(target: Path, field: str = BACKUP_FILE_FIELD) -> ValidationError:
    """The error for a file that would be overwritten."""
    return ValidationError(field, "'{path}' already exists; choose another name or allow "
                           "overwriting it", path=str(target))


# --- how it is sealed ------------------------------------------------------------------


Sealer = Callable[[BinaryIO], sealed.SealedWriter]


def _sealer(ctx: ServiceContext, public_key: str | None,
            passphrase: str | None) -> tuple[Sealer, str]:
    if public_key is not None and passphrase is not None:
        raise ValidationError(PASSPHRASE_FIELD, "give a passphrase or a public key, not both")
    if passphrase is not None:
        check_passphrase(passphrase)
        return (lambda out: sealed.seal_with_passphrase(out, passphrase)), "passphrase"
    if public_key is None:
        from fieldapp.services.rules import rule_config

        public_key = rule_config(ctx=ctx).backup_public_key
        if not public_key:
            raise ValidationError(PUBLIC_KEY_FIELD, "no agency backup key is set up; set "
                                  "the one HQ publishes in the city's rules, or give a "
                                  "passphrase")
    recipient = parse_public_key(public_key)
    return (lambda out: sealed.seal_to_key(out, recipient)), "agency key"


def parse_public_key(text: str) -> sealed.PublicKey:
    try:
        return sealed.public_key_from_text(text)
    except ValueError:
        raise ValidationError(PUBLIC_KEY_FIELD, "'{value}' is not a public key (43 "
                              "characters of base64url)", value=text) from None


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(PASSPHRASE_FIELD, "must have at least {count} characters",
                              count=MIN_PASSPHRASE)


# --- the database snapshot ---------------------------------------------------------


def _snapshot_db(source: Path, target: Path) -> None:
    create_private_file(target)  # SQLite keeps the mode of a file it finds
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

