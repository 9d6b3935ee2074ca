"""Two writers sending the same inspection id at once: both get the winner's answer.

The race is made certain: a third connection holds SQLite's write lock while two
threads, each with its own store, check that the id is new (it is) and then wait for
the lock; released, one records the inspection and the other must find it there."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time

from fieldapp.domain.entities import FindingData, InspectionData, StepKind, SubjectData, SubjectKind
from fieldapp.services.context import open_context
from fieldapp.services.inspections import RecordedInspection, record_inspection
from fieldapp.services.subjects import create_subject

AT = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_the_loser_of_a_race_on_one_id_gets_the_same_answer(org) -> None:
    data_dir = org.ctx.store.data_dir
    db = data_dir / "fieldapp.sqlite3"
    subject = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="水果", appearance="蓝色三轮车")).id
    with sqlite3.connect(db) as conn:
        code = conn.execute("SELECT MIN(code) FROM violation_type").fetchone()[0]
    data = InspectionData(subject_id=subject, officer_ids=(org.officers[1], org.officers[2]),
                          at=AT, address="人民路1号", findings=(FindingData(
                              violation_code=code, facts="占道经营", corrected_on_spot=True,
                              step=StepKind.EDUCATE),))
    inspection_id = org.ctx.new_id()
    answers: list[RecordedInspection] = []
    errors: list[BaseException] = []

    def send() -> None:
        ctx = open_context(data_dir)
        try:
            answers.append(record_inspection(ctx=ctx, data=data, inspection_id=inspection_id))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            ctx.close()

    holder = sqlite3.connect(db, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # both have found the id unused and wait for the write lock
    holder.execute("ROLLBACK")
    holder.close()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(answers) == 2
    winner, loser = sorted(answers, key=lambda a: len(a.changed), reverse=True)
    assert winner.changed and not loser.changed  # one wrote, the other found it written
    assert (loser.inspection_id, loser.finding_ids, loser.step_ids, loser.evidence_ids) == (
        winner.inspection_id, winner.finding_ids, winner.step_ids, winner.evidence_ids)
    with sqlite3.connect(db) as conn:
        counts = [conn.execute(f"SELECT COUNT(*) FROM {t} WHERE {c} = ?", (inspection_id,))
                  .fetchone()[0] for t, c in (("inspection", "id"),
                                              ("finding", "inspection_id"))]
        events = conn.execute("SELECT COUNT(*) FROM audit_event WHERE action = "
                              "'inspection.record' AND entity_id = ?",
                              (inspection_id,)).fetchone()[0]
    assert counts == [1, 1] and events == 1
