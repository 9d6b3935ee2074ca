"""Every word in Chinese, Qt's own too (file dialogs, message boxes, dates); save dialogs
suggest 文号 + 当事人 in the documents folder; large text and the language apply at start."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldapp import i18n
from fieldapp.services.context import ServiceContext
from fieldapp.services.preferences import PREFERENCES_FILE
from fieldapp.ui.app import install_qt_translations, run_app
from fieldapp.ui.fonts import UI_POINT_SIZE
from fieldapp.ui.guards import ask_once
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.qt import (
    QApplication,
    QDate,
    QFileDialog,
    QLabel,
    QLocale,
    QPushButton,
    QTimer,
    QWidget,
)
from fieldapp.ui.style import LARGE_TEXT_SCALE, apply_look, current_look
from fieldapp.ui.widgets import documents_folder

MakeWindow = Callable[[], MainWindow]
WAIT_MS = 10_000


def _words(widget: QWidget) -> str:
    labels = [w.text() for w in widget.findChildren(QLabel)]
    buttons = [w.text() for w in widget.findChildren(QPushButton)]
    return " ".join(labels + buttons)


@pytest.fixture
def notice(ctx: ServiceContext):
    import datetime as dt

    from fieldapp.domain.document_kinds import DocumentKind
    from fieldapp.domain.entities import FindingData, InspectionData, StepKind
    from fieldapp.services.inspections import record_inspection
    from fieldapp.services.paperwork import issue_document
    from fieldapp.services.staff import login_choices
    from fieldapp.services.subjects import display_name, find_subjects

    users = [u for u in login_choices(ctx=ctx) if u.role in ("officer", "squad_leader")]
    first = users[0]
    mate = next(u for u in users if u.squad_id == first.squad_id and u is not first)
    subject = next(s for s in find_subjects(ctx=ctx, query="1", limit=20) if s.name)
    recorded = record_inspection(ctx=ctx, data=InspectionData(
        subject_id=subject.id, officer_ids=(first.officer_id, mate.officer_id),
        at=dt.datetime.now(dt.UTC), address="建设路1号",
        findings=(FindingData(violation_code="JM01", facts="占道经营", corrected_on_spot=True,
                              step=StepKind.EDUCATE, override_reason="新摊位"),)))
    issued = issue_document(ctx=ctx, officer_id=first.officer_id,
                            kind=DocumentKind.EDUCATION_NOTICE,
                            finding_id=recorded.finding_ids[0])
    return first, issued, display_name(subject)


def test_the_save_dialog_speaks_chinese_and_suggests_number_and_party(
        make_window: MakeWindow, qtbot: QtBot, notice) -> None:
    user, issued, party = notice
    window = make_window()
    window.set_user(user)
    page = window.go("documents")
    qtbot.waitUntil(lambda: any(d.id == issued.id for d in page.documents), timeout=WAIT_MS)
    page.select(issued.id)
    qtbot.waitUntil(lambda: page.preview is not None
                    and page.preview.document_id == issued.id, timeout=30_000)
    page.save_as()
    dialog = page.save_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    words = _words(dialog)
    for chinese in ("查找范围", "文件名称", "文件类型", "保存", "取消"):
        assert chinese in words, (chinese, words)
    assert "Look in" not in words and "Files of type" not in words
    chosen = Path(dialog.selectedFiles()[0])
    assert chosen.parent == documents_folder()
    assert chosen.name == f"{issued.number} {party}.pdf"
    dialog.reject()


def test_message_boxes_and_dates_speak_chinese(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[bool] = []
    box = ask_once(parent, "作废", "作废这份文书？", "作废", lambda: asked.append(True))
    assert sorted(b.text() for b in box.buttons()) == sorted(["作废", "取消"])
    box.reject()
    assert asked == []
    assert QLocale().name() == "zh_CN"
    assert QLocale().toString(QDate(2026, 5, 1), "MMMM d dddd") == "五月 1 星期五"
    assert QApplication.translate("QFileDialog", "Look in:") == "查找范围："
    assert QApplication.translate("QFileSystemModel", "Date Modified") == "修改日期"


def test_qt_words_follow_a_change_of_language(qapp: QApplication) -> None:
    i18n.set_language("en")
    install_qt_translations(qapp)
    assert QApplication.translate("QFileDialog", "Look in:") == "Look in:"
    assert QLocale().name() == "en_US"
    i18n.set_language("zh_CN")
    install_qt_translations(qapp)
    assert QApplication.translate("QFileDialog", "Look in:") == "查找范围："


def _run_with_preferences(qapp: QApplication, data_dir: Path,
                          prefs: dict[str, object]) -> dict[str, object]:
    """Start the real app on ``data_dir`` with these saved preferences; what it showed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / PREFERENCES_FILE).write_text(json.dumps(prefs), encoding="utf-8")
    seen: dict[str, object] = {}

    def look_then_close() -> None:
        windows = [w for w in qapp.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].ctx is not None and windows[0].backup_state.text():
            seen.update(title=windows[0].windowTitle(), points=qapp.font().pointSizeF(),
                        qt=QApplication.translate("QFileDialog", "Look in:"),
                        locale=QLocale().name(), look=current_look())
            windows[0].close()
        else:
            QTimer.singleShot(20, look_then_close)

    QTimer.singleShot(0, look_then_close)
    safety = QTimer()
    safety.setSingleShot(True)
    safety.timeout.connect(lambda: qapp.exit(99))
    safety.start(30_000)
    try:
        assert run_app(data_dir) == 0
    finally:
        safety.stop()
    return seen


def test_large_text_and_the_language_apply_at_start(qapp: QApplication,
                                                    tmp_path: Path) -> None:
    try:
        seen = _run_with_preferences(qapp, tmp_path / "en", {"language": "en",
                                                            "large_text": True})
        assert seen["title"] == "fieldapp urban management enforcement"
        assert seen["qt"] == "Look in:" and seen["locale"] == "en_US"
        assert seen["points"] == pytest.approx(UI_POINT_SIZE * LARGE_TEXT_SCALE)
        seen = _run_with_preferences(qapp, tmp_path / "zh", {"language": "zh_CN",
                                                            "large_text": False})
        assert seen["title"] == i18n.gettext("fieldapp urban management enforcement")
        assert seen["title"] != "fieldapp urban management enforcement"
        assert seen["qt"] == "查找范围：" and seen["locale"] == "zh_CN"
        assert seen["points"] == pytest.approx(UI_POINT_SIZE)
    finally:
        apply_look(qapp, large_text=False, dark_mode=False)
