"""Authority lives in the services: every data-changing service, found in the code (every
caller of the write transaction), refuses an officer whose role may not do it, with
nothing written; the few open writes (login, set-up, built-in data) are named and the
set-up is closed once an officer has logged in.

The services are found by reading the source (``ast``): each public function of
``fieldapp.services`` or ``fieldapp.demo`` that reaches ``ctx.write`` /
``ctx.authorize`` / ``store.write``. A new one that this file does not call fails
``test_every_writer_is_covered`` until a refusal case is added below.
"""

from __future__ import annotations

import ast
import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import fieldapp
from fieldapp.domain.entities import (
    FindingData,
    InspectionData,
    OfficerRole,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.permissions import OPEN, PERMISSIONS, Action, PermissionDenied
from fieldapp.domain.workflow import Action as CaseAction
from fieldapp.resources import resource

PACKAGE = Path(fieldapp.__file__).parent
_WRITERS = {"write", "authorize"}
# Writes of the device itself, not of a person: registering and covering a store.
SYSTEM = {"fieldapp/services/context.py:open_context"}
# The write transaction itself (what every service above calls).
PRIMITIVES = {"fieldapp/services/context.py:write", "fieldapp/services/context.py:authorize"}


def _writers() -> dict[str, list[str]]:
    """``module path:function`` → the actions named where it writes (AST)."""
    found: dict[str, list[str]] = {}
    for path in sorted([*PACKAGE.glob("services/**/*.py"), *PACKAGE.glob("demo/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        direct: dict[str, list[str]] = {}
        calls: dict[str, set[str]] = {}
        for name, fn in funcs.items():
            actions, called = [], set()
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                if _is_transaction(node.func):
                    actions += [ast.unparse(k.value) for k in node.keywords
                                if k.arg == "action"] or ["(store)"]
                elif isinstance(node.func, ast.Name):
                    called.add(node.func.id)
            direct[name], calls[name] = actions, called

        def reaches(name: str, seen: frozenset[str] = frozenset(),
                    direct: dict[str, list[str]] = direct,
                    calls: dict[str, set[str]] = calls) -> bool:
            return bool(direct.get(name)) or any(
                reaches(c, seen | {name}) for c in calls.get(name, ()) if c not in seen)

        rel = path.relative_to(PACKAGE.parent).as_posix()
        for name in funcs:
            if not name.startswith("_") and reaches(name):
                found[f"{rel}:{name}"] = direct.get(name, [])
    return found


def _is_transaction(func: ast.expr) -> bool:
    """``ctx.write(…)``, ``ctx.store.write(…)``, ``ctx.authorize(…)`` (not a file's write)."""
    if not isinstance(func, ast.Attribute) or func.attr not in _WRITERS:
        return False
    owner = func.value
    name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
    return name in ("ctx", "store", "self")


# --- a squad with a record of each kind -------------------------------------------------


@dataclass
class Squad:
    ctx: Any
    squad_id: str
    by_role: dict[OfficerRole, str]
    subject: str
    finding: str
    case: str
    document: str
    revisit: str
    tmp: Path

    def counts(self) -> tuple[int, ...]:
        conn = sqlite3.connect(self.ctx.store.data_dir / "fieldapp.sqlite3")
        try:
            return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in (
                "audit_event", "outbox", "subject", "inspection", "case_event", "document",
                "holiday", "rule_setting", "no_penalty_list", "officer", "number_block"))
        finally:
            conn.close()


UTC8 = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC8)


@pytest.fixture
def squad(tmp_path) -> Squad:
    from fieldapp.services.cases import open_case
    from fieldapp.services.context import open_context
    from fieldapp.services.inspections import list_revisits, record_inspection
    from fieldapp.services.paperwork import issue_document
    from fieldapp.services.rules import load_catalogue, load_city_rules, load_default_list
    from fieldapp.services.staff import add_officer, add_squad, set_agency
    from fieldapp.services.subjects import create_subject

    ctx = open_context(tmp_path / "data", clock=lambda: AT + dt.timedelta(days=1))
    load_catalogue(ctx=ctx)
    load_default_list(ctx=ctx)
    load_city_rules(ctx=ctx)
    set_agency(ctx=ctx, full_name="示例市东城区城市管理综合行政执法局", short_code="东城管")
    squad_id = add_squad(ctx=ctx, name="东华门中队", code="DHM").id
    by_role = {role: add_officer(ctx=ctx, squad_id=squad_id, name=f"{role.value}甲",
                                 certificate_no=f"C{n:03d}", valid_from=dt.date(2020, 1, 1),
                                 valid_to=dt.date(2030, 12, 31), role=role).id
               for n, role in enumerate(OfficerRole)}
    mate = add_officer(ctx=ctx, squad_id=squad_id, name="队员乙", certificate_no="C900",
                       valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 12, 31)).id
    officer = by_role[OfficerRole.OFFICER]
    subject = create_subject(ctx=ctx, officer_id=officer, data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="陈小明")).id
    recorded = record_inspection(ctx=ctx, data=InspectionData(
        subject_id=subject, officer_ids=(officer, mate), at=AT, address="东华门大街30号",
        findings=(FindingData(violation_code="JM01", facts="占道经营",
                              corrected_on_spot=False, step=StepKind.WARN,
                              override_reason="屡教不改"),)))
    case = open_case(ctx=ctx, officer_ids=(officer, mate), subject_id=subject,
                     violation_code="JM01", summary="占道经营", at=AT).id
    document = issue_document(ctx=ctx, officer_id=officer, kind="warning_notice",
                              finding_id=recorded.finding_ids[0]).id
    [revisit] = list_revisits(ctx=ctx, now=AT + dt.timedelta(days=30))
    return Squad(ctx, squad_id, by_role | {OfficerRole.OFFICER: officer}, subject,
                 recorded.finding_ids[0], case, document, revisit.id, tmp_path)


