"""The demo data set as a stream of protocol entity batches (no database here).

Every value comes from one seeded ``random.Random``, so the same seed and clock give
the same data. ``demo_batches`` yields ``EntityBatch`` rows entity by entity (parents
first), the officers' password ``Verifiers`` and ``Progress`` marks. The desktop
(``fieldapp.demo.load``) writes them into its tables, in this process or from a child
process while it inserts; HQ (``fieldapp-hq demo``) into its own store: one demo.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fieldapp.crypto.passwords import hash_password
from fieldapp.domain.identity import credit_code_check_char, resident_id_check_digit
from fieldapp.domain.ids import uuid7_text_bits
from fieldapp.interchange.demo import names as W
from fieldapp.interchange.demo.case_history import (
    CASE_EVENT_FIELDS,
    REVIEWS,
    STALL_AGE_DAYS,
    STALLS_PER_OFFICER,
    STATEMENTS,
    Actors,
    CaseHistory,
    case_history,
    stall_after,
)
from fieldapp.sync.protocol import Entity, EntityBatch, Verifiers
from fieldapp.sync.protocol import time_text as utc_text

T = TypeVar("T")
DEMO_PASSWORD = "demo1234"  # every demo officer's password (README)
CHUNK = 10_000
_LOOKBACK = dt.timedelta(days=365)
_LOOKBACK_S = int(_LOOKBACK.total_seconds())
_DAY_S = 86_400
_EPOCH = dt.datetime(1970, 1, 1)
_DIVISIONS = ("110101", "310104", "440305", "320102", "510104", "420106", "330106")


@dataclass(frozen=True)
class Progress:
    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class DemoSpec:
    subjects: int
    inspections: int
    seed: int
    now: dt.datetime
    device_id: str
    violation_types: tuple[tuple[str, str, bool], ...]  # (code, name, ladder applies)


class _Gen:
    """Deterministic generator: every value comes from one seeded Random."""

    def __init__(self, seed: int, now: dt.datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.now_s = int(now.timestamp())

    def uid(self, at: dt.datetime) -> str:
        return self.uid_ms(int(at.timestamp() * 1000))

    def uid_ms(self, unix_ms: int) -> str:
        return uuid7_text_bits(unix_ms, self.rng.getrandbits(80))

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rng.random() * len(seq))]

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

    def moment_s(self) -> int:
        """A time (Unix seconds) in the past year, in patrol hours 08:00–21:00 (UTC+8)."""
        day, rest = divmod(self.now_s - self.rng.randrange(_LOOKBACK_S), _DAY_S)
        return day * _DAY_S + self.rng.randrange(13) * 3600 + rest % 3600


class _UtcText:
    """``utc_text`` of whole Unix seconds, without a datetime per row: the demo writes
    millions of them (each day's date is formatted once)."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, seconds: int) -> str:
        day, rest = divmod(seconds, _DAY_S)
        date = self._days.get(day)
        if date is None:
            date = self._days[day] = (_EPOCH + dt.timedelta(days=day)).strftime("%Y-%m-%d")
        hours, rest = divmod(rest, 3600)
        return f"{date} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000000"


@dataclass
class _Org:
    squads: list[str]
    officers: dict[str, list[str]]  # squad id -> officer ids (leader first)
    grids: dict[str, list[str]]  # squad id -> grid ids
    codes: dict[str, list[str]]  # subject group -> violation codes
    head: str = ""  # the agency head (局负责人), who approves filings and decides
    organisations: set[str] = dataclasses.field(default_factory=set)  # subject ids (单位)


def demo_batches(spec: DemoSpec) -> Iterator[EntityBatch | Verifiers | Progress]:
    """The demo data set: entity batches (parents first), the officers' verifiers and
    progress marks."""
    gen = _Gen(spec.seed, spec.now)
    org = _Org([], {}, {}, _violation_codes(spec.violation_types))
    yield from _organisation(gen, org)
    subjects: list[tuple[str, str, str, str]] = []
    yield from _subjects(gen, org, spec.subjects, subjects)
    yield from _inspections(gen, org, subjects, spec)


def _violation_codes(types: tuple[tuple[str, str, bool], ...]) -> dict[str, list[str]]:
    known = {code for code, _name, _ladder in types}
    out = {}
    for group, codes in W.VIOLATION_CODES.items():
        # A city's own catalogue may lack some codes; fall back to all of it.
        out[group] = [c for c in codes if c in known] or sorted(known)
    return out


_NOT_PATROLLING = ("legal_reviewer", "agency_head")


def _organisation(gen: _Gen, org: _Org) -> Iterator[EntityBatch | Verifiers]:
    now, t = gen.now, utc_text(gen.now)
    agency = gen.uid(now)
    yield EntityBatch(Entity.AGENCY, (
        "id", "full_name", "short_name", "short_code", "city", "address", "postcode",
        "phone", "review_body", "court", "bank", "version", "hlc", "updated_at"),
        [(agency, "示例市东城区城市管理综合行政执法局", "东城区城管执法局", "东城管", "示例市",
          "示例市东城区建设路88号", "100010", "010-6512345", "示例市东城区人民政府",
          "示例市东城区人民法院", "中国工商银行示例市东城支行", 1, "", t)])
    # The agency head (负责人), who approves filings and decides cases, is kept with the
    # first squad; neither the head nor the legal reviewer patrols.
    squads = (("东华门中队", "DHM", ("squad_leader", "officer", "officer", "agency_head")),
              ("朝阳门中队", "CYM", ("squad_leader", "officer", "officer", "legal_reviewer")))
    cert = 11010023001
    password = hash_password(DEMO_PASSWORD)  # one hash serves all: same password
    for n_squad, (name, code, roles) in enumerate(squads):
        sid = gen.uid(now)
        org.squads.append(sid)
        yield EntityBatch(Entity.SQUAD, ("id", "agency_id", "name", "code", "address",
                                         "phone", "version", "hlc"),
                    [(sid, agency, name, code, gen.address(), "010-6512346", 1, "")])
        officers = []
        for role in roles:
            officers.append((gen.uid(now), sid, gen.person_name(), str(cert), "2023-01-01",
                             "2028-12-31", role, gen.phone(), True, 1, ""))
            cert += 1
        yield EntityBatch(Entity.OFFICER, ("id", "squad_id", "name", "certificate_no",
                                           "certificate_valid_from", "certificate_valid_to",
                                           "role", "phone", "active", "version", "hlc"),
                          officers)
        yield Verifiers({o[0]: password for o in officers})
        org.officers[sid] = [o[0] for o in officers if o[6] not in _NOT_PATROLLING]
        org.head = next((o[0] for o in officers if o[6] == "agency_head"), org.head)
        communities = W.COMMUNITIES[6 * n_squad:]
        grids = [(gen.uid(now), sid, f"{code}-{n + 1:02d}", f"{communities[n]}网格",
                  officers[n % 3][0], "", 1, "") for n in range(6)]
        yield EntityBatch(Entity.GRID, ("id", "squad_id", "code", "name", "officer_id",
                                        "description", "version", "hlc"), grids)
        org.grids[sid] = [g[0] for g in grids]


SUBJECT_FIELDS = ("id", "kind", "name", "id_number", "credit_code",
                   "legal_representative", "shop_sign", "phone", "address", "gender",
                   "birth_date", "appearance", "goods", "usual_place", "photo_sha256",
                   "grid_id", "notes", "created_at", "created_by", "updated_at",
                   "version", "hlc", "deleted")


def _subject(gen: _Gen, org: _Org, created: dt.datetime) -> tuple[tuple[Any, ...], str]:
    grid = gen.pick(org.grids[gen.pick(org.squads)])
    roll = gen.rng.random()
    name, id_number, credit, rep, sign, appearance, goods, place = ("",) * 8
    if roll < 0.45:
        kind, word = "individual_business", gen.pick(W.SHOP_WORDS)
        kind_name, group = gen.pick(W.SHOP_KINDS)
        name, sign = gen.person_name(), word + kind_name
        credit = gen.credit_code(True) if gen.rng.random() < 0.8 else ""
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
    row = (gen.uid(created), kind, name, id_number, credit, rep, sign, phone, address,
           gender, birth, appearance, goods, place, "", grid, "", t, None, t, 1, "", False)
    return row, group


def _subjects(gen: _Gen, org: _Org, count: int,
              out: list[tuple[str, str, str, str]]) -> Iterator[EntityBatch | Progress]:
    """Fills ``out`` with (id, group, grid, address) per subject for the inspections."""
    created = sorted(gen.now - _LOOKBACK - dt.timedelta(days=gen.rng.randrange(1, 700))
                     for _ in range(count))
    batch: list[tuple[Any, ...]] = []
    agreements: list[tuple[Any, ...]] = []
    grid_squad = {g: s for s, gs in org.grids.items() for g in gs}
    for seq, moment in enumerate(created, start=1):
        row, group = _subject(gen, org, moment)
        batch.append(row)
        if row[_KIND] == "individual_business" and gen.rng.random() < 0.4:
            agreements.append(_agreement(gen, row, org.officers[grid_squad[row[_GRID]]][0],
                                         moment))
        out.append((row[0], group, row[_GRID], row[_ADDRESS] or row[_PLACE]))
        if row[_KIND] == "business":
            org.organisations.add(row[0])
        if len(batch) == CHUNK or seq == count:
            yield EntityBatch(Entity.SUBJECT, SUBJECT_FIELDS, batch)
            yield EntityBatch(Entity.FRONTAGE_AGREEMENT, _AGREEMENT, agreements)
            yield Progress("subjects", seq, count)
            batch, agreements = [], []


_KIND, _NAME, _ADDRESS, _PLACE, _GRID = (SUBJECT_FIELDS.index(c) for c in (
    "kind", "name", "address", "usual_place", "grid_id"))


_AGREEMENT = ("id", "subject_id", "signed_on", "ends_on", "scope", "duties", "signed_by",
              "officer_id", "created_at", "version", "hlc")


def _agreement(gen: _Gen, subject: tuple[Any, ...], officer: str,
               created: dt.datetime) -> tuple[Any, ...]:
    """门前四包责任书, signed soon after the shop opened."""
    signed = (created + dt.timedelta(days=gen.rng.randrange(1, 60))).date()
    scope = f"{subject[_ADDRESS]}门前至人行道路缘石，东西各{gen.pick((3, 5, 8))}米"
    return (gen.uid(created), subject[0], signed.isoformat(), None, scope,
            "包卫生、包绿化、包秩序、包设施", subject[_NAME], officer, utc_text(created), 1, "")


_INSPECTION = ("id", "squad_id", "device_id", "subject_id", "grid_id", "address", "at_utc",
               "utc_offset_min", "officer1_id", "officer2_id", "notes", "created_at")
_FINDING = ("id", "inspection_id", "subject_id", "violation_code", "facts",
            "corrected_on_spot", "step", "at_utc", "created_at")
_STEP = ("id", "finding_id", "subject_id", "violation_code", "squad_id", "kind",
         "taken_at_utc", "officer_id", "correction_deadline_utc", "override_reason",
         "case_id", "created_at")
_CASE = ("id", "case_no", "squad_id", "subject_id", "violation_code", "status", "procedure",
         "source", "external_ref", "summary", "lead_officer_id", "assist_officer_id",
         "opened_at", "filed_at", "decided_at", "closed_at", "created_at", "updated_at",
         "version", "hlc", "state_json", "next_deadline_at")


_LADDER = ("educate", "warn", "enforce")
_WARN_S = 3 * _DAY_S


def _inspections(gen: _Gen, org: _Org, subjects: list[tuple[str, str, str, str]],
                 spec: DemoSpec) -> Iterator[EntityBatch | Progress]:
    count = spec.inspections
    grid_squad = {g: s for s, gs in org.grids.items() for g in gs}
    facts = _facts_pool(gen, spec.violation_types)
    skips_ladder = {code for code, _name, ladder in spec.violation_types if not ladder}
    # Times as whole Unix seconds (UTC) in this loop: it runs a million times.
    moments = sorted(gen.moment_s() for _ in range(count))
    history: dict[tuple[str, str], list[int]] = {}
    ins: list[tuple[Any, ...]] = []
    fnd: list[tuple[Any, ...]] = []
    stp: list[tuple[Any, ...]] = []
    cases: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    stalls: dict[str, int] = {}  # lead officer -> late cases
    names = {code: name.split("（")[0] for code, name, _ladder in spec.violation_types}
    rng, text, case_numbers = gen.rng, _UtcText(), dict[str, int]()
    random_, bits, uid = rng.random, rng.getrandbits, uuid7_text_bits  # local: hot loop
    codes = {group: (choices, len(choices)) for group, choices in org.codes.items()}
    facts_of = {code: (choices, len(choices)) for code, choices in facts.items()}
    squad_officers = {squad: (officers, len(officers))
                      for squad, officers in org.officers.items()}
    n_subjects = len(subjects)
    for n, at in enumerate(moments, start=1):
        sid, group, grid, address = subjects[int(random_() * n_subjects)]
        squad = grid_squad[grid]
        officers, n_officers = squad_officers[squad]
        first = int(random_() * n_officers)
        o1 = officers[first]
        o2 = officers[(first + 1 + int(random_() * (n_officers - 1))) % n_officers]
        choices, n_choices = codes[group]
        code = choices[int(random_() * n_choices)]
        # The ladder as the squad applies it: the steps of the last 12 months decide.
        past = history.setdefault((sid, code), [])
        recent = sum(1 for p in past if at - p <= _LOOKBACK_S) if past else 0
        past.append(at)
        if recent == 1 and random_() < 0.65:
            # Most warned parties correct by the deadline: the episode closes and the
            # next violation starts the ladder again.
            past.clear()
        kind = "enforce" if code in skips_ladder else _LADDER[min(recent, 2)]
        if kind == "enforce" and n_officers == 3:
            # A case is handled by two 队员; the squad leader approves it, and nobody
            # approves their own case.
            o1, o2 = (officers[1], officers[2]) if first % 2 else (officers[2], officers[1])
        t, ms = text(at), at * 1000
        iid, fid = uid(ms, bits(80)), uid(ms, bits(80))
        corrected = kind == "educate" and random_() < 0.7
        ins.append((iid, squad, spec.device_id, sid, grid, address, t, 480, o1, o2, "", t))
        choices, n_choices = facts_of[code]
        fnd.append((fid, iid, sid, code, choices[int(random_() * n_choices)], corrected,
                    kind, t, t))
        deadline = text(at + _WARN_S) if kind == "warn" else None
        case_id = uid(ms, bits(80)) if kind == "enforce" else None
        stp.append((uid(ms, bits(80)), fid, sid, code, squad, kind, t, o1, deadline, "",
                    case_id, t))
        if case_id:
            year = t[:4]
            case_numbers[year] = case_numbers.get(year, 0) + 1
            late = (gen.now_s - at > STALL_AGE_DAYS * _DAY_S and case_numbers[year] % 3 == 0
                    and stalls.get(o1, 0) < STALLS_PER_OFFICER)
            if late:
                stalls[o1] = stalls.get(o1, 0) + 1
            steps = _history(gen, org, case_id, sid, names.get(code, code), o1, squad, at,
                             stall_after(sum(stalls.values())) if late else None)
            cases.append(_case(case_id, squad, sid, code, o1, o2,
                               dt.datetime.fromtimestamp(at, dt.UTC), case_numbers[year],
                               steps))
            events.extend(steps.events)
        if len(ins) == CHUNK or n == count:
            yield EntityBatch(Entity.INSPECTION, _INSPECTION, ins)
            yield EntityBatch(Entity.FINDING, _FINDING, fnd)
            yield EntityBatch(Entity.CASE, _CASE, cases)
            yield EntityBatch(Entity.CASE_EVENT, CASE_EVENT_FIELDS, events)
            yield EntityBatch(Entity.LADDER_STEP, _STEP, stp)
            yield Progress("inspections", n, count)
            ins, fnd, stp, cases, events = [], [], [], [], []


def _facts_pool(gen: _Gen, types: tuple[tuple[str, str, bool], ...]) -> dict[str, list[str]]:
    """A few plausible descriptions per violation type, drawn from for every finding."""
    return {code: [f"{gen.pick(W.STREETS)}{gen.rng.randrange(1, 400)}号附近，"
                   f"{gen.pick(W.DETAILS)}{name.split('（')[0]}" for _ in range(12)]
            for code, name, _ladder in types}


def _history(gen: _Gen, org: _Org, case_id: str, subject: str, violation: str, lead: str,
             squad: str, opened_s: int, stall: int | None) -> CaseHistory:
    rng = gen.rng
    fine = 100 * 100 * (1 + int(rng.random() * 20))  # 100 to 2,000 yuan
    return case_history(
        case_id=case_id, opened_s=opened_s, now_s=gen.now_s, fine_fen=fine,
        organisation=subject in org.organisations, violation=violation,
        actors=Actors(lead=lead, leader=org.officers[squad][0], head=org.head or lead),
        new_id=lambda ms: uuid7_text_bits(ms, rng.getrandbits(80)),
        statement=gen.pick(STATEMENTS), review=gen.pick(REVIEWS), stall=stall,
        archive=rng.random() < 0.3)


def _case(case_id: str, squad: str, subject: str, code: str, o1: str, o2: str,
          at: dt.datetime, n: int, history: CaseHistory) -> tuple[Any, ...]:
    t = utc_text(at)
    state = history.state
    return (case_id, f"东城管立字〔{at.year}〕第{n}号", squad, subject, code,
            state.status.value, "ordinary", "patrol", "", "经教育、告诫后仍未改正，依法立案调查",
            o1, o2, t, history.filed_at, history.decided_at, history.closed_at, t,
            history.events[-1][3], 1, "",
            json.dumps(state.to_json()), history.next_deadline_at)
