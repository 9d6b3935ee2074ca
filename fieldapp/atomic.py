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
import tempfile
from collections.abc import Iterator
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
def atomic_file(path: Path, *, replace: bool = True,
                mode: int = PRIVATE_FILE) -> Iterator[BinaryIO]:
    """A file handle whose content appears at ``path`` only when the block ends well.

    With ``replace=False`` an existing ``path`` is kept and ``FileExistsError`` raised
    (the first writer wins, as for a key two processes may create at once)."""
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(path.parent)


def write_atomically(path: Path, data: bytes, *, mode: int = PRIVATE_FILE) -> None:
    """Write ``data`` to ``path``: the whole file or none, even after a crash."""
    with atomic_file(path, mode=mode) as fh:
        fh.write(data)


def remove_stale_temporaries(folder: Path, *, recursive: bool = True) -> int:
    """Delete the temporaries of writes a killed process never finished; returns how many.

    Call only while no other process writes into ``folder`` (at start, holding the
    data directory's lock exclusively or as its first user)."""
    if not folder.is_dir():
        return 0
    pattern = f"**/{TEMP_PREFIX}*" if recursive else f"{TEMP_PREFIX}*"
    removed = 0
    for stale in folder.glob(pattern):
        if stale.is_file():
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
                removed += 1
    return removed
