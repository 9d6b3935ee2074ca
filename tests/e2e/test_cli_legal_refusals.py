"""The law's refusals through the command line, as an officer meets them: each exits 2
with one line naming the field (and the article where one decides), and writes nothing.
The same refusals are tested through the services in tests/integration/
test_legal_refusals.py; here the real command, a real data directory, plain SQL."""

from __future__ import annotations

import json
import sqlite3

from fieldapp.domain.identity import resident_id_check_digit


def _rows(cli, sql: str, *params):
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        return conn.execute(sql, params).fetchall()


def _counts(cli) -> tuple[object, ...]:
    """What a refused act must not change: documents, case events, case states, numbers
    (checking the officer's password writes its own audit event, so those are not
    counted)."""
    return (*(_rows(cli, f"SELECT COUNT(*) FROM {table}")[0][0] for table in (
        "document", "case_event", "outbox")),
        tuple(_rows(cli, "SELECT id, status, version FROM case_file ORDER BY id")),
        tuple(_rows(cli, "SELECT id, next_serial FROM number_block ORDER BY id")))


def _people(cli) -> dict[str, str]:
    roles = dict(_rows(cli, "SELECT role, certificate_no FROM officer WHERE role != "
                            "'officer' GROUP BY role"))
    officers = [r[0] for r in _rows(cli, "SELECT certificate_no FROM officer WHERE "
                                         "role = 'officer' ORDER BY certificate_no")]
    return {"leader": roles["squad_leader"], "head": roles["agency_head"],
            "officer": officers[0], "assist": officers[1]}


def _case(cli, people, *, vendor: bool = False, summary: bool = False) -> str:
    if vendor:
        subject = ["--kind", "unidentified_vendor", "--appearance", "中年男子，蓝色三轮车",
                   "--goods", "水果"]
    else:
        first17 = "11010119850101003"
        subject = ["--kind", "individual", "--name", "赵六",
                   "--id-number", first17 + resident_id_check_digit(first17),
                   "--address", "东华门大街30号", "--phone", "13900139000"]
    added = cli("subject", "add", *subject, "--officer", people["officer"], "--json")
    assert added.code == 0, added.err
    opened = cli("case", "open", "--subject", added.json()["id"], "--violation",
                 "SR01" if summary else "DQ07", "--officer", people["officer"], "--officer",
                 people["assist"], *(["--summary-procedure"] if summary else []),
                 "--summary", "在东华门广场使用高音音响开展健身活动，经劝阻拒不改正", "--json")
    assert opened.code == 0, opened.err
    return str(opened.json()["id"])


def _advance(cli, case_id, who, action, payload=None, on=None):
    extra = [*(["--payload", json.dumps(payload, ensure_ascii=False)] if payload else []),
             *(["--on", on] if on else [])]
    return cli("case", "advance", case_id, action, "--officer", who, *extra)


def _refused(run, field: str) -> str:
    assert run.code == 2, (run.code, run.out, run.err)
    line = run.err.strip()
    assert "\n" not in line and line.startswith(field), line
    assert "Error" not in line and "Traceback" not in line
    return line


