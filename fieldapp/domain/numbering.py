"""文号 (document numbers): their text, and the blocks of serials they are issued from.

A number is unique per squad, document kind and year. Devices issue them offline from
blocks of serials reserved to them (HQ leases the blocks once sync exists; until then a
device makes a local block after every serial it knows of). A serial is used once: a
voided one stays voided and is skipped, never issued again.

The text follows a pattern with the placeholders ``{agency}`` (the agency's short code,
e.g. 东城管), ``{squad}`` (the squad's code), ``{code}`` (the kind's code, e.g. 罚决字),
``{year}`` and ``{serial}``; the default is ``{agency}{code}〔{year}〕第{serial}号``
(六角括号, no zero padding: DOMAIN.md §2.1–2.2).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from fieldapp.domain.errors import DomainError, ValidationError

DEFAULT_PATTERN = "{agency}{code}〔{year}〕第{serial}号"
PLACEHOLDERS = frozenset({"agency", "squad", "code", "year", "serial"})
PATTERN_FIELD = "document number pattern"
BLOCK_FIELD = "number block"
_FIELD = re.compile(r"\{([^{}]*)\}")


def check_pattern(pattern: str) -> str:
    """The pattern, or a ValidationError naming what is wrong with it."""
    names = _FIELD.findall(pattern)
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(PATTERN_FIELD, "'{name}' is not a placeholder; use {names}",
                              name=unknown[0], names=", ".join(sorted(PLACEHOLDERS)))
    for needed in ("year", "serial"):
        if names.count(needed) != 1:
            raise ValidationError(PATTERN_FIELD, "must contain {{{name}}} exactly once",
                                  name=needed)
    if "{" in _FIELD.sub("", pattern) or "}" in _FIELD.sub("", pattern):
        raise ValidationError(PATTERN_FIELD, "has an unmatched brace")
    return pattern


def format_number(pattern: str, *, agency: str, code: str, year: int, serial: int,
                  squad: str = "") -> str:
    """The 文号 text, e.g. 东城管罚决字〔2026〕第7号."""
    values = {"agency": agency, "squad": squad, "code": code, "year": str(year),
              "serial": str(serial)}
    return _FIELD.sub(lambda m: values[m.group(1)], check_pattern(pattern))


def parse_serial(number: str, pattern: str, *, agency: str, code: str, year: int,
                 squad: str = "") -> int | None:
    """The serial of a number written with this pattern, or None if it is not one."""
    values = {"agency": agency, "squad": squad, "code": code, "year": str(year)}
    parts = []
    for i, piece in enumerate(_FIELD.split(check_pattern(pattern))):
        if i % 2 == 0:
            parts.append(re.escape(piece))
        else:
            parts.append(r"([1-9][0-9]*)" if piece == "serial" else re.escape(values[piece]))
    match = re.fullmatch("".join(parts), number.strip())
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class SerialRange:
    """Serials ``first``…``last`` (both included)."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first < 1:
            raise ValidationError(BLOCK_FIELD, "serials start at 1, not {first}",
                                  first=self.first)
        if self.last < self.first:
            raise ValidationError(BLOCK_FIELD, "the last serial {last} is before the first "
                                  "{first}", first=self.first, last=self.last)

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def overlaps(self, other: SerialRange) -> bool:
        return self.first <= other.last and other.first <= self.last

    def __contains__(self, serial: object) -> bool:
        return isinstance(serial, int) and self.first <= serial <= self.last


@dataclass(frozen=True)
class BlockState:
    """A reserved block and the next serial it will give."""

    range: SerialRange
    next: int

    @property
    def remaining(self) -> int:
        return max(0, self.range.last - self.next + 1)

    @property
    def exhausted(self) -> bool:
        return self.remaining == 0


class NumbersExhausted(DomainError):
    """No reserved serial is left for this squad, kind and year."""

    def __init__(self, kind: str, year: int) -> None:
        problem = ("no document numbers are left for {kind} in {year}; reserve a new block "
                   "(or sync to lease one from HQ)")
        super().__init__(problem, kind=kind, year=year)


def next_serial(block: BlockState, skip: Collection[int] = ()) -> tuple[int | None, BlockState]:
    """The serial to issue from ``block`` and the block after issuing it.

    Serials in ``skip`` (voided before use) are passed over and never issued. Returns
    ``(None, exhausted block)`` when the block has none left.
    """
    serial = block.next
    while serial <= block.range.last and serial in skip:
        serial += 1
    if serial > block.range.last:
        return None, replace(block, next=block.range.last + 1)
    return serial, replace(block, next=serial + 1)


def next_free_range(known: Iterable[SerialRange], used: Iterable[int], size: int) -> SerialRange:
    """A local block of ``size`` after every block and every serial known here.

    Taking the range after the highest known serial (not the first gap) means a number
    handed back or voided is never handed out again.
    """
    if size < 1:
        raise ValidationError(BLOCK_FIELD, "a block holds at least one number")
    highest = max([r.last for r in known] + list(used), default=0)
    return SerialRange(highest + 1, highest + size)


def check_free(new: SerialRange, known: Iterable[SerialRange], used: Iterable[int]) -> None:
    """Refuse a block that overlaps a known block or holds a serial already used."""
    for other in known:
        if new.overlaps(other):
            raise ValidationError(BLOCK_FIELD, "{first}–{last} overlaps the block "
                                  "{other_first}–{other_last} already reserved",
                                  first=new.first, last=new.last, other_first=other.first,
                                  other_last=other.last)
    taken = sorted(s for s in used if s in new)
    if taken:
        raise ValidationError(BLOCK_FIELD, "serial {serial} in {first}–{last} is already "
                              "used or voided", serial=taken[0], first=new.first,
                              last=new.last)
