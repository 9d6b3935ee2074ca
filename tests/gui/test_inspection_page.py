"""The inspection page after each action: what was recorded, exactly the documents of
that finding (issued ones shown as issued), nothing left of it once another subject or
violation is chosen; one "corrected on the spot" answer; photos hashed when taken."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot

from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.domain.no_penalty import ConditionKind
from fieldapp.i18n import _
from fieldapp.services.subjects import create_subject
from fieldapp.ui.pages.inspection import InspectionPage
from fieldapp.ui.qt import QPushButton

WAIT_MS = 10_000


def _ready(window, qtbot: QtBot) -> InspectionPage:
    page = window.go("inspection")
    assert isinstance(page, InspectionPage)
    qtbot.waitUntil(lambda: page.violations.count() > 40, timeout=WAIT_MS)
    return page


def _record(page: InspectionPage, qtbot: QtBot, subject: str, title: str, second: str,
            facts: str = "占道销售烤红薯") -> None:
    page.address.setText("人民路地铁站B口")
    page.choose_subject(subject, title)
    page.choose_violation("JM01")
    qtbot.waitUntil(lambda: page.advice_panel.advice is not None, timeout=WAIT_MS)
    page.facts.setPlainText(facts)
    page.second.setCurrentIndex(page.second.findData(second))
    page.confirm.click()
    qtbot.waitUntil(lambda: page.outcome_panel.outcome is not None, timeout=WAIT_MS)


def _visible_buttons(page: InspectionPage) -> list[str]:
    return [b.text() for b in page.outcome_panel.findChildren(QPushButton) if b.isVisible()]


def test_after_recording_the_page_names_the_step_and_offers_that_findings_documents(
        world, login, qtbot: QtBot) -> None:
    window, _ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = _ready(window, qtbot)
    _record(page, qtbot, vendor, "卖烤红薯的摊贩", mates[2].id)
    summary = page.outcome_panel.summary.text()
    assert "告诫" in summary and "烤红薯 老年男子" in summary  # the name as stored
    assert "占道经营" in summary
    assert set(page.issue_button_by_kind) == {DocumentKind.WARNING_NOTICE,
                                              DocumentKind.CORRECTION_ORDER}
    offered = sorted(_("Issue {title}", title=TITLES[k]) for k in page.issue_button_by_kind)
    qtbot.waitUntil(lambda: sorted(_visible_buttons(page)) == offered, timeout=WAIT_MS)
    # The form is ready for the next finding: nothing of this one left in it.
    assert page.facts.toPlainText() == "" and page.step_choice.currentIndex() == 0


def test_choosing_another_subject_or_violation_clears_the_last_findings_buttons(
        world, login, qtbot: QtBot) -> None:
    window, ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    other = create_subject(ctx=ctx, officer_id=mates[0].id, data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="曾小单")).id
    page = _ready(window, qtbot)
    _record(page, qtbot, vendor, "卖烤红薯的摊贩", mates[2].id)
    assert page.issue_button_by_kind and page.message.text()

    page.choose_subject(other, "曾小单")
    assert page.issue_button_by_kind == {}
    assert page.outcome_panel.summary.text() == "" and page.message.text() == ""
    qtbot.waitUntil(lambda: _visible_buttons(page) == [], timeout=WAIT_MS)
    assert page.last_recorded is None

    # The same with another violation after a new recording.
    _record(page, qtbot, vendor, "卖烤红薯的摊贩", mates[2].id, facts="第三次占道")
    assert page.outcome_panel.summary.text()
    page.choose_violation("JM02")
    assert page.issue_button_by_kind == {} and page.outcome_panel.summary.text() == ""


def test_a_document_already_issued_is_shown_as_issued_not_offered_again(
        world, login, qtbot: QtBot) -> None:
    window, ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = _ready(window, qtbot)
    _record(page, qtbot, vendor, "卖烤红薯的摊贩", mates[2].id)
    finding = page.outcome_panel.outcome.finding_id
    page.issue_button_by_kind[DocumentKind.WARNING_NOTICE].click()
    panel = page.outcome_panel
    qtbot.waitUntil(lambda: DocumentKind.WARNING_NOTICE in panel.open_buttons, timeout=30_000)
    assert set(page.issue_button_by_kind) == {DocumentKind.CORRECTION_ORDER}
    assert DocumentKind.WARNING_NOTICE in panel.reprint_buttons
    number = panel.outcome.issued_as(DocumentKind.WARNING_NOTICE).number
    assert number in " ".join(w.text() for w in panel.documents.findChildren(type(page.chosen)))
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        issued = conn.execute("SELECT kind, number FROM document WHERE finding_id = ?",
                              (finding,)).fetchall()
    assert issued == [("warning_notice", number)]  # one tap, one document


def test_a_third_finding_names_the_case_it_opened(world, login, qtbot: QtBot) -> None:
    window, _ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = _ready(window, qtbot)
    _record(page, qtbot, vendor, "卖烤红薯的摊贩", mates[2].id)  # the warning
    _record(page, qtbot, vendor, "卖烤红薯的摊贩", mates[2].id, facts="第三次占道")
    outcome = page.outcome_panel.outcome
    assert outcome.case_id is not None
    assert _("Case opened; it gets its number when the filing is approved.") in \
        page.outcome_panel.summary.text()
    # The case's documents are issued from the case, not from the street.
    assert not set(page.issue_button_by_kind) & {DocumentKind.FILING_APPROVAL,
                                                 DocumentKind.INSPECTION_RECORD}


def test_corrected_on_the_spot_is_one_answer_in_two_places(world, login, qtbot: QtBot) -> None:
    window, ctx, mates, _vendor = world
    login(window, qtbot, mates[0].certificate_no)
    newcomer = create_subject(ctx=ctx, officer_id=mates[0].id, data=SubjectData(
        kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="煎饼", appearance="蓝色推车")).id
    page = _ready(window, qtbot)
    page.choose_subject(newcomer, "卖煎饼的摊贩")
    page.choose_violation("JM01")
    panel = page.advice_panel
    qtbot.waitUntil(lambda: ConditionKind.CORRECTED_ON_SPOT in panel._checks, timeout=WAIT_MS)
    question = panel._checks[ConditionKind.CORRECTED_ON_SPOT]
    question.setChecked(True)
    assert page.corrected.isChecked()
    page.corrected.setChecked(False)
    assert not question.isChecked()
    page.corrected.setChecked(True)
    qtbot.waitUntil(lambda: not window.worker.is_busy(), timeout=WAIT_MS)
    question = panel._checks[ConditionKind.CORRECTED_ON_SPOT]  # after the advice came back
    assert question.isChecked() and panel.answers()[ConditionKind.CORRECTED_ON_SPOT] is True
    page.address.setText("胜利街口")
    page.facts.setPlainText("推车占道卖煎饼，当场推走")
    page.second.setCurrentIndex(page.second.findData(mates[1].id))
    page.confirm.click()
    qtbot.waitUntil(lambda: page.outcome_panel.outcome is not None, timeout=WAIT_MS)
    assert page.outcome_panel.outcome.corrected_on_spot
    assert _("Corrected on the spot.") in page.outcome_panel.summary.text()
    assert not page.corrected.isChecked()  # the next finding starts unanswered


def test_camera_frames_are_hashed_at_capture_shown_and_recorded_as_evidence(
        world, login, qtbot: QtBot, tmp_path: Path) -> None:
    """No camera here: frames come from files through the camera's own capture path."""
    from PIL import Image

    window, ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = _ready(window, qtbot)
    strip = page.photo_strip
    frames = []
    for n, colour in enumerate(((200, 40, 40), (40, 160, 60))):
        frame = tmp_path / f"frame{n}.png"
        Image.new("RGB", (320, 240), colour).save(frame)
        frames.append(frame)
        assert strip.capture.deliver_file(str(frame))
    chosen = tmp_path / "chosen.jpg"
    Image.new("RGB", (200, 100), (10, 10, 200)).save(chosen)
    strip.add_files([str(chosen)])
    qtbot.waitUntil(lambda: len(strip.photos) == 3, timeout=WAIT_MS)
    assert strip.list.count() == 3
    assert all(not strip.list.item(i).icon().isNull() for i in range(3))
    for photo in strip.photos:
        assert photo.sha256 == hashlib.sha256(photo.path.read_bytes()).hexdigest()
        assert photo.sha256 in strip.list.item(strip.photos.index(photo)).toolTip()
    assert chosen in [p.path for p in strip.photos]  # a chosen file stays where it is
    hashes = [p.sha256 for p in strip.photos]

    _record(page, qtbot, vendor, "卖烤红薯的摊贩", mates[2].id)
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        stored = [r[0] for r in conn.execute(
            "SELECT sha256 FROM evidence WHERE inspection_id = ? ORDER BY created_at, id",
            (page.last_recorded.inspection_id,))]
    assert sorted(stored) == sorted(hashes)
    assert strip.photos == [] and strip.list.count() == 0


