"""A case carried from 立案 to 结案 in the cases page: the case's officers issue every
document its stages call for, the squad leader, the legal reviewer and the agency head
approve and give their opinions, and the dossier the leader prints holds everything.
Plus the list's search and filters, the selection kept after an action, the refusal of
an approver who handles the case, and an issued document not offered again."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from sqlmodel import select

from fieldapp.demo.load import generate_demo
from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.entities import (
    CaseStatus,
    EvidenceData,
    EvidenceType,
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.penalties import PenaltyKind
from fieldapp.domain.permissions import Action as Permission
from fieldapp.domain.workflow import Action
from fieldapp.i18n import _
from fieldapp.services.cases import act, get_case
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import dossier_completeness, list_documents
from fieldapp.services.staff import LoggedIn, login_choices
from fieldapp.services.subjects import create_subject
from fieldapp.store.tables import AgencyProfile, CaseFile
from fieldapp.ui.app import create_main_window
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.pages.cases import CasesPage, case_list
from fieldapp.ui.pages.cases.papers import IssueDialog
from fieldapp.ui.qt import QFileDialog, QPlainTextEdit, Qt
from tests.gui.test_pages_cases import _start_printing

WAIT_MS = 20_000
LOCAL = dt.timezone(dt.timedelta(hours=8))
AGENCY = {"address": "示例市东城区东华门大街16号", "postcode": "100006",
          "phone": "010-65120000", "review_body": "示例市东城区人民政府",
          "court": "示例市东城区人民法院", "bank": "中国工商银行示例市东城支行"}
K = DocumentKind


@dataclass
class Squad:
    ctx: ServiceContext
    window: MainWindow
    case_id: str
    lead: LoggedIn
    assist: LoggedIn
    leader: LoggedIn
    reviewer: LoggedIn
    head: LoggedIn


def _user(ctx: ServiceContext, role: str) -> LoggedIn:
    return next(u for u in login_choices(ctx=ctx) if u.role == role)


def _photo(path: Path) -> Path:
    Image.new("RGB", (320, 240), (200, 40, 40)).save(path, "JPEG")
    return path


@pytest.fixture
def squad(tmp_path: Path, qtbot: QtBot) -> Iterator[Squad]:
    """A shopkeeper found trading outside the shop an hour ago: the case opened."""
    ctx = open_context(tmp_path / "data")
    generate_demo(ctx=ctx, subjects=20, inspections=0)
    with ctx.write(action=Permission.SET_UP) as tx:
        tx.update(tx.session.exec(select(AgencyProfile)).one(), AGENCY)
    leader = _user(ctx, "squad_leader")
    lead, assist = [u for u in login_choices(ctx=ctx)
                    if u.role == "officer" and u.squad_id == leader.squad_id][:2]
    subject = create_subject(ctx=ctx, officer_id=lead.officer_id, data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, name="欧阳明远", shop_sign="明远鲜果店",
        id_number="110101198001010010", gender="male", phone="13800138000",
        address="东华门大街28号")).id
    at = dt.datetime.now(LOCAL).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    record_inspection(ctx=ctx, data=InspectionData(
        subject_id=subject, officer_ids=(lead.officer_id, assist.officer_id), at=at,
        address="东华门大街28号门前", evidence=(EvidenceData(
            path=str(_photo(tmp_path / "p.jpg")), evidence_type=EvidenceType.AUDIOVISUAL,
            captured_at=at, place="东华门大街28号门前", description="店外摆放的水果摊位"),),
        findings=(FindingData(violation_code="JM02", facts="在东华门大街28号店外占道摆放"
                              "水果摊位约6平方米", corrected_on_spot=False,
                              step=StepKind.ENFORCE, override_reason="经劝导拒不改正"),)))
    with ctx.read() as session:
        case_id = session.exec(select(CaseFile.id).where(
            CaseFile.subject_id == subject)).one()
    window = create_main_window(ctx, ask_login=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    yield Squad(ctx, window, case_id, lead, assist, leader, _user(ctx, "legal_reviewer"),
                _user(ctx, "agency_head"))
    window.worker.shutdown()
    ctx.close()


# --- driving the page -------------------------------------------------------------------


def _idle(squad: Squad, qtbot: QtBot, page: CasesPage) -> None:
    qtbot.waitUntil(lambda: not squad.window.worker.is_busy() and page.model.total is not None,
                    timeout=WAIT_MS)


def _as(squad: Squad, qtbot: QtBot, user: LoggedIn) -> CasesPage:
    """Switch the session to ``user`` and show the case on the cases page (all cases)."""
    squad.window.set_user(user)
    page = squad.window.go("cases")
    assert isinstance(page, CasesPage)
    _idle(squad, qtbot, page)
    page.open_only.setCurrentIndex(page.open_only.findData(False))
    page.scope.setCurrentIndex(page.scope.findData(case_list.Scope.ALL))
    _idle(squad, qtbot, page)
    page.show_case(squad.case_id)
    qtbot.waitUntil(lambda: page.detail.detail is not None
                    and page.detail.detail.case.id == squad.case_id
                    and page.detail.papers is not None and not squad.window.worker.is_busy(),
                    timeout=WAIT_MS)
    return page


def _events(squad: Squad) -> int:
    from fieldapp.services.cases import case_events

    return len(case_events(ctx=squad.ctx, case_id=squad.case_id))


def _take(squad: Squad, qtbot: QtBot, page: CasesPage, action: Action,
          text: str = "", fine_yuan: float | None = None) -> None:
    """Click the step's button, fill its dialog, confirm, wait until it is recorded."""
    before = _events(squad)
    button = page.detail.action_buttons[action]
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.action_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    if text:
        assert dialog.text is not None
        dialog.text.setPlainText(text)
    if fine_yuan is not None:
        assert dialog.penalty is not None
        dialog.penalty.boxes[PenaltyKind.FINE].setChecked(True)
        dialog.penalty.fine.setValue(fine_yuan)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _events(squad) == before + 1 or
                    page.detail.message.property("role") == "error", timeout=WAIT_MS)
    assert page.detail.message.property("role") != "error", page.detail.message.text()
    _settled(squad, qtbot, page)




