"""Run the benchmarks: python -m bench [--subjects N] [--inspections N] [--only store]."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from bench.backup_bench import backup_figures
from bench.documents_bench import document_figures
from bench.harness import print_table
from bench.store_bench import (
    advice_figure,
    bulk_load,
    record_figure,
    search_figures,
    verify_figure,
)
from bench.ui_bench import memory_browsing


def _issue_some_documents(demo: Path) -> None:
    """A case with documents, so the dossier printed in the heartbeat figure is real."""
    from fieldapp.domain.issuance import RecordTimes
    from fieldapp.services.context import open_context
    from fieldapp.services.paperwork import issue_document

    ctx = open_context(demo)
    with ctx.read() as s:
        case, lead = s.connection().exec_driver_sql(
            "SELECT id, lead_officer_id FROM case_file WHERE status != 'filing' LIMIT 1").one()
    end = ctx.now() - dt.timedelta(hours=1)
    sitting = RecordTimes(end - dt.timedelta(minutes=50), end)
    for kind in ("filing_approval", "inspection_record", "inquiry_record"):
        issue_document(ctx=ctx, officer_id=lead, kind=kind, case_id=case,
                       fields={"finding.place": "人民路12号"},
                       record_times=sitting if kind != "filing_approval" else None)
    ctx.close()


def _ui_figures() -> list:  # type: ignore[type-arg]
    """Cold start and GUI gaps on the default demo data set."""
    from bench.ui_bench import cold_start, heartbeat_figures
    from fieldapp.demo.load import generate_demo
    from fieldapp.services.context import open_context

    with tempfile.TemporaryDirectory(prefix="fieldapp-ui-bench-") as tmp:
        demo = Path(tmp) / "demo"
        ctx = open_context(demo)
        generate_demo(ctx=ctx)
        ctx.close()
        _issue_some_documents(demo)
        return [*cold_start(demo), *heartbeat_figures(demo)]


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--inspections", type=int, default=1_000_000)
    parser.add_argument("--only", choices=("store", "hq", "sync"),
                        help="store: only the bulk load, search, advice, recording and verify; "
                             "hq: only HQ (push, pull, 500 devices); sync: the desktop's sync "
                             "beside PouchDB and Kinto")
    args = parser.parse_args()
    if args.only == "sync":
        from bench.sync_bench import sync_figures

        print_table(sync_figures())
        return
    if args.only == "hq":
        from bench.hq_bench import hq_figures

        print_table(hq_figures())
        return
    with tempfile.TemporaryDirectory(prefix="fieldapp-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        load, ctx = bulk_load(data_dir, args.subjects, args.inspections)
        figures = [load]
        figures += search_figures(ctx, data_dir / "fieldapp.sqlite3", args.subjects)
        figures.append(advice_figure(ctx))
        figures.append(record_figure(ctx))
        figures.append(verify_figure(ctx))
        ctx.close()
        if args.only != "store":
            figures.append(memory_browsing(data_dir, args.inspections))
            figures += backup_figures(data_dir)
            figures += document_figures()
            figures += _ui_figures()
    print_table(figures)


if __name__ == "__main__":
    main()
