"""Real HQs (uvicorn on 127.0.0.1, SQLite and PostgreSQL, reset from template databases:
the HQ helper's fixtures) and real desktop stores enrolled with them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.hq.client import Hq
from tests.hq.conftest import _servers, hq, sqlite_hq  # noqa: F401  (fixtures)
from tests.sync.devices import Desk, Squad


@pytest.fixture
def squad(sqlite_hq: Hq, tmp_path: Path) -> Iterator[Squad]:  # noqa: F811
    """Desktop devices of squad DHM against the SQLite HQ."""
    made = Squad(sqlite_hq, tmp_path)
    yield made
    made.close()


@pytest.fixture
def any_squad(hq: Hq, tmp_path: Path) -> Iterator[Squad]:  # noqa: F811
    """The same against each backend (PostgreSQL skipped visibly without it)."""
    made = Squad(hq, tmp_path)
    yield made
    made.close()


@pytest.fixture
def pg_squad(_servers: Any, tmp_path: Path) -> Iterator[Squad]:  # noqa: F811
    """Devices against the PostgreSQL HQ (skipped visibly without PostgreSQL; a failure
    under CI=true: the HQ fixtures decide)."""
    server = _servers.get("postgresql")
    server.reset()
    with requests.Session() as http:
        made = Squad(Hq(server, http), tmp_path)
        yield made
        made.close()


__all__ = ["Desk", "Squad"]
