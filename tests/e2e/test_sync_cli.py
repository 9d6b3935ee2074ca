"""``fieldapp enroll`` and ``fieldapp sync`` as the real command, against a real HQ.

The commands live in the ``fieldapp/cli/`` package (branch ``cli``); until it is merged
the test says so and skips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldapp.hq.services import admin
from fieldapp.hq.throwaway import PASSWORD
from tests.hq.client import Hq
from tests.hq.conftest import _servers, sqlite_hq  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not (ROOT / "fieldapp/cli/__init__.py").exists(),
                                reason="the fieldapp/cli package (branch cli) is not merged")


def _run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fieldapp", "--data-dir", str(data), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "FIELDAPP_PASSWORD": PASSWORD})


def test_enroll_sync_and_list_through_the_command(sqlite_hq: Hq,  # noqa: F811
                                                  tmp_path: Path) -> None:
    code, _ = admin.enroll_code(sqlite_hq.hq, squad_code="DHM", device_name="命令行")
    data = tmp_path / "desk"
    enrolled = _run(data, "enroll", "--server", sqlite_hq.base, "--code", code)
    assert enrolled.returncode == 0, enrolled.stderr
    assert "东华门中队" in enrolled.stdout
    token = data / "hq" / "device_token"
    assert token.stat().st_mode & 0o077 == 0  # owner-only
    synced = _run(data, "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert report["online"] and report["pulled"] > 0 and report["numbers_left"] > 0
    assert set(report) >= {"pushed", "pulled", "conflicts", "rejected", "files_pending",
                           "numbers_left"}
    login = _run(data, "sync", "login", "D-LEAD")
    assert login.returncode == 0 and "王建国" in login.stdout, login.stderr
    listed = _run(data, "sync", "changes", "--json")
    assert json.loads(listed.stdout) == {"changes": []}
    again = _run(data, "enroll", "--server", sqlite_hq.base, "--code", code)
    assert again.returncode != 0 and "已登记" in again.stderr + again.stdout
