"""What a case dossier (案卷) must hold, and the order it is filed in (pure).

``missing_materials`` lists, in the official Chinese terms printed on the 卷内备考表,
what a case lacks for the stage it has reached (DOMAIN.md §2.3, §5.1): the 立案审批表 of
an ordinary case, the 告诫书 and 责令限期改正通知书 of a warning that led to the case, the
法制审核 opinion and the hearing record where the case needs them, the inspection record
and photos once investigated, the 事先告知书
before a penalty, the decision itself, a 送达回证 for every document served on the
party, the 结案审批表 of a closed case. ``dossier_order`` files documents by the
configured groups, each 送达回证 right after the document it proves served.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.entities import CaseStatus
from fieldapp.domain.workflow import CaseState, Decision, Procedure

K = DocumentKind
S = CaseStatus
PHOTOS = "evidence_photos"  # the evidence photo pages, as one entry of the order

_INVESTIGATED = frozenset({S.REVIEWING, S.NOTIFYING, S.DECIDED, S.SERVED, S.EXECUTING,
                           S.CLOSED, S.ARCHIVED})
_CLOSED = frozenset({S.CLOSED, S.ARCHIVED})


@dataclass(frozen=True)
class FiledDocument:
    """A document in force (not voided, not superseded) of the case."""

    id: str
    kind: str
    number: str
    issued_at: dt.datetime
    serves: str = ""  # for a 送达回证: the id of the document it proves served


def missing_materials(state: CaseState, documents: Sequence[FiledDocument], photos: int,
                      needs_receipt: Collection[str], *,
                      warned_before: bool = False) -> list[str]:
    """What the dossier lacks, one line each (empty when complete).

    ``warned_before``: the case was opened on the street after a warning step (二告诫),
    so the 告诫书 that proves the warning belongs in the volume."""
    kinds = {d.kind for d in documents}
    missing: list[str] = []

    def need(kind: DocumentKind, when: bool = True) -> None:
        if when and kind.value not in kinds:
            missing.append(f"缺少{TITLES[kind]}")

    ordinary = state.procedure is Procedure.ORDINARY
    need(K.FILING_APPROVAL, ordinary)
    if warned_before and K.WARNING_NOTICE.value not in kinds:
        missing.append("缺少立案前送达的告诫书")
    if warned_before and K.CORRECTION_ORDER.value not in kinds:
        missing.append("缺少立案前送达的责令限期改正通知书")
    need(K.INSPECTION_RECORD, ordinary and state.status in _INVESTIGATED)
    if state.status is not S.FILING and not photos and K.PHOTO_EVIDENCE.value not in kinds:
        missing.append("缺少现场照片证据")
    need(K.PRIOR_NOTICE, ordinary and (state.notified is not None
                                       or state.decision is Decision.PENALTY))
    need(K.STATEMENT_RECORD, state.statement_recorded)
    penalty = state.decision is Decision.PENALTY
    need(K.PENALTY_DECISION, penalty and ordinary)
    need(K.ON_SPOT_DECISION, penalty and not ordinary)
    need(K.NO_PENALTY_DECISION, state.decision is Decision.NO_PENALTY)
    if state.legal_review_required and not state.legal_review_opinion:
        missing.append("缺少法制审核意见")
    if state.hearing_requested and not (state.hearing_held and state.hearing_summary):
        missing.append("缺少听证笔录")
    decisions = [d for d in documents if d.kind in _DECISIONS]
    if len(decisions) > 1:
        missing.append("本案有{n}份决定书（{numbers}），应作废多余的决定书".format(
            n=len(decisions), numbers="、".join(d.number for d in decisions)))
    missing += _unserved(documents, needs_receipt)
    need(K.CLOSING_APPROVAL, state.status in _CLOSED)
    return missing


_DECISIONS = frozenset({K.PENALTY_DECISION.value, K.ON_SPOT_DECISION.value,
                        K.NO_PENALTY_DECISION.value})


def _unserved(documents: Sequence[FiledDocument], needs_receipt: Collection[str]) -> list[str]:
    served = {d.serves for d in documents if d.kind == K.SERVICE_RECEIPT.value}
    return [f"{_title(d.kind)}（{d.number}）缺少送达回证" for d in documents
            if d.kind in needs_receipt and d.id not in served]


def _title(kind: str) -> str:
    try:
        return TITLES[DocumentKind(kind)]
    except ValueError:
        return kind


def _issued_at(document: FiledDocument) -> dt.datetime:
    return document.issued_at


def dossier_order(documents: Sequence[FiledDocument], groups: Sequence[Sequence[str]],
                  receipts_follow_served: bool = True,
                  has_photos: bool = False) -> list[FiledDocument | str]:
    """The documents in filing order; the photo pages appear as ``PHOTOS`` where the
    order puts them. Kinds the order does not name go last, by time of issue."""
    rank: Mapping[str, int] = {k: i for i, k in enumerate(k for g in groups for k in g)}
    ids = {d.id for d in documents}
    follow = receipts_follow_served
    receipts: dict[str, list[FiledDocument]] = {}
    for d in documents:
        if follow and d.kind == K.SERVICE_RECEIPT.value and d.serves in ids:
            receipts.setdefault(d.serves, []).append(d)
    placed = [d for d in documents if not any(d in r for r in receipts.values())]
    entries: list[tuple[int, dt.datetime, FiledDocument | str]] = [
        (rank.get(d.kind, len(rank)), d.issued_at, d) for d in placed]
    if has_photos:
        entries.append((rank.get(PHOTOS, len(rank)), dt.datetime.min.replace(tzinfo=dt.UTC),
                        PHOTOS))
    out: list[FiledDocument | str] = []
    for _rank, _at, entry in sorted(entries, key=lambda e: (e[0], e[1])):
        out.append(entry)
        if isinstance(entry, FiledDocument):
            followers = sorted(receipts.get(entry.id, []), key=_issued_at)
            out.extend(followers)
    return out
