"""Cases through the services: roles, legal deadlines in working days, the event log."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from fieldapp.domain.deadlines import DeadlineKind
from fieldapp.domain.entities import CaseStatus, OfficerRole, SubjectData, SubjectKind
from fieldapp.domain.errors import DomainError
from fieldapp.domain.workflow import Action, Procedure
from fieldapp.services.cases import act, case_actions, get_case, list_cases, open_case
from fieldapp.services.staff import add_officer
from fieldapp.services.subjects import create_subject

LOCAL = dt.timezone(dt.timedelta(hours=8))
FINE = {"kinds": ["fine"], "fine_fen": 50000}


@pytest.fixture
def people(org):
    extra = {}
    for name, cert, role in (("刘局长", "11010020001", OfficerRole.AGENCY_HEAD),
                             ("周法制", "11010020002", OfficerRole.LEGAL_REVIEWER)):
        extra[role] = add_officer(ctx=org.ctx, squad_id=org.squad_id, name=name,
                                  certificate_no=cert, valid_from=dt.date(2020, 1, 1),
                                  valid_to=dt.date(2030, 1, 1), role=role).id
    leader, officer, assist = org.officers[:3]
    return {"leader": leader, "officer": officer, "assist": assist,
            "head": extra[OfficerRole.AGENCY_HEAD],
            "reviewer": extra[OfficerRole.LEGAL_REVIEWER]}


@pytest.fixture
def case_id(org, people) -> str:
    subject = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, name="王伟", shop_sign="好再来烧烤",
        id_number="110101198001010010")).id
    return open_case(ctx=org.ctx, officer_ids=(people["officer"], people["assist"]),
                     subject_id=subject, violation_code="JM02",
                     at=dt.datetime(2026, 9, 1, 9, tzinfo=LOCAL)).id


def _act(org, case_id, who, action, payload=None, on=None):
    return act(ctx=org.ctx, case_id=case_id, officer_id=who, action=action,
               payload=payload or {}, on=on)


def test_ordinary_case_from_filing_to_archive_with_deadlines(org, people, case_id) -> None:
    assert case_actions(ctx=org.ctx, case_id=case_id, officer_id=people["officer"]) == []
    assert Action.APPROVE_FILING in case_actions(ctx=org.ctx, case_id=case_id,
                                                 officer_id=people["leader"])
    with pytest.raises(DomainError):
        _act(org, case_id, people["officer"], Action.APPROVE_FILING)
    filed = dt.date(2026, 9, 1)
    _act(org, case_id, people["leader"], Action.APPROVE_FILING, on=filed)
    _act(org, case_id, people["head"], Action.APPROVE_FILING, on=filed)
    view = get_case(ctx=org.ctx, case_id=case_id, today=filed)
    assert view.status is CaseStatus.INVESTIGATING
    # Art. 60: 90 days from filing, 2026-11-30 (a Monday).
    assert [(d.kind, d.due) for d in view.deadlines] == [
        (DeadlineKind.DECISION_AFTER_FILING, dt.date(2026, 11, 30))]

    _act(org, case_id, people["officer"], Action.FINISH_INVESTIGATION, {"penalty": FINE},
         on=dt.date(2026, 9, 20))
    # Notice on Friday 2026-09-25: 5 working days for the statement skip the National Day
    # holiday (Oct 1–8, with Sat Sep 27 and Sat Oct 10 as working days in 2026's schedule
    # as chinese-calendar knows it).
    _act(org, case_id, people["officer"], Action.NOTIFY, on=dt.date(2026, 9, 25))
    view = get_case(ctx=org.ctx, case_id=case_id, today=dt.date(2026, 9, 25))
    statement = {d.kind: d.due for d in view.deadlines}[DeadlineKind.STATEMENT_WINDOW]
    assert statement > dt.date(2026, 9, 30)
    with pytest.raises(DomainError):
        _act(org, case_id, people["head"], Action.DECIDE,
             {"decision": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": 60000},
              "party_waived_statement": True}, on=dt.date(2026, 10, 12))
    _act(org, case_id, people["head"], Action.DECIDE,
         {"decision": "penalty", "penalty": FINE}, on=statement + dt.timedelta(days=1))
    _act(org, case_id, people["officer"], Action.SERVE, on=dt.date(2026, 10, 20))
    view = get_case(ctx=org.ctx, case_id=case_id, today=dt.date(2026, 10, 20))
    assert {d.kind: d.due for d in view.deadlines}[DeadlineKind.PAYMENT] == dt.date(2026, 11, 4)
    _act(org, case_id, people["officer"], Action.RECORD_PAYMENT, {"amount_fen": 50000},
         on=dt.date(2026, 10, 30))
    _act(org, case_id, people["officer"], Action.REQUEST_CLOSE, on=dt.date(2026, 10, 30))
    _act(org, case_id, people["leader"], Action.APPROVE_CLOSE, on=dt.date(2026, 10, 31))
    _act(org, case_id, people["leader"], Action.ARCHIVE, on=dt.date(2026, 11, 2))
    assert get_case(ctx=org.ctx, case_id=case_id).status is CaseStatus.ARCHIVED
    with sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        actions = [r[0] for r in conn.execute(
            "SELECT action FROM case_event WHERE case_id = ? ORDER BY rowid", (case_id,))]
        audited = conn.execute("SELECT COUNT(*) FROM audit_event WHERE entity_id = ? AND "
                               "action LIKE 'case.%'", (case_id,)).fetchone()[0]
    assert actions[:3] == ["open", "approve_filing", "approve_filing"]
    assert actions[-1] == "archive" and audited == len(actions)


def test_refused_action_writes_nothing(org, people, case_id) -> None:
    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT COUNT(*) FROM case_event").fetchone()[0]
    with pytest.raises(DomainError):
        _act(org, case_id, people["head"], Action.DECIDE, {"decision": "penalty",
                                                          "penalty": FINE})
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM case_event").fetchone()[0] == before


def test_overdue_cases_are_listed_per_officer(org, people, case_id) -> None:
    for who in ("leader", "head"):
        _act(org, case_id, people[who], Action.APPROVE_FILING, on=dt.date(2026, 6, 1))
    overdue = list_cases(ctx=org.ctx, overdue_only=True, today=dt.date(2026, 9, 15))
    assert [c.id for c in overdue] == [case_id]
    assert overdue[0].next_deadline.status == "overdue"
    assert list_cases(ctx=org.ctx, officer_id=people["reviewer"]) == []
    assert [c.id for c in list_cases(ctx=org.ctx, officer_id=people["assist"])] == [case_id]


def test_summary_procedure_on_the_spot(org, people) -> None:
    subject = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="赵六", id_number="110101199003200031")).id
    cid = open_case(ctx=org.ctx, officer_ids=(people["officer"], people["assist"]),
                    subject_id=subject, violation_code="SR01", procedure=Procedure.SUMMARY).id
    with pytest.raises(Exception, match="200"):
        _act(org, cid, people["officer"], Action.DECIDE_ON_SPOT,
             {"penalty": {"kinds": ["fine"], "fine_fen": 30000}})
    _act(org, cid, people["officer"], Action.DECIDE_ON_SPOT,
         {"penalty": {"kinds": ["fine"], "fine_fen": 5000}}, on=dt.date(2026, 9, 1))
    assert get_case(ctx=org.ctx, case_id=cid).status is CaseStatus.SERVED
