"""``fieldapp demo``: fill an empty data directory with deterministic demo data."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from fieldapp.cli.access import context
from fieldapp.cli.options import Access, leaf, noun, whole
from fieldapp.cli.output import EXIT_OK, Parser, ProgressBar, emit
from fieldapp.i18n import N_, _


def register(sub: Any) -> None:
    noun(sub, "demo", _("fill an empty data directory with demo data"), _build)


def _build(p: Parser) -> None:
    leaf(p, cmd_demo, access=Access.OPEN)
    p.add_argument("--subjects", type=whole(N_("subjects"), 1, 10_000_000), default=300,
                   help=_("number of subjects"))
    p.add_argument("--inspections", type=whole(N_("inspections"), 0, 100_000_000), default=2000,
                   help=_("number of inspections"))
    p.add_argument("--seed", type=whole(N_("seed"), 0, 2**31), default=7,
                   help=_("random seed (same seed, same data)"))
    p.add_argument("--if-empty", action="store_true",
                   help=_("do nothing when the data directory already holds data"))


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldapp.demo.load import generate_demo
    from fieldapp.domain.errors import ValidationError

    ctx = context(args)
    bar = ProgressBar()
    try:
        result = generate_demo(ctx=ctx, subjects=args.subjects, inspections=args.inspections,
                               seed=args.seed, progress=bar)
    except ValidationError as error:  # refused before anything is written
        if not (args.if_empty and error.field == "data directory"):
            raise
        emit(args, {"created": False, "data_dir": str(ctx.store.data_dir)},
             _("The data directory already holds data; no demo data added."))
        return EXIT_OK
    finally:
        bar.done()
    rate = result.rows / result.seconds if result.seconds else 0
    emit(args, {"created": True, **dataclasses.asdict(result), "rows_per_second": rate,
                "data_dir": str(ctx.store.data_dir)},
         _("Demo data: {subjects} subjects, {inspections} inspections, {cases} cases, "
           "{rows} rows in {seconds:.1f} s ({rate:.0f} rows/s).",
           subjects=result.subjects, inspections=result.inspections, cases=result.cases,
           rows=result.rows, seconds=result.seconds, rate=rate))
    return EXIT_OK
