"""Regenerate the screenshots in this folder (offscreen, from fresh demo data).

    .venv/bin/python docs/screenshots/make_screenshots.py [--po DRAFT.po]

``--po`` merges a draft catalogue over ``resources/i18n/zh_CN.po`` first, to show new
strings in Chinese before they are translated there.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fieldapp import i18n
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.demo import generate_demo
from fieldapp.services.history import subject_history
from fieldapp.services.subjects import find_subjects
from fieldapp.ui.app import create_application, create_main_window
from fieldapp.ui.qt import QApplication

HERE = Path(__file__).resolve().parent
SIZE = (1280, 800)


def wait_for(app: QApplication, condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def busiest(ctx: ServiceContext, query: str) -> int:
    """Row of the result with the longest history: the most telling screenshot."""
    hits = find_subjects(ctx=ctx, query=query)
    sizes = [len(subject_history(ctx=ctx, subject_id=s.id)) for s in hits]
    return sizes.index(max(sizes))


def main_window_shot(app: QApplication, ctx: ServiceContext, out: Path, query: str) -> None:
    window = create_main_window(ctx)
    window.resize(*SIZE)
    window.show()
    wait_for(app, lambda: bool(window.officer_count.text()))
    window.search_box.setText(query)
    wait_for(app, lambda: window.results.count() > 0)
    window.results.setCurrentRow(busiest(ctx, query))
    wait_for(app, lambda: window.subject_view.history.rowCount() > 0)
    wait_for(app, lambda: not window.worker.is_busy())
    app.processEvents()
    window.grab().save(str(out))
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--po", type=Path, help="draft zh_CN catalogue to merge first")
    args = parser.parse_args()
    if args.po:
        i18n.catalog("zh_CN").update(i18n.parse_po(args.po.read_text(encoding="utf-8")))
    i18n.set_language("zh_CN")
    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = open_context(Path(tmp) / "data")
        try:
            generate_demo(ctx=ctx)
            main_window_shot(app, ctx, HERE / "main-window-zh.png", "店")
        finally:
            ctx.close()


if __name__ == "__main__":
    main()