def _settled(squad: Squad, qtbot: QtBot, page: CasesPage) -> None:
    """The list and the detail reloaded after the change."""
    status = get_case(ctx=squad.ctx, case_id=squad.case_id).status
    qtbot.waitUntil(lambda: not squad.window.worker.is_busy() and page.detail.detail is not None
                    and page.detail.detail.case.status is status, timeout=WAIT_MS)
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not squad.window.worker.is_busy(), timeout=WAIT_MS)


def _issue_button_key(page: CasesPage, kind: DocumentKind) -> tuple[str, str]:
    return next(key for key in page.detail.issue_buttons if key[0] == kind.value)


def _issue(squad: Squad, qtbot: QtBot, page: CasesPage, kind: DocumentKind,
           words: dict[str, str] | None = None) -> str:
    """Issue the paper through its button and dialog; returns its 文号."""
    key = _issue_button_key(page, kind)
    button = page.detail.issue_buttons[key]
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.issue_dialog
    assert isinstance(dialog, IssueDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    for field, value in (words or {}).items():
        edit = dialog.words[field]
        assert isinstance(edit, QPlainTextEdit)
        edit.setPlainText(value)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: key in page.detail.open_buttons
                    or page.detail.message.property("role") == "error", timeout=WAIT_MS)
    assert page.detail.message.property("role") != "error", page.detail.message.text()
    assert key not in page.detail.issue_buttons  # issued: not offered again
    paper = next(p for p in (page.detail.papers.papers if page.detail.papers else ())
                 if (p.kind.value, p.serves_id) == key)
    _settled(squad, qtbot, page)
    return paper.issued_number


def _next_step(page: CasesPage) -> str:
    return page.detail.next_step.text()


# --- the whole case ---------------------------------------------------------------------


