"""Backup and restore speed and peak memory, beside a plain copy of the same files.

Each operation runs in a fresh process so that its peak RSS is its own. Run alone:
``python -m bench.backup_bench DATA_DIR`` (a data directory nobody has open)."""

from __future__ import annotations

import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, print_table

PASSPHRASE = "bench passphrase 2026"


def _data_bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file())


def _plain_copy_s(data_dir: Path, into: Path) -> float:
    """The reference: copying the database and the evidence files as they are."""
    start = time.perf_counter()
    shutil.copytree(data_dir, into, ignore=shutil.ignore_patterns("*.lock"))
    return time.perf_counter() - start


def _run(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "bench.backup_bench", "--one", *args],
                         capture_output=True, text=True, check=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def _one(op: str, data_dir: Path, path: Path, secret: str) -> None:
    """One operation in this process; prints its time and peak RSS as JSON."""
    from fieldapp.services.context import open_context
    from fieldapp.services.records import backup, restore

    start = time.perf_counter()
    if op.startswith("backup"):
        ctx = open_context(data_dir)
        with ctx.read() as s:
            leader = s.connection().exec_driver_sql(
                "SELECT id FROM officer WHERE role = 'squad_leader' LIMIT 1").scalar_one()
        start = time.perf_counter()
        kind = {"public_key": secret} if op == "backup-key" else {"passphrase": secret}
        backup(ctx=ctx, dest=path, officer_id=leader, **kind)
        ctx.close()
    else:
        kind = ({"private_key_file": Path(secret)} if op == "restore-key"
                else {"passphrase": secret})
        restore(data_dir=data_dir, source=path, now=dt.datetime.now(dt.UTC),
                **kind)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def backup_figures(data_dir: Path, label: str = "") -> list[Figure]:
    """Backup and restore of ``data_dir`` with the agency key and with a passphrase."""
    from fieldapp.crypto import sealed

    size = _data_bytes(data_dir)
    figures = []
    with tempfile.TemporaryDirectory(prefix="fieldapp-backup-bench-") as tmp:
        work = Path(tmp)
        copy_rate = size / _plain_copy_s(data_dir, work / "copy") / 1e6
        private, public = sealed.generate_key_pair()
        key = work / "agency.pem"
        key.write_bytes(sealed.private_key_pem(private))
        runs = [("backup-key", data_dir, work / "k.fab", public),
                ("restore-key", work / "r1", work / "k.fab", str(key)),
                ("backup-passphrase", data_dir, work / "p.fab", PASSPHRASE),
                ("restore-passphrase", work / "r2", work / "p.fab", PASSPHRASE)]
        for op, where, path, secret in runs:
            got = _run(op, str(where), str(path), secret)
            rate = size / got["seconds"] / 1e6
            figures.append(Figure(
                f"{op} {label}({size / 1e6:.0f} MB of data, {path.stat().st_size / 1e6:.0f}"
                f" MB sealed)", f"{rate:.0f} MB/s, {got['seconds']:.1f} s, peak RSS "
                f"{got['peak_mb']:.0f} MB", f"plain copy {copy_rate:.0f} MB/s",
                "(reported)", True))
    return figures


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        op, where, path, secret = sys.argv[2:6]
        _one(op, Path(where), Path(path), secret)
        return
    print_table(backup_figures(Path(sys.argv[1])))


if __name__ == "__main__":
    main()
