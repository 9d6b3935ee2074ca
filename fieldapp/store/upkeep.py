"""Keeping the data directory private and tidy: modes, and what crashes leave behind.

The data directory holds personal data and the device's signing key: it is 0700 and
everything in it 0600 (folders 0700), so no other user of the computer reads it. New
files are made so (``fieldapp.atomic`` writes 0600; the database file is created 0600
before SQLite opens it, and SQLite gives its WAL and SHM files the database's mode);
an older, laxer directory is tightened when it is opened. On Windows ``chmod`` cannot
express this: there the data directory lies in the user's profile, whose ACLs already
keep other users out, so nothing is changed.

A process killed half-way through writing leaves temporaries (``TEMP_PREFIX``):
partial evidence files, PDFs, keys, restore staging folders, database snapshots of a
backup. They are removed when the next process opens the directory alone. A backup's
partial file lies beside its target, outside the data directory: the backup notes its
path in ``pending/`` first, so that it can be found and removed too.

A restore killed while it swaps the checked data in is finished instead: once the
staging folder is renamed ``restoring/`` (the commit point), the next start moves the
rest of the old data aside and the rest of the new data in, as the restore would have.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from fieldapp.atomic import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    TEMP_PREFIX,
    create_private_file,
    fsync_dir,
    remove_stale_temporaries,
)
from fieldapp.store.engine import DB_FILE

PENDING_DIR = "pending"
# Content folders hold thousands of files, all written 0600 by this app: they are
# walked only when the directory itself was lax (an older data directory) or after a
# restore. Data a restore kept aside (``replaced-…``) holds content folders too.
_CONTENT_DIRS = ("blobs", "thumbs", "documents", "replaced-")


def secure(data_dir: Path, *, everything: bool = False) -> None:
    """Give ``data_dir`` and what it holds their private modes (POSIX only); the
    content folders only with ``everything`` or when the directory itself was lax."""
    if os.name == "nt":
        return  # the profile's ACLs protect it (see the module docstring)
    lax = stat.S_IMODE(data_dir.stat().st_mode) != PRIVATE_DIR
    data_dir.chmod(PRIVATE_DIR)
    _tighten_tree(data_dir, skip=() if lax or everything else _CONTENT_DIRS)


def _tighten_tree(folder: Path, *, skip: tuple[str, ...]) -> None:
    """Tighten what ``folder`` holds, not descending into names starting with ``skip``."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_symlink():
                continue  # never follow a link out of the data directory
            if entry.is_dir():
                _tighten(entry, PRIVATE_DIR)
                if not entry.name.startswith(skip):
                    _tighten_tree(Path(entry.path), skip=())
            elif entry.is_file():
                _tighten(entry, PRIVATE_FILE)


def _tighten(entry: os.DirEntry[str], mode: int) -> None:
    with contextlib.suppress(FileNotFoundError):  # another process may remove it
        if stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode) != mode:
            os.chmod(entry.path, mode)


def remove_leftovers(data_dir: Path) -> int:
    """Finish an interrupted restore and remove every temporary a killed process left;
    call holding the lock exclusively."""
    finish_restore(data_dir)
    removed = 0
    pending = data_dir / PENDING_DIR
    if pending.is_dir():
        for note in pending.iterdir():
            removed += _remove_noted(note)
    return removed + _remove_temporaries(data_dir)


def _remove_temporaries(data_dir: Path) -> int:
    # Content folders get their temporaries at the top (blobs/.incoming-…, never in
    # blobs/ab/): not walking their thousands of files keeps the start fast.
    removed = remove_stale_temporaries(data_dir, recursive=False)
    for entry in data_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            deep = not entry.name.startswith(_CONTENT_DIRS)
            removed += remove_stale_temporaries(entry, recursive=deep)
    return removed


def _remove_noted(note: Path) -> int:
    try:
        target = Path(note.read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError, ValueError):
        target = None
    removed = 0
    # Only ever a temporary of ours: a damaged note must not name a real file.
    if target is not None and target.name.startswith(TEMP_PREFIX):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            target.unlink()
            removed = 1
    note.unlink(missing_ok=True)
    return removed


@contextlib.contextmanager
def noting_temporaries(data_dir: Path) -> Iterator[Callable[[Path], None]]:
    """A function that notes the path of a temporary outside the data directory in
    ``pending/`` until the block ends; after a crash ``remove_leftovers`` finds it."""
    notes: list[Path] = []

    def note(path: Path) -> None:
        pending = data_dir / PENDING_DIR
        pending.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        notes.append(pending / f"{path.name}.path")
        fd = os.open(notes[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(str(path.resolve()))

    try:
        yield note
    finally:
        for done in notes:
            done.unlink(missing_ok=True)


# --- swapping restored data in ------------------------------------------------------

RESTORING_DIR = "restoring"
DATA_PARTS = (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", "blobs", "thumbs", "documents",
              "keys")
_ASIDE_NOTE = ".aside"  # in restoring/: the folder the old data goes to
_MOVING_IN = ".moving-in"  # in restoring/: all the old data is aside


def commit_restore(data_dir: Path, staging: Path, aside_name: str) -> Path | None:
    """Swap the checked data in ``staging`` (inside ``data_dir``) for the data there,
    which goes to ``aside_name``; returns that folder, or None when nothing was there."""
    (staging / _ASIDE_NOTE).write_text(aside_name, encoding="utf-8")
    os.replace(staging, data_dir / RESTORING_DIR)
    fsync_dir(data_dir)
    return finish_restore(data_dir)


def finish_restore(data_dir: Path) -> Path | None:
    """Complete the swap ``commit_restore`` began (whether or not a crash stopped it)."""
    ready = data_dir / RESTORING_DIR
    if not (ready / _ASIDE_NOTE).is_file():
        return None
    aside = data_dir / (ready / _ASIDE_NOTE).read_text(encoding="utf-8").strip()
    if not (ready / _MOVING_IN).exists():
        # Nothing new has come in yet: everything here is old data.
        aside.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        for part in DATA_PARTS:
            if os.path.lexists(data_dir / part):
                os.replace(data_dir / part, aside / part)
        fsync_dir(data_dir)
        create_private_file(ready / _MOVING_IN)
        fsync_dir(ready)
    for part in DATA_PARTS:
        if os.path.lexists(ready / part):
            os.replace(ready / part, data_dir / part)
    fsync_dir(data_dir)
    shutil.rmtree(ready)
    if aside.is_dir() and not any(aside.iterdir()):
        aside.rmdir()
        return None
    return aside
