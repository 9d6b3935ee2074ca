"""``fieldapp enroll`` and ``fieldapp sync``: the link to HQ, a sync, and what HQ said.

- ``fieldapp enroll --server URL --code CODE``: enroll this device (token kept owner-only).
- ``fieldapp sync [--json]``: sync now; prints pushed, pulled, conflicts, rejected, files
  pending and document numbers left.
- ``fieldapp sync status | changes [--state S] | conflicts``: what waits, what HQ refused
  (with what to do), what this device lost in a merge.
- ``fieldapp sync send-again ID | dealt-with ID | resolve ID``: act on them.
- ``fieldapp sync login CERT``: an officer's online login (caches HQ's verifier for
  offline logins, and the leader's HQ session); ``sync merges | merge ID | late-steps |
  seen ID``: what HQ computed for the squad leader.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from fieldapp.cli.access import PASSWORD_ENV, acting_officer, context, secret
from fieldapp.cli.options import Access, add_officer, command, leaf, noun, record_id, text
from fieldapp.cli.output import EXIT_FAILURE, EXIT_OK, Parser, emit
from fieldapp.i18n import N_, _


def _limited(label: str, limit: int) -> Any:
    """A text argument of at most ``limit`` characters (the field named when longer)."""
    def parse(value: str) -> str:
        if len(value) > limit:
            from fieldapp.domain.errors import ValidationError

            raise ValidationError(label, "is longer than {limit} characters", limit=limit)
        return value.strip()

    return parse


def register(sub: Any) -> None:
    noun(sub, "enroll", _("enroll this device with HQ (a one-time code from HQ)"), _enroll)
    noun(sub, "sync", _("sync with HQ now, or list and act on what HQ said"), _sync)


def _enroll(p: Parser) -> None:
    leaf(p, cmd_enroll, access=Access.OPEN)
    p.add_argument("--server", required=True, type=_limited(N_("server"), 300),
                   help=_("HQ address, e.g. https://hq.example.gov.cn"))
    p.add_argument("--code", required=True, type=_limited(N_("Enrollment code"), 64),
                   help=_("the one-time enrollment code from HQ"))
    p.add_argument("--name", type=_limited(N_("name"), 200), default="",
                   help=_("this device's name at HQ (default: the computer's name)"))
    p.add_argument("--ca-bundle", default="", help=_(
        "PEM file of the CA that signed HQ's certificate (an agency's own CA)"))
    p.add_argument("--proxy", default="", help=_("proxy URL (default: the environment's)"))
    add_officer(p)


def _sync(p: Parser) -> None:
    leaf(p, cmd_sync, access=Access.OPEN)
    actions = p.add_subparsers(metavar="ACTION", required=False, parser_class=Parser)
    command(actions, "status", cmd_status, _("the link to HQ and the last sync"),
            access=Access.READ)
    changes = command(actions, "changes", cmd_changes, _(
        "changes waiting, held at HQ or rejected (with what to do)"), access=Access.READ)
    changes.add_argument("--state", choices=("pending", "held", "rejected"), default=None)
    command(actions, "conflicts", cmd_conflicts, _(
        "values this device's changes lost in HQ's merges"), access=Access.READ)
    for name, handler, help_text in (
            ("send-again", cmd_send_again, _("send a rejected change again as a new one")),
            ("dealt-with", cmd_dealt_with, _("mark a rejected change dealt with")),
            ("resolve", cmd_resolve, _("mark a conflict resolved (squad leader)"))):
        act = command(actions, name, handler, help_text, access=Access.WRITE)
        act.add_argument("id", metavar="ID", type=record_id(N_("change")))
        act.add_argument("--note", default="", type=_limited(N_("reason"), 2000))
        add_officer(act)
    login = command(actions, "login", cmd_login, _(
        "log an officer in through HQ (then offline logins work on this device)"),
        access=Access.OPEN)
    login.add_argument("certificate", metavar="CERT", type=text(N_("certificate number")))
    command(actions, "merges", cmd_merges, _("subjects HQ thinks were registered twice"),
            access=Access.OPEN)
    merge = command(actions, "merge", cmd_merge, _("merge two subjects, or dismiss"),
                    access=Access.WRITE)
    merge.add_argument("id", metavar="ID", type=record_id(N_("proposal")))
    merge.add_argument("--keep", default=None, help=_("the subject whose id stays"))
    merge.add_argument("--dismiss", action="store_true", help=_("not the same subject"))
    add_officer(merge)
    command(actions, "late-steps", cmd_late_steps, _(
        "ladder steps taken without the squad's full history"), access=Access.OPEN)
    seen = command(actions, "seen", cmd_seen, _("mark a late step seen"),
                   access=Access.WRITE)
    seen.add_argument("id", metavar="ID", type=record_id(N_("ladder step")))
    add_officer(seen)


def cmd_enroll(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import enroll

    ctx = context(args)
    officer = acting_officer(args, ctx).officer_id if args.officer else ""
    done = enroll(ctx=ctx, server=args.server, code=args.code, device_name=args.name,
                  ca_bundle=args.ca_bundle, proxy=args.proxy, officer_id=officer)
    emit(args, {"server": done.server, "squad": done.squad_code, "device_id": done.device_id},
         _("Enrolled with HQ {server}, squad {squad}: run fieldapp sync for the first sync.",
           server=done.server, squad=done.squad_name))
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from fieldapp.cli.output import ProgressBar
    from fieldapp.services.sync import sync_now

    ctx = context(args)
    bar = None if args.json else ProgressBar()
    report = sync_now(ctx=ctx, progress=bar)
    if bar:
        bar.done()
    payload = {"online": report.online, "pushed": report.pushed, "pulled": report.pulled,
               "conflicts": report.conflicts, "rejected": report.rejected,
               "waiting": report.waiting, "files_pending": report.files_pending,
               "numbers_left": report.numbers_left_total, "skew_ms": report.skew_ms,
               "skew_ok": report.skew_ok, "diverged": report.diverged}
    if not report.online:
        text = _("HQ did not answer: your work is kept here and goes to HQ at the next sync")
    else:
        text = _("Pushed {pushed}, pulled {pulled}, conflicts {conflicts}, rejected "
                 "{rejected}, files pending {files}", pushed=report.pushed,
                 pulled=report.pulled, conflicts=report.conflicts, rejected=report.rejected,
                 files=report.files_pending) + "; " + _(
            "document numbers left {numbers}", numbers=report.numbers_left_total)
    emit(args, payload, text)
    return EXIT_OK if report.online else EXIT_FAILURE


def cmd_status(args: argparse.Namespace) -> int:
    from fieldapp.cli.output import local_text
    from fieldapp.services.sync import sync_status

    status = sync_status(ctx=context(args))
    payload = dataclasses.asdict(status)
    if not status.enrolled:
        emit(args, payload, _("Not enrolled with HQ"))
        return EXIT_FAILURE
    when = local_text(status.last_sync) if status.last_sync else _("never")
    lines = [_("HQ {server} · squad {squad}", server=status.server, squad=status.squad),
             _("Synced {when} · waiting {waiting}", when=when, waiting=status.waiting),
             _("held at HQ {held} · files pending {files} · document numbers left "
               "{numbers}", held=status.held, files=status.files_pending,
               numbers=sum(status.numbers_left.values())),
             _("rejected {rejected} · conflicts {conflicts}", rejected=status.rejected,
               conflicts=status.conflicts)]
    if status.last_error:
        lines.append(status.last_error)
    emit(args, payload, "\n".join(lines))
    return EXIT_OK


def cmd_changes(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import list_changes

    rows = list_changes(ctx=context(args), state=args.state)
    lines = [f"{c.change_id}  {_(c.state)}  {_(c.entity)} {c.entity_id}  {c.reason}"
             + (f"  → {_(c.what_to_do)}" if c.what_to_do else "") for c in rows]
    emit(args, {"changes": [dataclasses.asdict(c) for c in rows]},
         "\n".join(lines) or _("Nothing waits and nothing was rejected."))
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import list_conflicts

    rows = list_conflicts(ctx=context(args))
    lines = [f"{c.id}  {_(c.entity)} {c.entity_id}  {_(c.field)}: {c.kept} ≠ {c.lost}"
             for c in rows]
    emit(args, {"conflicts": [dataclasses.asdict(c) for c in rows]},
         "\n".join(lines) or _("No open conflicts."))
    return EXIT_OK


def _act(args: argparse.Namespace, call: Any, done: str) -> int:
    ctx = context(args)
    officer = acting_officer(args, ctx)
    call(ctx=ctx, officer_id=officer.officer_id)
    emit(args, {"id": args.id}, done)
    return EXIT_OK


def cmd_send_again(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import send_again

    return _act(args, lambda **kw: send_again(change_id=args.id, **kw),
                _("Sent again as a new change: it goes to HQ at the next sync."))


def cmd_dealt_with(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import mark_dealt_with

    return _act(args, lambda **kw: mark_dealt_with(change_id=args.id, note=args.note, **kw),
                _("Marked dealt with."))


def cmd_resolve(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import resolve_conflict

    return _act(args, lambda **kw: resolve_conflict(conflict_id=args.id, note=args.note,
                                                    **kw), _("Marked resolved."))


def cmd_login(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import online_login

    password = secret(PASSWORD_ENV, _("Password of {certificate}: ",
                                      certificate=args.certificate))
    user = online_login(ctx=context(args), certificate_no=args.certificate, password=password)
    emit(args, {"officer_id": user.officer_id, "role": user.role},
         _("{name} logged in through HQ: offline logins work on this device now.",
           name=user.name))
    return EXIT_OK


def cmd_merges(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import merge_proposals

    rows = merge_proposals(ctx=context(args))
    emit(args, {"proposals": [p.model_dump() for p in rows]}, "\n".join(
        f"{p.id}  {p.subject_ids[0]} = {p.subject_ids[1]}  {_(p.basis.value)} "
        f"{p.score:.2f}" for p in rows) or _("No subjects to merge."))
    return EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import decide_merge

    return _act(args, lambda **kw: decide_merge(proposal_id=args.id, merge=not args.dismiss,
                                                kept_id=args.keep, **kw), _("Decided."))


def cmd_late_steps(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import late_steps

    rows = late_steps(ctx=context(args))
    emit(args, {"late_steps": [s.model_dump() for s in rows]}, "\n".join(
        f"{s.step_id}  {s.subject_id}  {_(s.taken)} → {_(s.advised)}" for s in rows)
        or _("No late ladder steps."))
    return EXIT_OK


def cmd_seen(args: argparse.Namespace) -> int:
    from fieldapp.services.sync import see_late_step

    return _act(args, lambda **kw: see_late_step(step_id=args.id, **kw), _("Marked seen."))
