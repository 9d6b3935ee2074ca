"""The no-penalty list (轻微违法行为免罚清单) and whether one of its items applies.

行政处罚法 (2021) art. 33 gives three grounds for not punishing; every list item rests on
one of them (``ExemptionKind``):

- ¶1 s.1 轻微不罚: a minor violation, corrected in time, with no harmful consequence, is
  *not* punished (mandatory);
- ¶1 s.2 首违可不罚: a first violation with minor harm, corrected in time, *may* go
  unpunished (the agency's discretion);
- ¶2 无过错不罚: a party who proves it had no subjective fault is not punished, unless a
  law or regulation says otherwise (mandatory).

¶3: whoever is not punished must still be educated, so every item names a measure
(``RequiredMeasure``). Each city issues its list as versioned data; the version that
governs an act is the one in force on the date of the act (``list_in_force``).

``evaluate`` checks an item's conditions against the officer's answers: the item applies
only when every condition is met. Lists arrive as spreadsheets whose conditions are
Chinese phrases; ``read_condition`` maps each phrase to a ``ConditionKind`` (and its limit,
for quantified kinds). It refuses a phrase it cannot map, or one that states two
conditions, so that nothing a list requires is silently dropped.

The parsing helpers raise ``ValidationError``; importers collect them per row and column
in ``Problems`` and raise one ``ImportErrors`` that lists them all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.import_problems import LIST_FILE_FIELD, ImportErrors, Problems, RowProblem

# Re-exported: importers have always found these here.
__all__ = ["LIST_FILE_FIELD", "ImportErrors", "Problems", "RowProblem"]

# Field labels (English msgids, translated at the edges).
ITEM_NO_FIELD = "item number"
DOMAIN_FIELD = "domain"
ITEM_NAME_FIELD = "item name"
CODES_FIELD = "violation codes"
EXEMPTION_FIELD = "exemption kind"
CONDITIONS_FIELD = "conditions"
MEASURE_FIELD = "required measure"
CITY_FIELD = "city"
ISSUER_FIELD = "issuer"
DOC_NO_FIELD = "document number"
TITLE_FIELD = "title"
EFFECTIVE_FROM_FIELD = "effective from"
EFFECTIVE_TO_FIELD = "effective to"


class ExemptionKind(StrEnum):
    """免罚情形: the sentence of 行政处罚法 art. 33 an item rests on."""

    MINOR = "minor"  # 轻微不罚, art. 33 ¶1 s.1
    FIRST_OFFENCE = "first_offence"  # 首违可不罚, art. 33 ¶1 s.2
    NO_FAULT = "no_fault"  # 无过错不罚, art. 33 ¶2

    @property
    def mandatory(self) -> bool:
        """True when the law says "不予处罚" (must not punish), not "可以不予处罚"."""
        return self is not ExemptionKind.FIRST_OFFENCE


class ConditionKind(StrEnum):
    """适用条件: one condition of an item, as the lists word them."""

    FIRST_OFFENCE = "first_offence"  # 初次违法 / 首次被发现
    MINOR_HARM = "minor_harm"  # 危害后果轻微
    NO_HARMFUL_CONSEQUENCE = "no_harmful_consequence"  # 没有造成危害后果
    CORRECTED_ON_SPOT = "corrected_on_spot"  # 当场改正
    CORRECTED_IN_PERIOD = "corrected_in_period"  # 及时改正 / 在责令改正期限内改正
    COOPERATES = "cooperates"  # 积极配合调查
    NO_DAMAGE = "no_damage"  # 未损坏设施
    AREA_MAX_M2 = "area_max_m2"  # 面积不超过 N 平方米
    DURATION_MAX_DAYS = "duration_max_days"  # 时间不超过 N 天
    OVERDUE_MAX_MONTHS = "overdue_max_months"  # 逾期不超过 N 个月
    VOLUME_MAX_M3 = "volume_max_m3"  # 体积不超过 N 立方米
    STOPS_AFTER_EDUCATION = "stops_after_education"  # 经批评教育后立即停止
    NO_FAULT_PROVEN = "no_fault_proven"  # 当事人有证据足以证明没有主观过错


QUANTIFIED = frozenset({ConditionKind.AREA_MAX_M2, ConditionKind.DURATION_MAX_DAYS,
                        ConditionKind.OVERDUE_MAX_MONTHS, ConditionKind.VOLUME_MAX_M3})


class RequiredMeasure(StrEnum):
    """处理措施: what the officer does instead of punishing (art. 33 ¶3)."""

    EDUCATION = "education"  # 教育
    EDUCATION_AND_ORDER = "education_and_order"  # 教育并责令改正
    COMMITMENT = "commitment"  # 签署承诺书


# The words published lists use; they are part of the file format, not translations.
EXEMPTION_LABELS = {ExemptionKind.MINOR: "轻微不罚", ExemptionKind.FIRST_OFFENCE: "首违可不罚",
                    ExemptionKind.NO_FAULT: "无过错不罚"}
MEASURE_LABELS = {RequiredMeasure.EDUCATION: "教育",
                  RequiredMeasure.EDUCATION_AND_ORDER: "教育并责令改正",
                  RequiredMeasure.COMMITMENT: "签署承诺书"}
_EXEMPTION_WORDS: dict[str, ExemptionKind] = {
    **{label: kind for kind, label in EXEMPTION_LABELS.items()},
    **{kind.value: kind for kind in ExemptionKind},
    "轻微免罚": ExemptionKind.MINOR, "首违免罚": ExemptionKind.FIRST_OFFENCE,
    "首违不罚": ExemptionKind.FIRST_OFFENCE, "无过错免罚": ExemptionKind.NO_FAULT,
}
_MEASURE_WORDS: dict[str, RequiredMeasure] = {
    **{label: measure for measure, label in MEASURE_LABELS.items()},
    **{measure.value: measure for measure in RequiredMeasure},
    "批评教育": RequiredMeasure.EDUCATION, "教育劝导": RequiredMeasure.EDUCATION,
    "批评教育并责令改正": RequiredMeasure.EDUCATION_AND_ORDER,
    "责令改正": RequiredMeasure.EDUCATION_AND_ORDER, "承诺书": RequiredMeasure.COMMITMENT,
}

MEASURE_WORDS = _MEASURE_WORDS  # for importers that infer a measure from other words


@dataclass(frozen=True)
class Condition:
    """One condition: its kind, the list's own words, and the limit of a quantified kind."""

    kind: ConditionKind
    text: str
    value: float | None = None