def test_the_laws_refusals_through_the_command_line(cli) -> None:
    assert cli("demo", "--subjects", "5", "--inspections", "0").code == 0
    people = _people(cli)
    case_id = _case(cli, people)
    for who, on in ((people["leader"], "2026-09-01"), (people["head"], "2026-09-02")):
        assert _advance(cli, case_id, who, "approve_filing", on=on).code == 0
    before = _counts(cli)
    # A fine above the statutory maximum (噪声污染防治法 art. 82: a person ¥200–1,000).
    line = _refused(_advance(cli, case_id, people["officer"], "finish_investigation",
                             {"penalty": {"kinds": ["fine"], "fine_fen": 500_000}},
                             on="2026-09-10"), "罚款")
    assert "第八十二条" in line and "1000" in line.replace(",", "")
    assert _counts(cli) == before
    # A decision before the party was told of it (事先告知) is refused with its article.
    assert _advance(cli, case_id, people["officer"], "finish_investigation",
                    {"penalty": {"kinds": ["fine"], "fine_fen": 50_000}},
                    on="2026-09-10").code == 0
    before = _counts(cli)
    early = _advance(cli, case_id, people["head"], "decide",
                     {"decision": "penalty", "penalty": {"kinds": ["fine"],
                                                         "fine_fen": 50_000}},
                     on="2026-09-11")
    assert early.code in (1, 2) and "\n" not in early.err.strip() and "Error" not in early.err
    assert _counts(cli) == before
    # No penalty decision on paper before the case is decided.
    paper = cli("doc", "issue", "penalty_decision", "--case", case_id, "--officer",
                people["officer"])
    assert paper.code in (1, 2) and "\n" not in paper.err.strip(), paper.err
    assert _counts(cli) == before
    # A legal element is never given as free text.
    _refused(cli("doc", "issue", "filing_approval", "--case", case_id, "--field",
                 "case.fine=9999", "--officer", people["officer"]), "文书字段")
    # An interview record needs its sitting, and its end after its start.
    _refused(cli("doc", "issue", "inquiry_record", "--case", case_id, "--officer",
                 people["officer"]), "开始时间")
    _refused(cli("doc", "issue", "inquiry_record", "--case", case_id, "--started-at",
                 "2026-09-03T10:00", "--ended-at", "2026-09-03T09:00", "--officer",
                 people["officer"]), "结束时间")
    assert _counts(cli) == before
    # An on-the-spot decision against a vendor nobody identified (art. 59 needs a party).
    vendor_case = _case(cli, people, vendor=True, summary=True)
    before = _counts(cli)
    _refused(_advance(cli, vendor_case, people["officer"], "decide_on_spot",
                      {"penalty": {"kinds": ["fine"], "fine_fen": 5_000}}), "当事人")
    assert _counts(cli) == before


def _subject(cli, people, name: str, serial: str) -> str:
    first17 = f"11010119850101{serial}"
    added = cli("subject", "add", "--kind", "individual", "--name", name, "--id-number",
                first17 + resident_id_check_digit(first17), "--address", "东华门大街32号",
                "--officer", people["officer"], "--json")
    assert added.code == 0, added.err
    return str(added.json()["id"])


def _open(cli, people, subject_id: str, code: str, *extra: str) -> str:
    opened = cli("case", "open", "--subject", subject_id, "--violation", code, "--officer",
                 people["officer"], "--officer", people["assist"], *extra,
                 "--summary", "在东华门大街店外占道经营，经劝阻拒不改正", "--json")
    assert opened.code == 0, opened.err
    return str(opened.json()["id"])


def _fine(yuan: int) -> dict[str, object]:
    return {"kinds": ["fine"], "fine_fen": yuan * 100}


def test_amounts_periods_and_paper_out_of_order_are_refused(cli) -> None:
    assert cli("demo", "--subjects", "5", "--inspections", "0").code == 0
    people = _people(cli)
    case_id = _case(cli, people)
    for who, on in ((people["leader"], "2026-09-01"), (people["head"], "2026-09-02")):
        assert _advance(cli, case_id, who, "approve_filing", on=on).code == 0
    assert _advance(cli, case_id, people["officer"], "finish_investigation",
                    {"penalty": _fine(800)}, on="2026-09-10").code == 0
    assert _advance(cli, case_id, people["officer"], "notify", on="2026-09-14").code == 0
    assert _advance(cli, case_id, people["officer"], "record_statement", {
        "statement": "当事人称系初次组织活动，音响已拆除", "review": "采纳其意见，罚款减为五百元",
        "revised_penalty": _fine(500)}, on="2026-09-15").code == 0
    before = _counts(cli)
    # Above the notified amount, and above the amount after 复核 (行政处罚法 art. 45).
    for yuan in (900, 600):
        line = _refused(_advance(cli, case_id, people["head"], "decide",
                                 {"decision": "penalty", "penalty": _fine(yuan)},
                                 on="2026-09-30"), "处罚")
        assert "第四十五条" in line
    assert _counts(cli) == before
    assert _advance(cli, case_id, people["head"], "decide",
                    {"decision": "penalty", "penalty": _fine(500)}, on="2026-09-30").code == 0
    first = cli("doc", "issue", "penalty_decision", "--case", case_id, "--officer",
                people["officer"], "--json")
    assert first.code == 0, first.err
    before = _counts(cli)
    # The second request for the decision opens the first; another decision is refused.
    again = cli("doc", "issue", "行政处罚决定书", "--case", case_id, "--layout", "a4",
                "--officer", people["assist"], "--json")
    assert again.code == 0, again.err
    assert (again.json()["id"], again.json()["number"]) == (first.json()["id"],
                                                            first.json()["number"])
    second = cli("doc", "issue", "no_penalty_decision", "--case", case_id, "--officer",
                 people["officer"])
    assert second.code in (1, 2) and first.json()["number"] in second.err
    assert "\n" not in second.err.strip() and "Error" not in second.err
    # No service dated before the document it serves.
    _refused(cli("doc", "serve", first.json()["id"], "--method", "direct", "--officer",
                 people["officer"], "--officer", people["assist"], "--at",
                 "2026-09-14T16:00", "--receiver", "赵六"), "送达日期")
    _refused(_advance(cli, case_id, people["officer"], "serve", on="2026-09-14"), "送达日期")
    assert _counts(cli) == before

    # On the spot: ¥200 at most for a person (art. 51), and only under the summary procedure.
    person = _subject(cli, people, "钱八", "004")
    spot = _open(cli, people, person, "SR01", "--summary-procedure")
    before = _counts(cli)
    line = _refused(_advance(cli, spot, people["officer"], "decide_on_spot",
                             {"penalty": _fine(300)}), "罚款")
    assert "200" in line
    ordinary = _open(cli, people, person, "SR01")
    before = _counts(cli)
    _refused(cli("doc", "issue", "on_spot_decision", "--case", ordinary, "--officer",
                 people["officer"]), "")
    assert _counts(cli) == before


