"""Regenerate the screenshots in this folder (offscreen, from fresh demo data).

    .venv/bin/python docs/screenshots/make_screenshots.py

Every page at 1366×768 in Chinese (logged in as the demo squad leader), again in tablet
mode, the inspection page just after recording, the login dialog, the inspection
flow at 1920×1080 in Chinese and in English, and the cases page with one case at
several stages (``cases-stage-*.png``; ``--cases`` makes only these).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fieldapp import i18n
from fieldapp.demo.load import generate_demo
from fieldapp.domain.entities import (
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.workflow import Action
from fieldapp.services.cases import act, open_case
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import issue_document
from fieldapp.services.preferences import Preferences, save_preferences
from fieldapp.services.rules import violation_types
from fieldapp.services.staff import LoggedIn, login_choices
from fieldapp.services.subjects import create_subject, find_subjects
from fieldapp.ui.app import create_application, create_main_window
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.qt import QApplication
from fieldapp.ui.style import apply_look

HERE = Path(__file__).resolve().parent


def wait_for(app: QApplication, condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, window: MainWindow) -> None:
    for _ in range(4):
        wait_for(app, lambda: not window.worker.is_busy())
        app.processEvents()
        time.sleep(0.05)


def prepare(ctx: ServiceContext) -> dict[str, str]:
    """A filed case with its approval form, a warning notice, and steps against advice."""
    users = login_choices(ctx=ctx)
    leader = next(u for u in users if u.role == "squad_leader")
    mates = [u for u in users if u.role == "officer" and u.squad_id == leader.squad_id]
    head = next(u for u in users if u.role == "agency_head").officer_id
    with ctx.read() as s:
        subject, code = s.connection().exec_driver_sql(
            "SELECT subject_id, violation_code FROM case_file WHERE squad_id = ? LIMIT 1",
            (leader.squad_id,)).one()
        # Vendors educated once for JM01 (so the advice for them is step 2, 告诫).
        vendor, other = (r[0] for r in s.connection().exec_driver_sql(
            "SELECT l.subject_id FROM ladder_step l JOIN subject s ON s.id = l.subject_id "
            "WHERE s.kind = 'unidentified_vendor' AND l.violation_code = 'JM01' "
            "GROUP BY l.subject_id HAVING COUNT(*) = 1 AND MAX(l.kind) = 'educate' "
            "ORDER BY MAX(l.taken_at_utc) DESC LIMIT 2").all())
    case = open_case(ctx=ctx, officer_ids=(mates[0].officer_id, mates[1].officer_id),
                     subject_id=subject, violation_code=code,
                     summary="占道经营，经两次告诫仍未改正").id
    issue_document(ctx=ctx, officer_id=mates[0].officer_id, kind="filing_approval",
                   case_id=case, fields={"finding.place": "人民路12号"})
    act(ctx=ctx, case_id=case, officer_id=head, action=Action.APPROVE_FILING)
    recorded = record_inspection(ctx=ctx, data=InspectionData(
        subject_id=vendor, officer_ids=(mates[0].officer_id, mates[1].officer_id),
        at=dt.datetime.now(agency_zone()), address="人民路地铁站B口", findings=(FindingData(
            violation_code="JM01", facts="在人民路地铁站B口占用人行道摆摊经营",
            corrected_on_spot=False),)))
    warning = issue_document(ctx=ctx, officer_id=mates[0].officer_id, kind="warning_notice",
                             finding_id=recorded.finding_ids[0]).id
    subjects = [s for s in find_subjects(ctx=ctx, query="1", limit=50) if s.phone]
    quick = [v for v in violation_types(ctx=ctx) if v.ladder_applies and v.correction_days <= 3]
    for n, reason in enumerate(("当事人多次在同一地点占道，屡教不改", "占道面积大，影响消防通道通行")):
        record_inspection(ctx=ctx, data=InspectionData(
            subject_id=subjects[n + 3].id, officer_ids=(mates[0].officer_id,
                                                        mates[1].officer_id),
            at=dt.datetime.now(agency_zone()) - dt.timedelta(days=6 + n), address="人民路12号",
            findings=(FindingData(violation_code=quick[n].code, facts="占道经营",
                                  corrected_on_spot=False, step=StepKind.WARN,
                                  override_reason=reason),)))
    return {"case": case, "vendor": other, "warning": warning}


def show(app: QApplication, window: MainWindow, key: str, marks: dict[str, str]) -> None:
    page = window.go(key)
    settle(app, window)
    if key == "inspection":
        page.address.setText("人民路地铁站B口")  # type: ignore[attr-defined]
        page.choose_subject(marks["vendor"], "流动摊贩")  # type: ignore[attr-defined]
        page.choose_violation("JM01")  # type: ignore[attr-defined]
        wait_for(app, lambda: page.advice_panel.advice is not None)  # type: ignore[attr-defined]
    elif key == "subjects":
        page.search_box.setText("卖水果")  # type: ignore[attr-defined]
        page.search.search()  # type: ignore[attr-defined]
        settle(app, window)
        page.results.setCurrentRow(0)  # type: ignore[attr-defined]
    elif key == "cases":
        model = page.model  # type: ignore[attr-defined]
        wait_for(app, lambda: model.row_of(marks["case"]) is not None)
        page.table.selectRow(model.row_of(marks["case"]))  # type: ignore[attr-defined]
    elif key == "documents":
        wait_for(app, lambda: bool(page.documents))  # type: ignore[attr-defined]
        page.select(marks["warning"])  # type: ignore[attr-defined]
        wait_for(app, lambda: page.preview is not None)  # type: ignore[attr-defined]
    elif key == "nopenalty":
        wait_for(app, lambda: page.versions is not None)  # type: ignore[attr-defined]
        page.tree.setCurrentItem(page.tree.topLevelItem(0).child(0))  # type: ignore[attr-defined]
    settle(app, window)


def record_on_page(app: QApplication, window: MainWindow) -> None:
    """The inspection page just after recording: what was recorded, its documents."""
    page = window.go("inspection")
    page.facts.setPlainText("在人民路地铁站B口占道销售水果，经劝导未收摊")  # type: ignore[attr-defined]
    page.second.setCurrentIndex(1 if page.second.count() > 1 else 0)  # type: ignore[attr-defined]
    page.confirm.click()  # type: ignore[attr-defined]
    wait_for(app, lambda: page.outcome_panel.outcome is not None)  # type: ignore[attr-defined]
    settle(app, window)


def shoot(app: QApplication, ctx: ServiceContext, user: LoggedIn, marks: dict[str, str],
          keys: list[str], size: tuple[int, int], suffix: str) -> None:
    window = create_main_window(ctx, ask_login=False)
    window.show()
    window.resize(*size)  # after show: the offscreen "screen" is smaller than a laptop's
    window.set_user(user)
    for key in keys:
        show(app, window, key, marks)
        window.grab().save(str(HERE / f"{key}-{suffix}.png"))
        print("saved", f"{key}-{suffix}.png")
    if suffix == "zh":
        record_on_page(app, window)
        window.grab().save(str(HERE / "inspection-recorded-zh.png"))
        print("saved inspection-recorded-zh.png")
    if suffix == "zh":
        window.show_login()
        dialog = window._login_dialog
        wait_for(app, lambda: dialog.officer.count() > 0)
        dialog.grab().save(str(HERE / "login-zh.png"))
        dialog.reject()
    window.worker.shutdown()
    window.close()


FINE = {"kinds": ["fine"], "fine_fen": 50_000}


def case_stages(app: QApplication, ctx: ServiceContext) -> None:
    """One case found on the street, shown at several stages to whom must act."""
    users = login_choices(ctx=ctx)
    leader = next(u for u in users if u.role == "squad_leader")
    lead, assist = [u for u in users if u.role == "officer"
                    and u.squad_id == leader.squad_id][:2]
    head = next(u for u in users if u.role == "agency_head")
    subject = create_subject(ctx=ctx, officer_id=lead.officer_id, data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, name="欧阳明远", shop_sign="明远鲜果店",
        id_number="110101198001010010", gender="male", phone="13800138000",
        address="东华门大街28号")).id
    at = dt.datetime.now(agency_zone()) - dt.timedelta(hours=1)
    record_inspection(ctx=ctx, data=InspectionData(
        subject_id=subject, officer_ids=(lead.officer_id, assist.officer_id), at=at,
        address="东华门大街28号门前", findings=(FindingData(
            violation_code="JM02", facts="在东华门大街28号店外占道摆放水果摊位约6平方米",
            corrected_on_spot=False, step=StepKind.ENFORCE, override_reason="经劝导拒不改正"),)))
    with ctx.read() as s:
        case = s.connection().exec_driver_sql(
            "SELECT id FROM case_file WHERE subject_id = ?", (subject,)).one()[0]
    window = create_main_window(ctx, ask_login=False)
    window.show()
    window.resize(1366, 768)

    def shot(user: LoggedIn, name: str) -> None:
        window.set_user(user)
        page = window.go("cases")
        settle(app, window)
        page.open_only.setCurrentIndex(page.open_only.findData(False))  # type: ignore[attr-defined]
        settle(app, window)
        page.show_case(case)  # type: ignore[attr-defined]
        settle(app, window)
        window.grab().save(str(HERE / f"cases-stage-{name}.png"))
        print("saved", f"cases-stage-{name}.png")

    def issue(kind: str, **kw: object) -> str:
        return issue_document(ctx=ctx, officer_id=lead.officer_id, kind=kind, case_id=case,
                              **kw).id  # type: ignore[arg-type]

    shot(lead, "1-filing")
    issue("filing_approval")
    shot(leader, "2-approval")
    for approver in (leader, head):
        act(ctx=ctx, case_id=case, officer_id=approver.officer_id,
            action=Action.APPROVE_FILING)
    issue("inspection_record")
    act(ctx=ctx, case_id=case, officer_id=lead.officer_id,
        action=Action.FINISH_INVESTIGATION, payload={"penalty": FINE})
    act(ctx=ctx, case_id=case, officer_id=lead.officer_id, action=Action.NOTIFY)
    issue("prior_notice")
    shot(lead, "3-notifying")
    act(ctx=ctx, case_id=case, officer_id=head.officer_id, action=Action.DECIDE,
        payload={"decision": "penalty", "penalty": FINE, "party_waived_statement": True})
    shot(lead, "4-decided")
    window.worker.shutdown()
    window.close()


def main() -> None:
    app = create_application()
    with tempfile.TemporaryDirectory(prefix="fieldapp-shots-") as tmp:
        ctx = open_context(Path(tmp) / "data")
        generate_demo(ctx=ctx)
        i18n.set_language("zh_CN")
        case_stages(app, ctx)
        if "--cases" in sys.argv[1:]:
            ctx.close()
            return
        marks = prepare(ctx)
        user = next(u for u in login_choices(ctx=ctx) if u.role == "squad_leader")
        pages = ["today", "inspection", "subjects", "cases", "documents", "nopenalty",
                 "stats", "settings"]
        i18n.set_language("zh_CN")
        shoot(app, ctx, user, marks, pages, (1366, 768), "zh")
        # Tablet mode as a user sets it: the settings page applies the saved preference.
        save_preferences(ctx.store.data_dir, Preferences(tablet_mode=True))
        apply_look(app, large_text=False, dark_mode=False, tablet_mode=True)
        shoot(app, ctx, user, marks, pages, (1366, 768), "zh-tablet")
        save_preferences(ctx.store.data_dir, Preferences())
        apply_look(app, large_text=False, dark_mode=False, tablet_mode=False)
        shoot(app, ctx, user, marks, ["inspection"], (1920, 1080), "zh-1920")
        i18n.set_language("en")
        shoot(app, ctx, user, marks, ["inspection", "today"], (1920, 1080), "en-1920")
        ctx.close()


if __name__ == "__main__":
    main()
