"""The officer's flow: log in, new inspection, the advice shows step 2 for a vendor a
colleague educated last month, record it; the unfinished form survives a switch."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot

from fieldapp.domain.entities import InspectionData, SubjectData, SubjectKind
from fieldapp.i18n import _
from fieldapp.services.inspections import record_inspection
from fieldapp.services.subjects import create_subject
from fieldapp.ui.pages.inspection import InspectionPage
from fieldapp.ui.qt import Qt

WAIT_MS = 10_000
LOCAL = dt.timezone(dt.timedelta(hours=8))


def test_login_refuses_a_wrong_password(world, qtbot: QtBot) -> None:
    window, _ctx, mates, _vendor = world
    window.show_login()
    dialog = window._login_dialog
    qtbot.waitUntil(lambda: dialog.officer.count() > 0, timeout=WAIT_MS)
    dialog.choose(mates[0].certificate_no)
    dialog.password.setText("wrong-password")
    dialog.button.click()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=WAIT_MS)
    assert "密码" in dialog.error.text()
    assert window.state.user is None
    dialog.reject()


def test_officer_records_a_warning_for_a_vendor_educated_last_month(world, login,
                                                                    qtbot: QtBot) -> None:
    window, ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    assert mates[0].name in window.user_label.text()
    page = window.go("inspection")
    assert isinstance(page, InspectionPage)
    qtbot.waitUntil(lambda: page.violations.count() > 40, timeout=WAIT_MS)
    page.search.box.setText("烤红薯")
    page.search.search()

    def rows() -> list[str]:
        results = page.search.results
        return [results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(results.count())]

    qtbot.waitUntil(lambda: vendor in rows(), timeout=WAIT_MS)
    page.search.results.setCurrentRow(rows().index(vendor))
    page.choose_violation("JM01")
    qtbot.waitUntil(lambda: page.advice_panel.advice is not None, timeout=WAIT_MS)
    assert page.advice_panel.step.text() == _("Step 2 of 3: warn and order to correct")
    assert mates[1].name in page.advice_panel.history.text()
    assert "告诫书" in page.advice_panel.documents.text()
    assert "不适用" in page.advice_panel.items.text()  # not a first offence any more

    page.facts.setPlainText("再次在人民路地铁站B口占道销售烤红薯")
    index = page.second.findData(mates[2].id)
    page.second.setCurrentIndex(index)
    page.confirm.click()
    qtbot.waitUntil(lambda: page.last_recorded is not None, timeout=WAIT_MS)
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        kinds = [r[0] for r in conn.execute(
            "SELECT kind FROM ladder_step WHERE subject_id = ? ORDER BY taken_at_utc", (vendor,))]
        revisits = conn.execute("SELECT COUNT(*) FROM revisit WHERE subject_id = ?",
                                (vendor,)).fetchone()[0]
        officers = conn.execute(
            "SELECT officer1_id, officer2_id FROM inspection ORDER BY at_utc DESC LIMIT 1"
        ).fetchone()
    assert kinds == ["educate", "warn"] and revisits == 1
    assert officers == (mates[0].id, mates[2].id)
    qtbot.waitUntil(lambda: page.advice_panel.step.text()
                    == _("Step 3 of 3: open a case"), timeout=WAIT_MS)


def test_an_unfinished_form_survives_switching_officers(world, login, qtbot: QtBot) -> None:
    window, _ctx, mates, _vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = window.go("inspection")
    page.address.setText("建设路88号门前")
    page.facts.setPlainText("店外堆放货物")
    login(window, qtbot, mates[1].certificate_no)
    assert page.address.text() == "" and page.facts.toPlainText() == ""
    login(window, qtbot, mates[0].certificate_no)
    assert page.address.text() == "建设路88号门前"
    assert page.facts.toPlainText() == "店外堆放货物"


def test_the_squad_log_loads_pages_lazily(world, login, qtbot: QtBot) -> None:
    window, ctx, mates, _vendor = world
    from fieldapp.ui.lazy_model import PAGE

    # Add enough inspections for three pages.
    base = dt.datetime(2026, 6, 1, 9, tzinfo=LOCAL)
    subject = create_subject(ctx=ctx, officer_id=mates[0].id, data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="分页测试")).id
    for n in range(2 * PAGE + 10):
        record_inspection(ctx=ctx, data=InspectionData(
            subject_id=subject, officer_ids=(mates[0].id, mates[1].id),
            at=base + dt.timedelta(minutes=n), address="建设路1号"))
    login(window, qtbot, mates[0].certificate_no)
    page = window.go("today")
    page.tabs.setCurrentIndex(1)
    model = page.log_model
    qtbot.waitUntil(lambda: model.rowCount() == PAGE, timeout=WAIT_MS)
    page.log.scrollToBottom()
    model.fetchMore(model.index(-1, -1))
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE, timeout=WAIT_MS)
    model.fetchMore(model.index(-1, -1))
    qtbot.waitUntil(lambda: not model.canFetchMore(model.index(-1, -1))
                    and not window.worker.is_busy(), timeout=WAIT_MS)
    ids = [r.id for r in model.rows]
    assert len(ids) == len(set(ids)) == 2 * PAGE + 11  # + the inspection of the fixture
    times = [r.at for r in model.rows]
    assert times == sorted(times, reverse=True)


def test_the_warning_notice_is_issued_and_printed_to_pdf(world, login, qtbot: QtBot,
                                                        tmp_path: Path) -> None:
    from pypdf import PdfReader

    from fieldapp.domain.document_kinds import DocumentKind

    window, ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = window.go("inspection")
    qtbot.waitUntil(lambda: page.violations.count() > 40, timeout=WAIT_MS)
    page.address.setText("人民路地铁站B口")
    page.choose_subject(vendor, "卖烤红薯的摊贩")
    page.choose_violation("JM01")
    qtbot.waitUntil(lambda: page.advice_panel.advice is not None, timeout=WAIT_MS)
    page.facts.setPlainText("再次在人民路地铁站B口占道销售烤红薯")
    page.second.setCurrentIndex(page.second.findData(mates[2].id))
    page.confirm.click()
    qtbot.waitUntil(lambda: page.last_recorded is not None, timeout=WAIT_MS)
    button = page.issue_button_by_kind[DocumentKind.WARNING_NOTICE]
    assert "告诫书" in button.text()
    button.click()
    panel = page.outcome_panel
    qtbot.waitUntil(lambda: DocumentKind.WARNING_NOTICE in panel.open_buttons, timeout=30_000)
    issued = panel.outcome.issued_as(DocumentKind.WARNING_NOTICE)
    assert issued is not None and issued.number in page.message.text()
    assert DocumentKind.WARNING_NOTICE not in page.issue_button_by_kind  # not offered again
    panel.open_buttons[DocumentKind.WARNING_NOTICE].click()
    documents = window.pages["documents"]
    qtbot.waitUntil(lambda: documents.preview is not None
                    and documents.preview.document_id == issued.id, timeout=30_000)
    assert documents.pages_layout.count() >= 1  # the preview shows the pages
    out = tmp_path / "warning.pdf"
    documents.save_as(out)
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "告诫书" in text and issued.number in text
    assert "再次在人民路地铁站B口占道销售烤红薯" in text
    assert mates[0].certificate_no in text and mates[2].certificate_no in text
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        kind = conn.execute("SELECT kind FROM document WHERE id = ?",
                            (issued.id,)).fetchone()[0]
    assert kind == "warning_notice"


def test_the_subject_page_shows_the_step_due_per_violation(world, login, qtbot: QtBot) -> None:
    window, _ctx, mates, vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = window.go("subjects")
    page.open_subject(vendor)
    view = page.subject_view
    qtbot.waitUntil(lambda: view.subject_id == vendor and "：" in view.current.text(),
                    timeout=WAIT_MS)
    assert "占道经营（流动摊贩）：告诫" in view.current.text()
    assert "门前四包" in view.agreements.text()


def test_a_new_vendor_with_a_photo_and_coordinates(world, login, qtbot: QtBot,
                                                   tmp_path: Path) -> None:
    from PIL import Image

    window, ctx, mates, _vendor = world
    login(window, qtbot, mates[0].certificate_no)
    page = window.go("inspection")
    qtbot.waitUntil(lambda: page.violations.count() > 40, timeout=WAIT_MS)
    photo = tmp_path / "vendor.jpg"
    Image.new("RGB", (40, 30), (10, 120, 200)).save(photo)
    page.address.setText("胜利街口")
    page.coords.setText("39.9151, 116.4040")
    page.new_kind.setCurrentIndex(page.new_kind.findData("unidentified_vendor"))
    page.new_goods.setText("糖葫芦")
    page.new_look.setText("戴红帽子的青年男子")
    page.new_photo = str(photo)
    page.create_button.click()
    qtbot.waitUntil(lambda: page.subject_id != "", timeout=WAIT_MS)
    page.choose_violation("JM01")
    qtbot.waitUntil(lambda: page.advice_panel.advice is not None, timeout=WAIT_MS)
    assert page.advice_panel.step.text() == _("Step 1 of 3: educate")
    page.facts.setPlainText("占道销售糖葫芦")
    page.second.setCurrentIndex(page.second.findData(mates[1].id))
    page.confirm.click()
    qtbot.waitUntil(lambda: page.last_recorded is not None, timeout=WAIT_MS)
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        sha = conn.execute("SELECT photo_sha256 FROM subject WHERE id = ?",
                           (page.subject_id,)).fetchone()[0]
        coords = conn.execute("SELECT latitude, longitude FROM inspection WHERE id = ?",
                              (page.last_recorded.inspection_id,)).fetchone()
    assert ctx.store.blobs.path_of(sha).read_bytes() == photo.read_bytes()
    assert coords == (39.9151, 116.404)
