"""The amounts the law allows: a violation's statutory fine range and the city's
discretion benchmark (裁量基准, 行政处罚法 art. 34).

A statute sets a range per violation, often different for a person and for an
organisation, and sometimes per unit (per square metre, per day). The benchmark narrows
the range into tiers (轻微 / 一般 / 较重 / 严重). A fine outside the statutory range, or
outside the chosen tier, is refused with the article that sets the limit. Money in fen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.penalties import Penalty, PenaltyKind

# Markers of text that is not yet the city's own rule; nothing carrying them is handed
# to a party (the catalogue ships them for rules each city must fill in).
PLACEHOLDER_MARKERS = ("待本市配置", "无地方规定时", "待核实")


def placeholder_in(text: str) -> str:
    """The first placeholder marker ``text`` carries, or ""."""
    return next((m for m in PLACEHOLDER_MARKERS if m in text), "")


@dataclass(frozen=True)
class FineRange:
    """One party kind's range; ``max_fen`` None means the statute sets no maximum."""

    min_fen: int = 0
    max_fen: int | None = None

    def __post_init__(self) -> None:
        if self.min_fen < 0 or (self.max_fen is not None and self.max_fen < self.min_fen):
            raise ValidationError("fine range", "the minimum must be 0 or more and not above "
                                  "the maximum")


@dataclass(frozen=True)
class DiscretionTier:
    """A tier of the benchmark: its name, range (per party kind) and when it applies."""

    name: str
    individual: FineRange
    organisation: FineRange
    circumstances: str = ""


@dataclass(frozen=True)
class FineLimits:
    """What the law (and the city's benchmark) allows for one violation type."""

    article: str  # the 罚则 that sets the range
    individual: FineRange | None  # None: no amount known (the city must configure it)
    organisation: FineRange | None
    unit: str = ""  # "平方米", "日": the range is per unit
    tiers: tuple[DiscretionTier, ...] = ()

    def range_for(self, organisation: bool) -> FineRange | None:
        return self.organisation if organisation else self.individual


def _yuan(value: Any) -> int | None:
    return None if value is None else round(float(value) * 100)


def fine_range(low: Any, high: Any) -> FineRange | None:
    """A range from catalogue yuan values; both None means the amount is not known."""
    if low is None and high is None:
        return None
    return FineRange(_yuan(low) or 0, _yuan(high))


def tiers_from_json(data: Sequence[Mapping[str, Any]]) -> tuple[DiscretionTier, ...]:
    out = []
    for raw in data:
        person = fine_range(raw.get("individual_min_yuan"), raw.get("individual_max_yuan"))
        org = fine_range(raw.get("organisation_min_yuan"), raw.get("organisation_max_yuan"))
        out.append(DiscretionTier(str(raw["name"]), person or FineRange(),
                                  org or person or FineRange(),
                                  str(raw.get("circumstances", ""))))
    return tuple(out)


def check_fine(penalty: Penalty, limits: FineLimits, *, organisation: bool,
               units: float | None = None, tier: str = "") -> None:
    """Refuse a fine the law (or the benchmark's tier) does not allow."""
    if PenaltyKind.FINE not in penalty.kinds:
        return
    allowed = limits.range_for(organisation)
    if allowed is None:
        raise ValidationError(
            "fine", "no fine range is configured for this violation ({article}): the city "
            "rule is missing; a leader sets it under the city's rules", article=limits.article)
    per = _units(limits, units)
    amount = penalty.fine_fen
    low, high = allowed.min_fen * per, None if allowed.max_fen is None else allowed.max_fen * per
    if amount < low or (high is not None and amount > high):
        problem = ("{amount} yuan is outside the range {low}–{high} yuan that {article} sets "
                   "for an organisation") if organisation else (
            "{amount} yuan is outside the range {low}–{high} yuan that {article} sets for a "
            "person")
        raise ValidationError("fine", problem, amount=amount / 100, low=low / 100,
                              high="∞" if high is None else high / 100,
                              article=limits.article)
    if limits.tiers:
        _check_tier(amount, limits, organisation, per, tier)


def _units(limits: FineLimits, units: float | None) -> float:
    if not limits.unit:
        return 1
    if units is None or units <= 0:
        raise ValidationError("fine units", "the fine is set per {unit}: give how many",
                              unit=limits.unit)
    return units


def _check_tier(amount: int, limits: FineLimits, organisation: bool, per: float,
                tier: str) -> None:
    found = next((t for t in limits.tiers if t.name == tier), None)
    if found is None:
        raise ValidationError("discretion tier", "choose one of the benchmark's tiers: "
                              "{tiers}", tiers="、".join(t.name for t in limits.tiers))
    allowed = found.organisation if organisation else found.individual
    low = allowed.min_fen * per
    high = None if allowed.max_fen is None else allowed.max_fen * per
    if amount < low or (high is not None and amount > high):
        raise ValidationError(
            "fine", "{amount} yuan is outside the {tier} tier of the discretion benchmark "
            "({low}–{high} yuan)", amount=amount / 100, tier=tier, low=low / 100,
            high="∞" if high is None else high / 100)


def heavier_limits(a: FineLimits, b: FineLimits, *, organisation: bool) -> bool:
    """True when ``a`` allows more than ``b`` for this party (for art. 37's comparison):
    a higher maximum, or the same maximum with a higher minimum. Unknown ranges compare
    as not heavier."""
    ra, rb = a.range_for(organisation), b.range_for(organisation)
    if ra is None or rb is None:
        return False
    inf = 10**15
    key_a = (ra.max_fen if ra.max_fen is not None else inf, ra.min_fen)
    key_b = (rb.max_fen if rb.max_fen is not None else inf, rb.min_fen)
    return key_a > key_b
