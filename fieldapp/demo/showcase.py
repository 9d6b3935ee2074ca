"""The demo's showcase cases: a handful of cases carried through the real services, one
at each stage of the procedure, so every case page, document and dossier of the demo has
something true to show.

Each case is recorded as the squad would: an inspection with photos, the case opened by
the enforcement step, its documents issued, numbered and signed, served with their
送达回证, and every approval taken by the officer whose role it is (the squad leader, the
legal reviewer, the agency head). The clock and the ids are the demo's own (``_Clock``,
``_Ids``): the same seed and the same day give the same cases, the same numbers and the
same dates. What differs between two data directories is what belongs to the device: its
id, its signing key, so the documents' signatures, verification codes and PDF hashes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from sqlmodel import col, select

from fieldapp.domain.document_kinds import DocumentKind as K
from fieldapp.domain.entities import (
    EvidenceData,
    EvidenceType,
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.identity import resident_id_check_digit
from fieldapp.domain.ids import uuid7_text_bits
from fieldapp.domain.issuance import RecordTimes
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.workflow import Action, Procedure
from fieldapp.services.cases import act, open_case
from fieldapp.services.context import ServiceContext
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import issue_document, record_service
from fieldapp.services.subjects import create_subject
from fieldapp.store.tables import CaseFile, Grid, Officer, Squad


class _Clock:
    """The demo's clock: the time each step of a showcase case is taken."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


class _Ids:
    """UUIDv7 ids at the demo clock's time, with seeded random bits."""

    def __init__(self, clock: _Clock, seed: int) -> None:
        self._clock, self._rng = clock, random.Random(seed)

    def __call__(self) -> str:
        return uuid7_text_bits(int(self._clock().timestamp() * 1000), self._rng.getrandbits(80))


@dataclass(frozen=True)
class Party:
    kind: SubjectKind
    name: str
    id_body: str  # the first 17 digits of the resident id
    gender: str
    phone: str
    address: str
    shop_sign: str = ""


@dataclass(frozen=True)
class Showcase:
    """One showcase case: who, what, how many days ago it was opened, how far it got."""

    stage: str  # a step name of ``_STAGES``
    squad: int  # 0: 东华门中队, 1: 朝阳门中队
    days_ago: int
    party: Party
    violation: str
    place: str
    facts: str
    fine_yuan: int = 500
    no_penalty: bool = False
    summary: bool = False


