"""The data directory is readable by its owner only: 0700 folders, 0600 files, when
created, when an older lax one is opened, and after a restore."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

from PIL import Image

from fieldapp.atomic import write_atomically
from fieldapp.services.context import open_context
from fieldapp.services.paperwork.signing import device_key, key_path
from fieldapp.services.preferences import Preferences, save_preferences
from fieldapp.services.records import backup, restore

PASSPHRASE = "modes of the data 2026"


def _lax_modes(root: Path) -> list[tuple[str, str]]:
    """Every folder not 0700 and file not 0600 under ``root`` (itself included)."""
    wrong = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            wrong.append((str(path.relative_to(root)), oct(mode)))
    return wrong


def _fill(ctx, tmp_path: Path) -> None:
    """Something in every kind of file the app keeps: evidence, thumbnail, an issued PDF,
    the device key, preferences, the database with its WAL."""
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (9, 99, 199)).save(photo)
    blob = ctx.store.blobs.put(photo)
    ctx.store.blobs.thumbnail(blob.sha256)
    write_atomically(ctx.store.data_dir / "documents" / "d1.pdf", b"%PDF-1.4 issued")
    with ctx.store.write(now=ctx.now(), device_id=ctx.device_id, officer_id="",
                         new_id=ctx.new_id) as tx:
        device_key(tx, ctx.store.data_dir)
    save_preferences(ctx.store.data_dir, Preferences(large_text=True))


def test_a_new_data_directory_and_all_it_holds_are_private(org, tmp_path) -> None:
    _fill(org.ctx, tmp_path)
    data = org.ctx.store.data_dir
    assert (data / "fieldapp.sqlite3-wal").exists() and key_path(data).exists()
    assert _lax_modes(data) == []


def _loosen(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_an_older_lax_data_directory_is_tightened_when_opened(org, tmp_path) -> None:
    _fill(org.ctx, tmp_path)
    data = org.ctx.store.data_dir
    org.ctx.close()
    _loosen(data)
    assert len(_lax_modes(data)) > 10
    open_context(data).close()
    assert _lax_modes(data) == []
    # A file some other code wrote loosely in an already private directory: the
    # signing key is tightened at every start, whatever the rest.
    key_path(data).chmod(0o644)
    open_context(data).close()
    assert stat.S_IMODE(key_path(data).stat().st_mode) == 0o600


def test_a_restore_puts_the_private_modes_back(org, tmp_path) -> None:
    _fill(org.ctx, tmp_path)
    made = backup(ctx=org.ctx, dest=tmp_path / "b.fab", officer_id=org.officers[0],
                  passphrase=PASSPHRASE)
    target = tmp_path / "lax"
    target.mkdir(mode=0o755)
    os.chmod(target, 0o755)  # whatever the umask
    (target / "notes.txt").write_text("an old file", encoding="utf-8")
    (target / "notes.txt").chmod(0o644)
    restore(data_dir=target, source=made.path, now=dt.datetime.now(dt.UTC),
            passphrase=PASSPHRASE)
    assert (target / "blobs").is_dir() and key_path(target).exists()
    assert _lax_modes(target) == []
