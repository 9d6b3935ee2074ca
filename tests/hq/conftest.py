"""One real HQ per backend for the whole session (per xdist worker), reset from its
template database before each test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fieldapp.hq.throwaway import PgCluster, Server, make_server, pg_bin
from tests.hq.client import Hq

BACKENDS = ("sqlite", "postgresql")


class _Servers:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.servers: dict[str, Server] = {}
        self.clusters: list[PgCluster] = []

    def get(self, backend: str) -> Server:
        if backend not in self.servers:
            url = None
            if backend == "postgresql":
                url = self._cluster()
            self.servers[backend] = make_server(backend, self.root, url)
        return self.servers[backend]

    def _cluster(self) -> str:
        binaries = pg_bin()
        if binaries is None:
            reason = "PostgreSQL is not installed (apt-get install postgresql)"
            if os.environ.get("CI") == "true":
                pytest.fail(f"{reason}: under CI the PostgreSQL tests must run")
            pytest.skip(reason)
        cluster = PgCluster(binaries)
        self.clusters.append(cluster)
        return cluster.start()

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()
        for cluster in self.clusters:
            cluster.stop()


@pytest.fixture(scope="session")
def _servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Servers]:
    servers = _Servers(tmp_path_factory.mktemp("hq"))
    yield servers
    servers.close()


@pytest.fixture(params=BACKENDS)
def hq(request: pytest.FixtureRequest, _servers: _Servers) -> Iterator[Hq]:
    """A running HQ with the seeded agency, on each backend, reset for this test."""
    server = _servers.get(request.param)
    server.reset()
    with requests.Session() as http:
        yield Hq(server, http)


@pytest.fixture
def sqlite_hq(_servers: _Servers) -> Iterator[Hq]:
    """The SQLite HQ only (for tests whose backend does not matter)."""
    server = _servers.get("sqlite")
    server.reset()
    with requests.Session() as http:
        yield Hq(server, http)