SHOWCASES = (
    Showcase("filing", 0, 1, Party(
        SubjectKind.INDIVIDUAL_BUSINESS, "周建平", "11010119780312003", "male", "13901012345",
        "示例市东城区建设路126号", "平价五金店"), "JM02", "建设路126号门前",
        "当事人在建设路126号店外人行道上摆放五金货架及货物，占道约4平方米，经劝导拒不收回"),
    Showcase("investigating", 1, 5, Party(
        SubjectKind.INDIVIDUAL_BUSINESS, "马丽娟", "11010119850621004", "female",
        "13801026789", "示例市东城区和平街58号", "丽娟水果店"), "JM02", "和平街58号门前",
        "当事人在和平街58号店外摆放水果摊位，占用人行道约6平方米，经多次劝导仍未改正"),
    Showcase("reviewing", 0, 12, Party(
        SubjectKind.INDIVIDUAL_BUSINESS, "孙志强", "11010119720904005", "male", "13701038765",
        "示例市东城区人民路210号", "老孙烧烤"), "JM02", "人民路210号门前",
        "当事人在人民路210号店外人行道摆放桌椅经营烧烤，占道约10平方米", fine_yuan=800),
    Showcase("notifying", 1, 11, Party(
        SubjectKind.INDIVIDUAL_BUSINESS, "郑淑华", "11010119690117006", "female",
        "13601045566", "示例市东城区光明路33号", "淑华服装店"), "JM02", "光明路33号门前",
        "当事人在光明路33号店外人行道摆放衣架销售服装，占道约3平方米", fine_yuan=300),
    Showcase("decided", 0, 17, Party(
        SubjectKind.INDIVIDUAL_BUSINESS, "黄国庆", "11010119801001007", "male", "13501057788",
        "示例市东城区中山路88号", "国庆便利店"), "JM02", "中山路88号门前",
        "当事人在中山路88号店外人行道堆放饮料纸箱及冰柜，占道约5平方米", fine_yuan=500),
    Showcase("executing", 1, 30, Party(
        SubjectKind.INDIVIDUAL_BUSINESS, "吴春梅", "11010119760815008", "female",
        "13401063344", "示例市东城区文化路17号", "春梅早餐店"), "JM02", "文化路17号门前",
        "当事人在文化路17号店外人行道摆放蒸笼、桌椅经营早餐，占道约6平方米", fine_yuan=400),
    Showcase("closed", 0, 48, Party(
        SubjectKind.INDIVIDUAL_BUSINESS, "刘德福", "11010119700520009", "male", "13301079900",
        "示例市东城区解放路45号", "德福建材店"), "JM02", "解放路45号门前",
        "当事人在解放路45号店外人行道堆放瓷砖、水泥等建材，占道约8平方米", fine_yuan=600),
    Showcase("closed", 1, 40, Party(
        SubjectKind.INDIVIDUAL_BUSINESS, "陈小燕", "11010119900228002", "female",
        "13201084455", "示例市东城区幸福街9号", "小燕花店"), "JM02", "幸福街9号门前",
        "当事人在幸福街9号店外摆放花架约2平方米，立案后当即收回并保持整洁", no_penalty=True),
    Showcase("closed", 0, 26, Party(
        SubjectKind.INDIVIDUAL, "杨永福", "11010119660710001", "male", "13101092233",
        "示例市东城区东风路102号"), "JM01", "地铁站B口",
        "当事人在地铁站B口人行道上摆摊销售袜子、手机壳，占道约2平方米", fine_yuan=100,
        summary=True),
)

STATEMENT = "当事人称：“店里地方小，货放不下才摆到门口，我认识到错了，已经把东西收回店里，" \
            "请求从轻处理。”"
REVIEW = "经复核，当事人对违法事实无异议，已主动改正，所提从轻处理的请求已在拟处罚数额中考虑，" \
         "维持拟作出的处罚。"
LEGAL_OPINION = "经审核，本案事实清楚，证据确凿，适用依据正确，程序合法，处罚适当，同意拟处理意见。"


@dataclass
class _Squad:
    id: str
    grid: str
    leader: str
    pair: tuple[str, str]  # the case's two 队员


@dataclass
class _Run:
    ctx: ServiceContext
    clock: _Clock
    today: dt.date
    squads: list[_Squad]
    head: str
    reviewer: str
    photos: Path
    rng: random.Random

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(hour, minute), agency_zone())
        self.clock.at = moment.astimezone(dt.UTC)
        return self.clock.at


def make_showcases(ctx: ServiceContext, *, seed: int, today: dt.date) -> list[str]:
    """Record the showcase cases; returns their ids (``SHOWCASES``' order)."""
    clock = _Clock(ctx.now())
    demo = dataclasses.replace(ctx, clock=clock, new_id=_Ids(clock, seed))
    with tempfile.TemporaryDirectory(prefix="fieldapp-demo-") as photos:
        run = _Run(demo, clock, today, _squads(demo), _officer(demo, "agency_head"),
                   _officer(demo, "legal_reviewer"), Path(photos), random.Random(seed))
        return [_carry(run, show) for show in SHOWCASES]


def _officer(ctx: ServiceContext, role: str) -> str:
    with ctx.read() as session:
        return session.exec(select(Officer.id).where(Officer.role == role)
                            .order_by(col(Officer.certificate_no))).one()


