"""The ``fieldapp`` command end to end: demo, subjects, inspect, audit, backup, errors."""

from __future__ import annotations

import sqlite3

from fieldapp.demo.showcase import SHOWCASES
from fieldapp.domain.identity import resident_id_check_digit


def _db_counts(cli) -> tuple[int, ...]:
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("subject", "inspection", "outbox", "audit_event"))


def _officers(cli) -> list[str]:
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        return [r[0] for r in conn.execute(
            "SELECT certificate_no FROM officer WHERE role IN ('officer','squad_leader') "
            "ORDER BY certificate_no")]


def test_demo_makes_the_documented_data_set(demo_cli) -> None:
    with sqlite3.connect(demo_cli.data_dir / "fieldapp.sqlite3") as conn:
        count = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in (
            "agency_profile", "squad", "officer", "grid", "subject", "inspection", "finding",
            "ladder_step", "case_file")}
        kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM subject")}
        steps = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM ladder_step")}
        open_cases = conn.execute(
            "SELECT COUNT(*) FROM case_file WHERE status NOT IN ('closed','archived')"
        ).fetchone()[0]
        dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        steps_by_kind = dict(conn.execute("SELECT kind, COUNT(*) FROM ladder_step GROUP BY kind"))
        roles = dict(conn.execute("SELECT role, COUNT(*) FROM officer GROUP BY role"))
        patrolled_by = {r[0] for r in conn.execute(
            "SELECT o.role FROM inspection i JOIN officer o ON o.id IN "
            "(i.officer1_id, i.officer2_id)")}
    assert dangling == []
    assert {"ix_inspection_subject_at", "ix_ladder_subject_violation_at"} <= indexes
    # Roughly the 721 shape: most encounters end with education, few with enforcement.
    assert steps_by_kind["educate"] > steps_by_kind["warn"] > steps_by_kind["enforce"]
    assert count["agency_profile"] == 1 and count["squad"] == 2 and count["officer"] == 8
    # The showcase cases add a party each; all but the on-the-spot one an inspection.
    shown = len(SHOWCASES)
    assert count["subject"] == 300 + shown and count["inspection"] == 2000 + shown - 1
    # Both approvals a filing needs can be given in the demo: two squad leaders and the
    # agency head (负责人); neither the head nor the legal reviewer patrols.
    assert roles == {"squad_leader": 2, "officer": 4, "legal_reviewer": 1, "agency_head": 1}
    assert patrolled_by == {"squad_leader", "officer"}
    assert count["finding"] == count["ladder_step"] == 2000 + shown - 1
    assert kinds == {"individual", "business", "individual_business", "unidentified_vendor"}
    assert steps == {"educate", "warn", "enforce"}
    assert open_cases > 0
    assert demo_cli("audit", "verify").code == 0


def test_demo_is_deterministic_and_refuses_a_full_directory(cli, make_cli, tmp_path) -> None:
    other = make_cli(tmp_path / "other")
    assert cli("demo", "--subjects", "40", "--inspections", "100", "--seed", "3").code == 0
    assert other("demo", "--subjects", "40", "--inspections", "100", "--seed", "3").code == 0
    query = "SELECT name, shop_sign, id_number, credit_code FROM subject ORDER BY local_seq"
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as a, \
            sqlite3.connect(other.data_dir / "fieldapp.sqlite3") as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
    again = cli("demo")
    assert again.code == 2
    assert "数据目录" in again.err
    assert cli("demo", "--if-empty").code == 0


def test_subject_add_find_show_and_inspect(demo_cli) -> None:
    first17 = "11010519800101123"
    number = first17 + resident_id_check_digit(first17)
    add = demo_cli("subject", "add", "--kind", "individual", "--name", "欧阳娜娜",
                   "--id-number", number, "--phone", "13600001234",
                   "--officer", _officers(demo_cli)[0], "--json")
    assert add.code == 0, add.err
    sid = add.json()["id"]
    found = demo_cli("subject", "find", "oynn", "--json").json()
    assert [s["id"] for s in found["subjects"]] == [sid]
    assert demo_cli("subject", "find", "00001234", "--json").json()["subjects"][0]["id"] == sid
    o1, o2 = _officers(demo_cli)[:2]
    with sqlite3.connect(demo_cli.data_dir / "fieldapp.sqlite3") as conn:
        code = conn.execute("SELECT code FROM violation_type ORDER BY code").fetchone()[0]
    rec = demo_cli("inspect", "--subject", sid, "--violation", code, "--facts",
                   "在人民路晾晒衣物", "--corrected", "--officer", o1, "--officer", o2,
                   "--at", "2026-11-20T10:00:00+08:00", "--address", "人民路12号", "--json")
    assert rec.code == 0, rec.err
    shown = demo_cli("subject", "show", sid, "--json").json()
    assert shown["subject"]["name"] == "欧阳娜娜"
    assert [h["id"] for h in shown["history"]] == rec.json()["finding_ids"]
    text = demo_cli("subject", "show", sid)
    assert "在人民路晾晒衣物" in text.out and "教育劝导" in text.out


