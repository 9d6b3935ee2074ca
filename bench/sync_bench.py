"""The desktop's sync beside two peers, on the same ~300-byte Chinese records, in one run
(``python -m bench --only sync``).

- fieldapp: real desktop stores (WAL; records committed as the app commits them, the
  sync's own bookkeeping with ``synchronous=NORMAL``, see ``services.sync.db``) against a
  real uvicorn HQ on 127.0.0.1 (SQLite). A record is one place (巡查地点) record: its
  canonical content is ~300 bytes; each travels as one change envelope, chain events of
  four records each, as the app writes them. Checksums are kept incrementally.
- PouchDB 9 (leveldb on disk) replicating to pouchdb-server 4 (``-d DIR``, leveldb on
  disk) on 127.0.0.1, ``batch_size`` 1000.
- Kinto 26 (memory backend), records created through ``kinto-http`` batches.

The peers are installed by the bench into a scratch folder (``FIELDAPP_BENCH_PEERS``,
default under the system's temporary folder), never into the repository.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.harness import Figure

PUSH_N = 100_000
POUCH_N = 20_000
KINTO_N = 3_000
INCREMENTAL = 50
ROUNDS = 5
ADDRESS = "东城区人民路与建设街交叉口东南角地铁站B口"
DESCRIPTION = ("流动摊贩聚集点，早晚高峰占道经营水果蔬菜，周边商户多次反映，"
               "需重点巡查并做好教育劝导记录")


def peers_dir() -> Path:
    return Path(os.environ.get("FIELDAPP_BENCH_PEERS",
                               Path(tempfile.gettempdir()) / "fieldapp-peers"))


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _record(i: int) -> dict[str, Any]:
    return {"grid_id": None, "address": f"{ADDRESS}{i}号", "latitude": 39.9042 + i * 1e-6,
            "longitude": 116.4074, "description": DESCRIPTION,
            "created_at": "2026-11-20 02:30:00.000000"}


# --- fieldapp ---------------------------------------------------------------------------


def _enrolled(server: Any, root: Path, name: str) -> Any:
    from fieldapp.hq.services import admin
    from fieldapp.services.context import open_context
    from fieldapp.services.sync import enroll

    code, _ = admin.enroll_code(server.hq, squad_code="DHM", device_name=name)
    ctx = open_context(root / name)
    enroll(ctx=ctx, server=server.base, code=code, device_name=name)
    return ctx


def _pending_places(ctx: Any, n: int, officer_id: str, start: int = 0) -> None:
    """``n`` place records waiting in the outbox, four to a chain event, as the app
    leaves them (written in bulk so that setting up 100,000 takes seconds)."""
    from fieldapp.services.sync import db
    from fieldapp.store import audit
    from fieldapp.store.chain import BulkChain, DbApi
    from fieldapp.sync.protocol import SPECS, Entity, content_hash

    names = SPECS[Entity.PLACE].names
    conn = db.connect(ctx)
    now = ctx.now()
    at = audit.utc_text(now)
    with db.transaction(conn):
        chain = BulkChain(DbApi(conn), device_id=ctx.device_id, officer_id=officer_id,
                          now=now, new_id=ctx.new_id, action="place.record")
        rows, outbox = [], []
        for i in range(start, start + n):
            place_id, fields = ctx.new_id(), _record(i)
            sha = content_hash("place", place_id, 1, [fields[k] for k in names])
            rows.append((place_id, *[fields[k] for k in names], sha))
        conn.executemany(f"INSERT INTO place (id, {', '.join(names)}) VALUES "
                         f"(?, {', '.join('?' * len(names))})", [r[:-1] for r in rows])
        for s in range(0, len(rows), 4):
            part = rows[s:s + 4]
            chain.cover_refs("place", [("place", r[0], 1, r[-1]) for r in part], {})
        for r in rows:
            change_id = ctx.new_id()
            envelope = {"change_id": change_id, "entity": "place", "entity_id": r[0],
                        "op": "create", "version": 1, "base_version": 0, "hlc": "",
                        "device_id": ctx.device_id, "recorded_at": at,
                        "fields": dict(zip(names, r[1:-1], strict=True)), "changed": [],
                        "content_sha256": r[-1]}
            outbox.append((change_id, r[0], json.dumps(envelope, ensure_ascii=False,
                                                       separators=(",", ":")), at))
        conn.executemany("INSERT INTO outbox (id, entity, entity_id, op, payload_json, hlc,"
                         " created_at, version, base_version, state) VALUES"
                         " (?, 'place', ?, 'create', ?, '', ?, 1, 0, 'pending')", outbox)
        chain.sign(ctx.store.sign)
    conn.close()


def _timed_sync_in_qt(ctx: Any) -> tuple[float, float, Any]:
    """The first sync on the worker while a 10 ms GUI timer ticks: (seconds, largest
    gap in ms, report)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from types import SimpleNamespace

    from bench.ui_bench import _largest_gap
    from fieldapp.services.sync import sync_if_reachable
    from fieldapp.ui.app import create_application
    from fieldapp.ui.worker import Worker

    app = create_application()
    worker = Worker()
    reports: list[Any] = []
    started = time.perf_counter()
    gap, _ticks = _largest_gap(app, SimpleNamespace(worker=worker),
                               lambda: reports.append(sync_if_reachable(ctx=ctx)))
    seconds = time.perf_counter() - started
    worker.shutdown()
    return seconds, gap, reports[0]


