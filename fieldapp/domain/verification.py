"""What a person checking a paper against its record must see (issue 13 ¶9): the key
content of the document as issued — kind, 文号, party, amount, date — so an amount
whited out and re-printed shows up even where the code itself is intact. One view, for
the CLI, the app and (later) the HQ verification page.

Signatures name their algorithm, so an agency that must use 国密 (SM2 with SM3, GB/T
38540) can switch without breaking the documents signed before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ED25519 = "ed25519"
SM2_SM3 = "sm2-sm3"  # not available yet: no maintained library is vetted (see report)
ALGORITHMS = frozenset({ED25519})


@dataclass(frozen=True)
class KeyContent:
    """The document's key content, as its snapshot holds it (Chinese document words)."""

    title: str
    number: str
    party: str
    amount: str  # the penalty as printed (罚款人民币伍佰元整), or ""
    date: str  # the document's date as printed (二〇二六年九月三十日)
    case_no: str

    def lines(self) -> tuple[tuple[str, str], ...]:
        """(English label, value) pairs, labels translated at the edge."""
        rows = (("document", self.title), ("document number", self.number),
                ("party", self.party), ("penalty", self.amount), ("date", self.date),
                ("case number", self.case_no))
        return tuple((label, value) for label, value in rows if value)


def key_content(snapshot: Mapping[str, str], title: str) -> KeyContent:
    party = snapshot.get("subject.name", "")
    sign = snapshot.get("subject.shop_sign", "")
    if sign and snapshot.get("subject.kind") == "个体工商户":
        party = f"{sign}（{party}）" if party else sign
    penalty = snapshot.get("case.penalty", "") if snapshot.get("document.kind") in (
        "penalty_decision", "on_spot_decision", "prior_notice") else ""
    return KeyContent(title, snapshot.get("document.number", ""), party, penalty,
                      snapshot.get("document.date_cn", ""), snapshot.get("case.no", ""))
