"""One rule for "first offence" and one for the no-penalty item that applies, used by
the advice on the street and by the documents that record it (issue 10: they were
decided two different ways)."""

from __future__ import annotations

from collections.abc import Iterable

from fieldapp.domain.ladder import LadderDecision, is_first_offence
from fieldapp.domain.no_penalty import Answers, ConditionKind, ItemAssessment


def known_answers(decision: LadderDecision, *, corrected_on_spot: bool | None = None,
                  given: Answers | None = None) -> dict[ConditionKind, bool | float | None]:
    """The answers the store knows: first offence from the ladder's history (nothing
    counted in the look-back window), corrected on the spot as recorded. What the officer
    answered (``given``) stands, except the first offence, which is never guessed."""
    answers: dict[ConditionKind, bool | float | None] = dict(given or {})
    answers[ConditionKind.FIRST_OFFENCE] = is_first_offence(decision)
    if corrected_on_spot is not None:
        answers.setdefault(ConditionKind.CORRECTED_ON_SPOT, corrected_on_spot)
        if corrected_on_spot:
            answers.setdefault(ConditionKind.CORRECTED_IN_PERIOD, True)
    return answers


def choose_applicable(assessments: Iterable[ItemAssessment]) -> ItemAssessment | None:
    """The item a document rests on: of those that apply, one where the law forbids a
    penalty (不予处罚) before one where it only allows not punishing (可以不予), then the
    lowest item number."""
    applying = [a for a in assessments if a.applies]
    applying.sort(key=lambda a: (not a.mandatory, a.item.item_no))
    return applying[0] if applying else None