def test_a_photo_changed_after_it_was_taken_is_refused(world, login, qtbot: QtBot,
                                                       tmp_path: Path) -> None:
    from PIL import Image

    window, _ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = _ready(window, qtbot)
    photo = tmp_path / "taken.png"
    Image.new("RGB", (64, 64), (1, 2, 3)).save(photo)
    page.photo_strip.add_files([str(photo)])
    qtbot.waitUntil(lambda: len(page.photo_strip.photos) == 1, timeout=WAIT_MS)
    Image.new("RGB", (64, 64), (9, 9, 9)).save(photo)  # edited afterwards
    page.address.setText("人民路地铁站B口")
    page.choose_subject(vendor, "卖烤红薯的摊贩")
    page.choose_violation("JM01")
    qtbot.waitUntil(lambda: page.advice_panel.advice is not None, timeout=WAIT_MS)
    page.second.setCurrentIndex(page.second.findData(mates[2].id))
    page.confirm.click()
    qtbot.waitUntil(lambda: "taken.png" in page.message.text(), timeout=WAIT_MS)
    assert page.last_recorded is None and page.confirm.isEnabled()


def test_the_camera_is_loaded_only_when_a_photo_is_taken(world, login, qtbot: QtBot) -> None:
    import subprocess
    import sys

    probe = ("import sys; from fieldapp.ui.app import create_application, create_main_window;"
             "from fieldapp.ui.pages.registry import load_pages; app = create_application();"
             "load_pages(); create_main_window(ask_login=False);"
             "assert 'PySide6.QtMultimedia' not in sys.modules, 'camera loaded at start'")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, env={"QT_QPA_PLATFORM": "offscreen",
                                            "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr

    from fieldapp.ui.camera import cameras

    window, _ctx, mates, _vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = _ready(window, qtbot)
    page.photo_strip.camera_button.click()
    if cameras():  # a machine with a camera opens the preview
        assert page.photo_strip.camera_dialog is not None
        page.photo_strip.camera_dialog.reject()
    else:
        assert page.photo_strip.hint.text() == _("No camera found: add photos from files.")
