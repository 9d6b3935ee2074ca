"""The rules from the command line: advice, the no-penalty list, cases, revisits, 721."""

from __future__ import annotations

import sqlite3

from fieldapp.demo.showcase import SHOWCASES


def _one(cli, sql: str, *params):
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        return conn.execute(sql, params).fetchone()


def test_advice_and_recording_follow_the_ladder(cli) -> None:
    assert cli("demo", "--subjects", "30", "--inspections", "0").code == 0
    vendor = _one(cli, "SELECT id FROM subject WHERE kind = 'unidentified_vendor' LIMIT 1")[0]
    o1, o2 = (r[0] for r in sqlite3.connect(cli.data_dir / "fieldapp.sqlite3").execute(
        "SELECT certificate_no FROM officer WHERE role = 'officer' LIMIT 2"))
    first = cli("advise", "--subject", vendor, "--violation", "JM01",
                "--at", "2026-09-01T10:00+08:00", "--json")
    assert first.code == 0, first.err
    advice = first.json()
    assert advice["step"] == "educate" and advice["first_offence"] is True
    assert any(i["outcome"] == "undetermined" for i in advice["no_penalty_items"])
    rec = cli("inspect", "--subject", vendor, "--violation", "JM01", "--facts", "占道卖水果",
              "--officer", o1, "--officer", o2, "--at", "2026-09-01T10:00+08:00",
              "--address", "人民路地铁站B口")
    assert rec.code == 0, rec.err
    text = cli("advise", "--subject", vendor, "--violation", "JM01",
               "--at", "2026-10-01T10:00+08:00")
    assert text.code == 0 and "告诫" in text.out
    refused = cli("inspect", "--subject", vendor, "--violation", "JM01", "--facts", "又来了",
                  "--officer", o1, "--officer", o2, "--at", "2026-10-01T10:00+08:00",
                  "--step", "educate", "--address", "人民路地铁站B口")
    assert refused.code == 2 and refused.err.startswith("改变处置步骤的理由")


def test_no_penalty_list_export_and_a_bad_import_reports_every_row(cli, tmp_path) -> None:
    assert cli("demo", "--subjects", "5", "--inspections", "0").code == 0
    listed = cli("list", "show", "--json").json()
    assert listed["count"] == 1 and listed["lists"][0]["items"] >= 14
    assert len(listed["lists"][0]["domains"]) == 5
    out = tmp_path / "list.csv"
    assert cli("list", "export", listed["lists"][0]["id"], str(out)).code == 0
    text = out.read_text(encoding="utf-8-sig")
    bad = text.replace("SZ01", "NOPE", 1).replace("首违可不罚", "随便", 1)
    bad_file = tmp_path / "bad.csv"
    bad_file.write_text(bad, encoding="utf-8-sig")
    before = _one(cli, "SELECT COUNT(*) FROM no_penalty_item")[0]
    leader = _one(cli, "SELECT certificate_no FROM officer WHERE role = 'squad_leader'")[0]
    run = cli("list", "import", str(bad_file), "--officer", leader)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert lines[0].startswith("免罚清单文件") and len(lines) >= 3
    assert any("违法行为代码" in line for line in lines[1:])
    assert any("免罚情形" in line for line in lines[1:])
    assert _one(cli, "SELECT COUNT(*) FROM no_penalty_item")[0] == before
    # A good file (the list re-issued under a new number) goes in: exit 0, and says so.
    doc_no = listed["lists"][0]["doc_no"]
    for n, reissued in enumerate((tmp_path / "v2.csv", tmp_path / "v3.csv"), start=2):
        reissued.write_text(text.replace(doc_no, f"示城管发〔2026〕{n}号"), encoding="utf-8-sig")
    good = cli("list", "import", str(tmp_path / "v2.csv"), "--officer", leader, "--json")
    assert good.code == 0, good.err
    assert good.json()["items"] == listed["lists"][0]["items"]
    assert good.json()["domains"] == 5
    text_run = cli("list", "import", str(tmp_path / "v3.csv"), "--officer", leader)
    assert text_run.code == 0 and text_run.out.startswith("免罚清单已导入"), text_run.err


