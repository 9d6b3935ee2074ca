"""``fieldapp doc …`` and ``fieldapp dossier`` as a subprocess, on demo data."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

LOCAL = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def demo(demo_cli):
    """The module's demo data directory (tests/e2e/conftest.py)."""
    return demo_cli


def _one(cli, sql: str) -> tuple:
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None, sql
    return row


def _finding(cli) -> tuple[str, str]:
    """An education finding and the certificate of its lead officer."""
    return _one(cli, "SELECT f.id, o.certificate_no FROM finding f JOIN inspection i ON "
                     "i.id = f.inspection_id JOIN officer o ON o.id = i.officer1_id "
                     "WHERE f.step = 'educate' ORDER BY f.at_utc DESC LIMIT 1")


def test_issue_print_verify_void_list(demo, tmp_path) -> None:
    finding, cert = _finding(demo)
    run = demo("doc", "issue", "education_notice", "--finding", finding, "--officer", cert,
               "--json")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["number"].startswith("东城管劝字〔") and doc["number"].endswith("号")
    pdf = Path(doc["pdf_path"])
    assert pdf.is_file() and pdf.parent == demo.data_dir / "documents"
    text = "".join("".join(p.extract_text().split())
                   for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "教育劝导书" in text and doc["number"] in text

    out = tmp_path / "copy.pdf"
    run = demo("doc", "print", doc["id"], "-o", str(out))
    assert run.code == 0, run.err
    assert out.read_bytes() == pdf.read_bytes()

    for code in (str(out), doc["qr_payload"], "HTTPS://VERIFY.EXAMPLE/D/" + doc["qr_payload"]):
        run = demo("doc", "verify", code, "--json")
        assert run.code == 0, run.err
        assert run.json()["status"] == "genuine"
    run = demo("--lang", "en", "doc", "verify", str(out))
    assert run.code == 0 and run.out.startswith("Genuine: 教育劝导书 " + doc["number"])
    run = demo("doc", "verify", str(out))  # in Chinese by default (zh_CN catalogue)
    assert run.code == 0 and doc["number"] in run.out

    payload = doc["qr_payload"]
    i = payload.rindex(".") + 10
    forged = payload[:i] + ("B" if payload[i] != "B" else "C") + payload[i + 1:]
    run = demo("doc", "verify", forged, "--json")
    assert run.code == 1 and run.json()["status"] == "altered"
    run = demo("doc", "verify", "not-a-code", "--json")
    assert run.code == 1 and run.json()["status"] == "unknown"

    run = demo("doc", "void", doc["id"], "--reason", "当事人信息有误", "--officer", cert, "--json")
    assert run.code == 0, run.err
    run = demo("doc", "verify", str(pdf), "--json")
    assert run.code == 1 and run.json()["status"] == "voided"
    assert run.json()["void_reason"] == "当事人信息有误"
    year = int(_one(demo, f"SELECT year FROM document WHERE id = '{doc['id']}'")[0])
    run = demo("doc", "voided", "--year", str(year), "--json")
    assert run.code == 0 and [v["number"] for v in run.json()["voided"]] == [doc["number"]]

    run = demo("doc", "list", "--json")
    assert run.code == 0
    listed = {d["id"]: d for d in run.json()["documents"]}
    assert listed[doc["id"]]["voided_by"]


def test_bad_input_names_the_field_and_exits_2(demo) -> None:
    finding, cert = _finding(demo)
    run = demo("--lang", "en", "doc", "issue", "service_receipt", "--finding", finding,
               "--officer", cert)
    assert run.code == 2 and "served.title" in run.err
    run = demo("doc", "issue", "education_notice", "--finding", finding, "--officer", cert,
               "--field", "no-equals-sign")
    assert run.code == 2
    run = demo("doc", "issue", "education_notice", "--finding", finding, "--case", "x",
               "--officer", cert)
    assert run.code == 2
    run = demo("doc", "issue", "education_notice", "--finding", "no-such-finding",
               "--officer", cert)
    assert run.code == 2


def test_case_documents_and_the_dossier(demo, tmp_path) -> None:
    case_id, cert = _one(demo, "SELECT c.id, o.certificate_no FROM case_file c JOIN officer o "
                               "ON o.id = c.lead_officer_id WHERE c.status = 'closed' "
                               "ORDER BY c.opened_at LIMIT 1")
    run = demo("dossier", case_id, "--check", "--json")
    assert run.code == 0, run.err
    assert "缺少立案审批表" in run.json()["missing"]
    for kind in ("filing_approval", "closing_approval"):
        run = demo("doc", "issue", kind, "--case", case_id, "--officer", cert, "--json")
        assert run.code == 0, run.err
    out = tmp_path / "案卷.pdf"
    run = demo("dossier", case_id, "-o", str(out), "--officer", cert, "--json")
    assert run.code == 0, run.err
    result = run.json()
    assert result["documents"] == 2
    assert "缺少立案审批表" not in result["missing"]
    assert "缺少行政处罚决定书" in result["missing"]
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert "城市管理行政执法案卷" in "".join(reader.pages[0].extract_text().split())
    assert "卷内备考表" in "".join(reader.pages[-1].extract_text().split())
    run = demo("doc", "list", "--case", case_id, "--json")
    assert run.code == 0 and run.json()["count"] == 2
