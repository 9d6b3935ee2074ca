"""The no-penalty list page: the list in force by domain with its legal text; leaders
import a new version (and see every bad row of a refused file); anyone exports."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldapp.demo.load import generate_demo
from fieldapp.domain.no_penalty import EXEMPTION_LABELS, MEASURE_LABELS, ImportErrors
from fieldapp.i18n import _
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.rules import (
    describe_problems,
    import_list,
    list_in_force_on,
    lists,
)
from fieldapp.services.staff import LoggedIn, login_choices
from fieldapp.ui.app import create_main_window
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.pages.nopenalty import NoPenaltyPage
from fieldapp.ui.qt import QFileDialog, Qt

WAIT_MS = 10_000
MakeWindow = Callable[[], MainWindow]
LOCAL = dt.timezone(dt.timedelta(hours=8))


def _user(ctx: ServiceContext, role: str) -> LoggedIn:
    return next(u for u in login_choices(ctx=ctx) if u.role == role)


def _page(window: MainWindow, qtbot: QtBot) -> NoPenaltyPage:
    page = window.go("nopenalty")
    assert isinstance(page, NoPenaltyPage)
    qtbot.waitUntil(lambda: page.versions is not None and page.tree.topLevelItemCount() > 0,
                    timeout=WAIT_MS)
    return page


def _choose_file(page: NoPenaltyPage, qtbot: QtBot, path: Path) -> None:
    dialog = page.file_dialog
    assert isinstance(dialog, QFileDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.selectFile(str(path))
    dialog.accept()


def _confirm_import(page: NoPenaltyPage, qtbot: QtBot, path: Path) -> None:
    """Importing replaces the list in force: the one question names the file and the
    list, and nothing is imported before "Import" is chosen."""
    qtbot.waitUntil(lambda: page.confirm_box is not None and page.confirm_box.isVisible(),
                    timeout=WAIT_MS)
    box = page.confirm_box
    assert box is not None
    assert path.name in box.text() and page.heading.text() in box.text()
    (confirm,) = [b for b in box.buttons() if b.text() == _("Import")]
    confirm.click()


def test_the_list_in_force_is_shown_by_domain_with_its_legal_text(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext) -> None:
    in_force = list_in_force_on(ctx=ctx, on=dt.datetime.now(LOCAL).date())
    assert in_force is not None
    window = make_window()
    page = _page(window, qtbot)
    assert page.heading.text() == in_force.title
    assert in_force.doc_no in page.details.text() and in_force.issuer in page.details.text()
    tree = page.tree
    domains = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert [d.split("（")[0] for d in domains] == list(in_force.domains)
    assert sum(tree.topLevelItem(i).childCount() for i in range(len(domains))) == len(
        in_force.items)

    # Choose the last item of the last domain with a click, as a finger would.
    branch = tree.topLevelItem(len(domains) - 1)
    leaf = branch.child(branch.childCount() - 1)
    tree.scrollToItem(leaf)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(leaf).center())
    number = leaf.data(0, Qt.ItemDataRole.UserRole)
    item = next(i for i in in_force.items if i.item_no == number)
    qtbot.waitUntil(lambda: item.name in page.item_view.toPlainText(), timeout=WAIT_MS)
    text = page.item_view.toPlainText()
    for part in (item.prohibiting_provision, item.penalty_provision, item.statutory_penalty,
                 EXEMPTION_LABELS[item.exemption_kind], MEASURE_LABELS[item.required_measure],
                 *(c.text for c in item.conditions)):
        assert part in text
    assert _("Prohibiting provision") in text and _("Statutory penalty") in text


def test_only_leaders_may_import_and_everyone_may_export(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext) -> None:
    window = make_window()
    page = _page(window, qtbot)
    window.set_user(_user(ctx, "officer"))
    assert not page.import_button.isVisibleTo(page)
    assert page.export_button.isVisibleTo(page) and page.export_button.isEnabled()
    window.set_user(_user(ctx, "squad_leader"))
    assert page.import_button.isVisibleTo(page)


def _bad_csv(path: Path) -> Path:
    rows = [["清单名称", "测试清单"], ["城市", "示例市"], ["发布机关", ""],
            ["文号", "测〔2026〕9号"], ["生效日期", "2026-13-01"], ["失效日期", ""], [],
            ["序号", "领域", "事项名称", "违法行为代码", "违则", "罚则", "法定处罚", "免罚情形",
             "适用条件", "处理措施", "来源", "备注"],
            ["1", "市政设施", "擅自占用城市道路", "SZ01", "", "", "", "首违可不罚",
             "1.首次被发现", "教育", "", ""],
            ["2", "市政设施", "", "XX99", "", "", "", "不罚", "1.首次被发现", "教育", "", ""],
            ["3", "市政设施", "某事项", "SZ01", "", "", "", "轻微不罚", "1.颜色鲜艳", "罚款",
             "", ""]]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_a_bad_file_is_refused_with_every_bad_row_listed(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext, tmp_path: Path) -> None:
    leader = _user(ctx, "squad_leader")
    bad = _bad_csv(tmp_path / "bad.csv")
    with pytest.raises(ImportErrors) as refused:
        import_list(ctx=ctx, officer_id=leader.officer_id, path=bad)
    expected = describe_problems(refused.value)
    assert len(expected) >= 5
    versions = len(lists(ctx=ctx))

    window = make_window()
    window.set_user(leader)
    page = _page(window, qtbot)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    _choose_file(page, qtbot, bad)
    _confirm_import(page, qtbot, bad)
    qtbot.waitUntil(lambda: page.errors_dialog is not None and page.errors_dialog.isVisible(),
                    timeout=WAIT_MS)
    dialog = page.errors_dialog
    assert dialog is not None
    shown = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert shown == expected
    assert page.message.property("role") == "error"
    assert len(lists(ctx=ctx)) == versions  # nothing imported


@pytest.fixture
def fresh(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[MainWindow, ServiceContext]]:
    ctx = open_context(tmp_path / "data")
    generate_demo(ctx=ctx, subjects=40, inspections=0)
    window = create_main_window(ctx, ask_login=False)
    qtbot.addWidget(window)
    window.show()
    yield window, ctx
    window.worker.shutdown()
    ctx.close()


def test_a_leader_exports_the_list_and_imports_a_new_version(
        fresh: tuple[MainWindow, ServiceContext], qtbot: QtBot, tmp_path: Path) -> None:
    window, ctx = fresh
    window.set_user(_user(ctx, "squad_leader"))
    page = _page(window, qtbot)
    exported = tmp_path / "list.csv"
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    _choose_file(page, qtbot, exported)
    qtbot.waitUntil(lambda: page.message.text() == _("Exported to {path}", path=str(exported)),
                    timeout=WAIT_MS)

    # The bureau re-issues the list under a new number, in force from yesterday.
    yesterday = (dt.datetime.now(LOCAL) - dt.timedelta(days=1)).date().isoformat()
    with exported.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows:
        if row and row[0] == "文号":
            row[1] = "示城管发〔2026〕8号"
        elif row and row[0] == "生效日期":
            row[1] = yesterday
    with exported.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)

    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    _choose_file(page, qtbot, exported)
    assert len(lists(ctx=ctx)) == 1  # asked first: nothing imported yet
    _confirm_import(page, qtbot, exported)
    qtbot.waitUntil(lambda: page.version_table.rowCount() == 2, timeout=WAIT_MS)
    stored = lists(ctx=ctx)
    assert [lst.doc_no for lst in stored][-1] == "示城管发〔2026〕8号"
    assert "示城管发〔2026〕8号" in page.details.text()
    assert page.version_table.item(0, 5).text() == _("in force")
    assert page.version_table.item(1, 5).text() == _("superseded")
    assert page.message.text() == _("Imported {items} items in {domains} domains.",
                                    items=len(stored[-1].items),
                                    domains=len(stored[-1].domains))


def test_a_leader_reviews_a_bureaus_draft_list_and_publishes_it(
        fresh: tuple[MainWindow, ServiceContext], qtbot: QtBot, tmp_path: Path) -> None:
    from tests.integration.test_bureau_lists import META, draft_csv

    window, ctx = fresh
    leader = _user(ctx, "squad_leader")
    path = draft_csv(tmp_path / "b.csv")
    result = import_list(ctx=ctx, officer_id=leader.officer_id, path=path, metadata=META)
    assert result.draft and result.to_review == (2,)
    window.set_user(leader)
    page = _page(window, qtbot)
    page.reload()
    qtbot.waitUntil(lambda: page.version_table.rowCount() == 2, timeout=WAIT_MS)
    row = next(r for r in range(2) if page.version_table.item(r, 1).text() == META["doc_no"])
    page.version_table.setCurrentCell(row, 0)
    qtbot.waitUntil(lambda: page.review_bar.isVisible(), timeout=WAIT_MS)
    assert "2" in page.review_state.text() and not page.publish_button.isEnabled()
    tree = page.tree
    leaf = next(tree.topLevelItem(b).child(c) for b in range(tree.topLevelItemCount())
                for c in range(tree.topLevelItem(b).childCount())
                if tree.topLevelItem(b).child(c).text(0).startswith("？"))
    tree.setCurrentItem(leaf)
    assert leaf.data(0, Qt.ItemDataRole.UserRole) == 2
    page.codes_edit.setText("NOPE1")
    qtbot.mouseClick(page.map_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "NOPE1" in page.message.text(), timeout=WAIT_MS)
    assert [lst.status for lst in lists(ctx=ctx) if lst.doc_no == META["doc_no"]] == ["draft"]
    code = sorted(t for i in lists(ctx=ctx) for item in i.items for t in item.violation_codes)[0]
    page.codes_edit.setText(code)
    qtbot.mouseClick(page.map_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.publish_button.isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.confirm_box is not None and page.confirm_box.isVisible(),
                    timeout=WAIT_MS)
    assert META["doc_no"] in page.confirm_box.text() or "不予处罚事项清单" in \
        page.confirm_box.text()
    (publish,) = [b for b in page.confirm_box.buttons() if b.text() == _("Publish the list")]
    publish.click()
    qtbot.waitUntil(lambda: any(lst.doc_no == META["doc_no"] and lst.status == "published"
                                for lst in lists(ctx=ctx)), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not page.review_bar.isVisible(), timeout=WAIT_MS)


def test_a_bureaus_sheet_without_its_details_asks_for_them_once(
        fresh: tuple[MainWindow, ServiceContext], qtbot: QtBot, tmp_path: Path) -> None:
    from fieldapp.ui.pages.nopenalty import ListDetailsDialog
    from tests.integration.test_bureau_lists import META, draft_csv

    window, ctx = fresh
    window.set_user(_user(ctx, "squad_leader"))
    page = _page(window, qtbot)
    path = draft_csv(tmp_path / "bureau.csv")
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    _choose_file(page, qtbot, path)
    _confirm_import(page, qtbot, path)
    qtbot.waitUntil(lambda: page.details_dialog is not None and
                    page.details_dialog.isVisible(), timeout=WAIT_MS)
    dialog = page.details_dialog
    assert isinstance(dialog, ListDetailsDialog) and path.name in dialog.findChild(
        type(page.message)).text()
    assert len(lists(ctx=ctx)) == 1  # nothing imported while the details are missing
    for key, edit in dialog.edits.items():
        edit.setText(str(META.get(key, "")))
    dialog.accept()
    qtbot.waitUntil(lambda: len(lists(ctx=ctx)) == 2, timeout=WAIT_MS)
    stored = next(lst for lst in lists(ctx=ctx) if lst.doc_no == META["doc_no"])
    assert stored.status == "draft" and stored.issuer == META["issuer"]
    qtbot.waitUntil(lambda: page.review_bar.isVisible(), timeout=WAIT_MS)