@dataclass(frozen=True)
class NoPenaltyItem:
    """免罚清单事项."""

    item_no: int
    domain: str
    name: str
    violation_codes: tuple[str, ...]
    exemption_kind: ExemptionKind
    conditions: tuple[Condition, ...]
    required_measure: RequiredMeasure
    prohibiting_provision: str = ""  # 违则
    penalty_provision: str = ""  # 罚则
    statutory_penalty: str = ""  # 法定处罚
    source: str = ""
    notes: str = ""
    basis: str = ""  # 实施依据 as the bureau printed it
    match_state: str = "confirmed"  # confirmed | doubtful | unmatched (see list_matching)


@dataclass(frozen=True)
class NoPenaltyList:
    """One issued version of a city's list; ``effective_to`` None means open-ended."""

    city: str
    issuer: str
    doc_no: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    items: tuple[NoPenaltyItem, ...]
    id: str = ""
    status: str = "published"  # a draft waits for a leader to confirm its matches
    notes: str = ""  # the notes under the bureau's table (注：…)

    def in_force_on(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None
                                              or on <= self.effective_to)

    @property
    def domains(self) -> tuple[str, ...]:
        """The list's domains (领域) in the order they first appear."""
        return tuple(dict.fromkeys(item.domain for item in self.items))


def list_in_force(lists: Iterable[NoPenaltyList], on: dt.date) -> NoPenaltyList | None:
    """The version that governs an act done on ``on``.

    Versions may overlap (a new list issued while the old one is open-ended): the one
    that took effect last wins; on a tie, the one given last (services pass lists in
    import order).
    """
    in_force = [lst for lst in lists if lst.status == "published" and lst.in_force_on(on)]
    if not in_force:
        return None
    return sorted(in_force, key=attrgetter("effective_from"))[-1]  # sorted is stable


def items_for_violation(lst: NoPenaltyList, code: str) -> tuple[NoPenaltyItem, ...]:
    return tuple(item for item in lst.items if code in item.violation_codes)


