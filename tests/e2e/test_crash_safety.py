"""SIGKILL at random moments while findings are recorded: nothing acknowledged is lost,
nothing is half-written, the database and the audit chain stay sound."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

TARGET = 1000
KILLS = 20


def _run_worker(data_dir: Path, kill_after_done: int | None, delay: float,
                lines: list[str]) -> int:
    """Run the worker; SIGKILL it ``delay`` s after its ``kill_after_done``-th commit."""
    with subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("crash_worker.py")), str(data_dir),
             str(TARGET)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True) as proc:
        assert proc.stdout is not None
        done = 0
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("done "):
                done += 1
                if kill_after_done is not None and done >= kill_after_done:
                    time.sleep(delay)  # lands inside the next transaction, or between two
                    proc.send_signal(signal.SIGKILL)
                    break
        lines.extend(proc.stdout)
        return proc.wait(timeout=300)


@pytest.mark.slow
def test_sigkill_loses_nothing_acknowledged(cli) -> None:
    assert cli("demo", "--subjects", "30", "--inspections", "0").code == 0
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261121")))
    lines: list[str] = []
    kills = 0
    for _ in range(200):  # bounded
        with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
            if conn.execute("SELECT COUNT(*) FROM inspection").fetchone()[0] >= TARGET:
                break
        kill_after = rng.randint(5, 45) if kills < KILLS + 2 else None
        code = _run_worker(cli.data_dir, kill_after, rng.uniform(0, 0.006), lines)
        if code == -signal.SIGKILL:
            kills += 1
        else:
            assert code == 0
    assert kills >= KILLS
    acknowledged = [line.split()[1] for line in lines if line.startswith("done ")]
    conn = sqlite3.connect(cli.data_dir / "fieldapp.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = [r[0] for r in conn.execute("SELECT id FROM inspection")]
        assert len(stored) == TARGET
        assert len(set(stored)) == len(stored)
        assert set(acknowledged) <= set(stored)
        # All-or-nothing: every inspection has its finding, step, outbox and audit event.
        counts = [conn.execute(sql).fetchone()[0] for sql in (
            "SELECT COUNT(*) FROM finding", "SELECT COUNT(*) FROM ladder_step",
            "SELECT COUNT(*) FROM audit_event WHERE action = 'inspection.record'",
            "SELECT COUNT(*) FROM outbox WHERE entity = 'inspection'")]
        assert counts == [TARGET] * 4
    finally:
        conn.close()
    assert cli("audit", "verify").code == 0
