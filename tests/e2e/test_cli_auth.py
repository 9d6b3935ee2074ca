"""The command line acts only for an officer who has proved who they are: password
(prompt or FIELDAPP_PASSWORD), or the unlock ``fieldapp login`` leaves; the second
officer of a record confirms with a password or PIN. Reads stay open unless the city's
rule says otherwise."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import select
import sqlite3
import stat
import sys
import time

import pytest

NO_SECRETS = {"FIELDAPP_PASSWORD": None, "FIELDAPP_PASSWORD_2": None}


@pytest.fixture(scope="module")
def squad(tmp_path_factory):
    from tests.e2e.conftest import Cli

    cli = Cli(tmp_path_factory.mktemp("auth") / "data")
    assert cli("demo", "--subjects", "20", "--inspections", "0").code == 0
    return cli


def _sql(cli, query: str, *params):
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        return conn.execute(query, params).fetchall()


def _cert(cli, role: str, n: int = 0) -> str:
    return _sql(cli, "SELECT certificate_no FROM officer WHERE role = ? ORDER BY "
                     "certificate_no LIMIT 1 OFFSET ?", role, n)[0][0]


def _subjects(cli) -> int:
    return _sql(cli, "SELECT COUNT(*) FROM subject")[0][0]


def _add(cli, name: str, *extra: str, env=None):
    return cli("subject", "add", "--kind", "individual", "--name", name, *extra, env=env)


def test_without_the_password_nothing_is_done(squad) -> None:
    officer = _cert(squad, "officer")
    before = _subjects(squad)
    run = _add(squad, "甲", "--officer", officer, env=NO_SECRETS)
    assert run.code == 2
    assert run.err.strip().startswith("密码：") and "FIELDAPP_PASSWORD" in run.err
    assert len(run.err.strip().splitlines()) == 1
    wrong = _add(squad, "甲", "--officer", officer, env={"FIELDAPP_PASSWORD": "guess"})
    assert wrong.code == 2 and wrong.err.strip() == "密码：不正确"
    nobody = _add(squad, "甲", env=NO_SECRETS)
    assert nobody.code == 2 and nobody.err.startswith("执法队员：请用 --officer")
    assert _subjects(squad) == before
    # The wrong password counted towards the lock-out, as in the app.
    assert _sql(squad, "SELECT failed_logins FROM officer WHERE certificate_no = ?",
                officer)[0][0] == 1
    assert _sql(squad, "SELECT COUNT(*) FROM audit_event WHERE action = "
                       "'officer.login_failed'")[0][0] == 1


def test_the_password_from_the_environment_acts_for_that_officer(squad) -> None:
    officer = _cert(squad, "officer")
    run = _add(squad, "乙", "--officer", officer, "--json")
    assert run.code == 0, run.err
    created_by = _sql(squad, "SELECT o.certificate_no FROM subject s JOIN officer o ON "
                             "o.id = s.created_by WHERE s.id = ?", run.json()["id"])
    assert created_by == [(officer,)]
    assert _sql(squad, "SELECT failed_logins FROM officer WHERE certificate_no = ?",
                officer)[0][0] == 0


def test_five_wrong_passwords_lock_the_officer(squad) -> None:
    victim = _cert(squad, "officer", 1)
    for _ in range(4):
        assert _add(squad, "丙", "--officer", victim,
                    env={"FIELDAPP_PASSWORD": "nope"}).code == 2
    locked = _add(squad, "丙", "--officer", victim, env={"FIELDAPP_PASSWORD": "nope"})
    assert locked.code == 1 and "15 分钟" in locked.err
    still = _add(squad, "丙", "--officer", victim)  # the right password, locked out
    assert still.code == 1 and "锁定" in still.err


def test_login_unlocks_for_hours_and_logout_ends_it(squad) -> None:
    leader = _cert(squad, "squad_leader")
    made = squad("login", "--officer", leader, "--json")
    assert made.code == 0, made.err
    files = list((squad.data_dir / "unlock").glob("*.json"))
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((squad.data_dir / "unlock" / "device.key").stat().st_mode) == 0o600
    run = _add(squad, "丁", "--officer", leader, env=NO_SECRETS)
    assert run.code == 0, run.err
    assert _add(squad, "戊", env=NO_SECRETS).code == 0  # the one officer unlocked
    other = _add(squad, "己", "--officer", _cert(squad, "officer"), env=NO_SECRETS)
    assert other.code == 2  # an unlock is for its own officer only
    out = squad("logout", "--json")
    assert out.code == 0 and out.json()["removed"] == 1
    assert _add(squad, "庚", "--officer", leader, env=NO_SECRETS).code == 2


def test_an_unlock_expires(squad) -> None:
    leader = _cert(squad, "squad_leader")
    made = squad("login", "--officer", leader, "--hours", "0.005", "--json")  # 18 s
    assert made.code == 0, made.err
    assert _add(squad, "辛", "--officer", leader, env=NO_SECRETS).code == 0
    ends = dt.datetime.fromisoformat(made.json()["expires_at"])
    time.sleep(max(0.0, (ends - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)
    late = _add(squad, "壬", "--officer", leader, env=NO_SECRETS)
    assert late.code == 2 and late.err.startswith("密码：")
    assert squad("login", "--officer", leader, "--hours", "25").code == 2


def _inspect(cli, first: str, second: str, env=None):
    vendor = _sql(cli, "SELECT id FROM subject WHERE kind = 'unidentified_vendor'")[0][0]
    return cli("inspect", "--subject", vendor, "--violation", "jm01", "--facts", "占道卖水果",
               "--address", "人民路地铁站B口", "--corrected", "--officer", first,
               "--officer", second, "--json", env=env)


def test_the_second_officer_confirms_with_their_pin(squad) -> None:
    first, second = _cert(squad, "officer", 0), _cert(squad, "officer", 2)
    inspections = _sql(squad, "SELECT COUNT(*) FROM inspection")[0][0]
    missing = _inspect(squad, first, second, env={"FIELDAPP_PASSWORD_2": None})
    assert missing.code == 2 and missing.err.startswith("密码或 PIN：")
    short = squad("pin", "--officer", second, env={"FIELDAPP_PIN": "12"})
    assert short.code == 2 and short.err.startswith("PIN：")
    set_pin = squad("pin", "--officer", second, env={"FIELDAPP_PIN": "4821"})
    assert set_pin.code == 0, set_pin.err
    wrong = _inspect(squad, first, second, env={"FIELDAPP_PASSWORD_2": "4822"})
    assert wrong.code == 2 and wrong.err.strip() == "密码或 PIN：不正确"
    assert _sql(squad, "SELECT COUNT(*) FROM inspection")[0][0] == inspections
    done = _inspect(squad, first, second, env={"FIELDAPP_PASSWORD_2": "4821"})
    assert done.code == 0, done.err
    assert _sql(squad, "SELECT COUNT(*) FROM inspection")[0][0] == inspections + 1
    confirmed = json.loads(_sql(squad, "SELECT payload_json FROM audit_event WHERE action = "
                                       "'officer.confirm' ORDER BY seq DESC LIMIT 1")[0][0])
    assert confirmed == {"by_pin": True, "purpose": "inspection.record"}


def test_reads_need_a_login_only_when_the_city_says_so(squad) -> None:
    leader = _cert(squad, "squad_leader")
    assert squad("subject", "find", "张", env=NO_SECRETS).code == 0
    changed = squad("settings", "--set", "cli_reads_need_login=是", "--officer", leader,
                    "--json")
    assert changed.code == 0 and changed.json()["cli_reads_need_login"] is True
    try:
        refused = squad("subject", "find", "张", env=NO_SECRETS)
        assert refused.code == 2 and refused.err.startswith("执法队员：")
        assert squad("login", "--officer", leader).code == 0
        assert squad("subject", "find", "张", env=NO_SECRETS).code == 0
    finally:
        assert squad("settings", "--set", "cli_reads_need_login=no", "--officer", leader,
                     env=NO_SECRETS).code == 0
        squad("logout")


def test_the_password_is_asked_at_the_terminal_in_chinese(squad) -> None:
    officer = _cert(squad, "officer", 3)
    env = {k: v for k, v in os.environ.items() if k not in (
        "FIELDAPP_PASSWORD", "FIELDAPP_PASSWORD_2", "FIELDAPP_LANG")}
    env |= {"FIELDAPP_DATA_DIR": str(squad.data_dir), "PYTHONUTF8": "1"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command on a terminal of its own
        os.execve(sys.executable, [sys.executable, "-m", "fieldapp", "subject", "add",
                                   "--kind", "individual", "--name", "癸", "--officer",
                                   officer], env)
    seen = _read_until(fd, "的密码：".encode())
    os.write(fd, b"demo1234\n")
    seen += _read_until(fd, None)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = seen.decode("utf-8", "replace")
    assert "的密码：" in text and officer in text
    assert "demo1234" not in text  # not echoed
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "当事人已登记：癸" in text


def _read_until(fd: int, marker: bytes | None, timeout: float = 60) -> bytes:
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (marker is None or marker not in out):
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed its terminal
            break
        if not chunk:
            break
        out += chunk
    return out