def _squads(ctx: ServiceContext) -> list[_Squad]:
    out = []
    with ctx.read() as session:
        for squad in session.exec(select(Squad).order_by(col(Squad.code).desc())):
            officers = session.exec(select(Officer).where(Officer.squad_id == squad.id)
                                    .order_by(col(Officer.certificate_no))).all()
            leader = next(o.id for o in officers if o.role == "squad_leader")
            pair = [o.id for o in officers if o.role == "officer"]
            grid = session.exec(select(Grid.id).where(Grid.squad_id == squad.id)
                                .order_by(col(Grid.code))).first()
            out.append(_Squad(squad.id, grid or "", leader, (pair[0], pair[1])))
    return out  # DHM before CYM


def _photo(run: _Run, name: str) -> Path:
    """A street photo stand-in: a pavement, a shop front and the goods in the way."""
    rng = run.rng
    image = Image.new("RGB", (640, 480), (150, 150, 145))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 200), fill=(90 + rng.randrange(60), 80, 70))
    for n in range(3 + rng.randrange(4)):
        x, y = 40 + n * 110 + rng.randrange(30), 240 + rng.randrange(120)
        draw.rectangle((x, y, x + 80, y + 70), fill=tuple(rng.randrange(256) for _ in "rgb"))
    path = run.photos / f"{name}.jpg"
    image.save(path, "JPEG", quality=80)
    return path


_STAGES = ("filing", "investigating", "reviewing", "notifying", "decided", "executing",
           "closed")


def _carry(run: _Run, show: Showcase) -> str:
    squad = run.squads[show.squad]
    opened = run.today - dt.timedelta(days=show.days_ago)
    subject = _subject(run, show, squad, opened)
    case_id = _open(run, show, squad, subject, opened)
    if show.summary:
        _on_the_spot(run, show, squad, case_id, opened)
        return case_id
    steps: list[Callable[[_Run, Showcase, _Squad, str, dt.date], None]] = [
        _file, _investigate, _review, _notify, _decide, _execute, _close]
    for step in steps[1:_STAGES.index(show.stage) + 1]:
        step(run, show, squad, case_id, opened)
    return case_id


def _party_id(party: Party) -> str:
    return party.id_body + resident_id_check_digit(party.id_body)


def _subject(run: _Run, show: Showcase, squad: _Squad, opened: dt.date) -> str:
    party = show.party
    run.at(opened - dt.timedelta(days=200 + 7 * len(party.name)), 10)
    return create_subject(ctx=run.ctx, officer_id=squad.pair[0], data=SubjectData(
        kind=party.kind, name=party.name, id_number=_party_id(party), gender=party.gender,
        phone=party.phone, address=party.address, shop_sign=party.shop_sign,
        grid_id=squad.grid)).id


def _open(run: _Run, show: Showcase, squad: _Squad, subject: str, opened: dt.date) -> str:
    """The inspection that opened the case (with photos), its record and its filing."""
    seen = run.at(opened, 9, 40)
    photos = tuple(EvidenceData(
        path=str(_photo(run, f"{show.party.name}{n}")), evidence_type=EvidenceType.AUDIOVISUAL,
        captured_at=seen + dt.timedelta(minutes=2 + n), place=show.place,
        description="违法行为现场") for n in range(2))
    if show.summary:
        run.at(opened, 10, 5)
        case_id = open_case(ctx=run.ctx, officer_ids=squad.pair, subject_id=subject,
                            violation_code=show.violation, procedure=Procedure.SUMMARY,
                            summary=show.facts, at=seen).id
        return case_id
    run.at(opened, 10, 5)
    record_inspection(ctx=run.ctx, data=InspectionData(
        subject_id=subject, officer_ids=squad.pair, at=seen, address=show.place,
        grid_id=squad.grid, evidence=photos, findings=(FindingData(
            violation_code=show.violation, facts=show.facts, corrected_on_spot=False,
            step=StepKind.ENFORCE, override_reason="经现场教育劝导拒不改正"),)))
    with run.ctx.read() as session:
        case_id = session.exec(select(CaseFile.id).where(CaseFile.subject_id == subject)).one()
    run.at(opened, 10, 20)
    _issue(run, squad, K.INSPECTION_RECORD, case_id)
    run.at(opened, 11, 0)
    _issue(run, squad, K.FILING_APPROVAL, case_id)
    run.at(opened, 15, 30)
    _act(run, case_id, squad.leader, Action.APPROVE_FILING, opened)
    return case_id


