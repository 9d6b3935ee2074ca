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
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from fieldapp.atomic import PRIVATE_DIR, PRIVATE_FILE, TEMP_PREFIX, remove_stale_temporaries

PENDING_DIR = "pending"
# Content folders hold thousands of files, all written 0600 by this app: they are
# walked only when the directory itself was lax (an older data directory) or after a
# restore. Data a restore kept aside (``replaced-…``) holds content folders too.
_CONTENT_DIRS = ("blobs", "thumbs", "replaced-")


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


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite then keeps the mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def remove_leftovers(data_dir: Path) -> int:
    """Remove every temporary a killed process left; call holding the lock exclusively."""
    removed = 0
    pending = data_dir / PENDING_DIR
    if pending.is_dir():
        for note in pending.iterdir():
            removed += _remove_noted(note)
    return removed + remove_stale_temporaries(data_dir)


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
