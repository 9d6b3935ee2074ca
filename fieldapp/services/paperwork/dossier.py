"""The case dossier (案卷): what it lacks, and the printed volume.

``dossier_completeness`` lists what the case lacks for the stage it reached (in the
official Chinese terms of the 卷内备考表). ``print_dossier`` assembles the volume: cover,
卷内文件目录, the case's documents in force in the configured order (each as its archive
copy, drawn again from its signed snapshot) with the 教育劝导书 and 告诫书 issued on the
street for the steps that led to the case, the evidence photo pages, and the 备考表
with the missing list. Printing is allowed while the case is incomplete: the list is
what the 备考表 records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from fieldapp.atomic import write_atomically
from fieldapp.domain.dates import chinese_date, chinese_datetime
from fieldapp.domain.doc_payload import content_sha256 as snapshot_sha256
from fieldapp.domain.document_kinds import DocumentKind
from fieldapp.domain.dossier_rules import (
    FiledDocument,
    dossier_order,
    missing_materials,
)
from fieldapp.domain.entities import StepKind
from fieldapp.domain.errors import DomainError, NotFound
from fieldapp.domain.permissions import Action
from fieldapp.domain.workflow import CaseState
from fieldapp.i18n import N_
from fieldapp.resources import resource
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork.documents import snapshot_of, verify_url_base
from fieldapp.services.paperwork.snapshots import (
    build_snapshot,
    case_photos,
    live_case_documents,
    live_documents,
    local_time,
    title_of,
)
from fieldapp.services.rules import history_before, rule_config
from fieldapp.store.tables import (
    CaseFile,
    Document,
    Evidence,
    LadderStep,
    Officer,
    ViolationType,
)

if TYPE_CHECKING:  # reportlab and pypdf load only when a dossier is printed
    from fieldapp.documents.dossier import DossierPart

ProgressFn = Callable[[str, int, int], None]  # (stage, done, total), as the demo's
STAGE = N_("documents")
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class DossierOrder:
    """``resources/catalogue/dossier_order.json``."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]
    receipts_follow_served: bool
    needs_service_receipt: frozenset[str]
    retention: str


@cache
def dossier_settings() -> DossierOrder:
    data = json.loads(resource("catalogue", "dossier_order.json").read_text("utf-8"))
    return DossierOrder(tuple((g["name"], tuple(g["kinds"])) for g in data["groups"]),
                        bool(data.get("receipts_follow_served", True)),
                        frozenset(data.get("needs_service_receipt", ())),
                        str(data.get("retention", "")))


@dataclass(frozen=True)
class DossierResult:
    path: Path
    documents: int  # documents filed (the photo pages count as one item)
    photos: int
    missing: tuple[str, ...]
    replaced: tuple[str, ...]  # voided or amended documents left out


class DossierCancelled(DomainError):
    def __init__(self) -> None:
        problem = "printing the dossier was cancelled"
        super().__init__(problem)


# --- completeness ---------------------------------------------------------------------


@dataclass(frozen=True)
class _CaseFiles:
    case: CaseFile
    state: CaseState
    documents: list[Document]  # in force, the prior notices included
    filed: list[FiledDocument]
    photos: list[Evidence]
    others: list[Evidence]  # audio, video, documents stored beside the volume
    replaced: list[Document]
    warned_before: bool  # the ladder history that led to the case holds a warning


def _gather(ctx: ServiceContext, session: Session, case_id: str) -> _CaseFiles:
    case = session.get(CaseFile, case_id)
    if case is None:
        raise NotFound("case", case_id)
    state = CaseState.from_json(json.loads(case.state_json or "{}"))
    prior, warned = _prior_steps(ctx, session, case)
    documents = live_case_documents(session, case_id) + _prior_notices(session, prior)
    everything = session.exec(select(Document).where(Document.case_id == case_id)).all()
    live = {d.id for d in documents}
    replaced = [d for d in everything if d.kind != "void" and d.id not in live]
    photos = case_photos(session, case_id)
    others = [e for e in session.exec(select(Evidence).where(Evidence.case_id == case_id))
              if not e.media_type.startswith("image/")]
    return _CaseFiles(case, state, documents, [_filed(d) for d in documents], photos,
                      others, replaced, warned)


# The papers of the steps that led to the case (一教育、二告诫): all are filed.
_PRIOR_KINDS = frozenset({DocumentKind.EDUCATION_NOTICE.value,
                          DocumentKind.WARNING_NOTICE.value,
                          DocumentKind.CORRECTION_ORDER.value,
                          DocumentKind.NO_PENALTY_COMMITMENT.value})