# --- how to call each writer on behalf of an officer ------------------------------------


def _calls() -> dict[str, tuple[Action, Callable[[Squad, str], object]]]:
    from fieldapp.demo.load import generate_demo  # noqa: F401  (open: empty store only)
    from fieldapp.services import cases, inspections, paperwork, records, rules, staff, sync
    from fieldapp.services import subjects as subj
    from fieldapp.services.inspections import recording
    from fieldapp.services.staff import auth, organisation

    def inspect(s: Squad, officer: str) -> object:
        return recording.record_inspection(ctx=s.ctx, data=InspectionData(
            subject_id=s.subject, officer_ids=(officer, s.by_role[OfficerRole.OFFICER]),
            at=AT, address="东华门大街30号", findings=(FindingData(
                violation_code="JM01", facts="占道", corrected_on_spot=True),)))

    csv = resource("catalogue", "no_penalty_list.json")
    return {
        "fieldapp/services/cases/workflow.py:act": (Action.ACT_ON_CASE, lambda s, o: cases.act(
            ctx=s.ctx, case_id=s.case, officer_id=o, action=CaseAction.APPROVE_FILING)),
        "fieldapp/services/cases/workflow.py:open_case": (Action.OPEN_CASE, lambda s, o: (
            cases.open_case(ctx=s.ctx, officer_ids=(o, s.by_role[OfficerRole.OFFICER]),
                            subject_id=s.subject, violation_code="JM01", at=AT))),
        "fieldapp/services/inspections/recording.py:record_inspection": (
            Action.RECORD_INSPECTION, inspect),
        "fieldapp/services/inspections/revisits.py:complete_revisit": (
            Action.COMPLETE_REVISIT, lambda s, o: inspections.complete_revisit(
                ctx=s.ctx, revisit_id=s.revisit, officer_id=o, corrected=True, at=AT)),
        "fieldapp/services/paperwork/documents.py:issue_document": (
            Action.ISSUE_DOCUMENT, lambda s, o: paperwork.issue_document(
                ctx=s.ctx, officer_id=o, kind="warning_notice", finding_id=s.finding)),
        "fieldapp/services/paperwork/documents.py:amend_document": (
            Action.AMEND_DOCUMENT, lambda s, o: paperwork.amend_document(
                ctx=s.ctx, officer_id=o, document_id=s.document, fields={},
                reason="当事人姓名写错")),
        "fieldapp/services/paperwork/documents.py:void_document": (
            Action.VOID_DOCUMENT, lambda s, o: paperwork.void_document(
                ctx=s.ctx, officer_id=o, document_id=s.document, reason="填错")),
        "fieldapp/services/paperwork/service.py:record_service": (
            Action.SERVE_DOCUMENT, lambda s, o: paperwork.record_service(
                ctx=s.ctx, document_id=s.document, method="direct", served_at=AT,
                officer_ids=(o, s.by_role[OfficerRole.OFFICER]), receiver="陈小明")),
        "fieldapp/services/paperwork/dossier.py:print_dossier": (
            Action.PRINT_DOSSIER, lambda s, o: paperwork.print_dossier(
                ctx=s.ctx, case_id=s.case, path=s.tmp / "卷.pdf", officer_id=o)),
        "fieldapp/services/paperwork/numbers.py:reserve_block": (
            Action.RESERVE_NUMBERS, lambda s, o: paperwork.reserve_block(
                ctx=s.ctx, squad_id=s.squad_id, kind="prior_notice", year=2026,
                officer_id=o)),
        "fieldapp/services/paperwork/numbers.py:set_number_pattern": (
            Action.SET_NUMBER_PATTERN, lambda s, o: paperwork.set_number_pattern(
                ctx=s.ctx, officer_id=o, pattern="{agency}{code}〔{year}〕第{serial}号")),
        "fieldapp/services/paperwork/numbers.py:void_unused_number": (
            Action.VOID_NUMBER, lambda s, o: paperwork.void_unused_number(
                ctx=s.ctx, officer_id=o, squad_id=s.squad_id, kind="warning_notice",
                year=2026, serial=9, reason="损毁")),
        "fieldapp/services/records/backup.py:backup": (Action.BACK_UP, lambda s, o: (
            records.backup(ctx=s.ctx, dest=s.tmp / "b.zip", officer_id=o))),
        "fieldapp/services/records/backup_keys.py:create_agency_backup_key": (
            Action.SET_RULES, lambda s, o: records.create_agency_backup_key(
                private_key_file=s.tmp / "agency.pem", ctx=s.ctx, officer_id=o)),
        "fieldapp/services/rules/calendar.py:add_calendar_day": (
            Action.IMPORT_CALENDAR, lambda s, o: rules.add_calendar_day(
                ctx=s.ctx, officer_id=o, day=dt.date(2027, 2, 6), kind="holiday",
                name="春节")),
        "fieldapp/services/rules/calendar.py:remove_user_day": (
            Action.IMPORT_CALENDAR, lambda s, o: rules.remove_user_day(
                ctx=s.ctx, officer_id=o, day=dt.date(2027, 2, 6))),
        "fieldapp/services/rules/calendar.py:import_calendar_csv": (
            Action.IMPORT_CALENDAR, lambda s, o: rules.import_calendar_csv(
                ctx=s.ctx, officer_id=o, path=_holidays(s.tmp), year=2027)),
        "fieldapp/services/rules/catalogue.py:load_catalogue": (
            Action.SET_RULES, lambda s, o: rules.load_catalogue(
                ctx=s.ctx, path=resource("catalogue", "violations.json"), officer_id=o)),
        "fieldapp/services/rules/city_rules.py:load_city_rules": (
            Action.SET_RULES, lambda s, o: rules.load_city_rules(
                ctx=s.ctx, path=resource("catalogue", "demo_city_rules.json"), officer_id=o)),
        "fieldapp/services/rules/city_rules.py:set_city_rule": (
            Action.SET_RULES, lambda s, o: rules.set_city_rule(
                ctx=s.ctx, officer_id=o, rule=rules.CityRule(
                    violation_code="JM01", provision="《示例市市容条例》第十条",
                    penalty_provision="《示例市市容条例》第三十条",
                    effective_from=dt.date(2027, 1, 1)))),
        "fieldapp/services/rules/list_review.py:map_item": (
            Action.IMPORT_LIST, lambda s, o: rules.map_item(
                ctx=s.ctx, officer_id=o, list_id="no-such-list", item_no=1, codes=["JM01"])),
        "fieldapp/services/rules/list_review.py:publish_list": (
            Action.IMPORT_LIST, lambda s, o: rules.publish_list(
                ctx=s.ctx, officer_id=o, list_id="no-such-list")),
        "fieldapp/services/rules/no_penalty.py:import_list": (
            Action.IMPORT_LIST, lambda s, o: rules.import_list(
                ctx=s.ctx, officer_id=o, path=csv, metadata={"doc_no": "示城管发〔2027〕1号"})),
        "fieldapp/services/rules/settings.py:set_rule": (Action.SET_RULES, lambda s, o: (
            rules.set_rule(ctx=s.ctx, officer_id=o, key="lookback_months", value=6))),
        "fieldapp/services/staff/auth.py:set_password": (
            Action.SET_PASSWORD, lambda s, o: auth.set_password(
                ctx=s.ctx, officer_id=s.by_role[OfficerRole.OFFICER], password="secret99",
                by_officer_id=o)),
        "fieldapp/services/staff/confirm.py:set_pin": (
            Action.SET_OWN_PASSWORD, lambda s, o: staff.set_pin(
                ctx=s.ctx, officer_id=o, pin="2468", by_officer_id=o)),
        "fieldapp/services/staff/organisation.py:add_squad": (
            Action.MANAGE_OFFICERS, lambda s, o: _after_login(s, lambda: staff.add_squad(
                ctx=s.ctx, name="朝阳门中队", code="CYM", by_officer_id=o))),
        "fieldapp/services/staff/organisation.py:add_officer": (
            Action.MANAGE_OFFICERS, lambda s, o: _after_login(s, lambda: staff.add_officer(
                ctx=s.ctx, squad_id=s.squad_id, name="新队员", certificate_no="C777",
                valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 1, 1),
                by_officer_id=o))),
        "fieldapp/services/staff/organisation.py:add_grid": (
            Action.MANAGE_OFFICERS, lambda s, o: _after_login(s, lambda: organisation.add_grid(
                ctx=s.ctx, squad_id=s.squad_id, code="G1", name="网格一",
                by_officer_id=o))),
        "fieldapp/services/staff/organisation.py:set_agency": (
            Action.MANAGE_OFFICERS, lambda s, o: _after_login(s, lambda: staff.set_agency(
                ctx=s.ctx, full_name="另一个局", short_code="另", by_officer_id=o))),
        "fieldapp/services/sync/enrollment.py:enroll": (
            Action.ENROLL_DEVICE, lambda s, o: sync.enroll(
                ctx=s.ctx, server="http://127.0.0.1:9", code="ABCD-1234", officer_id=o)),
        "fieldapp/services/sync/views.py:mark_dealt_with": (
            Action.SYNC, lambda s, o: sync.mark_dealt_with(
                ctx=s.ctx, officer_id=o, change_id="no-such-change")),
        "fieldapp/services/sync/views.py:send_again": (
            Action.SYNC, lambda s, o: sync.send_again(
                ctx=s.ctx, officer_id=o, change_id="no-such-change")),
        "fieldapp/services/sync/views.py:resolve_conflict": (
            Action.RESOLVE_CONFLICT, lambda s, o: sync.resolve_conflict(
                ctx=s.ctx, officer_id=o, conflict_id="no-such-conflict")),
        "fieldapp/services/sync/leaders.py:decide_merge": (
            Action.MERGE_SUBJECTS, lambda s, o: sync.decide_merge(
                ctx=s.ctx, officer_id=o, proposal_id="no-such-proposal", merge=True)),
        "fieldapp/services/sync/leaders.py:see_late_step": (
            Action.RESOLVE_CONFLICT, lambda s, o: sync.see_late_step(
                ctx=s.ctx, officer_id=o, step_id="no-such-step")),
        "fieldapp/services/subjects/agreements.py:add_agreement": (
            Action.RECORD_AGREEMENT, lambda s, o: subj.add_agreement(
                ctx=s.ctx, officer_id=o, subject_id=s.subject, signed_on=dt.date(2026, 1, 1),
                scope="门前5米")),
        "fieldapp/services/subjects/profiles.py:create_subject": (
            Action.RECORD_SUBJECT, lambda s, o: subj.create_subject(
                ctx=s.ctx, officer_id=o, data=SubjectData(kind=SubjectKind.INDIVIDUAL,
                                                          name="赵六"))),
        "fieldapp/services/subjects/profiles.py:update_subject": (
            Action.RECORD_SUBJECT, lambda s, o: subj.update_subject(
                ctx=s.ctx, officer_id=o, subject_id=s.subject, changes={"phone": "13900000001"})),
    }


