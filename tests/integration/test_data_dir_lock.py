"""The data directory's lock across real processes: shared for the app and commands,
exclusive for restore, migrations and the start-up clean-up."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fieldapp import i18n
from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.services.context import open_context
from fieldapp.services.records import backup, restore
from fieldapp.services.subjects import create_subject, find_subjects
from fieldapp.store.engine import DB_FILE, make_engine
from fieldapp.store.lock import DataDirectoryInUse, DataDirLock, exclusively
from fieldapp.store.migrate import HEAD_REVISION, current_revision, upgrade

HOLDER = Path(__file__).with_name("data_dir_holder.py")
PASSPHRASE = "东华门中队 backup"


@contextmanager
def holder(data_dir: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``data_dir`` until the block ends."""
    with subprocess.Popen([sys.executable, str(HOLDER), str(data_dir), *args],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stdin is not None
        try:
            line = proc.stdout.readline()
            assert line == "ready\n", proc.stderr.read() if proc.stderr else line
            yield proc
        finally:
            proc.stdin.close()
            assert proc.wait(timeout=60) == 0


def _names(ctx: object, query: str) -> list[str]:
    return [s.name for s in find_subjects(ctx=ctx, query=query)]  # type: ignore[arg-type]


def test_restore_while_another_process_holds_the_directory_is_refused_nothing_lost(
        org, tmp_path) -> None:
    data = org.ctx.store.data_dir
    made = backup(ctx=org.ctx, dest=tmp_path / "b.fab", officer_id=org.officers[0],
                  passphrase=PASSPHRASE)
    org.ctx.close()
    with holder(data, "context", org.officers[0], "备份后记录") as app:
        with pytest.raises(DataDirectoryInUse) as refused:
            restore(data_dir=data, source=made.path, now=dt.datetime.now(dt.UTC),
                    passphrase=PASSPHRASE)
        assert app.poll() is None  # the app runs on, untouched
    text = i18n.describe(refused.value)
    assert "程序正在使用该数据目录" in text and str(data) in text
    assert not list(data.glob("replaced-*")) and not list(data.glob(".incoming-*"))
    ctx = open_context(data)
    try:
        assert _names(ctx, "备份后记录") == ["备份后记录"]  # recorded, and still there
    finally:
        ctx.close()
    # Once nobody holds it, the same restore goes through.
    done = restore(data_dir=data, source=made.path, now=dt.datetime.now(dt.UTC),
                   passphrase=PASSPHRASE)
    assert done.replaced_dir is not None


def test_restore_is_refused_while_this_process_has_the_directory_open(org, tmp_path) -> None:
    made = backup(ctx=org.ctx, dest=tmp_path / "b.fab", officer_id=org.officers[0],
                  passphrase=PASSPHRASE)
    with pytest.raises(DataDirectoryInUse):
        restore(data_dir=org.ctx.store.data_dir, source=made.path,
                now=dt.datetime.now(dt.UTC), passphrase=PASSPHRASE)


def test_two_processes_and_this_one_hold_the_directory_side_by_side(org) -> None:
    data = org.ctx.store.data_dir
    with holder(data, "context", org.officers[1], "甲进程"), holder(
            data, "context", org.officers[2], "乙进程"):
        create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
            kind=SubjectKind.INDIVIDUAL, name="本进程"))
        other = open_context(data)  # a second context in this process too
        try:
            assert _names(other, "甲进程") == ["甲进程"]
            assert _names(other, "乙进程") == ["乙进程"]
            assert _names(other, "本进程") == ["本进程"]
        finally:
            other.close()
        with pytest.raises(DataDirectoryInUse), exclusively(data):
            pass


def test_an_old_store_is_not_migrated_while_another_process_holds_it(tmp_path) -> None:
    data = tmp_path / "old"
    data.mkdir()
    engine = make_engine(data / DB_FILE)
    upgrade(engine, "0001")
    engine.dispose()
    with holder(data, "lock"):
        with pytest.raises(DataDirectoryInUse):
            open_context(data)
        engine = make_engine(data / DB_FILE)
        assert current_revision(engine) == "0001"
        engine.dispose()
    ctx = open_context(data)  # alone now: it migrates
    try:
        assert current_revision(ctx.store.engine) == HEAD_REVISION
    finally:
        ctx.close()


def test_only_the_first_holder_removes_temporaries(org) -> None:
    data = org.ctx.store.data_dir
    org.ctx.close()
    with holder(data, "context"):
        # What another process writes right now looks exactly like a leftover.
        live = data / "blobs" / ".incoming-live"
        live.parent.mkdir(exist_ok=True)
        live.write_bytes(b"half an evidence photo")
        staging = data / ".incoming-restore-x"
        staging.mkdir()
        (staging / DB_FILE).write_bytes(b"staged")
        ctx = open_context(data)  # not alone: touches nothing
        ctx.close()
        assert live.exists() and staging.exists()
    ctx = open_context(data)  # alone: the first holder tidies
    ctx.close()
    assert not live.exists() and not staging.exists()


def test_a_lock_goes_with_its_holder_and_a_release_twice_is_harmless(tmp_path) -> None:
    data = tmp_path / "d"
    lock, other, third = DataDirLock(data), DataDirLock(data), DataDirLock(data)
    assert lock.try_take("exclusive")
    assert not other.try_take("shared")
    assert lock.try_take("shared")  # changes the hold
    assert other.try_take("shared")
    assert not third.try_take("exclusive")
    lock.release()
    lock.release()
    other.release()
    assert third.try_take("exclusive")
    third.release()
    with exclusively(data) as alone:
        assert alone.kind == "exclusive"
    assert (data / "fieldapp.lock").stat().st_mode & 0o777 == 0o600