def test_a_case_goes_from_filing_to_closing_with_every_document(
        squad: Squad, qtbot: QtBot, tmp_path: Path) -> None:
    page = _as(squad, qtbot, squad.lead)
    assert _next_step(page).startswith(_("Waiting for {who}: {what}", who=_(
        "the case officers"), what=_("issue {title}", title="立案审批表")))
    numbers = {K.FILING_APPROVAL: _issue(squad, qtbot, page, K.FILING_APPROVAL)}
    assert "待中队长" in _next_step(page)

    page = _as(squad, qtbot, squad.leader)
    _take(squad, qtbot, page, Action.APPROVE_FILING)
    assert "待负责人" in _next_step(page)
    page = _as(squad, qtbot, squad.head)
    _take(squad, qtbot, page, Action.APPROVE_FILING)

    page = _as(squad, qtbot, squad.lead)
    assert get_case(ctx=squad.ctx, case_id=squad.case_id).status is CaseStatus.INVESTIGATING
    numbers[K.INSPECTION_RECORD] = _issue(squad, qtbot, page, K.INSPECTION_RECORD)
    numbers[K.INQUIRY_RECORD] = _issue(squad, qtbot, page, K.INQUIRY_RECORD, {
        "record.qa": "问：店外的水果摊是你摆的吗？\n答：是我摆的，想多卖一点。"})
    _take(squad, qtbot, page, Action.FINISH_INVESTIGATION, fine_yuan=500)

    page = _as(squad, qtbot, squad.reviewer)
    _take(squad, qtbot, page, Action.LEGAL_REVIEW, text="事实清楚，证据确凿，适用依据正确，"
          "程序合法，同意拟处理意见。")

    page = _as(squad, qtbot, squad.lead)
    _take(squad, qtbot, page, Action.NOTIFY)
    numbers[K.PRIOR_NOTICE] = _issue(squad, qtbot, page, K.PRIOR_NOTICE)
    _issue(squad, qtbot, page, K.SERVICE_RECEIPT)  # records its service first
    _take(squad, qtbot, page, Action.RECORD_STATEMENT, text="当事人称初次违法，请求从轻处罚。")
    numbers[K.STATEMENT_RECORD] = _issue(squad, qtbot, page, K.STATEMENT_RECORD)
    assert "待负责人" in _next_step(page)

    page = _as(squad, qtbot, squad.head)
    _take(squad, qtbot, page, Action.DECIDE)

    page = _as(squad, qtbot, squad.assist)  # the second officer of the case issues too
    assert "行政处罚决定书" in _next_step(page)
    numbers[K.PENALTY_DECISION] = _issue(squad, qtbot, page, K.PENALTY_DECISION)
    _issue(squad, qtbot, page, K.SERVICE_RECEIPT)
    _take(squad, qtbot, page, Action.SERVE)
    _take(squad, qtbot, page, Action.RECORD_PAYMENT)
    _take(squad, qtbot, page, Action.REQUEST_CLOSE)
    numbers[K.CLOSING_APPROVAL] = _issue(squad, qtbot, page, K.CLOSING_APPROVAL)

    page = _as(squad, qtbot, squad.leader)
    assert "待中队长" in _next_step(page)
    _take(squad, qtbot, page, Action.APPROVE_CLOSE)
    assert get_case(ctx=squad.ctx, case_id=squad.case_id).status is CaseStatus.CLOSED
    assert dossier_completeness(ctx=squad.ctx, case_id=squad.case_id) == []

    target = tmp_path / "案卷.pdf"
    assert _start_printing(page, qtbot, target) == []  # the check finds nothing missing
    qtbot.waitUntil(lambda: page.detail.message.text() == _(
        "Dossier saved to {path}", path=str(target)), timeout=60_000)
    text = "".join("".join((p.extract_text() or "").split())
                   for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    issued = [d for d in list_documents(ctx=squad.ctx, case_id=squad.case_id)]
    assert {d.kind for d in issued} == {k.value for k in numbers} | {"service_receipt"}
    for document in issued:
        assert "".join(TITLES[K(document.kind)].split()) in text, document.kind
        assert document.number in text, document.number


# --- the list and the refusals ------------------------------------------------------------


def test_search_and_filters_find_the_case_by_party_number_status_and_officer(
        squad: Squad, qtbot: QtBot) -> None:
    from fieldapp.services.cases import open_case

    with squad.ctx.read() as session:
        other = session.exec(select(CaseFile.subject_id)).first()
    assert other is not None
    pair = (squad.leader.officer_id, squad.lead.officer_id)
    with squad.ctx.read() as session:
        from fieldapp.store.tables import Subject

        someone = session.exec(select(Subject.id).where(Subject.id != other)).first()
    assert someone is not None
    open_case(ctx=squad.ctx, officer_ids=pair, subject_id=someone, violation_code="JM02")
    page = _as(squad, qtbot, squad.lead)
    number = _issue(squad, qtbot, page, K.FILING_APPROVAL)  # gives the case its 案号

    def shown(**filters: object) -> list[str]:
        page.search.setText(str(filters.get("text", "")))
        page.status.setCurrentIndex(page.status.findData(filters.get("status")))
        page.officer.setCurrentIndex(page.officer.findData(filters.get("officer")))
        qtbot.waitUntil(lambda: page.model.total is not None and not page._search_timer
                        .isActive() and not squad.window.worker.is_busy(), timeout=WAIT_MS)
        return [row.id for row in page.model.rows]

    everything = shown()
    assert squad.case_id in everything and len(everything) > 1
    assert shown(text="欧阳明") == [squad.case_id]  # part of the party's name
    assert shown(text="明远鲜果") == [squad.case_id]  # the shop sign
    assert shown(text=number) == [squad.case_id]  # the 案号 / 文号
    assert shown(text="没有这个当事人") == []
    assert squad.case_id in shown(status="filing")
    assert squad.case_id not in shown(status="investigating")
    assert squad.case_id in shown(officer=squad.assist.officer_id)
    assert squad.case_id not in shown(officer=squad.leader.officer_id)
    # The status column says who acts next, in words.
    assert squad.case_id in shown(text="欧阳明")
    cell = page.model.index(0, 2).data()
    assert cell.splitlines()[1] == "待中队长立案审批"


def test_the_case_stays_chosen_and_the_list_where_it_was_after_an_action(
        squad: Squad, qtbot: QtBot) -> None:
    for n in range(30):  # enough cases for the list to scroll
        from fieldapp.services.cases import open_case

        with squad.ctx.read() as session:
            subject = session.exec(select(CaseFile.subject_id)).first()
        assert subject is not None
        open_case(ctx=squad.ctx, officer_ids=(squad.lead.officer_id, squad.assist.officer_id),
                  subject_id=subject, violation_code="JM02", summary=f"占道经营{n}")
    page = _as(squad, qtbot, squad.leader)
    rows = len(page.model.rows)
    assert rows > 20
    row = page.model.row_of(squad.case_id)
    assert row is not None
    page.table.scrollToBottom()
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: not squad.window.worker.is_busy(), timeout=WAIT_MS)
    scrolled = page.table.verticalScrollBar().value()
    assert scrolled > 0
    _take(squad, qtbot, page, Action.APPROVE_FILING)
    qtbot.waitUntil(lambda: page.model.row_of(squad.case_id) is not None, timeout=WAIT_MS)
    chosen = page.table.selectionModel().selectedRows()
    assert [page.model.rows[i.row()].id for i in chosen] == [squad.case_id]
    assert page.table.verticalScrollBar().value() == scrolled
    assert page.detail.detail is not None and page.detail.detail.case.id == squad.case_id
    assert page.detail.message.text() == _("Done: {action}", action=_("approve_filing"))


