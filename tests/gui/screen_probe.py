"""Run by test_screen_sizes under a real X server (Xvfb): opens the main window on a data
directory, shows every page and prints, as JSON, where the window, its status bar and
each page's main action are on the screen, how many rows the result lists show and
which table columns are cut short. Not a test module itself."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from fieldapp.services.context import open_context
from fieldapp.services.preferences import Preferences, save_preferences
from fieldapp.services.staff import login_choices
from fieldapp.ui.app import create_application, create_main_window
from fieldapp.ui.qt import QApplication, QFontMetrics, QTableView, QWidget
from fieldapp.ui.style import apply_look

MAIN_ACTIONS = {"today": "tasks", "inspection": "confirm", "subjects": "search_box",
                "cases": "table", "documents": "save_button", "nopenalty": "export_button",
                "stats": "period", "settings": "backup_button"}
RESULT_LISTS = {"inspection": "search.results", "subjects": "results", "today": "tasks"}
SHORTEST_CUT_CHARS = 6  # a column may be cut, but not below six characters


def _settle(app: QApplication, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _rect(widget: QWidget) -> list[int]:
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def _attr(page: object, path: str) -> QWidget:
    for name in path.split("."):
        page = getattr(page, name)
    assert isinstance(page, QWidget)
    return page


def _cut_columns(page: QWidget) -> list[str]:
    """Columns narrower than their content and than six characters, in visible tables."""
    cut = []
    for table in page.findChildren(QTableView):
        model = table.model()
        if not table.isVisible() or model is None or model.rowCount() == 0:
            continue
        chars = QFontMetrics(table.font()).horizontalAdvance("中") * SHORTEST_CUT_CHARS
        for column in range(model.columnCount()):
            if table.isColumnHidden(column):
                continue
            width = table.columnWidth(column)
            if width < min(table.sizeHintForColumn(column), chars):
                cut.append(f"{table.objectName() or type(table).__name__}:{column}:{width}")
    return cut


def _rows_shown(view: QWidget) -> float:
    if isinstance(view, QTableView):
        row = view.rowHeight(0) if view.model() and view.model().rowCount() else \
            view.verticalHeader().defaultSectionSize()
    else:
        row = view.sizeHintForRow(0) if view.count() else 44  # type: ignore[attr-defined]
    return view.viewport().height() / max(row, 1)  # type: ignore[attr-defined]


def main(data_dir: Path, tablet: bool) -> None:
    if tablet:
        save_preferences(data_dir, Preferences(tablet_mode=True))
    app = create_application()
    apply_look(app, large_text=False, dark_mode=False, tablet_mode=tablet)
    ctx = open_context(data_dir)
    window = create_main_window(ctx, ask_login=False)
    window.show()
    _settle(app, 1.0)
    user = next(u for u in login_choices(ctx=ctx) if u.role == "squad_leader")
    window.set_user(user)
    screen = window.screen().availableGeometry()
    report: dict[str, object] = {
        "screen": [screen.x(), screen.y(), screen.width(), screen.height()],
        "pages": {}}
    for key, action in MAIN_ACTIONS.items():
        page = window.go(key)
        _settle(app, 0.8)
        main_action = _attr(page, action)
        shown = main_action.visibleRegion().boundingRect()
        entry = {"window": [window.frameGeometry().x(), window.frameGeometry().y(),
                            window.frameGeometry().width(), window.frameGeometry().height()],
                 "status": _rect(window.statusBar()), "action": _rect(main_action),
                 "action_shown": [shown.width(), shown.height()],
                 "action_visible": main_action.isVisible(), "cut": _cut_columns(page)}
        if key in RESULT_LISTS:
            entry["rows"] = _rows_shown(_attr(page, RESULT_LISTS[key]))
        report["pages"][key] = entry  # type: ignore[index]
        window.grab().save(str(data_dir.parent / f"screen-{key}.png"))
    window.worker.shutdown()
    ctx.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main(Path(sys.argv[1]), tablet=len(sys.argv) > 2 and sys.argv[2] == "tablet")
