"""Restoring a data directory from a backup, checked whole before anything changes.

Restore takes the data directory's lock exclusively for the whole run and refuses at
once while the app or any command has the directory open (what they recorded after
the restore would be lost). It decrypts and unpacks the whole backup into a staging
folder inside the data directory, checks the database's integrity and its
full-process record, and only then moves the current data aside into
``replaced-<time>/`` and the restored data into place, with private modes (a crash
during that swap is finished at the next start: ``store.upkeep``). A wrong key or
passphrase, or a file changed or cut short, is refused with nothing changed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp.atomic import TEMP_PREFIX
from fieldapp.crypto import sealed
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.services.records import archive
from fieldapp.services.records.archive import BACKUP_FILE_FIELD
from fieldapp.services.records.backup_keys import open_backup
from fieldapp.store import chain
from fieldapp.store.engine import DB_FILE
from fieldapp.store.lock import exclusively
from fieldapp.store.upkeep import commit_restore, remove_leftovers, secure


@dataclass(frozen=True)
class RestoreResult:
    evidence_files: int
    audit_events: int
    replaced_dir: Path | None


def restore(*, data_dir: Path, source: Path, now: dt.datetime,
            private_key_file: Path | None = None,
            passphrase: str | None = None) -> RestoreResult:
    """Replace the data in ``data_dir`` by the checked backup ``source``, opened with
    the agency's private key file or the passphrase; the old data is kept aside.

    Refused (DataDirectoryInUse) while anything else has ``data_dir`` open."""
    if not source.is_file():
        raise ValidationError(BACKUP_FILE_FIELD, "'{path}' does not exist or is not a file",
                              path=str(source))
    with exclusively(data_dir):
        remove_leftovers(data_dir)  # an earlier restore's staging folder, for one
        staging = Path(tempfile.mkdtemp(dir=data_dir, prefix=f"{TEMP_PREFIX}restore-"))
        try:
            manifest = _unpack(source, staging, private_key_file, passphrase)
            events = _check_database(staging / DB_FILE)
            replaced = commit_restore(data_dir, staging, _aside_name(data_dir, now))
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # gone once committed
        secure(data_dir, everything=True)
    return RestoreResult(len(manifest["blobs"]), events, replaced)


def _unpack(source: Path, staging: Path, private_key_file: Path | None,
            passphrase: str | None) -> dict[str, Any]:
    with source.open("rb") as raw:
        reader = open_backup(raw, source=source, private_key_file=private_key_file,
                             passphrase=passphrase)
        try:
            return archive.read_archive(reader, staging)
        except (sealed.Damaged, archive.DamagedArchive):
            raise ValidationError(BACKUP_FILE_FIELD, "'{path}' is damaged or incomplete "
                                  "(changed or cut short); nothing was restored",
                                  path=str(source)) from None


def _check_database(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValidationError(BACKUP_FILE_FIELD, "the database in it is damaged")
    except sqlite3.DatabaseError:
        raise ValidationError(BACKUP_FILE_FIELD, "the database in it is damaged") from None
    finally:
        conn.close()
    # The whole record, content recomputed, signed by the key the backup carries.
    result = chain.verify_data_dir(db.parent, db.name)
    if not result.ok:
        raise DomainError("the audit log in the backup is broken at event {seq}",
                          seq=result.first_bad_seq)
    return result.checked


def _aside_name(data_dir: Path, now: dt.datetime) -> str:
    """A new folder name for the data a restore replaces (two restores in a second)."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    name, n = f"replaced-{stamp}", 1
    while (data_dir / name).exists():
        n += 1
        name = f"replaced-{stamp}-{n}"
    return name