def test_a_decision_in_the_hearing_period_and_a_placeholder_basis_are_refused(cli) -> None:
    from fieldapp.domain.identity import credit_code_check_char

    assert cli("demo", "--subjects", "5", "--inspections", "0").code == 0
    people = _people(cli)
    reviewer = _rows(cli, "SELECT certificate_no FROM officer WHERE role = "
                          "'legal_reviewer'")[0][0]
    first17 = "91110101MA01A0011"
    company = cli("subject", "add", "--kind", "business", "--name", "示例市好运来商贸有限公司",
                  "--credit-code", first17 + credit_code_check_char(first17),
                  "--legal-representative", "钱七", "--address", "东华门大街31号",
                  "--officer", people["officer"], "--json")
    assert company.code == 0, company.err
    big = _open(cli, people, str(company.json()["id"]), "DQ05")
    for who, action, payload, on in (
            (people["leader"], "approve_filing", None, "2026-09-01"),
            (people["head"], "approve_filing", None, "2026-09-02"),
            (people["officer"], "finish_investigation", {"penalty": _fine(60000)},
             "2026-09-10"),
            (reviewer, "legal_review", {"opinion": "事实清楚，证据确实充分，适用依据正确，"
                                                   "程序合法，处罚适当。"}, "2026-09-11"),
            (people["officer"], "notify", None, "2026-09-14")):
        run = _advance(cli, big, who, action, payload, on=on)
        assert run.code == 0, (action, run.err)
    before = _counts(cli)
    # ¥60,000 to an organisation reaches the hearing threshold: the request period
    # (art. 64) must pass or the hearing be waived in writing.
    line = _refused(_advance(cli, big, people["head"], "decide", {
        "decision": "penalty", "penalty": _fine(60000),
        "statement_waived_in_writing": True}, on="2026-09-15"), "决定日期")
    assert "第六十四条" in line
    assert _counts(cli) == before

    # An act before the demo city's rules took effect (2024) finds the catalogue's
    # placeholder as its basis: nothing is issued, and the leader is told what to set.
    person = _subject(cli, people, "孙九", "005")
    found = cli("inspect", "--subject", person, "--violation", "jm02", "--facts",
                "店外摆放货架", "--officer", people["officer"], "--officer", people["assist"],
                "--at", "2023-06-01T10:00", "--address", "东大街", "--step", "educate",
                "--json")
    assert found.code == 0, found.err
    before = _counts(cli)
    line = _refused(cli("doc", "issue", "education_notice", "--finding",
                        found.json()["finding_ids"][0], "--officer", people["officer"]),
                    "违则")
    assert "待本市配置" in line and "JM02" in line and "本市规则" in line
    assert _counts(cli) == before