# Writes nobody's role decides, and why; each is checked below in its own way.
OPEN_WRITERS = {
    "fieldapp/demo/load.py:generate_demo": "only into an empty data directory",
    "fieldapp/services/rules/no_penalty.py:load_default_list": "the built-in list",
    "fieldapp/services/staff/auth.py:login": "counts failed passwords before anyone is in",
    "fieldapp/services/staff/confirm.py:confirm_officer": "the second officer's password or "
    "PIN, counted on the same lock-out as a login",
}


def _holidays(folder: Path) -> Path:
    path = folder / "2027.csv"
    path.write_text("date,kind,name\n2027-02-06,holiday,春节\n", encoding="utf-8")
    return path


def _after_login(s: Squad, call: Callable[[], object]) -> object:
    """Set-up is over once someone has logged in: organisation changes need a leader."""
    from fieldapp.services.staff import login
    from fieldapp.services.staff.auth import set_password

    leader = s.by_role[OfficerRole.SQUAD_LEADER]
    with s.ctx.read() as session:
        done = session.connection().exec_driver_sql(
            "SELECT 1 FROM sync_state WHERE key = 'setup_done'").first()
    if done is None:
        set_password(ctx=s.ctx, officer_id=leader, password="secret99")
        login(ctx=s.ctx, certificate_no="C001", password="secret99")
    return call()


