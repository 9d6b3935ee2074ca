"""Starts one kind of write, stops at a point inside it and waits to be SIGKILLed by
test_killed_writers, leaving what a killed process leaves. Prints "paused" there."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

PASSPHRASE = "killed writer 2026"


def pause(*_args: Any, **_kwargs: Any) -> NoReturn:
    print("paused", flush=True)
    time.sleep(120)  # bounded: the test kills us long before
    raise SystemExit(3)


def main() -> None:
    data_dir, mode, arg = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    if mode.startswith("restore"):
        from fieldapp.services.records import restore

        # restore-check: the backup unpacked into staging, about to be checked;
        # restore-swap: the old data moved aside, the restored not yet in. (The
        # package's ``restore`` function hides its module of the same name.)
        module, name = {
            "restore-check": ("fieldapp.services.records.restore", "_check_database"),
            "restore-swap": ("fieldapp.store.upkeep", "create_private_file")}[mode]
        setattr(sys.modules[module], name, pause)
        restore(data_dir=data_dir, source=arg, now=dt.datetime.now(dt.UTC),
                passphrase=PASSPHRASE)
        return
    from fieldapp.services.context import open_context

    ctx = open_context(data_dir)
    os.fsync = pause  # every atomic write fsyncs its whole temporary before the rename
    if mode == "evidence":
        ctx.store.blobs.put(arg)
    elif mode == "document":
        from fieldapp.atomic import write_atomically

        write_atomically(data_dir / "documents" / "d.pdf", b"%PDF-1.4 half a document")
    elif mode == "key":  # as the device key is made: never over an existing one
        from fieldapp.atomic import atomic_file

        with atomic_file(data_dir / "keys" / "device_ed25519.pem", replace=False) as fh:
            fh.write(b"-----BEGIN PRIVATE KEY-----\n")
    elif mode == "backup":
        from fieldapp.services.records import backup

        with ctx.read() as session:
            leader = session.connection().exec_driver_sql(
                "SELECT id FROM officer WHERE role = 'squad_leader' LIMIT 1").scalar_one()
        backup(ctx=ctx, dest=arg, officer_id=leader, passphrase=PASSPHRASE)


if __name__ == "__main__":
    main()