def _issue(run: _Run, squad: _Squad, kind: K, case_id: str, **kw: Any) -> str:
    return issue_document(ctx=run.ctx, officer_id=squad.pair[0], kind=kind, case_id=case_id,
                          **kw).id


def _act(run: _Run, case_id: str, officer: str, action: Action, day: dt.date,
         payload: dict[str, Any] | None = None) -> None:
    act(ctx=run.ctx, case_id=case_id, officer_id=officer, action=action, payload=payload,
        on=day)


def _serve(run: _Run, show: Showcase, squad: _Squad, case_id: str, document: str,
           day: dt.date) -> None:
    """Hand the document to the party and issue its 送达回证."""
    served = run.at(day, 10, 30)
    record_service(ctx=run.ctx, document_id=document, method="direct", served_at=served,
                   officer_ids=squad.pair, receiver=show.party.name, place=show.party.address)
    run.at(day, 10, 45)
    _issue(run, squad, K.SERVICE_RECEIPT, case_id, served_document_id=document)


def _penalty(show: Showcase) -> dict[str, Any]:
    return {"kinds": ["fine"], "fine_fen": show.fine_yuan * 100}


def _file(run: _Run, show: Showcase, squad: _Squad, case_id: str, opened: dt.date) -> None:
    """Recorded in ``_open``: the inspection, its record and the filing form."""


def _investigate(run: _Run, show: Showcase, squad: _Squad, case_id: str,
                 opened: dt.date) -> None:
    day = opened + dt.timedelta(days=1)
    run.at(day, 9, 30)
    _act(run, case_id, run.head, Action.APPROVE_FILING, day)


def _review(run: _Run, show: Showcase, squad: _Squad, case_id: str, opened: dt.date) -> None:
    day = opened + dt.timedelta(days=3)
    run.at(day, 9, 0)
    start, end = run.at(day, 9, 0), run.at(day, 9, 50)
    run.at(day, 10, 0)
    _issue(run, squad, K.INQUIRY_RECORD, case_id, record_times=RecordTimes(start, end))
    day = opened + dt.timedelta(days=6)
    run.at(day, 15, 0)
    payload = ({"decision": "no_penalty"} if show.no_penalty else {"penalty": _penalty(show)})
    _act(run, case_id, squad.pair[0], Action.FINISH_INVESTIGATION, day, payload)


def _notify(run: _Run, show: Showcase, squad: _Squad, case_id: str, opened: dt.date) -> None:
    day = opened + dt.timedelta(days=7)
    run.at(day, 10, 0)
    _act(run, case_id, run.reviewer, Action.LEGAL_REVIEW, day, {"opinion": LEGAL_OPINION})
    if show.no_penalty:
        return
    day = opened + dt.timedelta(days=8)
    run.at(day, 9, 30)
    _act(run, case_id, squad.pair[0], Action.NOTIFY, day)
    run.at(day, 9, 45)
    notice = _issue(run, squad, K.PRIOR_NOTICE, case_id)
    _serve(run, show, squad, case_id, notice, day)


