"""Fits the screens squads use: a real window under Xvfb at 1366×768 (also at 125 %
scaling) and at 1280×800, and in tablet mode: the window fits the screen, the status bar
and each page's main action are on it, result lists show five rows, no column is cut
short. The test starts its own X server, bounded, and stops it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("screen_probe.py")
START_S = 10
PROBE_S = 180
SCREENS = [((1366, 768), None, False), ((1366, 768), "1.25", False),
           ((1280, 800), None, False), ((1366, 768), None, True)]


def _free_display() -> int:
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and \
                not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb(request: pytest.FixtureRequest) -> Iterator[str]:
    """An X server with one screen of the size asked (``request.param``)."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is needed: apt-get install xvfb (the CI script installs it)")
    width, height = request.param
    number = _free_display()
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24",
                               "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_S
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("Xvfb did not start")
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=START_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _probe(display: str, data_dir: Path, scale: str | None, tablet: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    if scale:
        env["QT_SCALE_FACTOR"] = scale
    done = subprocess.run([sys.executable, str(PROBE), str(data_dir)]
                          + (["tablet"] if tablet else []), env=env, capture_output=True,
                          text=True, timeout=PROBE_S)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _inside(rect: list[int], screen: list[int]) -> bool:
    x, y, w, h = rect
    sx, sy, sw, sh = screen
    return sx <= x and sy <= y and x + w <= sx + sw and y + h <= sy + sh


@pytest.mark.parametrize(("xvfb", "scale", "tablet"),
                         [(size, scale, tablet) for size, scale, tablet in SCREENS],
                         indirect=["xvfb"],
                         ids=[f"{w}x{h}{'@' + s if s else ''}{'-tablet' if t else ''}"
                              for (w, h), s, t in SCREENS])
def test_every_page_fits_the_screen_with_its_main_action_and_status_bar(
        xvfb: str, scale: str | None, tablet: bool, demo_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(demo_dir, data_dir)
    report = _probe(xvfb, data_dir, scale, tablet)
    screen = report["screen"]
    problems = []
    for key, page in report["pages"].items():
        if not _inside(page["window"], screen):
            problems.append(f"{key}: window {page['window']} off the screen {screen}")
        if not _inside(page["status"], screen):
            problems.append(f"{key}: status bar {page['status']} off the screen")
        if not (page["action_visible"] and _inside(page["action"], screen)
                and page["action_shown"] == page["action"][2:]):
            problems.append(f"{key}: main action {page['action']} not wholly shown "
                            f"({page['action_shown']})")
        if page.get("rows") is not None and page["rows"] < 5:
            problems.append(f"{key}: the result list shows {page['rows']:.1f} rows")
        if page["cut"]:
            problems.append(f"{key}: columns cut short {page['cut']}")
    assert problems == [], "\n".join(problems)
