"""The party (当事人) as outgoing documents name it.

A decision needs an identified party (name and ID number or credit code, 行政处罚法
art. 59); an unidentified street vendor is identified first. Documents address a person
as 你 and an organisation as 你单位, and print the block each kind of party requires
(DOMAIN.md §2.3).
"""

from __future__ import annotations

from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.domain.errors import ValidationError

# The party's facts are its profile (``SubjectData``): one type for both.
PartyFacts = SubjectData


def check_identified(party: PartyFacts) -> None:
    """Refuse a decision against a party that is not identified."""
    if party.kind is SubjectKind.UNIDENTIFIED_VENDOR:
        raise ValidationError("party", "the party is an unidentified vendor: record their "
                              "name and ID number before a decision (art. 59)")
    if not party.name.strip():
        raise ValidationError("party", "the party's name is required for a decision (art. 59)")
    if party.kind is SubjectKind.BUSINESS:
        if not party.credit_code.strip():
            raise ValidationError("party credit code", "an organisation's unified social "
                                  "credit code is required for a decision (art. 59)")
    elif not party.id_number.strip():
        raise ValidationError("party ID number", "the party's ID number is required for a "
                              "decision (art. 59)")


# Per party kind: the snapshot keys of the party block every outgoing document needs.
PARTY_BLOCK_KEYS: dict[SubjectKind, tuple[str, ...]] = {
    SubjectKind.INDIVIDUAL: ("subject.name", "subject.gender", "subject.id_number",
                             "subject.address", "subject.phone"),
    SubjectKind.BUSINESS: ("subject.name", "subject.credit_code",
                           "subject.legal_representative", "subject.address"),
    SubjectKind.INDIVIDUAL_BUSINESS: ("subject.shop_sign", "subject.name",
                                      "subject.id_number", "subject.address"),
    SubjectKind.UNIDENTIFIED_VENDOR: ("subject.description",),
}


def addressee(kind: SubjectKind) -> str:
    """你 for a person, 你单位 for an organisation (an individual business is a person)."""
    return "你单位" if kind is SubjectKind.BUSINESS else "你"


def case_party_name(party: PartyFacts) -> str:
    """The name a case and its cover carry: an individual business by its 字号."""
    if party.kind is SubjectKind.INDIVIDUAL_BUSINESS and party.shop_sign:
        return f"{party.shop_sign}（经营者：{party.name}）" if party.name else party.shop_sign
    return party.name