def _prior_steps(ctx: ServiceContext, session: Session,
                 case: CaseFile) -> tuple[list[str], bool]:
    """The findings of the education and warning steps that led to the case (the ladder's
    history just before the step that opened it), and whether one was a warning."""
    step = session.exec(select(LadderStep).where(LadderStep.case_id == case.id)
                        .order_by(col(LadderStep.taken_at_utc))).first()
    violation = session.get(ViolationType, case.violation_code)
    if step is None or violation is None:
        return [], False  # opened from a complaint or a referral, not on the street
    decision = history_before(session.connection(), step, config=rule_config(ctx=ctx),
                              ladder_applies=violation.ladder_applies)
    earlier = [p for p in decision.counted if p.kind is not StepKind.ENFORCE]
    if not earlier:
        return [], False
    ids = [p.id for p in earlier]
    findings = [f for f in session.exec(select(LadderStep.finding_id)
                                        .where(col(LadderStep.id).in_(ids))) if f]
    return findings, any(p.kind is StepKind.WARN for p in earlier)


def _prior_notices(session: Session, finding_ids: list[str]) -> list[Document]:
    """The 教育劝导书, 告诫书, 责令限期改正通知书 and 免罚承诺书 in force issued for
    those findings, with the 送达回证
    that prove them served: the case rests on them (一教育、二告诫、三执法)."""
    if not finding_ids:
        return []
    rows = session.exec(select(Document).where(col(Document.finding_id).in_(finding_ids),
                                               col(Document.case_id).is_(None))
                        .order_by(col(Document.issued_at))).all()
    live = live_documents(rows)
    notices = {d.id for d in live if d.kind in _PRIOR_KINDS}
    return [d for d in live if d.id in notices or (
        d.kind == DocumentKind.SERVICE_RECEIPT
        and snapshot_of(d).get("served.document_id", "") in notices)]


def _filed(document: Document) -> FiledDocument:
    serves = snapshot_of(document).get("served.document_id", "") \
        if document.kind == DocumentKind.SERVICE_RECEIPT else ""
    return FiledDocument(document.id, document.kind, document.number, document.issued_at,
                         serves)


def dossier_completeness(*, ctx: ServiceContext, case_id: str) -> list[str]:
    """What the case lacks, one line each in official terms; empty when complete."""
    with ctx.read() as session:
        files = _gather(ctx, session, case_id)
    return _missing(files)


def _missing(files: _CaseFiles) -> list[str]:
    return missing_materials(files.state, files.filed, len(files.photos),
                             dossier_settings().needs_service_receipt,
                             warned_before=files.warned_before)


# --- printing -------------------------------------------------------------------------


def print_dossier(*, ctx: ServiceContext, case_id: str, path: Path,
                  progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                  officer_id: str = "") -> DossierResult:
    """Write the case's dossier to ``path`` (atomically) and record that it was printed."""
    from fieldapp.documents.dossier import render_dossier

    ctx.authorize(officer_id, Action.PRINT_DOSSIER)
    settings = dossier_settings()
    with ctx.read() as session:
        files = _gather(ctx, session, case_id)
        missing = _missing(files)
        base = _case_snapshot(ctx, session, files)
        compiler = session.get(Officer, officer_id) if officer_id else None
        url = verify_url_base(session)
        photo_parts = _photo_captions(ctx, session, files.photos)
    parts = _parts(files, base, url, photo_parts, progress, cancel)
    today = local_time(ctx.now()).date()
    replaced = tuple(f"{title_of(d.kind)}（{d.number}）已作废或已更正，未归入本卷"
                     for d in files.replaced)
    cover = base | _dossier_keys(base, settings.retention)
    note = cover | {"dossier.missing": "\n".join(missing),
                    "dossier.note": "\n".join(replaced + _stored_elsewhere(files.others)),
                    "dossier.compiler": compiler.name if compiler else "",
                    "dossier.compiled_on": chinese_date(today)}
    pdf = render_dossier(cover, parts, note)
    if cancel is not None and cancel():
        raise DossierCancelled
    write_atomically(path, pdf)
    with ctx.write(officer_id, action=Action.PRINT_DOSSIER) as tx:
        tx.audit("dossier.print", "case_file", case_id, {
            "path": str(path), "documents": [p.number for p in parts], "missing": missing})
    return DossierResult(path, len(parts), len(files.photos), tuple(missing), replaced)


