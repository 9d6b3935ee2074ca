"""Reading no-penalty lists as bureaus publish them (DOMAIN.md §3.1), and matching their
items to the catalogue.

Real lists carry no internal codes. Their header names vary (事项名称 or 行政处罚事项 or
违法行为; 实施依据 or 法律依据 or 法定依据 …); their conditions come as numbered lines or
as one phrase joining several conditions (初次违法且危害后果轻微并及时改正); some have no
免罚情形 column at all. An item is matched to catalogue violation types by the articles it
cites and by its name: a single clear candidate is confirmed, anything else is shown to a
leader as doubtful or unmatched before the list is published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.no_penalty import (
    CONDITIONS_FIELD,
    Condition,
    ConditionKind,
    ExemptionKind,
    RequiredMeasure,
    parse_conditions,
    read_condition,
)

# Field key → the names bureaus print it under (the first is the one the app writes).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "item_no": ("序号", "编号", "序列号"),
    "domain": ("领域", "执法领域", "类别", "所属领域", "行业领域", "事项类别"),
    "name": ("事项名称", "行政处罚事项", "处罚事项", "违法行为", "违法行为名称",
             "违法行为事项", "轻微违法行为"),
    "violation_codes": ("违法行为代码",),
    "prohibiting_provision": ("违则", "违反条款"),
    "penalty_provision": ("罚则", "处罚条款", "处罚依据"),
    "basis": ("实施依据", "法律依据", "法定依据", "依据", "设定依据"),
    "statutory_penalty": ("法定处罚", "法定处罚种类及幅度", "处罚种类和幅度"),
    "exemption_kind": ("免罚情形", "免罚类型", "情形", "不予处罚情形", "免罚种类"),
    "conditions": ("适用条件", "不予处罚适用条件", "免罚条件", "不予处罚条件",
                   "不予行政处罚的条件", "适用情形"),
    "required_measure": ("处理措施", "处置措施", "配套监管措施", "监管措施"),
    "agency": ("实施机关", "实施主体", "执法主体"),
    "source": ("来源",),
    "notes": ("备注", "说明"),
}
_NAME_OF = {name: key for key, names in HEADER_SYNONYMS.items() for name in names}


def header_key(cell: str) -> str | None:
    """The field a header cell names, ignoring spaces and line breaks within it."""
    return _NAME_OF.get(re.sub(r"\s+", "", cell))


def header_keys(row: Sequence[str]) -> dict[str, int]:
    """Column index per field, for a row that reads as a header (first one wins)."""
    out: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = header_key(cell)
        if key is not None and key not in out:
            out[key] = i
    return out


def is_header(row: Sequence[str]) -> bool:
    keys = header_keys(row)
    return "item_no" in keys and "name" in keys and ("conditions" in keys or "basis" in keys)


_NOTE = re.compile(r"^\s*(注|备注|说明|附注)\s*[:：0-9一二三、.]")


def is_note(row: Sequence[str]) -> bool:
    """A line under the table: one filled cell that is not an item number, or 注：…"""
    filled = [c for c in row if c.strip()]
    if not filled:
        return False
    return bool(_NOTE.match(filled[0])) or (len(filled) == 1 and not filled[0].strip()
                                            .isdecimal())


_JOINERS = re.compile(r"[，,]|且|并且|并|同时")


def parse_conditions_lenient(cell: str) -> tuple[Condition, ...]:
    """Numbered lines as the app reads them; a phrase that states several conditions is
    split at its joiners (且、并、，) when each part reads as one condition."""
    try:
        return parse_conditions(cell)
    except ValidationError as first_error:
        parts = [p for line in re.split(r"[；;\n]+", cell)
                 for p in [re.sub(r"^\s*(?:\d+\s*[.．、)）]|[（(]\d+[)）]|[①-⑳])\s*", "", line)]
                 if p.strip()]
        out: list[Condition] = []
        for part in parts:
            try:
                out.append(read_condition(part, len(out) + 1))
            except ValidationError:
                pieces = [x.strip() for x in _JOINERS.split(part) if x.strip()]
                try:
                    out.extend(read_condition(x, len(out) + 1) for x in pieces)
                except ValidationError:
                    raise first_error from None
        if not out:
            raise ValidationError(CONDITIONS_FIELD, "give at least one condition") from None
        return tuple(out)


def infer_exemption_kind(conditions: Iterable[Condition], text: str) -> ExemptionKind:
    """免罚情形 when a list has no such column: 首违 when it requires a first offence."""
    kinds = {c.kind for c in conditions}
    if ConditionKind.NO_FAULT_PROVEN in kinds or "主观过错" in text:
        return ExemptionKind.NO_FAULT
    if ConditionKind.FIRST_OFFENCE in kinds:
        return ExemptionKind.FIRST_OFFENCE
    return ExemptionKind.MINOR


def infer_measure(text: str) -> RequiredMeasure:
    if "承诺" in text:
        return RequiredMeasure.COMMITMENT
    if re.search(r"责令|限期|改正|整改", text):
        return RequiredMeasure.EDUCATION_AND_ORDER
    return RequiredMeasure.EDUCATION


_PENALTY_WORDS = re.compile(r"罚款|处以|并处|给予警告|予以处罚|处罚|没收")


def split_basis(text: str) -> tuple[str, str]:
    """实施依据 quoting the prohibiting and the penalty article → (违则, 罚则)."""
    parts = [p.strip() for p in re.split(r"[\n；;]+|(?<=。)", text) if p.strip()]
    penalty = [p for p in parts if _PENALTY_WORDS.search(p)]
    prohibiting = [p for p in parts if p not in penalty]
    return "\n".join(prohibiting) or text.strip(), "\n".join(penalty)


# ---- matching items to the catalogue --------------------------------------------------

_REF = re.compile(r"《([^》]+)》((?:第[〇零一二三四五六七八九十百千\d]+条"
                  r"(?:第[〇零一二三四五六七八九十百\d]+款)?(?:第[（(][^）)]+[）)]项)?"
                  r"(?:[、和及与，,]\s*)?)+)")
_ARTICLE = re.compile(r"第([〇零一二三四五六七八九十百千\d]+)条"
                      r"(?:第([〇零一二三四五六七八九十百\d]+)款)?(?:第[（(]([^）)]+)[）)]项)?")


def _law(name: str) -> str:
    return re.sub(r"^中华人民共和国", "", name).strip()


def article_refs(text: str) -> set[tuple[str, str, str]]:
    """(law, article, clause and item) cited in ``text``: 《城市道路管理条例》第二十七条
    第（一）项 → ("城市道路管理条例", "二十七", "/一"); a law named once covers the
    articles after it."""
    refs: set[tuple[str, str, str]] = set()
    for law, articles in _REF.findall(text):
        for article, clause, item in _ARTICLE.findall(articles):
            refs.add((_law(law), article, f"{clause}/{item}"))
    return refs


def _bigrams(text: str) -> set[str]:
    clean = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {clean[i:i + 2] for i in range(len(clean) - 1)}


def name_similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


class MatchState(StrEnum):
    CONFIRMED = "confirmed"  # one clear candidate (or confirmed by a leader)
    DOUBTFUL = "doubtful"  # a candidate, but the leader must confirm it
    UNMATCHED = "unmatched"  # no candidate: the leader maps it


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    name: str
    provisions: str  # 违则 and 罚则 texts (catalogue and city versions)


@dataclass(frozen=True)
class Match:
    codes: tuple[str, ...]
    state: MatchState
    candidates: tuple[str, ...] = ()  # the codes a leader may choose from


def _score(refs: set[tuple[str, str, str]], name: str,
           entry: CatalogueEntry) -> tuple[int, float]:
    theirs = article_refs(entry.provisions)
    articles = {(law, art) for law, art, _i in refs}
    exact = len(refs & theirs)
    shared = len(articles & {(law, art) for law, art, _i in theirs})
    return (2 * exact + shared, name_similarity(name, entry.name))


def match_item(name: str, basis: str, catalogue: Sequence[CatalogueEntry]) -> Match:
    """The catalogue types an item is about, and how sure the match is."""
    refs = article_refs(basis)
    scored = sorted(((_score(refs, name, e), e.code) for e in catalogue), reverse=True)
    cited = [(s, code) for s, code in scored if s[0] > 0]
    if not cited:
        named = [(s, code) for s, code in scored if s[1] >= 0.4]
        if not named:
            return Match((), MatchState.UNMATCHED, tuple(c for _s, c in scored[:5]))
        return Match((named[0][1],), MatchState.DOUBTFUL, tuple(c for _s, c in named[:5]))
    (top, code), rest = cited[0], cited[1:]
    clear = top[1] >= 0.25 and (not rest or rest[0][0][0] < top[0]
                                 or rest[0][0][1] < top[1] - 0.1)
    state = MatchState.CONFIRMED if clear else MatchState.DOUBTFUL
    return Match((code,), state, tuple(c for _s, c in cited[:5]))
