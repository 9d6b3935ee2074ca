"""The case-outcome sentences decisions print, as pure functions of the case.

A 不予行政处罚决定书 names the ground that applies and only that ground: 行政处罚法
art. 33 ¶1 first sentence (轻微并及时改正，没有造成危害后果: must not punish), ¶1 second
sentence (初次违法且危害后果轻微并及时改正: may not punish), ¶2 (no subjective fault),
each with art. 57 ¶1 (2); or art. 57 ¶1 (3) when the facts are not established, and then
it asserts no breach and gives no education. A penalty decision states what the party
said, what 复核 found, a hearing held, the discretion reasons and which version of the
rule applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.domain.workflow import CaseState, NoPenaltyReason

LAW = "《中华人民共和国行政处罚法》"


@dataclass(frozen=True)
class NoPenaltyGround:
    reason: NoPenaltyReason
    finding: str  # what the agency found (printed after the facts)
    basis: str  # the articles the decision rests on
    asserts_breach: bool  # whether the decision says the act broke a provision
    education_required: bool  # art. 33 ¶3


_GROUNDS = {
    NoPenaltyReason.MINOR: NoPenaltyGround(
        NoPenaltyReason.MINOR, "当事人的违法行为轻微并已及时改正，没有造成危害后果。",
        f"{LAW}第三十三条第一款第一句、第五十七条第一款第（二）项", True, True),
    NoPenaltyReason.FIRST_OFFENCE: NoPenaltyGround(
        NoPenaltyReason.FIRST_OFFENCE, "当事人系初次违法，危害后果轻微并已及时改正。",
        f"{LAW}第三十三条第一款第二句、第五十七条第一款第（二）项", True, True),
    NoPenaltyReason.NO_FAULT: NoPenaltyGround(
        NoPenaltyReason.NO_FAULT, "当事人有证据足以证明其没有主观过错。",
        f"{LAW}第三十三条第二款、第五十七条第一款第（二）项", True, True),
    NoPenaltyReason.NOT_ESTABLISHED: NoPenaltyGround(
        NoPenaltyReason.NOT_ESTABLISHED, "经调查，现有证据不能证明当事人实施了上述违法行为，"
        "违法事实不能成立。", f"{LAW}第五十七条第一款第（三）项", False, False),
}


def no_penalty_ground(reason: NoPenaltyReason) -> NoPenaltyGround:
    return _GROUNDS[reason]


def no_penalty_decision_text(reason: NoPenaltyReason) -> str:
    """The operative sentence: 根据…的规定，本机关决定对当事人不予行政处罚。"""
    return f"根据{_GROUNDS[reason].basis}的规定，本机关决定对当事人不予行政处罚。"


def statement_result(state: CaseState) -> str:
    """What the party said (or that they said nothing) and what 复核 found."""
    parts = []
    if state.statement_recorded:
        said = f"当事人提出陈述、申辩：{_sentence(state.statement_text)}" \
            if state.statement_text else "当事人提出了陈述、申辩。"
        parts.append(said)
        if state.review_text:
            parts.append(f"{REVIEWED}{_sentence(_without_lead(state.review_text))}")
        elif state.reviewed is not None:
            parts.append("经复核，本机关采纳了当事人的部分意见，减轻了拟作出的行政处罚。")
        else:
            parts.append("经复核，当事人的陈述、申辩不能成立，本机关不予采纳。")
    elif state.statement_waived:
        parts.append("当事人书面表示放弃陈述、申辩的权利。")
    elif state.decided_on and state.notified_on:
        parts.append("当事人在规定期限内未提出陈述、申辩。")
    if state.hearing_held:
        parts.append(f"应当事人要求，本机关依法举行了听证。{_sentence(state.hearing_summary)}")
    elif state.hearing_offered and state.hearing_waived:
        parts.append("当事人书面表示放弃听证的权利。")
    elif state.hearing_offered and state.decided_on:
        parts.append("当事人在规定期限内未要求听证。")
    return "".join(parts)


def discretion_text(state: CaseState, *, benchmark: str, circumstances: str) -> str:
    """The discretion reasons (裁量理由): the case's own, or the benchmark tier chosen."""
    if state.discretion_reasons:
        return _sentence(state.discretion_reasons)
    if state.discretion_tier:
        why = f"（{circumstances}）" if circumstances else ""
        return (f"本机关综合考虑当事人违法行为的事实、性质、情节及社会危害程度，属于"
                f"{benchmark}“{state.discretion_tier}”情形{why}，在该档次幅度内确定处罚。")
    return ("本机关综合考虑当事人违法行为的事实、性质、情节及社会危害程度，在法定幅度内"
            "确定处罚。")


REVIEWED = "经复核，"
_ENDS = ("。", "！", "？")


def _sentence(text: str) -> str:
    """The text as a whole sentence: a full stop unless it ends one already (also inside
    a closing quotation mark: ……请求从轻处理。”)."""
    text = text.strip()
    return text if text.endswith(_ENDS) or text.rstrip("”’」』）)").endswith(_ENDS) \
        else text + "。"


def _without_lead(review: str) -> str:
    """An officer's 复核 finding often starts with 经复核 itself: printed once."""
    text = review.strip()
    for lead in (REVIEWED, "经复核,", "经复核"):
        if text.startswith(lead):
            return text[len(lead):].lstrip("，, ")
    return text