def fieldapp_figures(root: Path) -> dict[str, float]:
    from fieldapp.hq.throwaway import make_server
    from fieldapp.services.sync import db, sync_now
    from fieldapp.services.sync.link import client_for
    from fieldapp.services.sync.pull import pull_all
    from fieldapp.services.sync.push import push_all
    from fieldapp.store.audit import utc_text

    out: dict[str, float] = {}
    server = make_server("sqlite", root / "hq")
    try:
        a = _enrolled(server, root, "a")
        sync_now(ctx=a)
        with a.read() as s:
            officer = s.connection().exec_driver_sql(
                "SELECT id FROM officer WHERE certificate_no = 'D-OFF1'").scalar_one()
        _pending_places(a, PUSH_N, officer)
        client, conn = client_for(a), db.connect(a)
        started = time.perf_counter()
        pushed = push_all(a, client, conn, device_time=lambda: utc_text(a.now()))
        out["push"] = pushed.pushed / (time.perf_counter() - started)
        conn.close()
        client.close()
        b = _enrolled(server, root, "b")
        seconds, gap, report = _timed_sync_in_qt(b)
        out["first_sync_s"], out["first_sync_gap_ms"] = seconds, gap
        out["first_sync_records"] = report.pulled
        c = _enrolled(server, root, "c")
        client, conn = client_for(c), db.connect(c)
        started = time.perf_counter()
        got = pull_all(c, client, conn)
        out["pull"] = got.pulled / (time.perf_counter() - started)
        conn.close()
        client.close()
        out["incremental_ms"] = _incremental(a, b, officer)
        for ctx in (a, b, c):
            ctx.close()
    finally:
        server.stop()
    return out


def _incremental(a: Any, b: Any, officer: str) -> float:
    from fieldapp.services.sync import sync_now

    sync_now(ctx=a)  # its own 100,000 come back once (the same: nothing written)
    sync_now(ctx=b)
    times = []
    for round_ in range(ROUNDS):
        _pending_places(b, INCREMENTAL, officer, start=10**6 + round_ * 100)
        sync_now(ctx=b)
        _pending_places(a, INCREMENTAL, officer, start=2 * 10**6 + round_ * 100)
        started = time.perf_counter()
        report = sync_now(ctx=a)
        times.append((time.perf_counter() - started) * 1000)
        assert report.pushed == INCREMENTAL and report.pulled == INCREMENTAL, report
    return statistics.median(times)


# --- PouchDB ----------------------------------------------------------------------------