# ---- evaluation -------------------------------------------------------------------


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Applicability(StrEnum):
    APPLIES = "applies"
    DOES_NOT_APPLY = "does_not_apply"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class ConditionAssessment:
    condition: Condition
    verdict: Verdict


@dataclass(frozen=True)
class ItemAssessment:
    item: NoPenaltyItem
    conditions: tuple[ConditionAssessment, ...]

    @property
    def outcome(self) -> Applicability:
        verdicts = {c.verdict for c in self.conditions}
        if Verdict.NOT_MET in verdicts:
            return Applicability.DOES_NOT_APPLY
        if Verdict.UNKNOWN in verdicts:
            return Applicability.UNDETERMINED
        return Applicability.APPLIES

    @property
    def applies(self) -> bool:
        return self.outcome is Applicability.APPLIES

    @property
    def mandatory(self) -> bool:
        """True: the law forbids a penalty; False: not punishing is the agency's choice."""
        return self.item.exemption_kind.mandatory

    @property
    def open_questions(self) -> tuple[Condition, ...]:
        return tuple(c.condition for c in self.conditions if c.verdict is Verdict.UNKNOWN)


Answers = Mapping[ConditionKind, bool | float | None]


# Art. 33 ¶2 exempts only a party that proves it had no fault: an item resting on it
# carries that condition whether or not the city's list spells it out.
NO_FAULT_CONDITION = Condition(ConditionKind.NO_FAULT_PROVEN, "当事人有证据足以证明没有主观过错")


def statutory_conditions(item: NoPenaltyItem) -> tuple[Condition, ...]:
    """The item's conditions, with the one the law itself sets for its exemption kind."""
    if item.exemption_kind is ExemptionKind.NO_FAULT and all(
            c.kind is not ConditionKind.NO_FAULT_PROVEN for c in item.conditions):
        return (*item.conditions, NO_FAULT_CONDITION)
    return item.conditions


def evaluate(item: NoPenaltyItem, answers: Answers) -> ItemAssessment:
    """Judge each condition of ``item`` (``statutory_conditions``) from the officer's
    answers.

    A boolean kind takes True/False; a quantified kind takes the measure found (m², days,
    months, m³), met when it is at most the item's limit, or a bool when the officer
    judges the limit directly. A missing or None answer leaves the condition unknown.
    """
    return ItemAssessment(item, tuple(
        ConditionAssessment(c, _verdict(c, answers.get(c.kind)))
        for c in statutory_conditions(item)))


def _verdict(condition: Condition, answer: bool | float | None) -> Verdict:
    if answer is None:
        return Verdict.UNKNOWN
    if isinstance(answer, bool):  # before the number test: bool is an int
        return Verdict.MET if answer else Verdict.NOT_MET
    if condition.kind not in QUANTIFIED:
        raise TypeError(f"{condition.kind} takes True or False, not {answer!r}")
    if condition.value is None:
        return Verdict.UNKNOWN
    return Verdict.MET if answer <= condition.value else Verdict.NOT_MET


# ---- reading conditions from the lists' own words ------------------------------------

_NUMBER = (r"(\d+(?:\.\d+)?"  # 5, 2.5, or Chinese numerals up to 九十九
           r"|[一二两三四五六七八九]?十[一二三四五六七八九]?|[〇零一二两三四五六七八九])")
