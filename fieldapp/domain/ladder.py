"""The three-step ladder (一次教育劝导、二次告诫、三次运用执法手段), as a pure function.

For a subject and a violation type at a moment, the steps the whole squad recorded
decide what is due. Only steps inside the look-back window count (calendar months back
from the moment, the start itself excluded: a step exactly twelve months old no longer
counts), and (as configured)
only those after the last closed episode: a warned party who corrected by the deadline
starts again at education. The window never reaches past the two-year limitation.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from fieldapp.domain.entities import StepKind
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.rules_config import RuleConfig

_ORDER = (StepKind.EDUCATE, StepKind.WARN, StepKind.ENFORCE)


@dataclass(frozen=True)
class PastStep:
    """A step recorded by any officer of the squad, for this subject and violation."""

    id: str
    kind: StepKind
    taken_at: dt.datetime
    officer: str = ""
    override_reason: str = ""


@dataclass(frozen=True)
class LadderDecision:
    due: StepKind
    counted: tuple[PastStep, ...]  # oldest first: the history that led to ``due``
    skipped: bool  # the violation type skips the ladder
    since: dt.datetime  # start of the window that was looked at
    reason: str  # English template, translated at the edge


def next_step(*, steps: Iterable[PastStep], episode_closes: Iterable[dt.datetime],
              at: dt.datetime, config: RuleConfig, ladder_applies: bool) -> LadderDecision:
    """The step due at ``at``."""
    since = months_before(at, config.lookback_months)
    if config.reset_on_corrected_episode:
        closes = [c for c in episode_closes if since < c <= at]
        if closes:
            since = max(closes)
    counted = tuple(sorted((s for s in steps if since < s.taken_at <= at),
                           key=lambda s: s.taken_at))
    if not ladder_applies:
        return LadderDecision(StepKind.ENFORCE, counted, True, since,
                              "this violation skips education and warning")
    if not counted:
        return LadderDecision(StepKind.EDUCATE, counted, False, since,
                              "no step recorded in the window: educate")
    highest = max(_ORDER.index(s.kind) for s in counted)
    due = _ORDER[min(highest + 1, len(_ORDER) - 1)]
    reason = ("educated before: warn with an order to correct" if due is StepKind.WARN
              else "educated and warned before: open a case")
    return LadderDecision(due, counted, False, since, reason)


def months_before(at: dt.datetime, months: int) -> dt.datetime:
    """The same moment ``months`` calendar months earlier; the 31st (or 29 Feb) becomes
    the last day of a shorter month."""
    index = at.year * 12 + at.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return at.replace(year=year, month=month, day=min(at.day, last))


def check_step_taken(advised: StepKind, taken: StepKind, override_reason: str) -> str:
    """An officer may take another step than the advice, with a reason that is recorded."""
    reason = override_reason.strip()
    if taken is not advised and not reason:
        raise ValidationError(
            "override reason", "give a reason for taking {taken} when {advised} is due",
            taken=taken.value, advised=advised.value)
    return reason if taken is not advised else ""


def is_first_offence(decision: LadderDecision) -> bool:
    """首次/初次: nothing recorded for this violation within the window."""
    return not decision.counted
