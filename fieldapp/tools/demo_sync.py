"""Developer tool behind ``make demo-sync``: a local HQ with demo data on 127.0.0.1, two
desktop devices enrolled with it, a record made offline on one and seen on the other
after a sync; then the app opens on the first device with HQ running, so a newcomer sees
a sync happen (the sync page, the status bar). ``make run`` needs no HQ at all.

Data goes to ``.demo-sync/`` (HQ, ``desk1``, ``desk2``); run it again to start afresh.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

PORT = 8765
ROOT = Path(".demo-sync")
PASSWORD = "demo1234"


def _hq(root: Path) -> object:
    from fieldapp.hq.context import open_hq
    from fieldapp.hq.services import admin, publish
    from fieldapp.hq.settings import Settings

    hq = open_hq(Settings(db=f"sqlite:///{(root / 'hq' / 'hq.sqlite3').resolve()}",
                          data_dir=root / "hq"))
    try:
        from fieldapp.hq.services.demo import make_demo

        make_demo(hq, subjects=300, inspections=1500)
        print("HQ: demo agency, squads, officers and history (fieldapp-hq demo)")
    except Exception as error:  # the HQ demo generator may not run on this checkout
        print(f"HQ demo data not available ({type(error).__name__}); a small agency instead")
        admin.set_agency(hq, full_name="示例市东城区城市管理综合行政执法局", short_code="东城管")
        admin.add_squad(hq, code="DHM", name="东华门中队")
        for cert, name, role in (("D-LEAD", "王建国", "squad_leader"),
                                 ("D-OFF1", "李秀英", "officer"),
                                 ("D-OFF2", "张伟", "officer")):
            admin.add_officer(hq, squad_code="DHM", name=name, certificate_no=cert,
                              role=role, password=PASSWORD,
                              valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2035, 12, 31))
        publish.publish_catalogue(hq)
    return hq


def _serve(root: Path) -> subprocess.Popen[bytes]:
    db = (root / "hq" / "hq.sqlite3").resolve()
    process = subprocess.Popen([sys.executable, "-c", "import sys; from fieldapp.hq.cli "
                                "import main; sys.exit(main())", "serve", "--db",
                                f"sqlite:///{db}", "--data-dir", str(root / "hq"),
                                "--host", "127.0.0.1", "--port", str(PORT)])
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{PORT}/health", timeout=1).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("HQ did not start")


def _desk(hq: object, root: Path, name: str) -> object:
    from fieldapp.hq.services import admin
    from fieldapp.services.context import open_context
    from fieldapp.services.sync import enroll, online_login, sync_now

    code, _ = admin.enroll_code(hq, squad_code="DHM", device_name=name)  # type: ignore[arg-type]
    ctx = open_context(root / name)
    enroll(ctx=ctx, server=f"http://127.0.0.1:{PORT}", code=code, device_name=name)
    report = sync_now(ctx=ctx)
    print(f"{name}: enrolled, first sync pulled {report.pulled} records, "
          f"{report.numbers_left_total} document numbers leased")
    for cert in ("D-LEAD", "D-OFF1", "D-OFF2"):
        online_login(ctx=ctx, certificate_no=cert, password=PASSWORD)
    return ctx


def _record_offline(ctx: object) -> str:
    from fieldapp.domain.entities import SubjectData, SubjectKind
    from fieldapp.services.subjects import create_subject

    with ctx.read() as session:  # type: ignore[attr-defined]
        officer = session.connection().exec_driver_sql(
            "SELECT id FROM officer WHERE certificate_no = 'D-OFF1'").scalar_one()
    return create_subject(ctx=ctx, officer_id=officer, data=SubjectData(  # type: ignore[arg-type]
        kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="水果", appearance="中年男子，蓝色三轮车",
        usual_place="人民路地铁站B口")).id


def main() -> None:
    from fieldapp.services.sync import sync_now

    shutil.rmtree(ROOT, ignore_errors=True)
    (ROOT / "hq").mkdir(parents=True)
    hq = _hq(ROOT)
    server = _serve(ROOT)
    try:
        one, two = _desk(hq, ROOT, "desk1"), _desk(hq, ROOT, "desk2")
        vendor = _record_offline(two)
        pushed = sync_now(ctx=two)  # type: ignore[arg-type]
        pulled = sync_now(ctx=one)  # type: ignore[arg-type]
        print(f"desk2 recorded a vendor offline and pushed {pushed.pushed} change(s); "
              f"desk1 pulled {pulled.pulled} and has it: {vendor}")
        for ctx in (one, two):
            ctx.close()  # type: ignore[attr-defined]
        print(f"Opening the app on {ROOT / 'desk1'} (HQ at http://127.0.0.1:{PORT}; officers "
              f"D-LEAD, D-OFF1, D-OFF2, password {PASSWORD}); close it to stop HQ.")
        if "--no-app" not in sys.argv:
            subprocess.run([sys.executable, "-m", "fieldapp", "--data-dir",
                            str(ROOT / "desk1")], check=False)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
