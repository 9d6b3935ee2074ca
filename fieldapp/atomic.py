"""Writing files so that a crash leaves the whole file or none (one helper for all).

A file is written to a temporary name beside its target (``.incoming-…``), flushed and
fsynced, then renamed over the target, and the folder is fsynced so the rename itself
survives a power cut. Temporaries a killed process left behind carry the same prefix;
``remove_stale_temporaries`` clears them at the next start. Files are created readable
by their owner only (the data directory holds personal data and keys).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".incoming-"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def fsync_dir(path: Path) -> None:
    """Make a rename or creation in ``path`` durable (not possible on every platform)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_file(path: Path, *, replace: bool = True, mode: int = PRIVATE_FILE,
                on_temporary: Callable[[Path], None] | None = None) -> Iterator[BinaryIO]:
    """A file handle whose content appears at ``path`` only when the block ends well.

    With ``replace=False`` an existing ``path`` is kept and ``FileExistsError`` raised
    (the first writer wins, as for a key two processes may create at once).
    ``on_temporary`` is told the temporary's path before anything is written to it
    (a backup outside the data directory notes it there, to be removed after a crash).
    """
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    tmp = Path(tmp_name)
    try:
        if mode != PRIVATE_FILE:  # mkstemp made it 0600 (FAT sticks refuse chmod)
            os.chmod(tmp, mode)
        if on_temporary is not None:
            on_temporary(tmp)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            _publish_new(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(path.parent)


def _publish_new(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the name ``path`` unless ``path`` exists (a link cannot replace)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        # No hard links here (FAT and exFAT on USB sticks): check, then rename. Only a
        # writer racing us in the same instant could be replaced.
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(tmp, path)


def write_atomically(path: Path, data: bytes, *, mode: int = PRIVATE_FILE) -> None:
    """Write ``data`` to ``path``: the whole file or none, even after a crash."""
    with atomic_file(path, mode=mode) as fh:
        fh.write(data)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite keeps the mode of a
    database file it finds, and gives it to the WAL and SHM files)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def remove_stale_temporaries(folder: Path, *, recursive: bool = True) -> int:
    """Delete the temporaries of writes a killed process never finished (files, and
    folders such as a restore's staging folder); returns how many.

    Call only while no other process writes into ``folder`` (at start, holding the
    data directory's lock exclusively or as its first user)."""
    if not folder.is_dir():
        return 0
    pattern = f"**/{TEMP_PREFIX}*" if recursive else f"{TEMP_PREFIX}*"
    removed = 0
    # Shortest paths first: a stale folder goes whole, and what lay inside it is gone.
    for stale in sorted(folder.glob(pattern), key=lambda p: len(p.parts)):
        with contextlib.suppress(FileNotFoundError):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()
            removed += 1
    return removed