def test_bad_input_exits_2_names_the_field_and_writes_nothing(demo_cli) -> None:
    before = _db_counts(demo_cli)
    bad = demo_cli("subject", "add", "--kind", "individual", "--name", "张三",
                   "--id-number", "110105194912310021")
    assert bad.code == 2
    assert bad.err.strip().startswith("身份证号")
    assert len(bad.err.strip().splitlines()) == 1
    english = demo_cli("--lang", "en", "subject", "add", "--kind", "individual",
                       "--name", "张三", "--phone", "12345")
    assert english.code == 2
    assert english.err.strip().startswith("phone:")
    missing = demo_cli("subject", "add", "--name", "x")
    assert missing.code == 2 and "--kind" in missing.err
    unknown = demo_cli("inspect", "--subject", "00000000-0000-7000-8000-000000000000",
                       "--violation", "X", "--facts", "f", "--address", "人民路1号",
                       "--officer", "nobody", "--officer", "nobody2")
    assert unknown.code == 2 and "执法证号" in unknown.err
    assert _db_counts(demo_cli) == before


def test_help_is_chinese_by_default_and_english_on_request(cli) -> None:
    zh = cli("--help")
    assert zh.code == 0 and "用法" in zh.out and "子命令" in zh.out
    en = cli("--lang", "en", "subject", "find", "--help")
    assert en.code == 0 and "usage:" in en.out


def test_backup_and_restore_commands(demo_cli, make_cli, tmp_path) -> None:
    with sqlite3.connect(demo_cli.data_dir / "fieldapp.sqlite3") as conn:
        leader = conn.execute("SELECT certificate_no FROM officer WHERE role = "
                              "'squad_leader' ORDER BY certificate_no").fetchone()[0]
    private = tmp_path / "hq" / "agency.pem"
    private.parent.mkdir()
    keygen = demo_cli("backup-key", str(private), "--officer", leader, "--json")
    assert keygen.code == 0, keygen.err
    assert private.stat().st_mode & 0o777 == 0o600 and len(keygen.json()["public_key"]) == 43
    target = tmp_path / "backup.fab"
    made = demo_cli("backup", str(target), "--officer", _officers(demo_cli)[0], "--json")
    assert made.code == 0, made.err
    assert made.json()["audit_events"] > 0 and made.json()["sealed_with"] == "agency key"
    again = demo_cli("backup", str(target), "--officer", _officers(demo_cli)[0])
    assert again.code == 2 and "已存在" in again.err  # never over an existing file
    over = demo_cli("backup", str(target), "--overwrite", "--officer", _officers(demo_cli)[0],
                    "--json")
    assert over.code == 0, over.err
    assert over.json()["audit_events"] > made.json()["audit_events"]  # the later state
    inside = demo_cli("backup", str(demo_cli.data_dir / "b.fab"), "--officer", leader)
    assert inside.code == 2 and "数据目录" in inside.err
    fresh = make_cli(tmp_path / "restored")
    keyless = fresh("restore", str(target), "--json")  # sealed to the agency: needs its key
    assert keyless.code == 2 and "私钥文件" in keyless.err
    assert not (fresh.data_dir / "fieldapp.sqlite3").exists()
    restored = fresh("restore", str(target), "--key", str(private), "--json")
    assert restored.code == 0, restored.err
    assert restored.json()["audit_events"] == over.json()["audit_events"]
    verified = fresh("audit", "verify", "--json").json()
    assert verified["ok"] is True and verified["records"] > 1000
    assert _db_counts(fresh)[:2] == _db_counts(demo_cli)[:2]
    # A passphrase instead of the key, for a squad without an agency key.
    sealed = tmp_path / "pass.fab"
    secret = {"FIELDAPP_BACKUP_PASSPHRASE": "长城永固2026"}
    assert demo_cli("backup", str(sealed), "--passphrase", "--officer", leader,
                    env=secret).code == 0
    other = make_cli(tmp_path / "restored2")
    wrong = other("restore", str(sealed), "--passphrase",
                  env={"FIELDAPP_BACKUP_PASSPHRASE": "猜错了的口令"})
    assert wrong.code == 2 and not (other.data_dir / "fieldapp.sqlite3").exists()
    assert other("restore", str(sealed), "--passphrase", env=secret).code == 0
    # Replacing data that is there needs a leader of it, logged in.
    before = _db_counts(demo_cli)
    nobody = demo_cli("restore", str(target), env={"FIELDAPP_PASSWORD": None})
    assert nobody.code == 2 and nobody.err.startswith("执法队员：")
    with sqlite3.connect(demo_cli.data_dir / "fieldapp.sqlite3") as conn:
        officer = conn.execute("SELECT certificate_no FROM officer WHERE role = 'officer'"
                               ).fetchone()[0]  # not a squad leader
    refused = demo_cli("restore", str(target), "--officer", officer)
    assert refused.code == 1 and "恢复备份" in refused.err
    assert _db_counts(demo_cli)[:3] == before[:3]
    assert not list(demo_cli.data_dir.glob("replaced-*"))


def test_audit_verify_reports_tampering_with_exit_1(cli) -> None:
    assert cli("demo", "--subjects", "20", "--inspections", "10").code == 0
    cli("subject", "add", "--kind", "individual", "--name", "甲")
    cli("subject", "add", "--kind", "individual", "--name", "乙")
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("UPDATE audit_event SET action = 'forged' WHERE seq = 2")
    run = cli("audit", "verify", "--json")
    assert run.code == 1
    assert run.json()["first_bad_seq"] == 2