def _parts(files: _CaseFiles, base: Mapping[str, str], url: str,
           photos: list[tuple[Path, str]], progress: ProgressFn | None,
           cancel: CancelFn | None) -> list[DossierPart]:
    """The volume's parts in the configured order."""
    settings = dossier_settings()
    order = dossier_order(files.filed, [kinds for _name, kinds in settings.groups],
                          settings.receipts_follow_served, bool(files.photos))
    by_id = {d.id: d for d in files.documents}
    parts = []
    for n, entry in enumerate(order):
        if cancel is not None and cancel():
            raise DossierCancelled
        if progress is not None:
            progress(STAGE, n, len(order))
        parts.append(_document_part(by_id[entry.id], base, url)
                     if isinstance(entry, FiledDocument) else _photo_part(base, files, photos))
    if progress is not None:
        progress(STAGE, len(order), len(order))
    return parts


def _case_snapshot(ctx: ServiceContext, session: Session, files: _CaseFiles) -> dict[str, str]:
    """The case's keys (party, violation, dates) for the cover and the 备考表."""
    snap = build_snapshot(ctx, session, kind=DocumentKind.CLOSING_APPROVAL, finding_id=None,
                          case_id=files.case.id)
    return {k: v for k, v in snap.items() if not k.startswith(("document.", "approval."))}


def _dossier_keys(base: Mapping[str, str], retention: str) -> dict[str, str]:
    act = base.get("violation.name", "").split("（")[0]
    return {"dossier.title": f"{base.get('subject.name', '')}{act}案",
            "dossier.decision_number": base.get("case.decision_number", ""),
            "dossier.unit": base.get("squad.name", ""), "dossier.retention": retention}


def _document_part(document: Document, base: Mapping[str, str], url: str) -> DossierPart:
    """The archive copy of a document, drawn again from its signed snapshot."""
    from fieldapp.documents.dossier import DossierPart
    from fieldapp.documents.render import render_document

    snap = snapshot_of(document)
    if snapshot_sha256(snap) != document.content_sha256:
        raise DomainError("the stored snapshot of {number} was changed after issue; it "
                          "cannot be printed again", number=document.number)
    pdf = render_document(snap, layout="a4", qr_payload=url + document.qr_payload,
                          archive_only=True)
    return DossierPart(title=title_of(document.kind), number=document.number,
                       date=_index_date(document), responsible=base.get("agency.full_name", ""),
                       pdf=pdf, photos=())


def _index_date(document: Document) -> str:
    """The document's own date (the day of the act it records), as the index prints it."""
    day = snapshot_of(document).get("document.date", "")
    if len(day) == 10:
        return day.replace("-", "")
    return f"{local_time(document.issued_at):%Y%m%d}"


def _photo_captions(ctx: ServiceContext, session: Session,
                    photos: list[Evidence]) -> list[tuple[Path, str]]:
    """Each photo's file in the evidence store and its caption."""
    return [(ctx.store.blobs.path_of(e.sha256), _caption(session, e)) for e in photos]


def _caption(session: Session, evidence: Evidence) -> str:
    officer = session.get(Officer, evidence.officer_id)
    taken = local_time(evidence.captured_at_utc)
    parts = [f"拍摄时间：{chinese_datetime(taken)}", f"地点：{evidence.place or '—'}",
             f"拍摄人：{officer.name if officer else '—'}",
             f"SHA-256：{evidence.sha256[:16]}…"]
    if evidence.description:
        parts.append(f"说明：{evidence.description}")
    return "　".join(parts)


def _photo_part(base: Mapping[str, str], files: _CaseFiles,
                photos: list[tuple[Path, str]]) -> DossierPart:
    from fieldapp.documents.dossier import DossierPart, Photo

    first = min(e.captured_at_utc for e in files.photos)
    return DossierPart(title="现场照片证据", number="", date=f"{local_time(first):%Y%m%d}",
                       responsible=base.get("agency.full_name", ""), pdf=None,
                       photos=[Photo(path=p, caption=c) for p, c in photos])


def _stored_elsewhere(others: list[Evidence]) -> tuple[str, ...]:
    return tuple(f"{e.original_name or e.sha256[:16]}（{e.media_type}，"
                 f"SHA-256：{e.sha256[:16]}…）另行存储" for e in others)
