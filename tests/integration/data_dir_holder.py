"""Holds a data directory open in its own process until its stdin closes.

``context``: opens it as the app does (``open_context``), optionally records a subject
first; ``lock``: only takes the lock shared (as an older app would, without migrating).
Prints "ready" once it holds it."""

from __future__ import annotations

import sys
from pathlib import Path

from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.services.context import open_context
from fieldapp.services.subjects import create_subject
from fieldapp.store.lock import DataDirLock


def main() -> None:
    data_dir, how = Path(sys.argv[1]), sys.argv[2]
    if how == "lock":
        lock = DataDirLock(data_dir)
        lock.take("shared")
        print("ready", flush=True)
        sys.stdin.read()
        lock.release()
        return
    ctx = open_context(data_dir)
    if len(sys.argv) > 3:
        create_subject(ctx=ctx, officer_id=sys.argv[3], data=SubjectData(
            kind=SubjectKind.INDIVIDUAL, name=sys.argv[4]))
    print("ready", flush=True)
    sys.stdin.read()
    ctx.close()


if __name__ == "__main__":
    main()