def _forbidden(action: Action) -> OfficerRole | None:
    """A role that may not take ``action`` (None: every role may; then nobody is tried)."""
    return next((r for r in (OfficerRole.AUXILIARY, OfficerRole.LEGAL_REVIEWER,
                             OfficerRole.OFFICER, OfficerRole.SQUAD_LEADER,
                             OfficerRole.AGENCY_HEAD) if r not in PERMISSIONS[action]), None)


def test_every_writer_is_covered() -> None:
    found = _writers()
    assert set(found) - PRIMITIVES == set(_calls()) | set(OPEN_WRITERS) | SYSTEM, (
        "a data-changing service without a refusal case here, or a case for none")
    for name, (action, _call) in _calls().items():
        named = {a.split(".")[-1] for a in found[name] if a.startswith(("Action.", "permissions."))}
        assert not named or action.name in named or name.endswith((
            "set_password", "add_squad", "add_officer", "add_grid", "set_agency")), name


@pytest.mark.parametrize("name", sorted(_calls()))
def test_a_role_that_may_not_is_refused_and_nothing_is_written(squad, name) -> None:
    action, call = _calls()[name]
    role = _forbidden(action)
    officer = squad.by_role[role] if role is not None else ""
    if name.startswith("fieldapp/services/staff/organisation.py"):
        _after_login(squad, lambda: None)
    before = squad.counts()
    with pytest.raises(PermissionDenied) as refused:
        call(squad, officer)
    assert refused.value.action in (action, Action.MANAGE_OFFICERS)
    assert refused.value.role == role
    assert squad.counts() == before
    assert not any((squad.tmp / f).exists() for f in ("b.zip", "卷.pdf", "agency.pem"))


