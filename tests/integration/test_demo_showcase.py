"""The demo shows a real squad: showcase cases at each stage with their history and
documents, bulk cases whose history replays to their state, a handful of late items
per officer, and the same demo for the same seed."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from fieldapp.demo.load import generate_demo
from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.entities import OfficerRole
from fieldapp.domain.localtime import to_local
from fieldapp.domain.workflow import Action, CaseState, Procedure, apply, new_case
from fieldapp.services.agenda import todo_for
from fieldapp.services.cases import case_events
from fieldapp.services.context import open_context
from fieldapp.services.paperwork import dossier_completeness, print_dossier
from fieldapp.services.rules import rule_config
from fieldapp.store.tables import CaseFile, Document, Officer

NOW = dt.datetime(2026, 11, 21, 2, 30, tzinfo=dt.UTC)


def _make(data_dir: Path, seed: int = 3) -> None:
    ctx = open_context(data_dir, clock=lambda: NOW)
    try:
        generate_demo(ctx=ctx, subjects=120, inspections=800, seed=seed)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    _make(data_dir)
    ctx = open_context(data_dir, clock=lambda: NOW)
    yield ctx
    ctx.close()


def _showcases(ctx) -> list[CaseFile]:
    with ctx.read() as session:
        return list(session.exec(select(CaseFile).where(
            col(CaseFile.id).in_(select(Document.case_id)))).all())


def test_showcase_cases_stand_at_every_stage_with_their_events_and_documents(demo) -> None:
    cases = _showcases(demo)
    statuses = Counter(c.status for c in cases)
    for status in ("filing", "investigating", "reviewing", "notifying", "decided",
                   "executing", "closed"):
        assert statuses[status] >= 1, status
    assert any(c.procedure == Procedure.SUMMARY.value for c in cases)
    with demo.read() as session:
        for case in cases:
            events = case_events(ctx=demo, case_id=case.id)
            kinds = set(session.exec(select(Document.kind).where(
                Document.case_id == case.id)))
            assert len(events) >= 2, case.status
            roles = {e.role for e in events}
            if case.procedure == Procedure.ORDINARY.value:
                assert {"inspection_record", "filing_approval"} <= kinds
                assert OfficerRole.SQUAD_LEADER.value in roles  # approved the filing
                if case.status != "filing":
                    assert OfficerRole.AGENCY_HEAD.value in roles
            state = CaseState.from_json(json.loads(case.state_json))
            assert state.status.value == case.status


def test_a_closed_showcase_dossier_is_complete_and_prints_every_document(
        demo, tmp_path) -> None:
    closed = [c for c in _showcases(demo) if c.status == "closed"
              and c.procedure == Procedure.ORDINARY.value]
    assert len(closed) >= 2  # with a penalty, and the 不予行政处罚 one
    with demo.read() as session:
        kinds = {c.id: set(session.exec(select(Document.kind).where(
            Document.case_id == c.id))) for c in closed}
        leader = session.exec(select(Officer.id).where(
            Officer.role == OfficerRole.SQUAD_LEADER.value)).first()
    assert any(DocumentKind.NO_PENALTY_DECISION.value in k for k in kinds.values())
    assert any(DocumentKind.PENALTY_DECISION.value in k for k in kinds.values())
    for case in closed:
        assert dossier_completeness(ctx=demo, case_id=case.id) == []
    case = next(c for c in closed if DocumentKind.PENALTY_DECISION.value in kinds[c.id])
    result = print_dossier(ctx=demo, case_id=case.id, path=tmp_path / "卷.pdf",
                           officer_id=leader)
    assert result.missing == ()
    text = "".join("".join((p.extract_text() or "").split())
                   for p in PdfReader(io.BytesIO(result.path.read_bytes())).pages)
    for kind in kinds[case.id]:
        assert TITLES[DocumentKind(kind)] in text, kind


def test_every_bulk_case_history_replays_to_its_state(demo) -> None:
    config = rule_config(ctx=demo)
    with demo.read() as session:
        cases = session.exec(select(CaseFile)).all()
    assert len(cases) > 30
    for case in cases:
        stored = CaseState.from_json(json.loads(case.state_json))
        state = new_case(procedure=Procedure(case.procedure), organisation=stored.organisation)
        events = case_events(ctx=demo, case_id=case.id)
        assert events and events[0].action == "open", case.case_no
        for event in events[1:]:
            state = apply(state, Action(event.action), role=OfficerRole(event.role),
                          on=to_local(event.at).date(), payload=dict(event.payload),
                          config=config)
        assert state == stored, case.case_no


def test_each_officer_has_a_handful_of_late_items_not_dozens(demo) -> None:
    with demo.read() as session:
        officers = session.exec(select(Officer)).all()
    for officer in officers:
        items = todo_for(ctx=demo, officer_id=officer.id)
        overdue = sum(1 for i in items if i.status == "overdue")
        assert overdue <= 8 and len(items) <= 25, (officer.name, overdue, len(items))
        if officer.role == OfficerRole.OFFICER.value:
            assert overdue >= 3, (officer.name, overdue)


# Columns that belong to the device (its id, its key, a salted password hash) or to the
# chain it signs: everything else is the demo's and must come out the same.
_DEVICE_COLUMNS = {"device_id", "signature", "qr_payload", "pdf_sha256", "password_hash",
                   "public_key"}
_TABLES = ("agency_profile", "squad", "officer", "grid", "subject", "inspection", "finding",
           "ladder_step", "case_file", "case_event", "document", "document_service",
           "evidence", "number_block")


def _dump(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(data_dir / "fieldapp.sqlite3") as conn:
        device = conn.execute("SELECT id FROM device WHERE is_local").fetchone()[0]
        out = {}
        for table in _TABLES:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                       if r[1] not in _DEVICE_COLUMNS]
            rows = conn.execute(f"SELECT {','.join(columns)} FROM {table} ORDER BY id")
            # A hybrid logical clock names the device that wrote the version.
            out[table] = [tuple(v.replace(device, "<device>") if isinstance(v, str) else v
                                for v in row) for row in rows]
    conn.close()
    return out


def test_the_same_seed_gives_the_same_demo_and_another_seed_another(tmp_path) -> None:
    _make(tmp_path / "a")
    _make(tmp_path / "b")
    first, second = _dump(tmp_path / "a"), _dump(tmp_path / "b")
    assert first["document"] and first["case_event"]
    for table in _TABLES:
        assert first[table] == second[table], table
    _make(tmp_path / "c", seed=4)
    assert _dump(tmp_path / "c")["case_file"] != first["case_file"]