def test_case_actions_revisits_and_figures(cli) -> None:
    assert cli("demo", "--subjects", "40", "--inspections", "400").code == 0
    # A filing nobody has approved yet, opened by two officers of one squad, and a
    # third person: an officer of the other squad (no role to approve) and the leader.
    subject = _one(cli, "SELECT id FROM subject LIMIT 1")[0]
    squad = _one(cli, "SELECT squad_id FROM officer WHERE role = 'squad_leader' LIMIT 1")[0]
    mine = [r[0] for r in sqlite3.connect(cli.data_dir / "fieldapp.sqlite3").execute(
        "SELECT certificate_no FROM officer WHERE role = 'officer' AND squad_id = ? "
        "ORDER BY certificate_no", (squad,))]
    opened = cli("case", "open", "--subject", subject, "--violation", "SR01", "--officer",
                 mine[0], "--officer", mine[1], "--summary", "占道经营，经劝阻拒不改正",
                 "--json")
    assert opened.code == 0, opened.err
    case_id = opened.json()["id"]
    leader = _one(cli, "SELECT certificate_no FROM officer WHERE role = 'squad_leader' AND "
                       "squad_id = ?", squad)[0]
    officer = _one(cli, "SELECT certificate_no FROM officer WHERE role = 'officer' AND "
                        "squad_id != ?", squad)[0]
    denied = cli("case", "act", case_id, "approve_filing", "--officer", officer)
    assert denied.code == 1 and "执法队员无权" in denied.err
    ok = cli("case", "advance", case_id, "approve_filing", "--officer", leader, "--json")
    assert ok.code == 0, ok.err
    assert cli("case", "list", "--json").json()["count"] > 0
    shown = cli("case", "show", case_id, "--officer", leader, "--json").json()
    assert shown["allowed_actions"] == [] and shown["status"] == "filing"
    assert cli("tasks", "--json").code == 0
    assert cli("revisit", "list", "--json").code == 0
    figures = cli("stats", "--from", "2025-01-01", "--to", "2027-01-01", "--by", "squad",
                  "--json").json()
    assert len(figures["rows"]) == 2
    # 400 inspections and those of the showcase cases (all but the on-the-spot one)
    assert sum(r["total"] for r in figures["rows"]) == 400 + len(SHOWCASES) - 1
    settings = cli("settings", "--set", "lookback_months=30", "--officer", leader)
    assert settings.code == 2 and "回溯期" in settings.err
    changed = cli("settings", "--set", "lookback_months=6", "--officer", leader, "--json").json()
    assert changed["lookback_months"] == 6


def test_a_bureaus_list_is_imported_reviewed_mapped_and_published(cli, tmp_path) -> None:
    """A bureau's CSV as published (title row, notes, no codes): imported as a draft
    naming the items to review, refused for publication until each is confirmed or
    mapped, then published and in force."""
    from tests.integration.test_bureau_lists import draft_csv

    assert cli("demo", "--subjects", "5", "--inspections", "0").code == 0
    leader = _one(cli, "SELECT certificate_no FROM officer WHERE role = 'squad_leader'")[0]
    path = draft_csv(tmp_path / "b.csv")
    imported = cli("list", "import", str(path), "--officer", leader, "--city", "示例市",
                   "--issuer", "示例市城市管理综合行政执法局", "--doc-no", "示城管发〔2026〕9号",
                   "--json")
    assert imported.code == 0, imported.err
    result = imported.json()
    assert result["draft"] is True and result["to_review"] == [2]
    list_id = result["id"]
    review = cli("list", "review", list_id, "--json").json()["items"]
    assert (review[0]["item_no"], review[0]["state"]) == (2, "unmatched")
    refused = cli("list", "publish", list_id, "--officer", leader)
    assert refused.code == 2 and "2" in refused.err and "\n" not in refused.err.strip()
    assert _one(cli, "SELECT status FROM no_penalty_list WHERE id = ?", list_id) == ("draft",)
    bad = cli("list", "map", list_id, "2", "NOPE1", "--officer", leader)
    assert bad.code == 2 and "NOPE1" in bad.err
    code = _one(cli, "SELECT code FROM violation_type ORDER BY code LIMIT 1")[0]
    mapped = cli("list", "map", list_id, "2", code, "--officer", leader)
    assert mapped.code == 0 and code in mapped.out, mapped.err
    published = cli("list", "publish", list_id, "--officer", leader)
    assert published.code == 0 and published.out.startswith("清单已发布"), published.err
    assert _one(cli, "SELECT status FROM no_penalty_list WHERE id = ?", list_id) == (
        "published",)
