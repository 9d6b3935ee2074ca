"""The "721" figures: how encounters end, by education, warning or enforcement.

721工作法 aims at 70% service, 20% management, 10% enforcement. An encounter is one
finding; it ends with the step taken (ladder_step.kind). Figures are per officer (the
lead officer of the inspection), per squad, and for everyone, over a period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldapp.i18n import N_
from fieldapp.services.context import ServiceContext
from fieldapp.store.audit import utc_text


@dataclass(frozen=True)
class Figures721:
    key: str  # officer id, squad id, or "all"
    name: str
    educate: int
    warn: int
    enforce: int

    @property
    def total(self) -> int:
        return self.educate + self.warn + self.enforce

    def share(self, kind: str) -> float:
        return getattr(self, kind) / self.total if self.total else 0.0


_SQL = """
SELECT {key}, {name}, SUM(s.kind = 'educate'), SUM(s.kind = 'warn'), SUM(s.kind = 'enforce')
FROM ladder_step s JOIN officer o ON o.id = s.officer_id JOIN squad q ON q.id = s.squad_id
WHERE s.taken_at_utc >= ? AND s.taken_at_utc < ? {where}
GROUP BY {key} ORDER BY {name}
"""
_GROUPS = {"officer": ("o.id", "o.name"), "squad": ("q.id", "q.name"),
           "all": ("'all'", "'all'")}
#: How the figures can be grouped, and what a person reads for each.
GROUPINGS = {"officer": N_("by officer"), "squad": N_("by squad"), "all": N_("everyone")}


def figures_721(*, ctx: ServiceContext, start: dt.datetime, end: dt.datetime,
                by: str = "officer", squad_id: str | None = None) -> list[Figures721]:
    """Counts of steps per officer, squad or overall in [start, end)."""
    key, name = _GROUPS[by]
    where, params = "", [utc_text(start), utc_text(end)]
    if squad_id:
        where = "AND s.squad_id = ?"
        params.append(squad_id)
    sql = _SQL.format(key=key, name=name, where=where)
    with ctx.read() as session:
        rows = session.connection().exec_driver_sql(sql, tuple(params)).all()
    return [Figures721(r[0], r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0))
            for r in rows]