_UNITS = (
    (ConditionKind.AREA_MAX_M2, re.compile(_NUMBER + r"\s*(?:平方米|平米|㎡|m²|m2)")),
    (ConditionKind.VOLUME_MAX_M3, re.compile(_NUMBER + r"\s*(?:立方米|m³|m3)")),
    (ConditionKind.OVERDUE_MAX_MONTHS, re.compile(_NUMBER + r"\s*个月")),
    (ConditionKind.DURATION_MAX_DAYS, re.compile(_NUMBER + r"\s*(?:天|日|个自然日)")),
)
_AT_MOST = re.compile(r"不超过|不超出|未超过|不大于|不多于|以内|之内|以下|≤|<=")
_OVERDUE = re.compile(r"逾期|超期|过期|延期")
_WORDS = (
    (ConditionKind.FIRST_OFFENCE, re.compile(r"首次|初次|首违|第一次")),
    (ConditionKind.NO_HARMFUL_CONSEQUENCE, re.compile(r"(未|没有|无|不)(造成|产生)?危害后果")),
    (ConditionKind.MINOR_HARM, re.compile(r"危害后果轻微|危害轻微|后果轻微|违法行为轻微|情节轻微")),
    (ConditionKind.CORRECTED_ON_SPOT,
     re.compile(r"当场(改正|纠正|整改|清理|拆除)|立即改正|立行立改")),
    (ConditionKind.CORRECTED_IN_PERIOD, re.compile(r"改正|整改|纠正|期限内|限期内")),
    (ConditionKind.COOPERATES, re.compile(r"配合")),
    (ConditionKind.NO_DAMAGE,
     re.compile(r"(未|没有|无|不)(造成)?[^，,]*?(损坏|损毁|破坏)|恢复原状")),
    (ConditionKind.STOPS_AFTER_EDUCATION, re.compile(r"(教育|劝阻).{0,6}停止")),
    (ConditionKind.NO_FAULT_PROVEN, re.compile(r"(没有|无|不存在|不具有)主观过错|无过错")),
)
# "当场改正" also says "改正": the specific kind wins over the general one.
_SUPERSEDES = {ConditionKind.CORRECTED_ON_SPOT: ConditionKind.CORRECTED_IN_PERIOD}
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CONDITION_BREAK = re.compile(r"[；;\n]+|[，,]\s*(?=\d+[.．、])")
_NUMBERING = re.compile(r"^\s*(?:\d+\s*[.．、)）]|[（(]\d+[)）]|[①-⑳])\s*")


def _number(text: str) -> float:
    if text[0].isdigit():
        return float(text)
    if "十" not in text:
        return float(_CN_DIGITS[text])
    tens, _, units = text.partition("十")
    return float(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(units, 0))


def _limits(text: str, number: int) -> dict[ConditionKind, float | None]:
    found: dict[ConditionKind, float | None] = {}
    for kind, pattern in _UNITS:
        match = pattern.search(text)
        overdue_kind = kind is ConditionKind.OVERDUE_MAX_MONTHS
        if match and bool(_OVERDUE.search(text)) == overdue_kind:
            found[kind] = _number(match.group(1))
    if found and not _AT_MOST.search(text):
        raise ValidationError(CONDITIONS_FIELD, "condition {number}: '{text}' gives a measure "
                              "but no maximum (write e.g. 不超过5平方米)", number=number, text=text)
    return found


def _word_kinds(text: str) -> set[ConditionKind]:
    kinds = {kind for kind, pattern in _WORDS if pattern.search(text)}
    return kinds - {_SUPERSEDES[k] for k in kinds if k in _SUPERSEDES}


def read_condition(text: str, number: int = 1) -> Condition:
    """The condition a list states in words: "占用面积不超过5平方米" → area ≤ 5 m².

    ``number`` is the condition's place in its cell, for the error message.
    """
    text = text.strip()
    if not text:
        raise ValidationError(CONDITIONS_FIELD, "condition {number} is empty", number=number)
    if _CONDITION_BREAK.search(text):
        raise ValidationError(CONDITIONS_FIELD, "condition {number}: '{text}' must not contain "
                              "a semicolon or a line break", number=number, text=text)
    found = _limits(text, number)
    found.update(dict.fromkeys(_word_kinds(text)))
    if not found:
        raise ValidationError(CONDITIONS_FIELD, "condition {number}: '{text}' does not match "
                              "any known condition", number=number, text=text)
    if len(found) > 1:
        raise ValidationError(CONDITIONS_FIELD, "condition {number}: '{text}' states more "
                              "than one condition; give each its own number",
                              number=number, text=text)
    [(kind, value)] = found.items()
    return Condition(kind, text, value)


def parse_conditions(cell: str) -> tuple[Condition, ...]:
    """A 适用条件 cell, e.g. "1.首次被发现；2.占用面积不超过5平方米"."""
    parts = [_NUMBERING.sub("", part, count=1) for part in _CONDITION_BREAK.split(cell)]
    texts = [part.strip() for part in parts if part.strip()]
    if not texts:
        raise ValidationError(CONDITIONS_FIELD, "give at least one condition")
    return tuple(read_condition(text, n) for n, text in enumerate(texts, start=1))


