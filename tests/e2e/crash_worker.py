"""Records findings until the store holds TARGET inspections; killed at random by
test_crash_safety. Prints "done <id>" only after record_inspection has returned."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from fieldapp.domain.entities import FindingData, InspectionData
from fieldapp.services.context import open_context
from fieldapp.services.inspections import record_inspection


def main() -> None:
    data_dir, target = Path(sys.argv[1]), int(sys.argv[2])
    ctx = open_context(data_dir)
    with ctx.read() as session:
        conn = session.connection()
        officers = [r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM officer WHERE role != 'legal_reviewer' ORDER BY certificate_no")]
        subjects = [r[0] for r in conn.exec_driver_sql("SELECT id FROM subject")]
        code = conn.exec_driver_sql("SELECT MIN(code) FROM violation_type").scalar_one()
        done = conn.exec_driver_sql("SELECT COUNT(*) FROM inspection").scalar_one()
    at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    while done < target:
        inspection_id = ctx.new_id()
        print("begin", inspection_id, flush=True)
        record_inspection(ctx=ctx, inspection_id=inspection_id, data=InspectionData(
            subject_id=subjects[done % len(subjects)], officer_ids=(officers[0], officers[1]),
            at=at + dt.timedelta(minutes=done), address="人民路1号",
            findings=(FindingData(violation_code=code, facts=f"第{done}次检查发现占道经营",
                                  corrected_on_spot=False),)))
        print("done", inspection_id, flush=True)
        done += 1
    ctx.close()


if __name__ == "__main__":
    main()
