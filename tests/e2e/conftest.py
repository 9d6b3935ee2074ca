"""Run the real ``fieldapp`` command as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __call__(self, *args: str, timeout: float = 120) -> Run:
        env = dict(os.environ, FIELDAPP_DATA_DIR=str(self.data_dir), PYTHONUTF8="1")
        env.pop("FIELDAPP_LANG", None)
        proc = subprocess.run([sys.executable, "-m", "fieldapp", *args], env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def make_cli() -> type[Cli]:
    return Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


@pytest.fixture(scope="module")
def demo_cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A data directory with the default demo data (made once per module)."""
    cli = Cli(tmp_path_factory.mktemp("demo") / "data")
    run = cli("demo", "--json")
    assert run.code == 0, run.err
    return cli
