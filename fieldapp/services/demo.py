"""Deterministic demo data: an agency, squads, officers, grids, subjects, a year of work.

The bulk path writes with ``executemany`` on the raw connection (PERFORMANCE.md: the ORM
is 5–10× slower). Demo rows get one audit event for the whole run and no outbox rows:
demo data must never reach HQ.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldapp.domain.identity import credit_code_check_char, resident_id_check_digit
from fieldapp.domain.ids import uuid7
from fieldapp.domain.errors import ValidationError
from fieldapp.services import demo_names as W
from fieldapp.services.catalogue import load_catalogue, read_catalogue, default_catalogue_path
from fieldapp.services.context import ServiceContext
from fieldapp.store import search
from fieldapp.store.audit import utc_text

Progress = Callable[[str, int, int], None]
_CHUNK = 20_000
_LOOKBACK = dt.timedelta(days=365)
_DIVISIONS = ("110101", "310104", "440305", "320102", "510104", "420106", "330106")


@dataclass
class DemoResult:
    rows: int
    subjects: int
    inspections: int
    cases: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


class _Gen:
    """Deterministic generator: every value comes from one seeded Random."""

    def __init__(self, seed: int, now: dt.datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now

    def uid(self, at: dt.datetime) -> str:
        return str(uuid7(int(at.timestamp() * 1000), self.rng.randbytes(10)))

    def pick(self, seq: Any) -> Any:
        return seq[self.rng.randrange(len(seq))]

    def person_name(self) -> str:
        given = "".join(self.pick(W.GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        # Common surnames (the list starts with them) come up far more often.
        surname = W.SURNAMES[int(len(W.SURNAMES) * self.rng.random() ** 2.5)]
        return surname + given

    def phone(self) -> str:
        return self.pick(("13", "15", "18", "17", "19")) + f"{self.rng.randrange(10**9):09d}"

    def resident_id(self) -> str:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randrange(20000))
        first = f"{self.pick(_DIVISIONS)}{birth:%Y%m%d}{self.rng.randrange(1000):03d}"
        return first + resident_id_check_digit(first)

    def credit_code(self, individual_business: bool) -> str:
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        body = "".join(self.pick(alphabet) for _ in range(9))
        first = ("92" if individual_business else "91") + self.pick(_DIVISIONS) + body
        return first + credit_code_check_char(first)

    def address(self) -> str:
        return f"{self.pick(W.STREETS)}{self.rng.randrange(1, 400)}号"

    def moment(self) -> dt.datetime:
        seconds = self.rng.randrange(int(_LOOKBACK.total_seconds()))
        at = self.now - dt.timedelta(seconds=seconds)
        # Patrols happen 08:00–21:00 local time (UTC+8).
        local_hour = 8 + self.rng.randrange(13)
        return at.replace(hour=(local_hour - 8) % 24, microsecond=0)


def generate_demo(*, ctx: ServiceContext, subjects: int = 300, inspections: int = 2000,
                  seed: int = 7, progress: Progress | None = None) -> DemoResult:
    """Fill an empty data directory with demo data; refuses a directory that has data."""
    import time

    started = time.perf_counter()
    with ctx.read() as session:
        if session.connection().exec_driver_sql("SELECT COUNT(*) FROM subject").scalar_one():
            raise ValidationError("data directory", "already holds data; demo data goes "
                                  "only into an empty one")
    if subjects < 1 or inspections < 0:
        raise ValidationError("subjects", "must be at least 1")
    load_catalogue(ctx=ctx)
    gen = _Gen(seed, ctx.now().replace(microsecond=0))
    writer = _Writer(ctx, progress)
    org = _organisation(gen, writer)
    subject_rows = _subjects(gen, writer, org, subjects)
    cases = _inspections(gen, writer, org, subject_rows, inspections)
    writer.finish(subjects, inspections, cases)
    return DemoResult(writer.rows, subjects, inspections, cases,
                      time.perf_counter() - started, dict(writer.counts))


class _Writer:
    def __init__(self, ctx: ServiceContext, progress: Progress | None) -> None:
        self.ctx = ctx
        self.progress = progress
        self.rows = 0
        self.uncommitted = 0
        self.counts: dict[str, int] = {}
        self.engine = ctx.store.engine.execution_options(immediate=True)
        self.conn = self.engine.connect()
        # Demo data may be lost in a power cut, never corrupted (WAL + NORMAL).
        self.conn.connection.driver_connection.execute("PRAGMA synchronous=NORMAL")
        self.tx = self.conn.begin()

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        marks = ",".join("?" * len(columns))
        self.conn.exec_driver_sql(
            f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)
        self.rows += len(rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        self.uncommitted += len(rows)
        if self.uncommitted >= 5 * _CHUNK:
            self.tx.commit()
            self.tx = self.conn.begin()
            self.uncommitted = 0

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(stage, done, total)

    def finish(self, subjects: int, inspections: int, cases: int) -> None:
        self.tx.commit()
        self.conn.connection.driver_connection.execute("PRAGMA synchronous=FULL")
        self.conn.close()
        with self.ctx.write() as tx:
            tx.conn.exec_driver_sql(
                "INSERT INTO sync_state (key, value) VALUES ('demo_data', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            tx.audit("demo.generate", "demo", "demo", {
                "subjects": subjects, "inspections": inspections, "cases": cases,
                "rows": self.rows})


@dataclass
class _Org:
    agency_id: str
    squads: list[str]
    officers: dict[str, list[str]]  # squad id -> officer ids (leader first)
    grids: dict[str, list[str]]  # squad id -> grid ids
    codes: dict[str, list[str]]  # subject group -> violation codes


def _organisation(gen: _Gen, w: _Writer) -> _Org:
    now, t = gen.now, utc_text(gen.now)
    agency = gen.uid(now)
    w.insert("agency_profile", ("id", "full_name", "short_name", "short_code", "city",
                                "address", "postcode", "phone", "review_body", "court",
                                "bank", "version", "hlc", "updated_at"),
             [(agency, "示例市东城区城市管理综合行政执法局", "东城区城管执法局", "东城管",
               "示例市", "示例市东城区建设路88号", "100010", "010-6512345",
               "示例市东城区人民政府", "示例市东城区人民法院", "中国工商银行示例市东城支行",
               1, "", t)])
    squads, officers, grids = [], {}, {}
    names = (("东华门中队", "DHM"), ("朝阳门中队", "CYM"))
    roles = (("squad_leader", "officer", "officer", "officer"),
             ("squad_leader", "officer", "officer", "legal_reviewer"))
    cert = 11010023001
    for (name, code), squad_roles in zip(names, roles, strict=True):
        sid = gen.uid(now)
        squads.append(sid)
        w.insert("squad", ("id", "agency_id", "name", "code", "address", "phone", "version",
                           "hlc"), [(sid, agency, name, code, gen.address(), "010-6512346",
                                     1, "")])
        rows = []
        for role in squad_roles:
            rows.append((gen.uid(now), sid, gen.person_name(), str(cert), "2023-01-01",
                         "2028-12-31", role, gen.phone(), 1, 1, ""))
            cert += 1
        w.insert("officer", ("id", "squad_id", "name", "certificate_no",
                             "certificate_valid_from", "certificate_valid_to", "role",
                             "phone", "active", "version", "hlc"), rows)
        officers[sid] = [r[0] for r in rows]
        grid_rows = [(gen.uid(now), sid, f"{code}-{n:02d}", f"{W.COMMUNITIES[n + 6 * len(grids)]}网格",
                      rows[n % len(rows)][0], "", 1, "") for n in range(6)]
        w.insert("grid", ("id", "squad_id", "code", "name", "officer_id", "description",
                          "version", "hlc"), grid_rows)
        grids[sid] = [g[0] for g in grid_rows]
    return _Org(agency, squads, officers, grids, _violation_codes())


def _violation_codes() -> dict[str, list[str]]:
    types = read_catalogue(default_catalogue_path())["types"]
    out = {}
    for group, words in W.VIOLATION_WORDS.items():
        codes = [t["code"] for t in types if any(word in t["name"] for word in words)]
        out[group] = codes or [t["code"] for t in types]
    return out


_SUBJECT_COLUMNS = ("id", "local_seq", "kind", "name", "id_number", "credit_code",
                    "legal_representative", "shop_sign", "phone", "address", "gender",
                    "birth_date", "appearance", "goods", "usual_place", "photo_sha256",
                    "grid_id", "notes", "created_at", "created_by", "updated_at",
                    "version", "hlc", "deleted")


def _subject(gen: _Gen, org: _Org, seq: int, created: dt.datetime) -> tuple[tuple[Any, ...], str]:
    squad = gen.pick(org.squads)
    grid = gen.pick(org.grids[squad])
    roll = gen.rng.random()
    name, id_number, credit, rep, sign, appearance, goods, place = ("",) * 8
    if roll < 0.45:
        kind, word, (kind_name, group) = "individual_business", gen.pick(W.SHOP_WORDS), gen.pick(W.SHOP_KINDS)
        name, sign = gen.person_name(), word + kind_name
        credit = gen.credit_code(True) if gen.rng.random() < 0.8 else ""
        id_number = ""
    elif roll < 0.6:
        kind, (suffix, group) = "business", gen.pick(W.COMPANIES)
        name = f"{gen.pick(W.CITY_WORDS)}市{gen.pick(W.SHOP_WORDS)}{suffix}"
        credit, rep = gen.credit_code(False), gen.person_name()
    elif roll < 0.8:
        kind, group = "individual", "individual"
        name, id_number = gen.person_name(), gen.resident_id()
    else:
        kind, group = "unidentified_vendor", "vendor"
        goods, appearance = gen.pick(W.GOODS), gen.pick(W.LOOKS)
        place = gen.pick(W.STREETS) + gen.pick(W.SPOTS)
        name = f"卖{goods}的摊贩"
    phone = gen.phone() if kind != "unidentified_vendor" and gen.rng.random() < 0.85 else ""
    address = "" if kind == "unidentified_vendor" else gen.address()
    gender, birth = "", None
    if id_number:
        birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
        gender = "male" if int(id_number[16]) % 2 else "female"
    t = utc_text(created)
    row = (gen.uid(created), seq, kind, name, id_number, credit, rep, sign, phone, address,
           gender, birth, appearance, goods, place, "", grid, "", t, None, t, 1, "", 0)
    return row, group


def _subjects(gen: _Gen, w: _Writer, org: _Org, count: int) -> list[tuple[str, str, str]]:
    """Returns (id, group, squad-grid) per subject for the inspection stage."""
    created = [gen.now - _LOOKBACK - dt.timedelta(days=gen.rng.randrange(1, 700))
               for _ in range(count)]
    created.sort()
    out, batch, index = [], [], []
    for seq, moment in enumerate(created, start=1):
        row, group = _subject(gen, org, seq, moment)
        batch.append(row)
        index.append((seq, search.tokens_for(dict(zip(_SUBJECT_COLUMNS, row, strict=True)))))
        out.append((row[0], group, row[16]))
        if len(batch) == _CHUNK or seq == count:
            w.insert("subject", _SUBJECT_COLUMNS, batch)
            search.index_rows(w.conn, index)
            w.rows += len(index)
            w.counts["subject_search"] = w.counts.get("subject_search", 0) + len(index)
            batch, index = [], []
            w.report("subjects", seq, count)
    return out


def _inspections(gen: _Gen, w: _Writer, org: _Org, subjects: list[tuple[str, str, str]],
                 count: int) -> int:
    grid_squad = {g: s for s, gs in org.grids.items() for g in gs}
    # Every other squad's officers too: a subject is met by whoever patrols there.
    moments = sorted(gen.moment() for _ in range(count))
    history: dict[tuple[str, str], list[dt.datetime]] = {}
    ins, fnd, stp, cases = [], [], [], []
    for n, at in enumerate(moments, start=1):
        sid, group, grid = subjects[gen.rng.randrange(len(subjects))]
        squad = grid_squad[grid]
        o1, o2 = gen.rng.sample(org.officers[squad], 2)
        code = gen.pick(org.codes[group])
        past = [p for p in history.get((sid, code), []) if at - p <= _LOOKBACK]
        kind = ("educate", "warn", "enforce")[min(len(past), 2)]
        history.setdefault((sid, code), []).append(at)
        t = utc_text(at)
        iid, fid = gen.uid(at), gen.uid(at)
        corrected = kind == "educate" and gen.rng.random() < 0.7
        ins.append((iid, squad, w.ctx.device_id, sid, grid, gen.address(), t, 480, o1, o2,
                    "", t))
        fnd.append((fid, iid, sid, code, _facts(gen, group), int(corrected), kind, t, t))
        deadline = utc_text(at + dt.timedelta(days=3)) if kind == "warn" else None
        case_id = gen.uid(at) if kind == "enforce" else None
        stp.append((gen.uid(at), fid, sid, code, squad, kind, t, o1, deadline, "", case_id, t))
        if case_id:
            cases.append(_case(gen, case_id, squad, sid, code, o1, o2, at, len(cases) + 1))
        if len(ins) == _CHUNK // 2 or n == count:
            _flush_inspections(w, ins, fnd, stp, cases)
            ins, fnd, stp, cases = [], [], [], []
            w.report("inspections", n, count)
    return w.counts.get("case_file", 0)


def _facts(gen: _Gen, group: str) -> str:
    what = gen.pick(("堆放货物约3平方米", "摆放桌椅经营", "设置立式招牌一块", "晾晒衣物",
                     "未清理门前垃圾", "使用高音喇叭招揽顾客", "油烟直排", "占用人行道约2平方米"))
    return W.FACTS[group].format(place=gen.pick(W.SPOTS), street=gen.pick(W.STREETS),
                                 goods=gen.pick(W.GOODS), sign="该店", name="当事人", what=what)


_STATUSES = ("filing", "investigating", "reviewing", "notifying", "decided", "executing",
             "closed", "closed", "archived")


def _case(gen: _Gen, case_id: str, squad: str, subject: str, code: str, o1: str, o2: str,
          at: dt.datetime, n: int) -> tuple[Any, ...]:
    status = gen.pick(_STATUSES)
    t = utc_text(at)
    closed = utc_text(at + dt.timedelta(days=30)) if status in ("closed", "archived") else None
    case_no = f"东城管立字〔{at.year}〕第{n}号"
    return (case_id, case_no, squad, subject, code, status, "ordinary", "patrol", "",
            "经教育、告诫后仍未改正，依法立案调查", o1, o2, t,
            None if status == "filing" else t, None, closed, t, t, 1, "")


def _flush_inspections(w: _Writer, ins: list[Any], fnd: list[Any], stp: list[Any],
                       cases: list[Any]) -> None:
    w.insert("inspection", ("id", "squad_id", "device_id", "subject_id", "grid_id", "address",
                            "at_utc", "utc_offset_min", "officer1_id", "officer2_id",
                            "notes", "created_at"), ins)
    w.insert("finding", ("id", "inspection_id", "subject_id", "violation_code", "facts",
                         "corrected_on_spot", "step", "at_utc", "created_at"), fnd)
    w.insert("case_file", ("id", "case_no", "squad_id", "subject_id", "violation_code",
                           "status", "procedure", "source", "external_ref", "summary",
                           "lead_officer_id", "assist_officer_id", "opened_at", "filed_at",
                           "decided_at", "closed_at", "created_at", "updated_at", "version",
                           "hlc"), cases)
    w.insert("ladder_step", ("id", "finding_id", "subject_id", "violation_code", "squad_id",
                             "kind", "taken_at_utc", "officer_id", "correction_deadline_utc",
                             "override_reason", "case_id", "created_at"), stp)
