"""The data directory's lock: many users at once, or one alone.

The app and every command hold it *shared* while they have the data directory open
(SQLite lets them write side by side). Whatever replaces or reshapes the data — a
restore, a migration, the clean-up of what killed processes left behind — needs it
*exclusively*, and is refused at once while anybody else holds it: a restore under a
running app would silently lose what the app records afterwards.

The lock is an OS lock on ``fieldapp.lock`` in the data directory, so it goes away with
the process that held it, however it ended. The file itself is never deleted (deleting
a lock file lets two processes lock two different files).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from fieldapp.atomic import PRIVATE_DIR, PRIVATE_FILE
from fieldapp.domain.errors import DomainError

LOCK_FILE = "fieldapp.lock"
# How long opening waits for another process's brief exclusive hold (its start-up
# clean-up or migration) before it says the directory is in use.
SHARED_WAIT_S = 5.0
_POLL_S = 0.02

Kind = Literal["shared", "exclusive"]


class DataDirectoryInUse(DomainError):
    """Another process holds the data directory in a way that excludes this use."""

    def __init__(self, data_dir: Path) -> None:
        problem = ("a fieldapp program is using the data directory {path}; close it "
                   "and try again")
        super().__init__(problem, path=str(data_dir))
        self.data_dir = data_dir


if sys.platform == "win32":
    import msvcrt

    # msvcrt has byte-range locks only, and no shared ones: a shared holder locks one
    # byte of _SLOTS, an exclusive holder all of them, so the two exclude each other
    # and shared holders (up to _SLOTS at once) do not. Locks may lie past the end of
    # the file.
    _SLOTS = 256

    def _try_lock(fd: int, kind: Kind) -> tuple[int, int] | None:
        ranges = [(1, _SLOTS)] if kind == "exclusive" else [(s, 1) for s in range(1, _SLOTS + 1)]
        for start, length in ranges:
            os.lseek(fd, start, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, length)
            except OSError:
                continue
            return start, length
        return None

    def _unlock(fd: int, held: tuple[int, int]) -> None:
        os.lseek(fd, held[0], os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, held[1])

else:
    import fcntl

    def _try_lock(fd: int, kind: Kind) -> tuple[int, int] | None:
        # flock locks belong to the open file, not the process: two opens in one
        # process exclude each other like two processes, and changing the kind of a
        # held lock replaces it.
        flag = fcntl.LOCK_EX if kind == "exclusive" else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, flag | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        return 0, 0

    def _unlock(fd: int, held: tuple[int, int]) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class DataDirLock:
    """One hold on a data directory's lock (shared or exclusive), until ``release``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        self._fd: int | None = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT,
                                       PRIVATE_FILE)
        self._held: tuple[int, int] | None = None
        self.kind: Kind | None = None

    def try_take(self, kind: Kind) -> bool:
        """Take (or change to) ``kind`` without waiting; False when others prevent it.

        Changing a held lock is not atomic on either platform: when it fails, the old
        hold may be gone too (only exclusive → shared is done, which cannot fail
        unless someone slipped in between)."""
        if self._fd is None:
            raise ValueError("released")
        if self._held is not None and sys.platform == "win32":
            _unlock(self._fd, self._held)  # flock changes a held lock itself
        held = _try_lock(self._fd, kind)
        self._held, self.kind = held, kind if held is not None else None
        return held is not None

    def take(self, kind: Kind, *, wait_s: float = 0.0) -> None:
        """Take ``kind``, waiting up to ``wait_s``; DataDirectoryInUse otherwise."""
        deadline = time.monotonic() + wait_s
        while not self.try_take(kind):
            if time.monotonic() >= deadline:
                raise DataDirectoryInUse(self.data_dir)
            time.sleep(_POLL_S)

    def release(self) -> None:
        """Let go (closing the file releases the OS lock); calling it again does nothing."""
        if self._fd is None:
            return
        if self._held is not None:
            with contextlib.suppress(OSError):
                _unlock(self._fd, self._held)
        os.close(self._fd)
        self._fd, self._held, self.kind = None, None, None


def take_for_start(data_dir: Path) -> DataDirLock:
    """The hold of a process opening ``data_dir``: exclusive when nobody else has it
    open (the caller then tidies and migrates, and changes to shared), else shared."""
    lock = DataDirLock(data_dir)
    try:
        if not lock.try_take("exclusive"):
            lock.take("shared", wait_s=SHARED_WAIT_S)
    except BaseException:
        lock.release()
        raise
    return lock


@contextlib.contextmanager
def exclusively(data_dir: Path) -> Iterator[DataDirLock]:
    """Hold ``data_dir`` alone for the block; DataDirectoryInUse at once otherwise."""
    lock = DataDirLock(data_dir)
    try:
        lock.take("exclusive")
        yield lock
    finally:
        lock.release()
