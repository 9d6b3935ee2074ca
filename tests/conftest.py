"""Shared fixtures: a real data directory with an agency, a squad and officers."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fieldapp import i18n

# Every test checks that the write path's canonical versions, hashed from the values
# bound, are byte-identical to the rows read back (store/unit.py, Tx.add).
os.environ.setdefault("FIELDAPP_CHECK_CANONICAL", "1")


@pytest.fixture(autouse=True)
def _chinese_by_default() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("zh_CN")


@dataclass
class Org:
    ctx: object
    squad_id: str
    officers: list[str]  # ids; officers[3] is an auxiliary
    certificates: list[str]


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    from fieldapp.domain.entities import OfficerRole
    from fieldapp.services.context import open_context
    from fieldapp.services.rules import load_catalogue, load_city_rules, load_default_list
    from fieldapp.services.staff import add_officer, add_squad, set_agency

    ctx = open_context(tmp_path / "data")
    load_catalogue(ctx=ctx)
    load_default_list(ctx=ctx)
    load_city_rules(ctx=ctx)  # the demo city (示例市) ships complete rules
    set_agency(ctx=ctx, full_name="示例市东城区城市管理综合行政执法局", short_code="东城管")
    squad = add_squad(ctx=ctx, name="东华门中队", code="DHM").id
    people = [("王建国", "11010023001", OfficerRole.SQUAD_LEADER),
              ("李秀英", "11010023002", OfficerRole.OFFICER),
              ("张伟", "11010023003", OfficerRole.OFFICER),
              ("赵协管", "XG0001", OfficerRole.AUXILIARY)]
    ids = [add_officer(ctx=ctx, squad_id=squad, name=n, certificate_no=c,
                       valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 12, 31),
                       role=r).id for n, c, r in people]
    yield Org(ctx, squad, ids, [c for _, c, _ in people])
    ctx.close()  # type: ignore[attr-defined]