def format_conditions(conditions: Sequence[Condition]) -> str:
    """The 适用条件 cell ``parse_conditions`` reads back."""
    return "；".join(f"{n}.{c.text}" for n, c in enumerate(conditions, start=1))


def check_condition(number: int, kind: str, text: str, value: object) -> Condition:
    """A condition given with its kind (JSON lists): the words must say the same thing.

    Checking the words keeps every stored list exportable to a spreadsheet and back. An
    empty ``kind`` takes the kind the words say.
    """
    read = read_condition(text, number)
    if kind and kind != read.kind.value:
        raise ValidationError(CONDITIONS_FIELD, "condition {number}: '{text}' reads as "
                              "{found}, not {kind}", number=number, text=read.text,
                              found=read.kind.value, kind=kind)
    if value is not None and (not isinstance(value, int | float) or value != read.value):
        raise ValidationError(CONDITIONS_FIELD, "condition {number}: the limit {value} differs "
                              "from the one in '{text}'", number=number, value=value,
                              text=read.text)
    return read


def check_conditions(conditions: Sequence[Mapping[str, Any]]) -> tuple[Condition, ...]:
    if not conditions:
        raise ValidationError(CONDITIONS_FIELD, "give at least one condition")
    return tuple(check_condition(n, str(c.get("kind", "")), str(c.get("text", "")),
                                 c.get("value")) for n, c in enumerate(conditions, start=1))


# ---- the other cells -------------------------------------------------------------------


def require_text(label: str, text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError(label, "is required")
    return cleaned


def parse_item_no(text: str) -> int:
    cleaned = text.strip()
    if not (cleaned.isdecimal() and int(cleaned) >= 1):
        raise ValidationError(ITEM_NO_FIELD, "'{text}' is not a whole number of 1 or more",
                              text=text)
    return int(cleaned)


def parse_exemption_kind(text: str) -> ExemptionKind:
    kind = _EXEMPTION_WORDS.get(text.strip())
    if kind is None:
        raise ValidationError(EXEMPTION_FIELD, "'{text}' is not one of {choices}", text=text,
                              choices="、".join(EXEMPTION_LABELS.values()))
    return kind


def parse_required_measure(text: str) -> RequiredMeasure:
    measure = _MEASURE_WORDS.get(text.strip())
    if measure is None:
        raise ValidationError(MEASURE_FIELD, "'{text}' is not one of {choices}", text=text,
                              choices="、".join(MEASURE_LABELS.values()))
    return measure


def parse_violation_codes(text: str, known: Collection[str]) -> tuple[str, ...]:
    """A 违法行为代码 cell: catalogue codes separated by commas (, ， 、) or spaces."""
    return check_violation_codes(re.split(r"[,，、;；\s]+", text), known)


def check_violation_codes(codes: Iterable[str], known: Collection[str]) -> tuple[str, ...]:
    """Sorted, without repeats: an item's codes are a set."""
    cleaned = sorted({code.strip().upper() for code in codes if code.strip()})
    if not cleaned:
        raise ValidationError(CODES_FIELD, "give at least one violation code")
    unknown = [code for code in cleaned if code not in known]
    if unknown:
        raise ValidationError(CODES_FIELD, "'{code}' is not in the catalogue",
                              code="、".join(unknown))
    return tuple(cleaned)


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(label: str, text: str) -> dt.date:
    """2026-01-01, 2026/1/1 or 2026年1月1日."""
    match = _DATE.fullmatch(text.strip())
    try:
        if match:
            return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        pass  # a day that does not exist: same message as a bad form
    raise ValidationError(label, "'{text}' is not a date like 2026-01-01", text=text)


def parse_end_date(text: str, start: dt.date | None) -> dt.date | None:
    """失效日期: empty means open-ended; it may not come before the start."""
    if not text.strip():
        return None
    end = parse_date(EFFECTIVE_TO_FIELD, text)
    if start is not None and end < start:
        raise ValidationError(EFFECTIVE_TO_FIELD, "{end} is before the start date {start}",
                              end=end.isoformat(), start=start.isoformat())
    return end