_POUCH_SCRIPT = r"""
const PouchDB = require('pouchdb');
const [remote, dir] = [process.argv[2], process.argv[3]];
const [n, inc] = [+process.argv[4], +process.argv[5]];
const record = JSON.parse(process.argv[6]);
const doc = (i) => Object.assign({_id: 'p' + String(i).padStart(9, '0')}, record,
                                 {address: record.address + i + '号'});
(async () => {
  const local = new PouchDB(dir + '/push');
  for (let s = 0; s < n; s += 1000) {
    const docs = []; for (let i = s; i < Math.min(n, s + 1000); i++) docs.push(doc(i));
    await local.bulkDocs(docs);
  }
  let t = process.hrtime.bigint();
  await PouchDB.replicate(local, remote, {batch_size: 1000});
  const push = n / (Number(process.hrtime.bigint() - t) / 1e9);
  const fresh = new PouchDB(dir + '/pull');
  t = process.hrtime.bigint();
  await PouchDB.replicate(remote, fresh, {batch_size: 1000});
  const pull = n / (Number(process.hrtime.bigint() - t) / 1e9);
  const times = [];
  for (let r = 0; r < 5; r++) {
    const docs = []; for (let i = 0; i < inc; i++) docs.push(doc(10000000 + r * 1000 + i));
    await local.bulkDocs(docs);
    t = process.hrtime.bigint();
    await PouchDB.replicate(local, remote, {batch_size: 1000});
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((x, y) => x - y);
  console.log(JSON.stringify({push, pull, incremental_push_ms: times[2]}));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def _npm_install(folder: Path) -> None:
    if (folder / "node_modules" / ".bin" / "pouchdb-server").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "pouchdb@9",
                    "pouchdb-server@4"], cwd=folder, check=True, capture_output=True,
                   timeout=900)


def pouchdb_figures(root: Path) -> dict[str, float]:
    folder = peers_dir()
    _npm_install(folder)
    port, data = _port(), root / "pouch-server"
    data.mkdir()
    server = subprocess.Popen([str(folder / "node_modules/.bin/pouchdb-server"), "-d",
                               str(data), "-o", "127.0.0.1", "-p", str(port), "-n"],
                              cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/")
        requests.put(f"http://127.0.0.1:{port}/bench", timeout=30)
        script = root / "pouch_bench.js"
        script.write_text(_POUCH_SCRIPT, "utf-8")
        local = root / "pouch-local"
        local.mkdir()
        answer = subprocess.run(
            ["node", str(script), f"http://127.0.0.1:{port}/bench", str(local), str(POUCH_N),
             str(INCREMENTAL), json.dumps(_record(0), ensure_ascii=False)],
            env={**os.environ, "NODE_PATH": str(folder / "node_modules")}, cwd=folder,
            check=True, capture_output=True, text=True, timeout=1800)
        return dict(json.loads(answer.stdout.strip().splitlines()[-1]))
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


# --- Kinto ------------------------------------------------------------------------------

_KINTO_SCRIPT = r"""
import json, sys, time
from kinto_http import Client
url, n, record = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
client = Client(server_url=url, auth=("bench", "bench"))
client.create_bucket(id="bench", if_not_exists=True)
client.create_collection(id="places", bucket="bench", if_not_exists=True)
start = time.perf_counter()
for s in range(0, n, 1000):
    with client.batch(bucket="bench", collection="places") as batch:
        for i in range(s, min(n, s + 1000)):
            batch.create_record(data=dict(record, address=record["address"] + str(i)))
