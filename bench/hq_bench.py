"""HQ alone: push records/s in 1,000-record gzip batches (SQLite; PostgreSQL with 2
workers), pull records/s, and 500 simulated devices syncing at once (p99, syncs/s), all
on loopback against a real uvicorn HQ. Records are ~300-byte Chinese inspection
envelopes, each written in a transaction of four records under one chain event (as the
desktop records an inspection with its finding, step and subject)."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from bench.harness import Figure
from fieldapp.hq.db import tables as t
from fieldapp.hq.services import admin
from fieldapp.hq.simulator import SimDevice, gzip_json, new_id, utc
from fieldapp.hq.throwaway import PgCluster, Server, make_server, pg_bin
from fieldapp.sync.protocol import Change, Entity

BATCH = 1_000
PUSH_BATCHES = 60
DEVICES = 500
CONCURRENCY = 100  # client threads in flight at once (bounded)
ROUNDS = 2
_FACTS = ("在人民路与建设街交叉口东南角占道经营水果，摊位约三平方米，经劝导后当场自行整改，"
          "已拍照取证并告知相关法律规定")


def _enroll(server: Server, squad: str = "DHM") -> SimDevice:
    assert server.hq is not None
    code, _ = admin.enroll_code(server.hq, squad_code=squad, device_name="压测设备")
    device = SimDevice()
    answer = requests.post(f"{server.base}/v1/enroll", json=device.enroll_body(code),
                           timeout=60)
    answer.raise_for_status()
    device.token = answer.json()["device_token"]
    with server.hq.db.read() as conn:
        device.squad_id = conn.execute(select(t.squad.c.id).where(
            t.squad.c.code == squad)).scalar_one()
    return device


def _officer(server: Server) -> str:
    assert server.hq is not None
    with server.hq.db.read() as conn:
        return str(conn.execute(select(t.officer.c.id).where(
            t.officer.c.certificate_no == "D-OFF1")).scalar_one())


def _records(device: SimDevice, officer: str, count: int) -> list[Change]:
    now = utc(dt.datetime.now(dt.UTC))
    changes = []
    for i in range(count):
        changes.append(device.change(Entity.INSPECTION, new_id(), {
            "squad_id": device.squad_id, "device_id": device.device_id,
            "subject_id": new_id(), "address": f"示例市东城区人民路{i % 300 + 1}号",
            "latitude": 39.9, "longitude": 116.4, "at_utc": now, "utc_offset_min": 480,
            "officer1_id": officer, "officer2_id": officer, "notes": _FACTS,
            "created_at": now}))
    for start in range(0, count, 4):
        device.write(changes[start:start + 4], officer_id=officer)
    return changes


def _push(base: str, device: SimDevice, body: bytes) -> dict[str, Any]:
    answer = requests.post(f"{base}/v1/push", data=body, timeout=300, headers={
        **device.headers(), "Content-Encoding": "gzip", "Content-Type": "application/json"})
    answer.raise_for_status()
    data: dict[str, Any] = answer.json()
    return data


def push_rate(server: Server, batches: int = PUSH_BATCHES) -> tuple[float, int]:
    """Records/s of sequential 1,000-record pushes from two devices taking turns."""
    devices = [_enroll(server), _enroll(server)]
    officer = _officer(server)
    bodies = []
    for n in range(batches):
        device = devices[n % 2]
        changes = _records(device, officer, BATCH)
        events = [e for e in device.events if e.seq > device.acked]
        device.acked = events[-1].seq
        bodies.append((device, gzip_json(device.push_body(changes, events=events))))
    start = time.perf_counter()
    for device, body in bodies:
        results = _push(server.base, device, body)["results"]
        assert all(r["status"] == "applied" for r in results), results[:2]
    return batches * BATCH / (time.perf_counter() - start), batches * BATCH


def pull_rate(server: Server) -> tuple[float, int]:
    device = _enroll(server)
    session = requests.Session()
    cursor, count = 0, 0
    start = time.perf_counter()
    while True:
        answer = session.get(f"{server.base}/v1/pull", params={"cursor": cursor,
                                                               "limit": 5000},
                             headers={**device.headers(), "Accept-Encoding": "gzip"},
                             timeout=300)
        page = json.loads(answer.content)
        count += len(page["changes"])
        cursor = page["cursor"]
        if not page["more"]:
            break
    return count / (time.perf_counter() - start), count


def many_devices(server: Server, devices: int = DEVICES) -> tuple[float, float, int]:
    """Each device pushes 5 new records and pulls what is new, ``ROUNDS`` times, with
    ``CONCURRENCY`` syncs in flight; returns (p99 seconds, syncs/s, syncs)."""
    officer = _officer(server)
    sims = [_enroll(server, "DHM" if i % 2 else "CYM") for i in range(devices)]
    cursors = {s.device_id: _high_water(server, s) for s in sims}
    prepared = []
    for _round in range(ROUNDS):
        for sim in sims:
            changes = _records(sim, officer, 5) if sim.squad_id else []
            events = [e for e in sim.events if e.seq > sim.acked]
            sim.acked = events[-1].seq
            prepared.append((sim, gzip_json(sim.push_body(changes, events=events))))
    latencies: list[float] = []
    lock = threading.Lock()
    local = threading.local()

    def sync(item: tuple[SimDevice, bytes]) -> None:
        sim, body = item
        http = getattr(local, "http", None) or requests.Session()
        local.http = http
        begun = time.perf_counter()
        http.post(f"{server.base}/v1/push", data=body, timeout=120, headers={
            **sim.headers(), "Content-Encoding": "gzip",
            "Content-Type": "application/json"}).raise_for_status()
        page = http.get(f"{server.base}/v1/pull", params={"cursor": cursors[sim.device_id]},
                        headers={**sim.headers(), "Accept-Encoding": "gzip"}, timeout=120)
        page.raise_for_status()
        cursors[sim.device_id] = page.json()["cursor"]
        with lock:
            latencies.append(time.perf_counter() - begun)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(sync, prepared))
    wall = time.perf_counter() - start
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p99, len(latencies) / wall, len(latencies)


def _high_water(server: Server, sim: SimDevice) -> int:
    answer = requests.get(f"{server.base}/v1/pull", params={"cursor": 0, "limit": 1},
                          headers=sim.headers(), timeout=60)
    return int(answer.json()["high_water"])


def database_bytes(server: Server) -> int:
    assert server.hq is not None
    if server.backend == "sqlite":
        with server.hq.db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
            size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
        return int(pages) * int(size)
    with server.hq.db.engine.begin() as conn:
        return int(conn.exec_driver_sql(
            "SELECT pg_database_size(current_database())").scalar_one())


def _backend_figures(server: Server, label: str) -> list[Figure]:
    empty = database_bytes(server)
    rate, pushed = push_rate(server)
    size = database_bytes(server) - empty
    pull, pulled = pull_rate(server)
    p99, syncs, count = many_devices(server)
    per_million = size / pushed * 1_000_000 / 1e9
    return [
        Figure(f"HQ push, 1,000-record gzip batches, {label}", f"{rate:,.0f} records/s",
               f"{pushed:,} records", "≥ 20,000 records/s", rate >= 20_000),
        Figure(f"HQ pull, 5,000-record pages, {label}", f"{pull:,.0f} records/s",
               f"{pulled:,} records", "(client writes apart)", True),
        Figure(f"HQ, {DEVICES} devices syncing at once, {label}",
               f"p99 {p99 * 1000:,.0f} ms, {syncs:,.0f} syncs/s",
               f"{count:,} syncs, {CONCURRENCY} in flight", "p99 ≤ 1 s, ≥ 150 syncs/s",
               p99 <= 1.0 and syncs >= 150),
        Figure(f"HQ database per million records, {label}", f"{per_million:.2f} GB",
               "versions, results, chain", "–", True),
    ]


def hq_figures() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="fieldapp-hq-bench-") as tmp:
        root = Path(tmp)
        server = make_server("sqlite", root)
        try:
            figures += _backend_figures(server, "SQLite")
        finally:
            server.stop()
        binaries = pg_bin()
        if binaries is None or os.environ.get("FIELDAPP_BENCH_NO_PG"):
            figures.append(Figure("HQ on PostgreSQL", "skipped", "PostgreSQL not found",
                                  "–", True))
            return figures
        cluster = PgCluster(binaries)
        try:
            pg = make_server("postgresql", root, cluster.start(), workers=2)
            try:
                figures += _backend_figures(pg, "PostgreSQL, 2 workers")
            finally:
                pg.stop()
        finally:
            cluster.stop()
    return figures


def median(values: list[float]) -> float:
    return statistics.median(values)
