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


# Every demo officer's password (fieldapp/demo/generator.py DEMO_PASSWORD).
DEMO_PASSWORD = "demo1234"
SECRETS = ("FIELDAPP_PASSWORD", "FIELDAPP_PASSWORD_2", "FIELDAPP_PIN")


class Cli:
    """``fieldapp`` on one data directory, as a script runs it: no terminal, and the demo
    officers' password in ``FIELDAPP_PASSWORD`` (first officer) and
    ``FIELDAPP_PASSWORD_2`` (second officer) unless ``env`` says otherwise (a value of
    None removes the variable)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __call__(self, *args: str, timeout: float = 120,
                 env: dict[str, str | None] | None = None) -> Run:
        environ = dict(os.environ, FIELDAPP_DATA_DIR=str(self.data_dir), PYTHONUTF8="1",
                       FIELDAPP_PASSWORD=DEMO_PASSWORD, FIELDAPP_PASSWORD_2=DEMO_PASSWORD)
        for name in ("FIELDAPP_LANG", "FIELDAPP_PIN"):
            environ.pop(name, None)
        for name, value in (env or {}).items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value
        proc = subprocess.run([sys.executable, "-m", "fieldapp", *args], env=environ,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout, check=False)
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
