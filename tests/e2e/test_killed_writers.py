"""What a SIGKILLed writer leaves behind is gone after the next start; an interrupted
restore leaves the old data in place, or the restored data when it had committed."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from fieldapp.services.context import open_context
from fieldapp.services.records import backup

WORKER = Path(__file__).with_name("killed_writer.py")
PASSPHRASE = "killed writer 2026"


def _kill_when_paused(data_dir: Path, mode: str, arg: Path) -> None:
    with subprocess.Popen([sys.executable, str(WORKER), str(data_dir), mode, str(arg)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()  # bounded: the worker sleeps at most 120 s
        assert line == "paused\n", proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL


def _leftovers(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob(".incoming-*")]


def _subjects(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "fieldapp.sqlite3") as conn:
        return {r[0] for r in conn.execute("SELECT name FROM subject")}


def _add_subject(data_dir: Path, name: str) -> None:
    from fieldapp.domain.entities import SubjectData, SubjectKind
    from fieldapp.services.subjects import create_subject

    ctx = open_context(data_dir)
    try:
        with ctx.read() as session:
            leader = session.connection().exec_driver_sql(
                "SELECT id FROM officer WHERE role = 'squad_leader' LIMIT 1").scalar_one()
        create_subject(ctx=ctx, officer_id=leader, data=SubjectData(
            kind=SubjectKind.INDIVIDUAL, name=name))
    finally:
        ctx.close()


@pytest.mark.parametrize("mode", ["evidence", "document", "key", "backup"])
def test_temporaries_of_a_killed_writer_are_gone_after_the_next_start(
        cli, tmp_path, mode) -> None:
    assert cli("demo", "--subjects", "20", "--inspections", "0").code == 0
    data, folder = cli.data_dir, tmp_path / "usb"
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 64), (200, 10, 10)).save(photo)
    arg = {"evidence": photo, "backup": folder / "b.fab"}.get(mode, tmp_path)
    _kill_when_paused(data, mode, arg)
    left = _leftovers(data, tmp_path)
    assert left, "the worker left no temporary: the test would prove nothing"
    if mode == "backup":  # beside the target, and noted in the data directory
        assert _leftovers(folder) and list((data / "pending").iterdir())
    open_context(data).close()
    assert _leftovers(data, tmp_path) == []
    assert not (data / "pending").exists() or not list((data / "pending").iterdir())
    assert not (folder / "b.fab").exists()


def _backup_then_more(cli, tmp_path: Path) -> Path:
    assert cli("demo", "--subjects", "20", "--inspections", "0").code == 0
    ctx = open_context(cli.data_dir)
    try:
        with ctx.read() as session:
            leader = session.connection().exec_driver_sql(
                "SELECT id FROM officer WHERE role = 'squad_leader' LIMIT 1").scalar_one()
        made = backup(ctx=ctx, dest=tmp_path / "b.fab", officer_id=leader,
                      passphrase=PASSPHRASE).path
    finally:
        ctx.close()
    _add_subject(cli.data_dir, "备份之后")
    return made


def test_a_restore_killed_before_the_swap_leaves_the_old_data(cli, tmp_path) -> None:
    made = _backup_then_more(cli, tmp_path)
    data = cli.data_dir
    _kill_when_paused(data, "restore-check", made)
    assert _leftovers(data)  # the staging folder
    open_context(data).close()
    assert _leftovers(data) == []
    assert "备份之后" in _subjects(data)
    assert not list(data.glob("replaced-*"))


def test_a_restore_killed_during_the_swap_is_finished_at_the_next_start(cli, tmp_path) -> None:
    made = _backup_then_more(cli, tmp_path)
    data = cli.data_dir
    _kill_when_paused(data, "restore-swap", made)
    assert not (data / "fieldapp.sqlite3").exists()  # old data aside, the new not yet in
    assert (data / "restoring").is_dir()
    ctx = open_context(data)
    ctx.close()
    assert "备份之后" not in _subjects(data)  # the backup's data is in place
    [aside] = data.glob("replaced-*")
    assert "备份之后" in _subjects(aside)  # and the data it replaced kept aside
    assert not (data / "restoring").exists() and _leftovers(data) == []
    assert (data / "fieldapp.sqlite3").stat().st_mode & 0o777 == 0o600
