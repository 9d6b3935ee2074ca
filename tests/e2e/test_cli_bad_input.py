"""Every bad input a clear error: through the real ``fieldapp`` command, each one exits 2
with exactly one line on stderr that names the field (in Chinese, the default), and no
row of the database and no file of the data directory changes.

Each row stands for a class of input: impossible dates, dates in the future or before
the squad existed, values outside a choice (any letter case accepted, so only a wrong
word fails), malformed ids, numbers and JSON, text over its length limit, identity
numbers born in the future, the wrong number of officers, and files that are missing,
folders, devices, truncated, not images, or images too large in pixels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

UNKNOWN = "00000000-0000-7000-8000-000000000000"  # well formed, names no record
NEXT_YEAR = str(dt.date.today().year + 1)


@pytest.fixture(scope="module")
def squad(tmp_path_factory):
    """Demo data, two officers and a squad leader unlocked by ``fieldapp login`` (so
    the bad inputs below reach as far as they can without a password being asked)."""
    from tests.e2e.conftest import Cli

    cli = Cli(tmp_path_factory.mktemp("bad") / "data")
    assert cli("demo", "--subjects", "30", "--inspections", "300").code == 0
    for role, offset in (("officer", 0), ("officer", 1), ("squad_leader", 0)):
        assert cli("login", "--officer", _cert(cli, role, offset)).code == 0
    return cli


def _one(cli, sql: str):
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None, sql
    return row[0]


def _cert(cli, role: str, offset: int = 0) -> str:
    return _one(cli, f"SELECT certificate_no FROM officer WHERE role = '{role}' "
                     f"ORDER BY certificate_no LIMIT 1 OFFSET {offset}")


def _files(tmp: Path) -> dict[str, Path]:
    """Evidence files that are wrong in each way a file can be."""
    photo = tmp / "photo.jpg"
    Image.effect_noise((640, 480), 40).convert("RGB").save(photo, "JPEG", quality=90)
    truncated = tmp / "truncated.jpg"
    truncated.write_bytes(photo.read_bytes()[: photo.stat().st_size // 2])
    huge = tmp / "100mp.png"
    Image.new("1", (10_000, 10_000)).save(huge)  # 100 megapixels, a few kilobytes
    bomb = tmp / "200mp.png"
    Image.new("1", (20_000, 10_000)).save(bomb)  # past Pillow's own refusal
    text = tmp / "notes.jpg"
    text.write_text("not a photo", encoding="utf-8")
    folder = tmp / "photos"
    folder.mkdir()
    return {"truncated": truncated, "huge": huge, "bomb": bomb, "text": text,
            "folder": folder, "device": Path("/dev/null"), "missing": tmp / "none.jpg"}


def _cases(cli, files: dict[str, Path]) -> list[tuple[str, list[str], str]]:
    """(what it stands for, the arguments, the field the one line starts with)."""
    vendor = _one(cli, "SELECT id FROM subject WHERE kind = 'unidentified_vendor'")
    case = _one(cli, "SELECT id FROM case_file WHERE status = 'filing'")
    finding = _one(cli, "SELECT id FROM finding")
    document = _one(cli, "SELECT id FROM case_file")  # an id, but of no document
    o1, o2 = _cert(cli, "officer", 0), _cert(cli, "officer", 1)
    leader = _cert(cli, "squad_leader")
    inspect = ["inspect", "--subject", vendor, "--violation", "jm01", "--facts", "占道卖水果",
               "--address", "人民路1号", "--officer", o1, "--officer", o2]
    subject = ["subject", "add", "--kind", "individual", "--name", "张三", "--officer", o1]
    act = ["case", "advance", case, "approve_filing", "--officer", leader]
    advise = ["advise", "--subject", vendor, "--violation", "JM01"]
    long = "x" * 130_000  # a single argument may hold at most 128 KiB
    rows: list[tuple[str, list[str], str]] = [
        ("impossible date", ["stats", "--from", "2026-02-30", "--to", "2026-03-01"], "起始日期"),
        ("not a date", ["stats", "--from", "2026-01-01", "--to", "x"], "截止日期"),
        ("period backwards", ["stats", "--from", "2026-03-01", "--to", "2026-01-01"],
         "截止日期"),
        ("unknown grouping", ["stats", "--from", "2026-01-01", "--to", "2026-02-01",
                              "--by", "month"], "统计口径"),
        ("unknown case action", ["case", "advance", case, "foo", "--officer", leader],
         "办案操作"),
        ("impossible approval date", [*act, "--on", "2026-13-01"], "操作日期"),
        ("approval in the future", [*act, "--on", f"{NEXT_YEAR}-01-01"], "操作日期"),
        ("approval before the squad", [*act, "--on", "1999-01-01"], "操作日期"),
        ("payload not an object", [*act, "--payload", "[1]"], "操作内容"),
        ("payload not JSON", [*act, "--payload", "{bad"], "操作内容"),
        ("case id not a UUID", ["case", "show", "C-1"], "案件"),
        ("unknown case", ["case", "show", UNKNOWN], "案件"),
        ("number not a number", [*advise, "--answer", "area_max_m2=abc"], "面积不超过"),
        ("yes/no not yes or no", [*advise, "--answer", "corrected_on_spot=maybe"], "当场改正"),
        ("unknown condition", [*advise, "--answer", "weather=fine"], "回答"),
        ("answer without =", [*advise, "--answer", "corrected_on_spot"], "回答"),
        ("time not a time", [*advise, "--at", "2026-99"], "时间"),
        ("unknown subject", ["advise", "--subject", UNKNOWN, "--violation", "JM01"], "当事人"),
        ("code with spaces", ["advise", "--subject", vendor, "--violation", "J M"],
         "违法行为代码"),
        ("id not a UUID", [*inspect, "--id", "not-a-uuid"], "巡查检查编号"),
        ("three officers", [*inspect, "--officer", leader], "执法队员"),
        ("one officer twice", [*inspect[:-2], "--officer", o1], "执法队员"),
        ("inspection in the future", [*inspect, "--at", f"{NEXT_YEAR}-06-01T10:00"], "时间"),
        ("inspection before the squad", [*inspect, "--at", "2001-01-01T10:00"], "时间"),
        ("facts too long", [*inspect[:6], "x" * 2001, *inspect[7:]], "检查发现"),
        ("unknown step", [*inspect, "--step", "punish"], "处置步骤"),
        ("unknown evidence type", [*inspect, "--photo", str(files["truncated"]),
                                   "--evidence-type", "rumour"], "证据类型"),
        ("truncated photo", [*inspect, "--photo", str(files["truncated"])], "证据文件"),
        ("100-megapixel photo", [*inspect, "--photo", str(files["huge"])], "证据文件"),
        ("200-megapixel photo", [*inspect, "--photo", str(files["bomb"])], "证据文件"),
        ("not an image", [*inspect, "--photo", str(files["text"])], "证据文件"),
        ("folder as photo", [*inspect, "--photo", str(files["folder"])], "证据文件"),
        ("device as photo", [*inspect, "--photo", str(files["device"])], "证据文件"),
        ("missing photo", [*inspect, "--photo", str(files["missing"])], "证据文件"),
        ("goods too long", [*subject, "--goods", long], "所售货物"),
        ("usual place too long", [*subject, "--usual-place", long], "常在地点"),
        ("representative too long", [*subject, "--legal-representative", long], "法定代表人"),
        ("born in the future", [*subject, "--id-number", "110105203012310026"], "身份证号"),
        ("bad phone", [*subject, "--phone", "12345"], "电话"),
        ("unknown kind", ["subject", "add", "--kind", "alien", "--name", "x"], "当事人类别"),
        ("subject id not a UUID", ["subject", "show", "nope"], "当事人"),
        ("limit out of range", ["subject", "find", "张", "--limit", "0"], "数量上限"),
        ("search text too long", ["subject", "find", long], "查询内容"),
        ("unknown document kind", ["doc", "issue", "receipt_of_joy", "--case", case,
                                   "--officer", leader], "文书种类"),
        ("finding id not a UUID", ["doc", "issue", "教育劝导书", "--finding", "x",
                                   "--officer", o1], "检查发现"),
        ("field without =", ["doc", "issue", "education_notice", "--finding", finding,
                             "--field", "no-equals-sign", "--officer", o1], "文书字段"),
        ("unknown layout", ["doc", "issue", "education_notice", "--finding", finding,
                            "--layout", "A5", "--officer", o1], "版式"),
        ("unknown service method", ["doc", "serve", document, "--method", "pigeon",
                                    "--officer", o1, "--officer", o2], "送达方式"),
        ("service in the future", ["doc", "serve", document, "--method", "direct",
                                   "--receiver", "张三", "--officer", o1, "--officer", o2,
                                   "--at", f"{NEXT_YEAR}-01-01T09:00"], "时间"),
        ("one officer serving", ["doc", "serve", document, "--method", "direct",
                                 "--officer", o1], "执法队员"),
        ("year out of range", ["doc", "voided", "--year", "99999"], "年度"),
        ("PDF into a folder", ["doc", "print", document, "-o", str(files["folder"])],
         "PDF文件"),
        ("PDF into no folder", ["doc", "print", document, "-o",
                                str(files["missing"] / "x.pdf")], "PDF文件"),
        ("verify a folder", ["doc", "verify", str(files["folder"])], "文书文件"),
        ("dossier without a file", ["dossier", case], "PDF文件"),
        ("list from a folder", ["list", "import", str(files["folder"]), "--officer", leader],
         "免罚清单文件"),
        ("list from nowhere", ["list", "import", str(files["missing"]), "--officer", leader],
         "免罚清单文件"),
        ("calendar from a device", ["calendar", "import", "/dev/null", "--year", "2026",
                                    "--officer", leader], "节假日文件"),
        ("calendar year not a number", ["calendar", "import", str(files["text"]), "--year",
                                        "MMXXVI", "--officer", leader], "年度"),
        ("setting of the wrong type", ["settings", "--set", "lookback_months=abc",
                                       "--officer", leader], "lookback_months"),
        ("unknown setting", ["settings", "--set", "speed_limit=30", "--officer", leader],
         "设置项"),
        ("setting out of range", ["settings", "--set", "lookback_months=30",
                                  "--officer", leader], "回溯期"),
        ("revisit id not a UUID", ["revisit", "done", "r1", "--officer", o1], "回头看"),
        ("revisit in the future", ["revisit", "done", UNKNOWN, "--officer", o1, "--at",
                                   f"{NEXT_YEAR}-01-01T09:00"], "时间"),
        ("backup into a folder", ["backup", str(files["folder"]), "--officer", o1],
         "备份文件"),
        ("restore from nowhere", ["restore", str(files["missing"])], "备份文件"),
        ("demo count negative", ["demo", "--subjects", "-5"], "当事人"),
        ("unlock too long", ["login", "--officer", o1, "--hours", "100"], "小时数"),
        ("unknown certificate", ["login", "--officer", "nobody"], "执法证号"),
        ("data directory a file", ["--data-dir", str(files["text"]), "subject", "find", "张"],
         "数据目录"),
        ("unknown language", ["--lang", "fr", "subject", "find", "张"], "语言"),
    ]
    return rows


def _snapshot(cli) -> tuple[dict[str, int], dict[str, str]]:
    """Row counts of every table, and every file of the data directory with its hash (the
    database files by their rows: SQLite may fold its log into the main file on a read)."""
    with sqlite3.connect(cli.data_dir / "fieldapp.sqlite3") as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        counts["audit head"] = conn.execute("SELECT MAX(seq) FROM audit_event").fetchone()[0]
    files = {}
    for path in sorted(cli.data_dir.rglob("*")):
        if path.is_file() and not path.name.startswith("fieldapp.sqlite3"):
            files[str(path.relative_to(cli.data_dir))] = hashlib.sha256(
                path.read_bytes()).hexdigest()
    return counts, files


def test_every_bad_input_is_one_line_naming_the_field_and_changes_nothing(
        squad, tmp_path) -> None:
    cases = _cases(squad, _files(tmp_path))
    before = _snapshot(squad)
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(lambda case: squad(*case[1]), cases))
    wrong = []
    for (what, _args, field), run in zip(cases, runs, strict=True):
        lines = run.err.strip().splitlines()
        if run.code != 2 or len(lines) != 1 or not lines[0].startswith(field) or run.out:
            wrong.append(f"{what}: exit {run.code}, stdout {run.out[:80]!r}, "
                         f"stderr {run.err[:300]!r} (wanted {field}…)")
        if "Traceback" in run.err or "Warning" in run.err or "Error:" in run.err:
            wrong.append(f"{what}: Python's own words reached the user: {run.err[:300]!r}")
    assert wrong == []
    assert len(cases) >= 60
    after = _snapshot(squad)
    assert after[0] == before[0]
    assert after[1] == before[1]


def test_the_good_inputs_next_to_them_work(squad, tmp_path) -> None:
    """The same commands with the values put right succeed (the table is not refusing
    everything): any letter case, Chinese names, a real photo."""
    photo = tmp_path / "photo.jpg"
    Image.effect_noise((320, 240), 30).convert("RGB").save(photo, "JPEG")
    vendor = _one(squad, "SELECT id FROM subject WHERE kind = 'unidentified_vendor'")
    o1, o2 = _cert(squad, "officer", 0), _cert(squad, "officer", 1)
    run = squad("inspect", "--subject", vendor, "--violation", "jm01", "--facts", "占道卖水果",
                "--address", "人民路1号", "--officer", o1, "--officer", o2, "--photo",
                str(photo), "--evidence-type", "视听资料", "--at",
                (dt.datetime.now() - dt.timedelta(hours=1)).isoformat(timespec="minutes"))
    assert run.code == 0, run.err
    assert "巡查检查已记录" in run.out
    assert squad("stats", "--from", "2026-01-01", "--to", "2026-03-01", "--by", "按中队"
                 ).code == 0
    assert squad("subject", "add", "--kind", "自然人", "--name", "李四", "--officer", o1,
                 "--id-number", "11010519491231002X").code == 0
