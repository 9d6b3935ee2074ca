"""The ``fieldapp-hq`` command as a subprocess: administration in Chinese, enrollment
codes with a QR code, publishing, export, and ``serve`` answering on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from fieldapp.hq.throwaway import free_port


def _hq(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FIELDAPP_LANG"}
    return subprocess.run([sys.executable, "-m", "fieldapp.hq.cli", *args, "--data-dir",
                           str(data)], capture_output=True, text=True, timeout=180, env=env,
                          cwd=data.parent)


def test_administration_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "hq"
    assert "已保存" in _hq(data, "admin", "agency", "--name", "示例市城管局").stdout
    assert "已新增" in _hq(data, "admin", "squad", "add", "--code", "DHM",
                        "--name", "东华门中队").stdout
    added = _hq(data, "admin", "officer", "add", "--squad", "DHM", "--name", "王建国",
                "--certificate", "11010023001", "--role", "squad_leader", "--password",
                "secret123", "--valid-from", "2024-01-01", "--valid-to", "2029-12-31")
    assert added.returncode == 0, added.stderr
    bad = _hq(data, "admin", "officer", "add", "--squad", "XXX", "--name", "某",
              "--certificate", "1", "--role", "officer", "--password", "secret123")
    assert bad.returncode == 2 and "没有代码为" in bad.stderr
    listed = _hq(data, "admin", "officer", "list").stdout
    assert "王建国" in listed and "中队长" in listed and "2029-12-31" in listed
    png = tmp_path / "code.png"
    enrolled = _hq(data, "admin", "device", "enroll", "--squad", "DHM", "--name", "笔记本1",
                   "--png", str(png))
    assert "设备登记码" in enrolled.stdout and "█" in enrolled.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "已发布" in _hq(data, "admin", "publish", "catalogue").stdout
    assert "已发布" in _hq(data, "admin", "publish", "list").stdout
    rules = json.loads((Path(__file__).parents[2] / "resources" / "catalogue" /
                        "demo_city_rules.json").read_text(encoding="utf-8"))["rules"]
    first = _hq(data, "admin", "publish", "city-rules")
    assert f"已发布：{len(rules)}" in first.stdout, first.stderr
    assert "已发布：0" in _hq(data, "admin", "publish", "city-rules").stdout  # nothing new
    placeholder = tmp_path / "rules.json"
    placeholder.write_text(json.dumps({"rules": [{**rules[0], "effective_from": "2026-01-01",
                                                  "provision": "（待本市配置）"}]},
                                      ensure_ascii=False), encoding="utf-8")
    refused = _hq(data, "admin", "publish", "city-rules", "--file", str(placeholder))
    assert refused.returncode == 2 and "待本市配置" in refused.stderr, refused.stderr
    days = tmp_path / "holidays.csv"
    days.write_text("date,kind,name\n2026-10-01,holiday,国庆节\n2026-09-27,workday,调休\n",
                    encoding="utf-8")
    assert "已发布：2" in _hq(data, "admin", "publish", "holidays", "--file", str(days)).stdout
    out = tmp_path / "dhm.jsonl"
    assert _hq(data, "admin", "export", "--squad", "DHM", "--out", str(out)).returncode == 0
    assert out.exists()
    assert "没有被隔离的设备" in _hq(data, "admin", "quarantine", "list").stdout
    assert "admin" in _hq(data, "--help").stdout


def test_serve_listens_on_loopback_and_answers_health(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDAPP_HQ_")}
    process = subprocess.Popen([sys.executable, "-m", "fieldapp.hq.cli", "serve", "--port",
                                str(port), "--data-dir", str(tmp_path / "hq")], env=env,
                               stdout=subprocess.DEVNULL)
    try:
        answer = None
        for _ in range(300):
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert answer is not None and answer.json() == {"status": "ok", "database": "ok"}
        spec = requests.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).json()
        assert "x-fieldapp-entities" in spec["info"]
        for item in spec["paths"].values():
            for operation in item.values():
                assert operation.get("description"), operation.get("operationId")
                assert any(code.startswith("4") for code in operation["responses"])
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert (tmp_path / "hq" / "hq.sqlite3").exists()
    assert (tmp_path / "hq" / "keys" / "hq_ed25519.pem").stat().st_mode & 0o077 == 0


def test_demo_makes_an_hq_a_device_can_pull(tmp_path: Path) -> None:
    made = _hq(tmp_path / "hq", "demo", "--subjects", "60", "--inspections", "150")
    assert made.returncode == 0, made.stderr
    assert "演示总部已建立" in made.stdout
    from fieldapp.hq.context import open_hq
    from fieldapp.hq.services import pull
    from fieldapp.hq.services.auth import DeviceAuth
    from fieldapp.hq.settings import Settings

    hq = open_hq(Settings(data_dir=tmp_path / "hq"))
    from sqlalchemy import select

    from fieldapp.hq.db import tables as t

    with hq.db.read() as conn:
        squad = conn.execute(select(t.squad).where(t.squad.c.code == "DHM")).one()
    page = json.loads(pull.pull_json(hq, device=DeviceAuth("new", squad.id, "新设备"),
                                     cursor=0, limit=5000))
    kinds = {c["change"]["entity"] for c in page["changes"]}
    assert {"officer", "subject", "inspection", "ladder_step", "violation_type"} <= kinds
    hq.close()
