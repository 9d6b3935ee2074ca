"""Store figures: demo bulk load, subject search over 200,000 subjects, record a finding."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, median, p95, timings_ms
from fieldapp.demo.load import generate_demo
from fieldapp.domain.entities import FindingData, InspectionData
from fieldapp.services.context import open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.rules import advise
from fieldapp.services.subjects import find_subjects

_COPY_TABLES = ("subject", "subject_search", "inspection", "finding", "ladder_step",
                "case_file")
_SAMPLE_ROWS = 200_000


def bulk_load(data_dir: Path, subjects: int, inspections: int) -> tuple[Figure, object]:
    ctx = open_context(data_dir)
    result = generate_demo(ctx=ctx, subjects=subjects, inspections=inspections, seed=11)
    rate = result.rows / result.seconds
    ref = _raw_executemany_rate(data_dir / "fieldapp.sqlite3")
    fig = Figure("bulk load (demo generation), rows/s",
                 f"{rate:,.0f} ({result.rows:,} rows in {result.seconds:.1f} s)",
                 f"raw sqlite3 executemany of the same rows: {ref:,.0f}", ">= 50,000",
                 rate >= 50_000)
    return fig, ctx


def _raw_executemany_rate(source: Path) -> float:
    """Insert (a sample of) the same rows with plain sqlite3 executemany into the same
    schema (tables, indexes, search index), as the reference of PERFORMANCE.md."""
    src = sqlite3.connect(source)
    marks = ",".join("?" * len(_COPY_TABLES))
    schema = src.execute(
        f"SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('table', 'index')"
        f" AND name NOT LIKE 'subject_search_%' AND tbl_name IN ({marks}) "
        "ORDER BY type DESC", _COPY_TABLES).fetchall()
    rows = {}
    for table in _COPY_TABLES:
        columns = "rowid, tokens" if table == "subject_search" else "*"
        rows[table] = src.execute(f"SELECT {columns} FROM {table} LIMIT ?",
                                  (_SAMPLE_ROWS,)).fetchall()
    src.close()
    with tempfile.TemporaryDirectory() as tmp:
        dst = sqlite3.connect(Path(tmp) / "ref.sqlite3")
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA synchronous=NORMAL")
        for (sql,) in schema:  # tables first, then their indexes
            dst.execute(sql)
        start = time.perf_counter()
        with dst:
            for table, data in rows.items():
                if data:
                    cols = "(rowid, tokens)" if table == "subject_search" else ""
                    dst.executemany(f"INSERT INTO {table} {cols} VALUES "
                                    f"({','.join('?' * len(data[0]))})", data)
        seconds = time.perf_counter() - start
        dst.close()
    return sum(len(r) for r in rows.values()) / seconds


_LIKE_COLUMNS = ("name", "shop_sign", "address", "phone", "id_number")


def _like(conn: sqlite3.Connection, query: str) -> list[str]:
    where = " OR ".join(f"{c} LIKE ?" for c in _LIKE_COLUMNS)
    return [r[0] for r in conn.execute(f"SELECT id FROM subject WHERE {where} LIMIT 50",
                                       [f"%{query}%"] * len(_LIKE_COLUMNS))]


def search_figures(ctx, db: Path, subjects: int) -> list[Figure]:
    conn = sqlite3.connect(db)
    sample = conn.execute("SELECT name, phone, shop_sign FROM subject WHERE kind = "
                          "'individual_business' AND phone != '' LIMIT 200 OFFSET 5000"
                          ).fetchall()
    queries = {
        "2 characters": [n[:2] for n, _, _ in sample],
        "4 characters": [s[:4] for _, _, s in sample if len(s) >= 4],
        "pinyin initials": ["zw", "lxy", "wjg", "cxd", "lm", "zjh", "hzl", "yh"],
        "phone fragment": [p[3:8] for _, p, _ in sample],
    }
    figures = []
    for label, qs in queries.items():
        it = iter(qs * 50)
        ours = timings_ms(lambda it=it: find_subjects(ctx=ctx, query=next(it)), 150)
        it2 = iter(qs * 50)
        like = timings_ms(lambda it2=it2: _like(conn, next(it2)), 40)
        ok = median(ours) <= 10 and p95(ours) <= 30
        figures.append(Figure(
            f"subject search, {label}, {subjects:,} subjects",
            f"median {median(ours):.2f} ms, p95 {p95(ours):.2f} ms",
            f"plain LIKE median {median(like):.1f} ms", "<= 10 ms median, <= 30 ms p95", ok))
    conn.close()
    return figures


def record_figure(ctx, repeat: int = 200) -> Figure:
    """One finding recorded through the service, with its audit event and outbox rows,
    committed durably (synchronous=FULL). Each repeat records the same amount of work:
    a first finding (an education step) for a subject with no history of that
    violation, so the ladder never reaches a case (opening a case is another figure)."""
    warmup = 3
    with ctx.read() as session:
        c = session.connection()
        officers = [r[0] for r in c.exec_driver_sql(
            "SELECT id FROM officer WHERE role IN ('officer','squad_leader') LIMIT 2")]
        code = c.exec_driver_sql("SELECT MIN(code) FROM violation_type WHERE ladder_applies"
                                 ).scalar_one()
        subjects = [r[0] for r in c.exec_driver_sql(
            "SELECT id FROM subject WHERE NOT deleted AND id NOT IN (SELECT subject_id FROM "
            "ladder_step WHERE violation_code = ?) LIMIT ?", (code, repeat + warmup))]
    at = dt.datetime.now(dt.UTC)
    it = iter(subjects)

    def one() -> None:
        record_inspection(ctx=ctx, data=InspectionData(
            subject_id=next(it), officer_ids=tuple(officers), at=at, address="人民路1号",
            findings=(FindingData(violation_code=code, facts="占道经营",
                                  corrected_on_spot=True),)))

    times = timings_ms(one, repeat, warmup)
    return Figure("record one finding (service, audit + outbox, durable commit)",
                  f"median {median(times):.2f} ms, p95 {p95(times):.2f} ms "
                  f"({len(times)} findings, no case opened)", "-",
                  "<= 10 ms median", median(times) <= 10)


def advice_figure(ctx) -> Figure:
    """Advice for subjects with history, over the whole store's ladder steps."""
    with ctx.read() as session:
        c = session.connection()
        steps = c.exec_driver_sql("SELECT COUNT(*) FROM ladder_step").scalar_one()
        pairs = c.exec_driver_sql(
            "SELECT subject_id, violation_code FROM ladder_step ORDER BY random() LIMIT 300"
        ).all()
    at = dt.datetime.now(dt.UTC)
    it = iter(pairs * 2)
    times = timings_ms(lambda: advise(ctx=ctx, subject_id=(p := next(it))[0],
                                      violation_code=p[1], at=at), 300)
    return Figure(f"advice (ladder + no-penalty list), {steps:,} steps in the store",
                  f"median {median(times):.2f} ms, p95 {p95(times):.2f} ms", "-",
                  "<= 2 ms median", median(times) <= 2)


def verify_figure(ctx) -> Figure:
    """``audit verify`` of the whole store, every record's content hash recomputed."""
    import sys

    from fieldapp.services.records import verify_audit

    def progress(stage: str, done: int, total: int) -> None:
        sys.stderr.write(f"\raudit verify {stage:<8} {done:>10,}/{total:,}")

    start = time.perf_counter()
    result = verify_audit(ctx=ctx, progress=progress)
    seconds = time.perf_counter() - start
    sys.stderr.write("\n")
    with ctx.read() as session:
        inspections = session.connection().exec_driver_sql(
            "SELECT COUNT(*) FROM inspection").scalar_one()
    return Figure(f"audit verify, content recomputed, {inspections:,} inspections",
                  f"{seconds:.1f} s ({result.records:,} record versions, "
                  f"{result.checked:,} events, ok={result.ok})", "-", "<= 30 s",
                  seconds <= 30 and result.ok)