print(json.dumps({"push": n / (time.perf_counter() - start)}))
"""


def _kinto_python(folder: Path) -> Path:
    python = folder / "kinto-venv" / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder / "kinto-venv")], check=True)
    if subprocess.run([str(python), "-c", "import kinto, kinto_http"],
                      capture_output=True).returncode:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "kinto", "kinto-http"],
                       check=True, capture_output=True, timeout=900)
    return python


def kinto_figures(root: Path) -> dict[str, float]:
    python = _kinto_python(peers_dir())
    ini, port = root / "kinto.ini", _port()
    kinto = [str(python.parent / "kinto")]
    subprocess.run([*kinto, "init", "--ini", str(ini), "--backend", "memory",
                    "--cache-backend", "memory"], check=True, capture_output=True,
                   timeout=120)
    ini.write_text(ini.read_text("utf-8").replace(
        "multiauth.policies = account", "multiauth.policies = basicauth").replace(
        "kinto.bucket_create_principals = account:admin",
        "kinto.bucket_create_principals = system.Authenticated"), "utf-8")
    server = subprocess.Popen([*kinto, "start", "--ini", str(ini), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/v1/")
        script = root / "kinto_bench.py"
        script.write_text(_KINTO_SCRIPT, "utf-8")
        answer = subprocess.run([str(python), str(script), f"http://127.0.0.1:{port}/v1",
                                 str(KINTO_N), json.dumps(_record(0), ensure_ascii=False)],
                                check=True, capture_output=True, text=True, timeout=1800)
        return dict(json.loads(answer.stdout.strip().splitlines()[-1]))
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- the table --------------------------------------------------------------------------


def _safely(name: str, measure: Any, root: Path) -> dict[str, float]:
    try:
        return dict(measure(root))
    except Exception as error:  # a peer that cannot be installed here is reported
        print(f"{name}: not measured ({type(error).__name__}: {error})", file=sys.stderr)
        return {}


def sync_figures() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="fieldapp-sync-bench-") as tmp:
        root = Path(tmp)
        fa = fieldapp_figures(root)
        pouch = _safely("PouchDB", pouchdb_figures, root)
        kinto = _safely("Kinto", kinto_figures, root)
    return _table(fa, pouch, kinto)


def _table(fa: dict[str, float], pouch: dict[str, float],
           kinto: dict[str, float]) -> list[Figure]:
    def ratio(ours: float, theirs: float | None) -> str:
        return f"{ours / theirs:.1f}×" if theirs else "n/a"

    p_push, p_pull, k_push = pouch.get("push"), pouch.get("pull"), kinto.get("push")
    return [
        Figure("sync push into HQ, records/s", f"{fa['push']:,.0f} ({ratio(fa['push'], p_push)} "
               f"PouchDB, {ratio(fa['push'], k_push)} Kinto)",
               f"PouchDB {p_push or 0:,.0f}/s; Kinto {k_push or 0:,.0f}/s",
               ">= 20,000 and >= 4× PouchDB",
               fa["push"] >= 20_000 and (not p_push or fa["push"] >= 4 * p_push)),
        Figure("sync pull incl. the local write, records/s",
               f"{fa['pull']:,.0f} ({ratio(fa['pull'], p_pull)} PouchDB)",
               f"PouchDB {p_pull or 0:,.0f}/s (Kinto writes nothing locally)",
               ">= 30,000 and >= 4× PouchDB",
               fa["pull"] >= 30_000 and (not p_pull or fa["pull"] >= 4 * p_pull)),
        Figure(f"first sync of {fa['first_sync_records']:,.0f} records",
               f"{fa['first_sync_s']:.2f} s", "-", "<= 4 s", fa["first_sync_s"] <= 4),
        Figure("largest GUI-thread gap (10 ms heartbeat) during the first sync",
               f"{fa['first_sync_gap_ms']:.0f} ms", "-", "<= 100 ms",
               fa["first_sync_gap_ms"] <= 100),
        Figure(f"incremental sync, {INCREMENTAL} changes each way (median of {ROUNDS})",
               f"{fa['incremental_ms']:.0f} ms",
               f"PouchDB pushes {INCREMENTAL} in {pouch.get('incremental_push_ms', 0):.0f} ms",
               "<= 60 ms", fa["incremental_ms"] <= 60),
    ]


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(sync_figures())
    print(f"(peers in {peers_dir()}; {dt.datetime.now():%Y-%m-%d %H:%M})")
