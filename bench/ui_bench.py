"""Desktop figures: cold start, GUI-thread gaps during long work, memory on big data."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench.harness import Figure, median

# Prints two moments after the interpreter started: the window is on the screen and
# answers events (navigation usable), and the data is open with the first page filled.
_START_SCRIPT = textwrap.dedent("""
    import os, sys, time
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pathlib import Path
    from fieldapp.ui.app import create_application, start
    app = create_application()
    window, opened = start(Path(sys.argv[1]), ask_login=False)
    app.processEvents()
    shown = time.perf_counter()
    while window.ctx is None or window.worker.is_busy():
        app.processEvents()
        time.sleep(0.002)
    ready = time.perf_counter()
    print(f"{shown} {ready}", flush=True)
    window.worker.shutdown()
""")


def _wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True,
                   env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    return time.perf_counter() - start


def _start_once(data_dir: Path) -> tuple[float, float]:
    # perf_counter is CLOCK_MONOTONIC on Linux: comparable across processes.
    launched = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _START_SCRIPT, str(data_dir)], check=True,
                         capture_output=True, text=True,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen")).stdout.split()
    return float(out[0]) - launched, float(out[1]) - launched


def cold_start(data_dir: Path, runs: int = 5) -> list[Figure]:
    times = [_start_once(data_dir) for _ in range(runs)]
    shown, ready = median([t[0] for t in times]), median([t[1] for t in times])
    ref = median([_wall([sys.executable, "-c", "import PySide6.QtWidgets"])
                  for _ in range(runs)])
    return [Figure("cold start to an interactive main window (demo data)",
                   f"median {shown:.2f} s", f"import PySide6.QtWidgets: {ref:.2f} s",
                   "<= 1.0 s", shown <= 1.0),
            Figure("cold start until the data is open and the first page filled",
                   f"median {ready:.2f} s", "-", "(reported)", True)]


def heartbeat_figures(data_dir: Path) -> list[Figure]:
    """The largest gap of a 10 ms GUI timer while long work runs on the worker: a
    backup, printing a dossier, importing a no-penalty list."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from fieldapp.crypto.sealed import generate_key_pair
    from fieldapp.services.context import open_context
    from fieldapp.services.paperwork import print_dossier
    from fieldapp.services.records import backup
    from fieldapp.services.rules import export_list, import_list, lists
    from fieldapp.ui.app import create_application, create_main_window

    app = create_application()
    ctx = open_context(data_dir)
    window = create_main_window(ctx, ask_login=False)
    window.show()
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with ctx.read() as s:
            case = s.connection().exec_driver_sql(
                "SELECT case_id FROM document WHERE case_id IS NOT NULL "
                "GROUP BY case_id ORDER BY COUNT(*) DESC LIMIT 1").scalar()
            leader = s.connection().exec_driver_sql(
                "SELECT id FROM officer WHERE role = 'squad_leader' LIMIT 1").scalar_one()
        current = lists(ctx=ctx)[-1]
        listed = export_list(ctx=ctx, list_id=current.id, path=folder / "list.xlsx")
        _private, agency_key = generate_key_pair()
        jobs = [("a backup", lambda: backup(ctx=ctx, dest=folder / "b.fab", officer_id=leader,
                                            public_key=agency_key)),
                ("printing a dossier", lambda: print_dossier(
                    ctx=ctx, case_id=case, path=folder / "d.pdf")),
                ("importing a no-penalty list", lambda: import_list(
                    ctx=ctx, officer_id="", path=listed,
                    metadata={"doc_no": "示城管发〔2026〕99号"}))]
        for label, job in jobs:
            gap, ticks = _largest_gap(app, window, job)
            figures.append(Figure(f"largest GUI-thread gap (10 ms heartbeat) during {label}",
                                  f"{gap:.0f} ms over {ticks} ticks", "-", "<= 100 ms",
                                  gap <= 100))
    window.worker.shutdown()
    ctx.close()
    return figures


def _largest_gap(app: object, window: object, job: object) -> tuple[float, int]:
    from fieldapp.ui.qt import QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    done: list[object] = []
    failed: list[BaseException] = []
    window.worker.run(job, done.append, on_error=failed.append)  # type: ignore[attr-defined]
    deadline = time.perf_counter() + 300
    while not (done or failed) and time.perf_counter() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.001)
    timer.stop()
    if failed:
        raise failed[0]
    gap = max((b - a for a, b in itertools.pairwise(ticks)), default=0) * 1000
    return gap, len(ticks)


_BROWSE_SCRIPT = textwrap.dedent("""
    import os, sys, time
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pathlib import Path
    from fieldapp.services.context import open_context
    from fieldapp.ui.app import create_application, create_main_window
    app = create_application()
    ctx = open_context(Path(sys.argv[1]))
    window = create_main_window(ctx, ask_login=False)
    window.show()
    page = window.go("today")
    page.tabs.setCurrentIndex(1)
    model = page.log_model
    for _ in range(25):  # scroll through 25 pages of the log
        model.fetchMore(model.index(-1, -1))
        while window.worker.is_busy():
            app.processEvents(); time.sleep(0.002)
        page.log.scrollToBottom(); app.processEvents()
    for query in ("王", "zw", "138"):
        subjects = window.go("subjects")
        subjects.search_box.setText(query); subjects.search.search()
        while window.worker.is_busy():
            app.processEvents(); time.sleep(0.002)
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would report the
    # peak of the (large) bench process this one was forked from.
    status = open("/proc/self/status").read()
    rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(f"{rss:.0f} {model.rowCount()}")
    window.worker.shutdown()
""")


def memory_browsing(data_dir: Path, inspections: int) -> Figure:
    out = subprocess.run([sys.executable, "-c", _BROWSE_SCRIPT, str(data_dir)], check=True,
                         capture_output=True, text=True,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen")).stdout.split()
    rss, rows = float(out[0]), int(out[1])
    return Figure(f"peak RSS browsing {inspections:,} inspections ({rows} rows loaded)",
                  f"{rss:.0f} MB", "-", "<= 300 MB", rss <= 300)
