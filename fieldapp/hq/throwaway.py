"""Throwaway local HQs for tests and benchmarks: uvicorn on 127.0.0.1 (a free port, a
bounded wait for /health, stopped by its owner), on SQLite or on a PostgreSQL cluster
made with initdb/pg_ctl in a temporary directory. The database is seeded once and kept
as a template; ``reset`` brings every table back to it while the server runs."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from fieldapp.hq.context import Hq, open_hq
from fieldapp.hq.db.tables import metadata
from fieldapp.hq.services import admin, publish
from fieldapp.hq.settings import Settings

PASSWORD = "secret123"
# (squad, certificate number, name, role)
OFFICERS = (
    ("DHM", "D-LEAD", "王建国", "squad_leader"), ("DHM", "D-OFF1", "李秀英", "officer"),
    ("DHM", "D-OFF2", "张伟", "officer"), ("DHM", "D-AUX", "赵协管", "auxiliary"),
    ("DHM", "HEAD", "刘局长", "agency_head"), ("DHM", "LEGAL", "陈法制", "legal_reviewer"),
    ("CYM", "C-LEAD", "孙队长", "squad_leader"), ("CYM", "C-OFF1", "周明", "officer"),
    ("DHM", "ADMIN", "总部管理员", "hq_admin"),
)
TABLES = [table.name for table in metadata.sorted_tables]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class PgCluster:
    bin: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hq-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def start(self) -> str:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.data, "postgres")
        def run(*args: str) -> None:
            subprocess.run(_as_postgres([str(self.bin / args[0]), *args[1:]]), check=True,
                           capture_output=True, timeout=120)

        run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync",
            "-E", "UTF8", "--locale=C.UTF-8")
        run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.data / "log"),
            "-o", f"-k {self.data} -p {self.port} -c listen_addresses=127.0.0.1 "
                  "-c max_connections=200 -c shared_buffers=128MB", "start")
        run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "fieldapp_hq")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/fieldapp_hq"

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m",
                                     "fast", "-w", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Server:
    backend: str
    db_url: str
    data_dir: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    hq: Hq | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> Settings:
        return Settings(db=self.db_url, data_dir=self.data_dir)

    def prepare(self) -> None:
        """Migrate, seed, and keep the seeded database as the template."""
        self.hq = open_hq(self.settings())
        seed(self.hq)
        self._keep_template()

    def start(self) -> None:
        env = {**os.environ, "FIELDAPP_HQ_DB": self.db_url,
               "FIELDAPP_HQ_DATA_DIR": str(self.data_dir)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "fieldapp.hq.asgi:create", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
             "--log-level", "warning", "--no-access-log"], env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"HQ exited with {self.process.returncode}")
            time.sleep(0.1)
        raise RuntimeError("HQ did not answer /health within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.hq is not None:
            self.hq.close()

    # --- the template ---------------------------------------------------------------

    @property
    def template(self) -> Path:
        return self.data_dir / "template.sqlite3"

    def _keep_template(self) -> None:
        assert self.hq is not None
        if self.backend == "sqlite":
            with sqlite3.connect(self._sqlite_path()) as conn:
                conn.execute(f"VACUUM INTO '{self.template}'")
            return
        with self.hq.db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS tmpl CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA tmpl")
            for table in TABLES:
                conn.exec_driver_sql(f"CREATE TABLE tmpl.{table} AS SELECT * FROM public.{table}")

    def _sqlite_path(self) -> str:
        return self.db_url.split("///", 1)[1]

    def reset(self) -> None:
        """Every table back to the template (the server keeps running)."""
        assert self.hq is not None
        if self.backend == "sqlite":
            raw = sqlite3.connect(self._sqlite_path(), timeout=60, isolation_level=None)
            try:
                raw.execute(f"ATTACH '{self.template}' AS tmpl")
                raw.execute("BEGIN IMMEDIATE")
                for table in TABLES:
                    raw.execute(f"DELETE FROM main.{table}")
                    raw.execute(f"INSERT INTO main.{table} SELECT * FROM tmpl.{table}")
                raw.execute("COMMIT")
            finally:
                raw.close()
        else:
            with self.hq.db.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)}")
                for table in TABLES:
                    conn.exec_driver_sql(f"INSERT INTO public.{table} SELECT * FROM tmpl.{table}")
        shutil.rmtree(self.data_dir / "blobs", ignore_errors=True)
        (self.data_dir / "blobs" / "partial").mkdir(parents=True, exist_ok=True)


def seed(hq: Hq) -> None:
    admin.set_agency(hq, full_name="示例市东城区城市管理综合行政执法局", short_code="东城管")
    admin.add_squad(hq, code="DHM", name="东华门中队")
    admin.add_squad(hq, code="CYM", name="朝阳门中队")
    for squad, cert, name, role in OFFICERS:
        admin.add_officer(hq, squad_code=squad, name=name, certificate_no=cert, role=role,
                          password=PASSWORD, valid_from=dt.date(2020, 1, 1),
                          valid_to=dt.date(2035, 12, 31))
    publish.publish_catalogue(hq)


def make_server(backend: str, root: Path, db_url: str | None = None,
                workers: int = 1) -> Server:
    data = root / backend
    data.mkdir(parents=True, exist_ok=True)
    url = db_url or f"sqlite:///{data / 'hq.sqlite3'}"
    server = Server(backend, url, data, workers=workers)
    server.prepare()
    server.start()
    return server