def test_an_approver_who_handles_the_case_is_refused_with_the_reason(
        squad: Squad, qtbot: QtBot) -> None:
    from fieldapp.domain.errors import ValidationError
    from fieldapp.i18n import describe
    from fieldapp.services.cases import open_case

    with squad.ctx.read() as session:
        subject = session.exec(select(CaseFile.subject_id)).first()
    assert subject is not None
    own = open_case(ctx=squad.ctx, officer_ids=(squad.leader.officer_id, squad.lead.officer_id),
                    subject_id=subject, violation_code="JM02", summary="中队长承办的案件").id
    squad.case_id = own
    page = _as(squad, qtbot, squad.leader)
    button = page.detail.action_buttons[Action.APPROVE_FILING]
    assert not button.isEnabled()
    reason = page.detail.refusals.text()
    assert reason == button.toolTip() and squad.leader.name in reason
    assert "承办" in reason and page.detail.refusals.isVisibleTo(page.detail)
    with pytest.raises(ValidationError) as refused:  # and the service refuses it
        act(ctx=squad.ctx, case_id=own, officer_id=squad.leader.officer_id,
            action=Action.APPROVE_FILING)
    assert describe(refused.value) == reason
    assert _events(squad) == 1


def test_an_issued_document_is_shown_as_issued_and_not_offered_again(
        squad: Squad, qtbot: QtBot, tmp_path: Path) -> None:
    page = _as(squad, qtbot, squad.lead)
    key = _issue_button_key(page, K.FILING_APPROVAL)
    number = _issue(squad, qtbot, page, K.FILING_APPROVAL)
    page = _as(squad, qtbot, squad.assist)  # reloaded, as the other officer
    assert key not in page.detail.issue_buttons and key in page.detail.open_buttons
    labels = [page.detail.paper_grid.itemAt(i).widget() for i in
              range(page.detail.paper_grid.count())]
    assert any(number in (w.text() if hasattr(w, "text") else "") for w in labels)
    qtbot.mouseClick(page.detail.reprint_buttons[key], Qt.MouseButton.LeftButton)
    dialog = page.save_dialog
    assert isinstance(dialog, QFileDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    target = tmp_path / "again.pdf"
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(lambda: target.exists() and not squad.window.worker.is_busy(),
                    timeout=WAIT_MS)
    assert target.read_bytes().startswith(b"%PDF")
    assert len([d for d in list_documents(ctx=squad.ctx, case_id=squad.case_id)
                if d.kind == K.FILING_APPROVAL.value]) == 1


def test_only_the_case_officers_may_issue_its_documents(squad: Squad, qtbot: QtBot) -> None:
    page = _as(squad, qtbot, squad.leader)
    button = page.detail.issue_buttons[_issue_button_key(page, K.FILING_APPROVAL)]
    assert not button.isEnabled()
    assert squad.leader.name in page.detail.no_papers.text()
    assert page.detail.no_papers.isVisibleTo(page.detail)
