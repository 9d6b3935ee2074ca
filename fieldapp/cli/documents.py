"""``fieldapp doc …`` and ``fieldapp dossier``: enforcement documents (执法文书) and a
case's dossier (案卷)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import stat
from typing import Any

from fieldapp.cli.access import acting_officer, context, two_certificates, two_officers
from fieldapp.cli.options import (
    Access,
    Choice,
    add_officer,
    add_time,
    add_two_officers,
    assignment,
    command,
    leaf,
    moment,
    noun,
    output_file,
    record_id,
    subcommands,
    text,
    when,
    whole,
)
from fieldapp.cli.output import EXIT_FAILURE, EXIT_OK, Parser, ProgressBar, emit, local_text
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.validation import check_text
from fieldapp.i18n import N_, _


def _kinds() -> Choice:
    from fieldapp.domain.document_kinds import TITLES, DocumentKind

    return Choice.of(N_("document kind"), DocumentKind, TITLES)


def _layouts() -> Choice:
    from fieldapp.services.preferences import PRINTER_LAYOUT_CHOICES

    return Choice(N_("layout"), {code: _(name) for code, name in PRINTER_LAYOUT_CHOICES})


def _methods() -> Choice:
    from fieldapp.domain.document_text import SERVICE_METHODS

    return Choice(N_("service method"), SERVICE_METHODS)


def register(sub: Any) -> None:
    noun(sub, "doc", _("enforcement documents: issue, print, void, verify"), _doc)
    noun(sub, "dossier", _("print a case's dossier (案卷) and list what it lacks"), _dossier)


def _doc(p: Parser) -> None:
    actions = subcommands(p)
    layout = _layouts()

    issue = command(actions, "issue", cmd_issue,
                    _("issue a document about a finding or a case"), access=Access.WRITE)
    kinds = _kinds()
    issue.add_argument("kind", metavar="KIND", type=kinds, help=kinds.help(_(
        "document kind, by code or by name"), issue))
    about = issue.add_mutually_exclusive_group(required=True)
    about.add_argument("--finding", metavar="ID", type=record_id(N_("finding")),
                       help=_("finding id (this or --case is required)"))
    about.add_argument("--case", metavar="ID", type=record_id(N_("case")),
                       help=_("case id (this or --finding is required)"))
    _add_fields(issue, _("a value the store does not hold, e.g. case.discretion=…"))
    issue.add_argument("--layout", type=layout, default="a4", metavar="LAYOUT",
                       help=layout.help(_("paper")))
    issue.add_argument("--served", metavar="ID", type=record_id(N_("served document")),
                       help=_("for a service receipt: the document it proves served"))
    issue.add_argument("--started-at", metavar="TIME", type=moment(N_("start time")),
                       help=_("a record's sitting: when it began, e.g. 2026-11-21T09:30"))
    issue.add_argument("--ended-at", metavar="TIME", type=moment(N_("end time")),
                       help=_("a record's sitting: when it ended (default for an "
                              "inspection record: now)"))
    add_officer(issue)

    reprint = command(actions, "print", cmd_print, _("write an issued document's PDF again"),
                      access=Access.READ)
    reprint.add_argument("id", metavar="ID", type=record_id(N_("document")))
    reprint.add_argument("-o", "--output", required=True, metavar="FILE",
                         type=output_file(N_("PDF file")), help=_("PDF file"))
    reprint.add_argument("--redraw", action="store_true",
                         help=_("draw it again from the stored snapshot"))

    void = command(actions, "void", cmd_void, _("void a document (its number stays voided)"),
                   access=Access.WRITE)
    void.add_argument("id", metavar="ID", type=record_id(N_("document")))
    void.add_argument("--reason", required=True, metavar="TEXT", type=text(N_("reason")),
                      help=_("why it is voided"))
    add_officer(void)

    amend = command(actions, "amend", cmd_amend,
                    _("issue a corrected document in place of one"), access=Access.WRITE)
    amend.add_argument("id", metavar="ID", type=record_id(N_("document")))
    _add_fields(amend, _("a corrected value"))
    amend.add_argument("--reason", required=True, metavar="TEXT", type=text(N_("reason")),
                       help=_("what is corrected"))
    amend.add_argument("--layout", type=layout, metavar="LAYOUT", help=layout.help(_("paper")))
    add_officer(amend)

    _serve_parser(actions)

    check = command(actions, "verify", cmd_verify, _(
        "check a document's PDF or verification code offline (exit 0 only when genuine)"),
        access=Access.READ)
    check.add_argument("code", metavar="FILE.pdf|PAYLOAD")

    ls = command(actions, "list", cmd_list, _("issued documents, the oldest first"),
                 access=Access.READ)
    ls.add_argument("--case", metavar="ID", type=record_id(N_("case")), help=_("case id"))
    ls.add_argument("--subject", metavar="ID", type=record_id(N_("subject")), help=_("subject id"))

    voided = command(actions, "voided", cmd_voided, _("the voided document numbers of a year"),
                     access=Access.READ)
    voided.add_argument("--year", required=True, type=whole(N_("year"), 2000, 2100),
                        help=_("year"))



def _dossier(dossier: Parser) -> None:
    leaf(dossier, cmd_dossier, access=Access.READ)
    dossier.add_argument("case_id", metavar="CASE_ID", type=record_id(N_("case")))
    dossier.add_argument("-o", "--output", metavar="FILE.pdf", type=output_file(N_("PDF file")),
                         help=_("PDF file (required unless --check)"))
    dossier.add_argument("--check", action="store_true",
                         help=_("only list what the case lacks; print nothing"))
    add_officer(dossier)


def _serve_parser(actions: Any) -> None:
    serve = command(actions, "serve", cmd_serve, _("record how a document was served"),
                    access=Access.WRITE)
    serve.add_argument("id", metavar="ID", type=record_id(N_("document")))
    methods = _methods()
    serve.add_argument("--method", required=True, type=methods, metavar="METHOD",
                       help=methods.help(_("how it was served"), serve))
    add_two_officers(serve)
    add_time(serve)
    serve.add_argument("--receiver", default="", type=text(N_("receiver")),
                       help=_("who received it"))
    serve.add_argument("--refused", action="store_true", help=_("the party refused to sign"))
    serve.add_argument("--refusal-note", default="", metavar="TEXT", type=text(N_("refusal note")),
                       help=_("how the party refused"))
    serve.add_argument("--witness", default="", type=text(N_("witness")), help=_("witness"))
    serve.add_argument("--place", default="", type=text(N_("place")), help=_("address"))


def _add_fields(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--field", action="append", metavar="NAME=VALUE",
                        type=assignment(N_("document field")), help=help)


def _fields(pairs: list[tuple[str, str]] | None) -> dict[str, str]:
    return {key: check_text(N_("document field"), value) for key, value in pairs or ()}


def cmd_issue(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import issue_document

    fields = _fields(args.field)
    ctx = context(args)
    officer = acting_officer(args, ctx)
    times = None
    if args.started_at is not None or args.ended_at is not None:
        from fieldapp.domain.errors import ValidationError
        from fieldapp.domain.issuance import RecordTimes

        if args.started_at is None:
            raise ValidationError("start time", "give it with the end time")
        now = ctx.now()
        times = RecordTimes(when(args.started_at, now), when(args.ended_at, now))
    doc = issue_document(ctx=ctx, officer_id=officer.officer_id, kind=args.kind,
                         finding_id=args.finding, case_id=args.case, fields=fields,
                         layout=args.layout, served_document_id=args.served,
                         record_times=times)
    emit(args, {"id": doc.id, "number": doc.number, "kind": doc.kind,
                "pdf_path": str(doc.pdf_path), "qr_payload": doc.qr_payload},
         _("Document issued: {number}, PDF: {path}", number=doc.number, path=doc.pdf_path))
    return EXIT_OK


def cmd_print(args: argparse.Namespace) -> int:
    from fieldapp.atomic import write_atomically
    from fieldapp.services.paperwork import get_document, reprint_document

    ctx = context(args)
    pdf = reprint_document(ctx=ctx, document_id=args.id, rerender=args.redraw)
    write_atomically(args.output, pdf)
    number = get_document(ctx=ctx, document_id=args.id).number
    emit(args, {"id": args.id, "number": number, "path": str(args.output),
                "size_bytes": len(pdf)},
         _("{number} written to {path}.", number=number, path=args.output))
    return EXIT_OK


def cmd_void(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import get_document, void_document

    ctx = context(args)
    officer = acting_officer(args, ctx)
    written = void_document(ctx=ctx, officer_id=officer.officer_id, document_id=args.id,
                            reason=args.reason)
    number = get_document(ctx=ctx, document_id=args.id).number
    emit(args, {"id": written.id, "voids": args.id, "number": number},
         _("Document {number} is voided; its number is never used again.", number=number))
    return EXIT_OK


def cmd_amend(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import amend_document, get_document

    fields = _fields(args.field)
    ctx = context(args)
    officer = acting_officer(args, ctx)
    doc = amend_document(ctx=ctx, officer_id=officer.officer_id, document_id=args.id,
                         fields=fields, reason=args.reason, layout=args.layout)
    old = get_document(ctx=ctx, document_id=args.id).number
    emit(args, {"id": doc.id, "number": doc.number, "amends": args.id,
                "pdf_path": str(doc.pdf_path)},
         _("Document {number} issued in place of {old}, PDF: {path}", number=doc.number,
           old=old, path=doc.pdf_path))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from fieldapp.domain.validation import check_moment
    from fieldapp.services.paperwork import get_document, record_service
    from fieldapp.services.staff import records_since

    two_certificates(args.officer)
    ctx = context(args)
    now = ctx.now()
    served_at = check_moment(N_("time"), when(args.at, now), now=now,
                             since=records_since(ctx=ctx))
    officers = two_officers(args, ctx, "document.serve")
    written = record_service(ctx=ctx, document_id=args.id, method=args.method,
                             served_at=served_at, officer_ids=officers, receiver=args.receiver,
                             refused=args.refused, refusal_note=args.refusal_note,
                             witness=args.witness, place=args.place)
    number = get_document(ctx=ctx, document_id=args.id).number
    emit(args, {"id": written.id, "document_id": args.id, "number": number,
                "method": args.method},
         _("Service of {number} recorded.", number=number))
    return EXIT_OK


_VERIFY_TEXT = {
    "genuine": N_("Genuine: {title} {number} ({subject}), issued on {date}."),
    "voided": N_("Voided: {title} {number} was voided; {problem}"),
    "altered": N_("Altered: {problem}"),
    "unknown": N_("Cannot be verified here: {problem}"),
}


def cmd_verify(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import verify
    from fieldapp.services.paperwork.verify import key_content_lines

    _refuse_special_file(args.code)
    result = verify(ctx=context(args), payload_or_pdf=args.code)
    problem = _(result.problem, **result.params) if result.problem else ""
    message = _(_VERIFY_TEXT[result.status], title=result.title, number=result.number,
                subject=result.subject, date=result.issued_on or "", problem=problem)
    message = "\n".join([message, *key_content_lines(result)])  # what the paper must say
    emit(args, dataclasses.asdict(result) | {"problem": problem, "message": message}, message)
    return EXIT_OK if result.genuine else EXIT_FAILURE


def _refuse_special_file(code: str) -> None:
    """A folder or a device named where a PDF or a code is expected is named as such."""
    try:
        mode = os.stat(code).st_mode
    except (OSError, ValueError):  # not a path: a verification code
        return
    if stat.S_ISDIR(mode):
        raise ValidationError("document file", "'{path}' is a folder, not a file", path=code)
    if not stat.S_ISREG(mode):
        raise ValidationError("document file", "'{path}' is a device or a pipe, not a file",
                              path=code)


def cmd_list(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import list_documents

    views = list_documents(ctx=context(args), case_id=args.case, subject_id=args.subject)
    lines = []
    for v in views:
        state = _("voided") if v.voided_by else (_("amended") if v.amended_by else "")
        lines.append(f"{local_text(v.issued_at, '%Y-%m-%d')}  {v.title}  {v.number}  "
                     f"{state}  [{v.id}]")
    emit(args, {"count": len(views), "documents": [
        dataclasses.asdict(v) | {"pdf_path": str(v.pdf_path or "")} for v in views]},
        "\n".join(lines) or _("No documents."))
    return EXIT_OK


def cmd_voided(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import list_voided

    rows = list_voided(ctx=context(args), year=args.year)
    lines = [f"{v.number}  {local_text(v.at, '%Y-%m-%d')}  {v.officer}  {v.reason}"
             for v in rows]
    emit(args, {"year": args.year, "count": len(rows),
                "voided": [dataclasses.asdict(v) for v in rows]},
         "\n".join(lines) or _("No voided numbers."))
    return EXIT_OK


def cmd_dossier(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import dossier_completeness, print_dossier

    if not args.check and args.output is None:
        raise ValidationError("PDF file", "is required (-o FILE.pdf), unless --check")
    ctx = context(args)
    if args.check:
        missing = dossier_completeness(ctx=ctx, case_id=args.case_id)
        payload: dict[str, Any] = {"case_id": args.case_id, "missing": missing}
        text = ""
    else:
        officer = acting_officer(args, ctx)
        bar = ProgressBar()
        result = print_dossier(ctx=ctx, case_id=args.case_id, path=args.output, progress=bar,
                               officer_id=officer.officer_id)
        bar.done()
        missing = list(result.missing)
        payload = dataclasses.asdict(result) | {"case_id": args.case_id}
        text = _("Dossier written to {path}: {documents} items, {photos} photos.",
                 path=result.path, documents=result.documents, photos=result.photos) + "\n"
    text += (_("Missing from the dossier:") + "\n" + "\n".join(f"  {m}" for m in missing)
             if missing else _("Nothing is missing from the dossier."))
    emit(args, payload, text)
    return EXIT_OK
