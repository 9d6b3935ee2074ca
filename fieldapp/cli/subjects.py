"""``fieldapp subject add|find|show``: subjects (当事人)."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from fieldapp.cli.access import acting_officer, context
from fieldapp.cli.options import (
    Access,
    Choice,
    add_officer,
    command,
    noun,
    record_id,
    subcommands,
    text,
    whole,
)
from fieldapp.cli.output import EXIT_OK, Parser, emit, local_text
from fieldapp.domain.entities import SubjectKind
from fieldapp.domain.validation import SUBJECT_TEXT_FIELDS
from fieldapp.i18n import N_, _

# The profile's fields an officer types, by option; identity numbers and the phone are
# checked by their own rules, the free texts against their limits.
_FIELDS = {"id_number": "ID number", "credit_code": "unified social credit code",
           "phone": "phone", **SUBJECT_TEXT_FIELDS}


def register(sub: Any) -> None:
    noun(sub, "subject", _("add, find and show subjects"), _build)


def _build(p: Parser) -> None:
    actions = subcommands(p)
    add = command(actions, "add", cmd_add, _("record a new subject"), access=Access.WRITE)
    kind = Choice.of(N_("kind of subject"), SubjectKind)
    add.add_argument("--kind", required=True, type=kind, metavar="KIND",
                     help=kind.help(_("kind of subject")))
    for key, label in _FIELDS.items():
        add.add_argument("--" + key.replace("_", "-"), dest=key, help=_(label))
    add_officer(add)

    find = command(actions, "find", cmd_find, _(
        "find subjects by name, sign, phone, ID or pinyin initials"), access=Access.READ)
    find.add_argument("query", metavar="QUERY", type=text(N_("search text")))
    find.add_argument("--limit", type=whole(N_("limit"), 1, 500), default=20,
                      help=_("at most this many results"))

    show = command(actions, "show", cmd_show, _("show a subject and its history"),
                   access=Access.READ)
    show.add_argument("id", metavar="ID", type=record_id(N_("subject")))


def cmd_add(args: argparse.Namespace) -> int:
    from fieldapp.domain.entities import SubjectData
    from fieldapp.domain.localtime import local_date
    from fieldapp.domain.validation import validate_subject
    from fieldapp.services.subjects import create_subject, display_name, get_subject

    values: dict[str, Any] = {key: getattr(args, key) or "" for key in _FIELDS}
    ctx = context(args)
    data = validate_subject(SubjectData(kind=SubjectKind(args.kind), **values),
                            today=local_date(ctx.now()))
    officer = acting_officer(args, ctx)
    written = create_subject(ctx=ctx, officer_id=officer.officer_id, data=data)
    name = display_name(get_subject(ctx=ctx, subject_id=written.id))
    emit(args, {"id": written.id, "display_name": name},
         _("Subject recorded: {name}", name=name))
    return EXIT_OK


def _subject_json(subject: Any) -> dict[str, Any]:
    from fieldapp.services.subjects import display_name

    return dict(subject.model_dump()) | {"display_name": display_name(subject)}


def cmd_find(args: argparse.Namespace) -> int:
    from fieldapp.services.subjects import display_name, find_subjects

    ctx = context(args)
    found = find_subjects(ctx=ctx, query=args.query, limit=args.limit)
    lines = [f"{display_name(s)}  {_(s.kind)}  {s.phone}  {s.address or s.usual_place}  "
             f"[{s.id}]" for s in found] or [_("No subject found.")]
    emit(args, {"query": args.query, "count": len(found),
                "subjects": [_subject_json(s) for s in found]}, "\n".join(lines))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from fieldapp.services.subjects import display_name, get_subject, subject_history

    ctx = context(args)
    subject = get_subject(ctx=ctx, subject_id=args.id)
    history = subject_history(ctx=ctx, subject_id=args.id)
    lines = [f"{display_name(subject)}  ({_(subject.kind)})",
             f"{subject.phone} {subject.address or subject.usual_place}".strip()]
    for entry in history:
        corrected = _("corrected on the spot") if entry.corrected_on_spot else ""
        lines.append(f"{local_text(entry.at)}  {_(entry.step)}  {entry.violation_name}  "
                     f"{entry.summary} {corrected}  {entry.officers}".rstrip())
    emit(args, {"subject": _subject_json(subject),
                "history": [dataclasses.asdict(e) for e in history]}, "\n".join(lines))
    return EXIT_OK
