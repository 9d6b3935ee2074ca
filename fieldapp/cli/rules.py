"""``fieldapp advise``, ``settings`` and ``stats``: the advice of the rules, the city's
rule settings, and the "721" figures."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from typing import Any

from fieldapp.cli.access import acting_officer, context
from fieldapp.cli.names import subject_name
from fieldapp.cli.options import (
    Access,
    Choice,
    add_officer,
    add_subject,
    add_time,
    add_violation,
    amount,
    assignment,
    day,
    leaf,
    noun,
    shown,
    when,
)
from fieldapp.cli.output import EXIT_OK, Parser, emit
from fieldapp.domain.entities import StepKind
from fieldapp.domain.errors import ValidationError
from fieldapp.i18n import N_, _

_YES = frozenset({"1", "true", "yes", "y", "是", "对"})
_NO = frozenset({"0", "false", "no", "n", "否", "不"})


def register(sub: Any) -> None:
    noun(sub, "advise", _("the step due and the no-penalty items for a subject"), _advise)
    noun(sub, "settings", _("the city's rule settings (thresholds, windows)"), _settings)
    noun(sub, "stats", _("721 figures: how encounters ended"), _stats, aliases=["figures"])


def _advise(p: Parser) -> None:
    from fieldapp.domain.no_penalty import ConditionKind

    leaf(p, cmd_advise, access=Access.READ)
    add_subject(p)
    add_violation(p)
    add_time(p)
    p.add_argument("--corrected", action="store_true", help=_("corrected on the spot"))
    p.add_argument("--minor-harm", action="store_true",
                   help=_("the harm is minor and there is no harmful consequence"))
    conditions = Choice.of(N_("answer"), ConditionKind)
    p.add_argument("--answer", action="append", metavar="CONDITION=VALUE",
                   type=assignment(N_("answer")), help=conditions.help(_(
                       "an answer to a condition, e.g. corrected_on_spot=yes, area_max_m2=3"),
                       p))
    p.set_defaults(conditions=conditions)


def _settings(p: Parser) -> None:
    leaf(p, cmd_settings, access=Access.READ)
    p.add_argument("--set", metavar="KEY=VALUE", type=assignment(N_("setting")),
                   help=_("change one setting"))
    add_officer(p)


def _stats(p: Parser) -> None:
    leaf(p, cmd_stats, access=Access.READ)
    p.add_argument("--from", dest="start", required=True, metavar="DATE",
                   type=day(N_("first day")), help=_("first day, e.g. 2026-01-01"))
    p.add_argument("--to", dest="end", required=True, metavar="DATE", type=day(N_("end date")),
                   help=_("day after the last"))
    groups = _groups()
    p.add_argument("--by", type=groups, default="officer", metavar="GROUP",
                   help=groups.help(_("group by")))


def _groups() -> Choice:
    from fieldapp.services.reports import GROUPINGS

    return Choice(N_("group by"), {key: _(label) for key, label in GROUPINGS.items()})


def yes_or_no(label: str, value: str) -> bool:
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValidationError(label, "'{value}' is not yes or no", value=shown(value))


def _answers(args: argparse.Namespace) -> dict[Any, bool | float | None]:
    from fieldapp.domain.no_penalty import QUANTIFIED, ConditionKind

    answers: dict[Any, bool | float | None] = {}
    if args.corrected:
        answers[ConditionKind.CORRECTED_ON_SPOT] = True
        answers[ConditionKind.CORRECTED_IN_PERIOD] = True
    if args.minor_harm:
        answers[ConditionKind.MINOR_HARM] = True
        answers[ConditionKind.NO_HARMFUL_CONSEQUENCE] = True
    for key, value in args.answer or ():
        kind = ConditionKind(args.conditions(key))
        label = _(kind.value)
        answers[kind] = amount(label, value) if kind in QUANTIFIED else yes_or_no(label, value)
    return answers


def cmd_advise(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import advise

    answers = _answers(args)
    ctx = context(args)
    advice = advise(ctx=ctx, subject_id=args.subject, violation_code=args.violation,
                    at=when(args.at, ctx.now()), answers=answers)
    items = [{"item_no": a.item.item_no, "name": a.item.name,
              "exemption_kind": a.item.exemption_kind.value, "mandatory": a.mandatory,
              "outcome": a.outcome.value,
              "conditions": [{"kind": c.condition.kind.value, "text": c.condition.text,
                              "verdict": c.verdict.value} for c in a.conditions]}
             for a in advice.items]
    payload = {"step": advice.step.value, "skipped_ladder": advice.ladder.skipped,
               "first_offence": advice.first_offence,
               "history": [{"kind": s.kind.value, "at": s.taken_at, "officer": s.officer}
                           for s in advice.ladder.counted],
               "no_penalty_items": items, "basis": dataclasses.asdict(advice.basis),
               "documents": [d.value for d in advice.documents],
               "explanation": advice.explanation}
    lines = [f"{subject_name(ctx, args.subject)}  {advice.violation_name}",
             f"{_('Ladder step')}: {_(advice.step.value)}", advice.explanation,
             f"{advice.basis.provision}；{advice.basis.penalty_provision}"]
    lines += [f"  {a.item.item_no}. {a.item.name}: {_(a.outcome.value)}" for a in advice.items]
    emit(args, payload, "\n".join(lines))
    return EXIT_OK


def setting_value(key: str, text: str) -> Any:
    """What ``--set key=text`` means, as the setting's own type."""
    from fieldapp.domain.rules_config import RuleConfig

    defaults = dataclasses.asdict(RuleConfig())
    if key not in defaults:
        raise ValidationError("setting", "'{key}' is not a rule setting", key=shown(key))
    default = defaults[key]
    if isinstance(default, bool):
        return yes_or_no(key, text)
    if isinstance(default, int):
        try:
            return int(text.strip())
        except ValueError:
            raise ValidationError(key, "'{value}' is not a whole number",
                                  value=shown(text)) from None
    if isinstance(default, float):
        return amount(key, text)
    return text.strip()


def cmd_settings(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import rule_config, set_rule

    change = (args.set[0], setting_value(*args.set)) if args.set else None
    ctx = context(args)
    if change is not None:
        officer = acting_officer(args, ctx)
        set_rule(ctx=ctx, officer_id=officer.officer_id, key=change[0], value=change[1])
    config = dataclasses.asdict(rule_config(ctx=ctx))
    emit(args, config, "\n".join(f"{k} = {v}" for k, v in config.items()))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from fieldapp.domain.localtime import at_local
    from fieldapp.services.reports import figures_721

    if args.end <= args.start:
        raise ValidationError("end date", "{end} is not after {start}",
                              end=args.end.isoformat(), start=args.start.isoformat())
    ctx = context(args)
    start, end = (at_local(d, dt.time(0)) for d in (args.start, args.end))
    rows = figures_721(ctx=ctx, start=start, end=end, by=args.by)
    lines = [f"{f.name if f.key != 'all' else _('everyone')}: " + "  ".join(
        f"{_(s.value)} {f.share(s.value):.0%}" for s in StepKind) + f"  ({f.total})"
        for f in rows]
    emit(args, {"by": args.by, "rows": [dataclasses.asdict(f) | {"total": f.total}
                                        for f in rows]},
         "\n".join(lines) or _("Nothing recorded in this period."))
    return EXIT_OK
