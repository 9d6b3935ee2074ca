"""The command line reads like the app: names, not ids and codes; the law's words; UTF-8
JSON; Chinese help; a closed pipe or a missing display end quietly; what nobody
expected is one plain line, its traceback in the data directory's log."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys

import pytest

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def squad(tmp_path_factory):
    from tests.e2e.conftest import Cli

    cli = Cli(tmp_path_factory.mktemp("reads") / "data")
    assert cli("demo", "--subjects", "60", "--inspections", "400").code == 0
    return cli


def _rows(cli, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        return conn.execute(sql, params).fetchall()


def test_human_output_names_parties_and_violations(squad) -> None:
    run = squad("tasks")
    assert run.code == 0 and run.out.strip()
    assert not UUID.search(run.out)  # parties and violations by name, never by id
    names = {n for (n,) in _rows(squad, "SELECT name FROM violation_type")}
    assert any(name in run.out for name in names)
    listed = squad("case", "list")
    cases = _rows(squad, "SELECT c.subject_id, c.violation_code, v.name, c.case_no FROM "
                         "case_file c JOIN violation_type v ON v.code = c.violation_code "
                         "WHERE c.status NOT IN ('closed', 'archived')")
    for subject_id, code, violation, case_no in cases:
        assert subject_id not in listed.out and f" {code} " not in listed.out
        assert violation in listed.out and (not case_no or case_no in listed.out)
    as_json = squad("case", "list", "--json").json()  # ids and codes stay in --json
    assert {c["subject_id"] for c in as_json["cases"]} == {c[0] for c in cases}


def test_json_is_utf8_chinese(squad) -> None:
    run = squad("subject", "find", "张", "--json")
    assert run.code == 0 and "\\u" not in run.out
    assert any("张" in s["display_name"] for s in run.json()["subjects"])


def test_stats_use_the_ladders_own_words(squad) -> None:
    run = squad("stats", "--from", "2025-01-01", "--to", "2027-01-01", "--by", "squad")
    assert run.code == 0
    assert "告诫" in run.out and "警告" not in run.out and "教育劝导" in run.out


def test_document_kinds_by_chinese_name_and_required_options_marked(squad) -> None:
    help_text = squad("doc", "issue", "--help").out
    assert "education_notice" in help_text and "教育劝导书" in help_text
    assert "行政处罚决定书" in help_text
    inspect_help = squad("inspect", "--help").out
    assert re.search(r"--subject ID\s+当事人编号（必填）", inspect_help)
    finding, cert = _rows(squad, "SELECT f.id, o.certificate_no FROM finding f JOIN "
                                 "inspection i ON i.id = f.inspection_id JOIN officer o ON "
                                 "o.id = i.officer1_id WHERE f.step = 'educate' LIMIT 1")[0]
    run = squad("doc", "issue", "教育劝导书", "--finding", finding, "--officer", cert,
                "--json")
    assert run.code == 0, run.err
    assert run.json()["kind"] == "education_notice"


def test_version_and_help_in_chinese(squad) -> None:
    version = squad("--version")
    assert version.code == 0 and version.out.startswith("fieldapp ")
    top = squad("--help").out
    assert "显示程序版本号并退出" in top and "显示本帮助并退出" in top
    assert "show program" not in top


def test_a_closed_pipe_ends_quietly(squad) -> None:
    env = dict(os.environ, FIELDAPP_DATA_DIR=str(squad.data_dir), PYTHONUTF8="1")
    with subprocess.Popen([sys.executable, "-m", "fieldapp", "subject", "find", "张",
                           "--limit", "500"], env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # like `| head -1` gone before the first line is written
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert err == "" and code == 0


def test_without_a_display_the_app_says_so(squad) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env |= {"FIELDAPP_DATA_DIR": str(squad.data_dir), "PYTHONUTF8": "1"}
    proc = subprocess.run([sys.executable, "-m", "fieldapp"], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("本机没有图形显示")
    assert len(proc.stderr.strip().splitlines()) == 1 and "qt." not in proc.stderr


def test_an_unexpected_error_is_one_line_and_its_traceback_is_logged(cli) -> None:
    assert cli("demo", "--subjects", "20", "--inspections", "200").code == 0
    (case_id,) = _rows(cli, "SELECT id FROM case_file LIMIT 1")[0]
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        conn.execute("UPDATE case_file SET status = 'lost_in_space' WHERE id = ?", (case_id,))
    run = cli("case", "show", case_id)
    log = cli.data_dir / "logs" / "fieldapp.log"
    assert run.code == 1
    assert run.err.strip() == f"发生意外错误，命令已中止；详细信息见 {log}。"
    assert "Traceback" not in run.err and "lost_in_space" not in run.err
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "lost_in_space" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_a_damaged_database_is_named_as_such(cli) -> None:
    cli.data_dir.mkdir(parents=True)
    (cli.data_dir / "fieldapp.sqlite3").write_bytes(b"this is not a database" * 100)
    run = cli("subject", "find", "张")
    assert run.code == 1
    assert run.err.strip() == "数据目录中的数据库已损坏，或不是 fieldapp 的数据库。"