def test_the_open_writes_are_the_declared_ones() -> None:
    assert {Action.LOGIN, Action.REGISTER_DEVICE, Action.LOAD_CATALOGUE, Action.SET_UP,
            Action.GENERATE_DEMO} == OPEN


def test_set_up_without_an_officer_ends_with_the_first_login(squad) -> None:
    from fieldapp.services.staff import add_squad

    add_squad(ctx=squad.ctx, name="第二中队", code="S2")  # still setting up: allowed
    with pytest.raises(PermissionDenied):
        _after_login(squad, lambda: add_squad(ctx=squad.ctx, name="第三中队", code="S3"))
    leader = squad.by_role[OfficerRole.SQUAD_LEADER]
    assert add_squad(ctx=squad.ctx, name="第三中队", code="S3", by_officer_id=leader).id


def test_an_inactive_officer_is_refused(squad) -> None:
    from fieldapp.services.subjects import create_subject

    officer = squad.by_role[OfficerRole.OFFICER]
    conn = sqlite3.connect(squad.ctx.store.data_dir / "fieldapp.sqlite3")
    conn.execute("UPDATE officer SET active = 0 WHERE id = ?", (officer,))
    conn.commit()
    conn.close()
    with pytest.raises(PermissionDenied):
        create_subject(ctx=squad.ctx, officer_id=officer,
                       data=SubjectData(kind=SubjectKind.INDIVIDUAL, name="钱七"))
