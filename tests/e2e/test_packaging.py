"""Assets are found the same way from an installed (non-editable) wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_resources_and_forms_and_finds_them(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("fieldapp-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "fieldapp/_assets/resources/fonts/wqy-microhei.ttc" in names
    assert "fieldapp/_assets/resources/i18n/zh_CN.po" in names
    assert "fieldapp/_assets/resources/catalogue/violations.json" in names
    assert any(n.startswith("fieldapp/_assets/forms/") for n in names)

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(target))
    probe = ("import fieldapp.resources as r, fieldapp; "
             "print(fieldapp.__file__); print(r.resource('fonts', 'wqy-microhei.ttc'))")
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out[0].startswith(str(target))
    assert out[1].startswith(str(target / "fieldapp" / "_assets" / "resources"))
    run = subprocess.run([sys.executable, "-m", "fieldapp", "--data-dir", str(tmp_path / "d"),
                          "demo", "--subjects", "5", "--inspections", "5", "--json"],
                         env=env, cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