def _decide(run: _Run, show: Showcase, squad: _Squad, case_id: str, opened: dt.date) -> None:
    if show.no_penalty:
        day = opened + dt.timedelta(days=9)
        run.at(day, 10, 0)
        _act(run, case_id, run.head, Action.DECIDE, day,
             {"decision": "no_penalty", "reason": "minor"})
        run.at(day, 14, 0)
        _issue(run, squad, K.NO_PENALTY_DECISION, case_id)
        return
    day = opened + dt.timedelta(days=10)
    start, end = run.at(day, 14, 0), run.at(day, 14, 30)
    run.at(day, 14, 40)
    _act(run, case_id, squad.pair[0], Action.RECORD_STATEMENT, day,
         {"statement": STATEMENT, "review": REVIEW})
    run.at(day, 14, 50)
    _issue(run, squad, K.STATEMENT_RECORD, case_id, record_times=RecordTimes(start, end))
    day = opened + dt.timedelta(days=13)
    run.at(day, 10, 0)
    _act(run, case_id, run.head, Action.DECIDE, day,
         {"decision": "penalty", "penalty": _penalty(show)})
    run.at(day, 14, 0)
    _issue(run, squad, K.PENALTY_DECISION, case_id)


def _decision_of(run: _Run, case_id: str) -> str:
    from fieldapp.store.tables import Document

    kinds = (K.PENALTY_DECISION.value, K.NO_PENALTY_DECISION.value)
    with run.ctx.read() as session:
        return session.exec(select(Document.id).where(
            Document.case_id == case_id, col(Document.kind).in_(kinds))).one()


def _execute(run: _Run, show: Showcase, squad: _Squad, case_id: str, opened: dt.date) -> None:
    day = opened + dt.timedelta(days=14)
    _serve(run, show, squad, case_id, _decision_of(run, case_id), day)
    run.at(day, 11, 0)
    _act(run, case_id, squad.pair[0], Action.SERVE, day)
    if not show.no_penalty:
        day = opened + dt.timedelta(days=18)
        run.at(day, 15, 0)
        _act(run, case_id, squad.pair[0], Action.RECORD_PAYMENT, day,
             {"amount_fen": show.fine_yuan * 100})
    day = opened + dt.timedelta(days=20)
    run.at(day, 16, 0)
    _act(run, case_id, squad.pair[0], Action.REQUEST_CLOSE, day)


def _close(run: _Run, show: Showcase, squad: _Squad, case_id: str, opened: dt.date) -> None:
    day = opened + dt.timedelta(days=21)
    run.at(day, 10, 0)
    _act(run, case_id, squad.leader, Action.APPROVE_CLOSE, day)
    run.at(day, 10, 30)
    _issue(run, squad, K.CLOSING_APPROVAL, case_id)
    run.at(day, 10, 30)
    _issue(run, squad, K.CLOSING_APPROVAL, case_id)


def _on_the_spot(run: _Run, show: Showcase, squad: _Squad, case_id: str,
                 opened: dt.date) -> None:
    """简易程序: decided and handed over on the spot, paid, closed."""
    run.at(opened, 10, 10)
    _act(run, case_id, squad.pair[0], Action.DECIDE_ON_SPOT, opened,
         {"penalty": _penalty(show), "discretion_tier": "轻微"})
    run.at(opened, 10, 15)
    _issue(run, squad, K.ON_SPOT_DECISION, case_id,
           fields={"finding.place": show.place, "finding.facts": show.facts})
    day = opened + dt.timedelta(days=2)
    run.at(day, 15, 0)
    _act(run, case_id, squad.pair[0], Action.RECORD_PAYMENT, day,
         {"amount_fen": show.fine_yuan * 100})
    run.at(day, 16, 0)
    _act(run, case_id, squad.pair[0], Action.REQUEST_CLOSE, day)
    day = opened + dt.timedelta(days=3)
    run.at(day, 10, 0)
    _act(run, case_id, squad.leader, Action.APPROVE_CLOSE, day)
    run.at(day, 10, 30)
    _issue(run, squad, K.CLOSING_APPROVAL, case_id)
