"""``fieldapp inspect``: record a finding (巡查检查) without the desktop app."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from fieldapp.cli.access import context, two_certificates, two_officers
from fieldapp.cli.names import subject_name, violation_name
from fieldapp.cli.options import (
    Access,
    Choice,
    add_subject,
    add_time,
    add_two_officers,
    add_violation,
    leaf,
    noun,
    record_id,
    text,
    when,
)
from fieldapp.cli.output import EXIT_OK, Parser, emit
from fieldapp.domain.entities import EvidenceType, StepKind
from fieldapp.i18n import N_, _


def register(sub: Any) -> None:
    noun(sub, "inspect", _("record a finding without the desktop app"), _build)


def _build(p: Parser) -> None:
    leaf(p, cmd_inspect, access=Access.WRITE)
    add_subject(p)
    add_violation(p)
    p.add_argument("--facts", required=True, type=text(N_("facts")), help=_("what was found"))
    p.add_argument("--corrected", action="store_true", help=_("corrected on the spot"))
    add_two_officers(p)
    add_time(p)
    p.add_argument("--address", type=text(N_("address")), required=True, help=_("address"))
    step = Choice.of(N_("step"), StepKind)
    p.add_argument("--step", type=step, metavar="STEP", help=step.help(
        _("step taken (default: the step the ladder advises)")))
    p.add_argument("--override-reason", metavar="TEXT", type=text(N_("override reason")),
                   help=_("why another step than the advised one is taken"))
    p.add_argument("--photo", action="append", metavar="FILE", type=Path,
                   help=_("evidence photo"))
    evidence = Choice.of(N_("evidence type"), EvidenceType)
    p.add_argument("--evidence-type", default=EvidenceType.AUDIOVISUAL.value, type=evidence,
                   metavar="TYPE", help=evidence.help(_("evidence type"), p))
    p.add_argument("--id", metavar="UUID", type=record_id(N_("inspection id")),
                   help=_("inspection id (repeating it is safe)"))


def cmd_inspect(args: argparse.Namespace) -> int:
    from fieldapp.domain.entities import EvidenceData, FindingData, InspectionData
    from fieldapp.domain.validation import check_inspection
    from fieldapp.services.inspections import check_evidence_file, record_inspection
    from fieldapp.services.staff import records_since

    two_certificates(args.officer)
    ctx = context(args)
    now = ctx.now()
    at = when(args.at, now)
    finding = FindingData(violation_code=args.violation, facts=args.facts,
                          corrected_on_spot=args.corrected,
                          step=StepKind(args.step) if args.step else None,
                          override_reason=args.override_reason or "")
    evidence = tuple(EvidenceData(path=str(p), evidence_type=EvidenceType(args.evidence_type),
                                  captured_at=at, place=args.address) for p in args.photo or ())
    data = check_inspection(
        InspectionData(subject_id=args.subject, officer_ids=(), at=at, address=args.address,
                       findings=(finding,), evidence=evidence),
        now=now, since=records_since(ctx=ctx))
    for item in evidence:
        check_evidence_file(Path(item.path))
    officers = two_officers(args, ctx, "inspection.record")
    recorded = record_inspection(ctx=ctx, data=dataclasses.replace(data, officer_ids=officers),
                                 inspection_id=args.id)
    payload = dataclasses.asdict(recorded)
    payload.pop("changed")  # a retry, or the loser of a race, gets the same answer
    emit(args, payload, _("Inspection recorded: {subject}, {violation}: {step}.",
                          subject=subject_name(ctx, args.subject),
                          violation=violation_name(ctx, args.violation),
                          step=_(_step_taken(ctx, args.subject, recorded.finding_ids))))
    return EXIT_OK


def _step_taken(ctx: Any, subject_id: str, finding_ids: tuple[str, ...]) -> str:
    from fieldapp.services.subjects import subject_history

    return next((e.step for e in subject_history(ctx=ctx, subject_id=subject_id)
                 if e.id in finding_ids), "")
