"""``fieldapp case``, ``tasks`` and ``revisit``: cases (案件), what is due, and the
re-inspections after a warning (回头看)."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from fieldapp.cli.access import acting_officer, context, two_certificates, two_officers
from fieldapp.cli.names import subject_name, violation_name
from fieldapp.cli.options import (
    Access,
    Choice,
    add_officer,
    add_officer_filter,
    add_subject,
    add_time,
    add_two_officers,
    add_violation,
    command,
    day,
    leaf,
    noun,
    record_id,
    subcommands,
    text,
    when,
)
from fieldapp.cli.output import EXIT_OK, Parser, emit, local_text
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.workflow import Action
from fieldapp.i18n import N_, _


def register(sub: Any) -> None:
    noun(sub, "case", _("cases: list and workflow actions"), _case)
    noun(sub, "tasks", _("revisits and case deadlines, the earliest first"), _tasks)
    noun(sub, "revisit", _("re-inspections after a warning (回头看)"), _revisit)


def _case(p: Parser) -> None:
    actions = subcommands(p)
    ls = command(actions, "list", cmd_list, _("open cases, the most urgent first"),
                 access=Access.READ)
    ls.add_argument("--overdue", action="store_true", help=_("only cases past a deadline"))
    add_officer_filter(ls)

    op = command(actions, "open", cmd_open, _("open a case (立案 needs the approvals)"),
                 access=Access.WRITE)
    add_subject(op)
    add_violation(op)
    add_two_officers(op)
    op.add_argument("--summary-procedure", action="store_true",
                    help=_("on-the-spot decision (简易程序)"))
    op.add_argument("--source", default="patrol", type=text(N_("source")),
                    help=_("where the case came from"))
    op.add_argument("--external-ref", default="", type=text(N_("hotline work-order number")),
                    help=_("hotline work-order number"))
    op.add_argument("--summary", default="", type=text(N_("case summary")),
                    help=_("what the case is about"))

    show = command(actions, "show", cmd_show, _("a case, its deadlines and the actions allowed"),
                   access=Access.READ)
    show.add_argument("id", metavar="ID", type=record_id(N_("case")))
    show.add_argument("--officer", metavar="CERT", type=text(N_("certificate number")),
                      help=_("list the actions this officer (certificate number) may take"))

    act = command(actions, "advance", cmd_advance, _("take a workflow action on a case"),
                  access=Access.WRITE, aliases=["act"])
    act.add_argument("id", metavar="ID", type=record_id(N_("case")))
    action = Choice.of(N_("case action"), Action)
    act.add_argument("action", metavar="ACTION", type=action,
                     help=action.help(_("the action"), act))
    add_officer(act)
    act.add_argument("--payload", metavar="JSON", type=_json_object,
                     help=_("details of the action as JSON"))
    act.add_argument("--on", metavar="DATE", type=day(N_("date of the action")),
                     help=_("date of the action (default: today)"))



def _tasks(p: Parser) -> None:
    leaf(p, cmd_tasks, access=Access.READ)
    add_officer_filter(p)
    p.add_argument("--overdue", action="store_true", help=_("only what is past its date"))


def _revisit(p: Parser) -> None:
    actions = subcommands(p)
    ls = command(actions, "list", cmd_revisits, _("open revisits, the earliest first"),
                 access=Access.READ)
    ls.add_argument("--overdue", action="store_true", help=_("only revisits past their date"))
    add_officer_filter(ls)
    done = command(actions, "done", cmd_revisit_done, _("record a revisit"),
                   access=Access.WRITE)
    done.add_argument("id", metavar="ID", type=record_id(N_("revisit")))
    add_officer(done)
    done.add_argument("--corrected", action="store_true", help=_("the party has corrected"))
    add_time(done)


def _json_object(value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        raise ValidationError("payload", "is not valid JSON (at character {position})",
                              position=error.pos + 1) from None
    if not isinstance(parsed, dict):
        raise ValidationError("payload", "must be a JSON object, like {example}",
                              example='{"fine_yuan": 200}')
    return parsed


def _officer_id(ctx: Any, certificate: str | None) -> str | None:
    from fieldapp.services.staff import officer_by_certificate

    return officer_by_certificate(ctx=ctx, certificate_no=certificate).id if certificate else None


def _deadline_text(deadline: Any) -> str:
    if deadline is None:
        return ""
    return f"{_(deadline.kind.value)} {deadline.due}（{_(deadline.status)}）"


def cmd_list(args: argparse.Namespace) -> int:
    from fieldapp.services.cases import CaseFilter, case_rows, list_cases

    ctx = context(args)
    officer = _officer_id(ctx, args.officer)
    cases = list_cases(ctx=ctx, overdue_only=args.overdue, officer_id=officer)
    names = {r.id: r for r in case_rows(ctx=ctx, limit=max(len(cases), 1), where=CaseFilter(
        officer_id=officer, overdue_only=args.overdue))}
    rows = [{"id": c.id, "case_no": c.case_no, "status": c.status.value,
             "subject_id": c.subject_id, "violation_code": c.violation_code,
             "next_deadline": dataclasses.asdict(c.next_deadline) if c.next_deadline else None}
            for c in cases]
    lines = []
    for c in cases:
        row = names.get(c.id)
        party = row.subject_name if row else subject_name(ctx, c.subject_id)
        violation = row.violation_name if row else violation_name(ctx, c.violation_code)
        lines.append(f"{c.case_no or '—'}  {party}  {violation}  {_(c.status.value)}  "
                     f"{_deadline_text(c.next_deadline)}  [{c.id}]")
    emit(args, {"count": len(rows), "cases": rows}, "\n".join(lines) or _("No cases."))
    return EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    from fieldapp.domain.workflow import Procedure
    from fieldapp.services.cases import open_case

    two_certificates(args.officer)
    ctx = context(args)
    officers = two_officers(args, ctx, "case.open")
    written = open_case(
        ctx=ctx, officer_ids=officers, subject_id=args.subject,
        violation_code=args.violation, source=args.source, external_ref=args.external_ref,
        summary=args.summary,
        procedure=Procedure.SUMMARY if args.summary_procedure else Procedure.ORDINARY)
    emit(args, {"id": written.id}, _("Case opened: {subject}, {violation}.",
                                     subject=subject_name(ctx, args.subject),
                                     violation=violation_name(ctx, args.violation)))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from fieldapp.services.cases import case_detail

    ctx = context(args)
    detail = case_detail(ctx=ctx, case_id=args.id, officer_id=_officer_id(ctx, args.officer))
    view = detail.case
    allowed = [a.value for a in detail.actions]
    payload = {"id": view.id, "case_no": view.case_no, "status": view.status.value,
               "procedure": view.procedure.value, "subject_id": view.subject_id,
               "violation_code": view.violation_code, "state": view.state.to_json(),
               "allowed_actions": allowed,
               "deadlines": [dataclasses.asdict(d) for d in view.deadlines]}
    lines = [f"{view.case_no or _('case')}  {detail.subject_name}  {detail.violation_name}",
             f"  {_(view.status.value)}  {_(view.procedure.value)}  "
             f"{detail.lead_officer}、{detail.assist_officer}"]
    lines += [f"  {_deadline_text(d)}  {d.basis}" for d in view.deadlines]
    lines += [f"  {local_text(e.at)}  {_(e.action)}  {e.officer_name}" for e in detail.events]
    lines += [f"  → {_(a)}" for a in allowed]
    emit(args, payload, "\n".join(lines))
    return EXIT_OK


def cmd_advance(args: argparse.Namespace) -> int:
    from fieldapp.domain.localtime import local_date
    from fieldapp.domain.validation import check_day
    from fieldapp.services.cases import act, case_detail
    from fieldapp.services.staff import records_since

    ctx = context(args)
    on = (check_day(N_("date of the action"), args.on, today=local_date(ctx.now()),
                    since=records_since(ctx=ctx)) if args.on else None)
    officer = acting_officer(args, ctx)
    act(ctx=ctx, case_id=args.id, officer_id=officer.officer_id, action=Action(args.action),
        payload=args.payload or {}, on=on)
    detail = case_detail(ctx=ctx, case_id=args.id)
    view = detail.case
    emit(args, {"id": view.id, "status": view.status.value},
         _("Case {case} is now: {status}", case=view.case_no or detail.subject_name,
           status=_(view.status.value)))
    return EXIT_OK


def cmd_tasks(args: argparse.Namespace) -> int:
    from fieldapp.services.cases import list_cases
    from fieldapp.services.inspections import list_revisits

    ctx = context(args)
    officer = _officer_id(ctx, args.officer)
    revisits = list_revisits(ctx=ctx, officer_id=officer, overdue_only=args.overdue)
    cases = [c for c in list_cases(ctx=ctx, officer_id=officer, overdue_only=args.overdue)
             if c.next_deadline is not None]
    payload = {
        "revisits": [dataclasses.asdict(r) for r in revisits],
        "case_deadlines": [{"case_id": c.id, "status": c.status.value,
                            **dataclasses.asdict(c.next_deadline)} for c in cases
                           if c.next_deadline is not None]}
    lines = [f"{_('revisit')}  {local_text(r.due_at, '%Y-%m-%d')}  "
             f"{subject_name(ctx, r.subject_id)}  {violation_name(ctx, r.violation_code)}"
             f"{'  ' + _('overdue') if r.overdue else ''}" for r in revisits]
    lines += [f"{_('case')}  {c.next_deadline.due}  {subject_name(ctx, c.subject_id)}  "
              f"{violation_name(ctx, c.violation_code)}  {_(c.next_deadline.kind.value)}"
              f"（{_(c.next_deadline.status)}）" for c in cases if c.next_deadline is not None]
    emit(args, payload, "\n".join(lines) or _("Nothing due."))
    return EXIT_OK


def cmd_revisits(args: argparse.Namespace) -> int:
    from fieldapp.services.inspections import list_revisits

    ctx = context(args)
    rows = list_revisits(ctx=ctx, overdue_only=args.overdue,
                         officer_id=_officer_id(ctx, args.officer))
    lines = [f"{local_text(r.due_at, '%Y-%m-%d')}  {subject_name(ctx, r.subject_id)}  "
             f"{violation_name(ctx, r.violation_code)}"
             f"{'  ' + _('overdue') if r.overdue else ''}  [{r.id}]" for r in rows]
    emit(args, {"count": len(rows), "revisits": [dataclasses.asdict(r) for r in rows]},
         "\n".join(lines) or _("No revisits due."))
    return EXIT_OK


def cmd_revisit_done(args: argparse.Namespace) -> int:
    from fieldapp.domain.validation import check_moment
    from fieldapp.services.inspections import complete_revisit
    from fieldapp.services.staff import records_since

    ctx = context(args)
    now = ctx.now()
    at = check_moment(N_("time"), when(args.at, now), now=now, since=records_since(ctx=ctx))
    officer = acting_officer(args, ctx)
    complete_revisit(ctx=ctx, revisit_id=args.id, officer_id=officer.officer_id,
                     corrected=args.corrected, at=at)
    emit(args, {"id": args.id, "corrected": args.corrected}, _("Revisit recorded."))
    return EXIT_OK
