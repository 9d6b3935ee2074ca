"""The worker: results and errors come back on the GUI thread; stale results are dropped."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from fieldapp import i18n
from fieldapp.domain.changes import ChangeKind, OpChanges
from fieldapp.domain.errors import ValidationError
from fieldapp.services.results import Written
from fieldapp.ui.worker import Worker

WAIT_MS = 5000


@pytest.fixture
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.shutdown()


def test_the_call_runs_off_the_gui_thread_and_the_result_comes_back_on_it(
        worker: Worker, qtbot: QtBot) -> None:
    seen: dict[str, object] = {}

    def call() -> int:
        seen["call"] = threading.current_thread()
        return 42

    def done(result: int) -> None:
        seen["done"] = threading.current_thread()
        seen["result"] = result

    with qtbot.waitSignal(worker.busy, check_params_cb=lambda busy: not busy,
                          timeout=WAIT_MS):
        worker.run(call, done)
    assert seen["result"] == 42
    assert seen["call"] is not threading.main_thread()
    assert seen["done"] is threading.main_thread()


def test_a_newer_job_with_the_same_key_supersedes_the_older(
        worker: Worker, qtbot: QtBot) -> None:
    release = threading.Event()
    delivered: list[str] = []

    def slow() -> str:
        release.wait(WAIT_MS / 1000)
        return "old"

    worker.run(slow, delivered.append, key="search")
    worker.run(lambda: "new", delivered.append, key="search")
    qtbot.waitUntil(lambda: delivered == ["new"], timeout=WAIT_MS)
    with qtbot.waitSignal(worker.busy, timeout=WAIT_MS):
        release.set()
    assert delivered == ["new"]


def test_an_error_is_reported_as_one_translated_line(worker: Worker, qtbot: QtBot) -> None:
    i18n.set_language("en")

    def bad() -> None:
        raise ValidationError("phone", "'{value}' is not a mobile (11 digits) or landline "
                              "number", value="123")

    with qtbot.waitSignal(worker.failed, timeout=WAIT_MS) as failed:
        worker.run(bad)
    assert failed.args == [
        "Error: phone: '123' is not a mobile (11 digits) or landline number"]


def test_an_error_goes_to_on_error_when_given(worker: Worker, qtbot: QtBot) -> None:
    errors: list[BaseException] = []

    def bad() -> None:
        raise ValidationError("phone", "is required")

    with qtbot.assertNotEmitted(worker.failed):
        worker.run(bad, on_error=errors.append)
        qtbot.waitUntil(lambda: len(errors) == 1, timeout=WAIT_MS)
    assert isinstance(errors[0], ValidationError)


def test_a_result_naming_what_changed_is_announced(worker: Worker, qtbot: QtBot) -> None:
    page = object()
    with qtbot.waitSignal(worker.changed, timeout=WAIT_MS) as changed:
        worker.run(lambda: Written("x", frozenset({ChangeKind.SUBJECTS, ChangeKind.RECORD})),
                   initiator=page)
    assert changed.args == [OpChanges(frozenset({ChangeKind.SUBJECTS, ChangeKind.RECORD}),
                                      page)]
    assert changed.args[0].initiator is page and changed.args[0].touches(ChangeKind.SUBJECTS)
