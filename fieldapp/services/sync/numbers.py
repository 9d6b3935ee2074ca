"""Document-number blocks leased from HQ (文号): refilled below a low-water mark, next
year's leased before the year turns, unused serials of a year gone by returned.

A device with HQ blocks for a squad, kind and year never makes local blocks for them
(``services.paperwork.numbers``), so numbers cannot collide across devices; when the
officer is offline and a kind runs out, the paperwork says so instead of inventing one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from fieldapp.domain.localtime import agency_zone
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork.numbers import number_catalogue
from fieldapp.services.sync import db
from fieldapp.store import pulled
from fieldapp.store.queries import sync as queries
from fieldapp.sync.client import HqClient, HqRefused
from fieldapp.sync.protocol import Change, LeaseRequest, ReturnRequest

LOW_WATER = 10  # serials left in a kind's leased blocks before HQ is asked for more
LEASE_SIZE = 50
NEXT_YEAR_DAYS = 14  # lease next year's blocks this many days before the year turns


def numbers_left(conn: sqlite3.Connection, device_id: str, squad_id: str,
                 year: int) -> dict[str, int]:
    """Serials left in this device's HQ blocks, by document kind."""
    left = dict.fromkeys(number_catalogue().codes, 0)
    left.update(queries.hq_serials_left(conn, device_id=device_id, squad_id=squad_id,
                                        year=year))
    return left


def years_to_stock(now: dt.datetime) -> list[int]:
    local = now.astimezone(agency_zone())
    years = [local.year]
    turn = dt.datetime(local.year + 1, 1, 1, tzinfo=agency_zone())
    if turn - local <= dt.timedelta(days=NEXT_YEAR_DAYS):
        years.append(local.year + 1)
    return years


def refill(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection,
           squad_id: str) -> dict[str, int]:
    """Lease blocks for every kind below the low-water mark; return last years' unused
    serials; answers the serials left this year by kind."""
    now = ctx.now()
    blocks: list[Change] = []
    for year in years_to_stock(now):
        for kind, left in numbers_left(conn, ctx.device_id, squad_id, year).items():
            if left < LOW_WATER:
                blocks.append(client.lease(LeaseRequest(kind=kind, year=year,
                                                        size=LEASE_SIZE)).block)
    blocks += _give_back(client, conn, ctx.device_id, years_to_stock(now)[0])
    if blocks:
        _store(ctx, conn, blocks)
    return numbers_left(conn, ctx.device_id, squad_id, years_to_stock(now)[0])


def _give_back(client: HqClient, conn: sqlite3.Connection, device_id: str,
               this_year: int) -> list[Change]:
    out = []
    for block_id, next_serial in queries.unused_hq_blocks(conn, device_id=device_id,
                                                          before_year=this_year):
        out.append(_return(client, block_id, next_serial))
    return [c for c in out if c is not None]


def return_unused(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection) -> int:
    """Every unused serial of this device's blocks back to HQ (before a hand-over)."""
    rows = queries.unused_hq_blocks(conn, device_id=ctx.device_id)
    blocks = [c for c in (_return(client, i, n) for i, n in rows) if c is not None]
    if blocks:
        _store(ctx, conn, blocks)
    return len(blocks)


def _return(client: HqClient, block_id: str, first_unused: int) -> Change | None:
    try:
        return client.return_numbers(ReturnRequest(block_id=block_id,
                                                   first_unused=first_unused)).block
    except HqRefused:
        return None  # HQ says this block cannot be returned so (shown on HQ's status page)


def _store(ctx: ServiceContext, conn: sqlite3.Connection, blocks: list[Change]) -> None:
    now = ctx.now()
    items = [pulled.parse_pulled({"server_seq": 0, "origin_device": "hq",
                                  "change": b.model_dump(mode="json")}) for b in blocks]
    with db.transaction(conn):
        applier = pulled.PageApplier(conn, device_id=ctx.device_id, now=now,
                                     new_id=ctx.new_id, now_ms=int(now.timestamp() * 1000))
        applier.apply([i for i in items if i is not None], set(), frozenset())
        applier.sign(ctx.store.sign if ctx.store.device_key() else None)
