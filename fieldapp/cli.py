"""The ``fieldapp`` command: opens the desktop app, or runs one headless task.

Thin over the services. Exit codes: 0 success, 2 bad input (one line naming the field
and the problem, in the chosen language; nothing written), 1 any other failure.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from fieldapp import __version__, i18n
from fieldapp.domain.errors import DomainError, NotFound, ValidationError
from fieldapp.i18n import N_, _

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2

# argparse looks up its own messages ("usage: ", "the following arguments are
# required", ...) through a module-level ``_`` at call time; routing it through our
# catalogue translates them with everything else.
argparse._ = i18n.gettext  # type: ignore[attr-defined]


class BadInput(Exception):
    """Bad command-line input (argparse's own errors)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # type: ignore[override]
        raise BadInput(f"{self.prog}: {message}")


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False, default=_json_default))
    else:
        print(text)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return str(value)


def _context(args: argparse.Namespace) -> Any:
    from fieldapp.paths import data_dir
    from fieldapp.services.context import open_context

    return open_context(data_dir(args.data_dir))


# --- subcommands -------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldapp.services.demo import generate_demo
    from fieldapp.services.subjects import find_subjects  # noqa: F401  (warm import)

    ctx = _context(args)
    with ctx.read() as session:
        has_data = session.connection().exec_driver_sql(
            "SELECT COUNT(*) FROM subject").scalar_one()
    if has_data and args.if_empty:
        _emit(args, {"created": False, "data_dir": str(ctx.store.data_dir)},
              _("The data directory already holds data; no demo data added."))
        return EXIT_OK
    bar = _ProgressBar()
    result = generate_demo(ctx=ctx, subjects=args.subjects, inspections=args.inspections,
                           seed=args.seed, progress=bar)
    bar.done()
    rate = result.rows / result.seconds if result.seconds else 0
    _emit(args, {"created": True, **dataclasses.asdict(result), "rows_per_second": rate,
                 "data_dir": str(ctx.store.data_dir)},
          _("Demo data: {subjects} subjects, {inspections} inspections, {cases} cases, "
            "{rows} rows in {seconds:.1f} s ({rate:.0f} rows/s).",
            subjects=result.subjects, inspections=result.inspections, cases=result.cases,
            rows=result.rows, seconds=result.seconds, rate=rate))
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on stderr (stdout stays clean for --json)."""

    STAGES: ClassVar[dict[str, str]] = {
        "subjects": N_("subjects"), "inspections": N_("inspections"),
        "indexes": N_("indexes")}

    def __init__(self) -> None:
        self.last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        label = _(self.STAGES.get(stage, stage))
        line = f"\r{label:<6} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if line != self.last:
            sys.stderr.write(line)
            sys.stderr.flush()
            self.last = line

    def done(self) -> None:
        if self.last:
            sys.stderr.write("\n")


_SUBJECT_OPTIONS = (
    ("name", N_("name")), ("id_number", N_("ID number")),
    ("credit_code", N_("unified social credit code")),
    ("legal_representative", N_("legal representative")), ("shop_sign", N_("shop sign")),
    ("phone", N_("phone")), ("address", N_("address")), ("appearance", N_("appearance")),
    ("goods", N_("goods")), ("usual_place", N_("usual place")), ("notes", N_("notes")),
)


def _officer_id(ctx: Any, certificate: str | None) -> str:
    if not certificate:
        return ""
    from fieldapp.services.officers import officer_by_certificate

    return str(officer_by_certificate(ctx=ctx, certificate_no=certificate).id)


def cmd_subject_add(args: argparse.Namespace) -> int:
    from fieldapp.domain.entities import SubjectData, SubjectKind
    from fieldapp.services.subjects import create_subject

    values = {key: getattr(args, key) or "" for key, _label in _SUBJECT_OPTIONS}
    data = SubjectData(kind=SubjectKind(args.kind), **values)
    ctx = _context(args)
    written = create_subject(ctx=ctx, officer_id=_officer_id(ctx, args.officer), data=data)
    _emit(args, {"id": written.id}, _("Subject recorded: {id}", id=written.id))
    return EXIT_OK


def _subject_json(subject: Any) -> dict[str, Any]:
    from fieldapp.services.subjects import display_name

    return subject.model_dump() | {"display_name": display_name(subject)}


def cmd_subject_find(args: argparse.Namespace) -> int:
    from fieldapp.services.subjects import display_name, find_subjects

    ctx = _context(args)
    found = find_subjects(ctx=ctx, query=args.query, limit=args.limit)
    lines = [f"{s.id}  {display_name(s)}  {s.phone}  {s.address or s.usual_place}"
             for s in found] or [_("No subject found.")]
    _emit(args, {"query": args.query, "count": len(found),
                 "subjects": [_subject_json(s) for s in found]}, "\n".join(lines))
    return EXIT_OK


def cmd_subject_show(args: argparse.Namespace) -> int:
    from fieldapp.services.history import subject_history
    from fieldapp.services.subjects import display_name, get_subject

    ctx = _context(args)
    subject = get_subject(ctx=ctx, subject_id=args.id)
    history = subject_history(ctx=ctx, subject_id=args.id)
    lines = [f"{display_name(subject)}  ({_(subject.kind)})", f"{subject.phone} {subject.address}"]
    for entry in history:
        local = entry.at.astimezone(dt.timezone(dt.timedelta(hours=8)))
        corrected = _("corrected on the spot") if entry.corrected_on_spot else ""
        lines.append(f"{local:%Y-%m-%d %H:%M}  {_(entry.step)}  {entry.violation_name}  "
                     f"{entry.summary} {corrected}  {entry.officers}")
    _emit(args, {"subject": _subject_json(subject),
                 "history": [dataclasses.asdict(e) for e in history]}, "\n".join(lines))
    return EXIT_OK


def _parse_time(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now().astimezone()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("time", "'{value}' is not a time like 2026-11-21T09:30",
                              value=text) from None
    return moment if moment.tzinfo else moment.astimezone()


def cmd_inspect(args: argparse.Namespace) -> int:
    from fieldapp.domain.entities import (
        EvidenceData,
        EvidenceType,
        FindingData,
        InspectionData,
        StepKind,
    )
    from fieldapp.services.inspections import record_inspection

    at = _parse_time(args.at)
    ctx = _context(args)
    officers = tuple(_officer_id(ctx, c) for c in args.officer)
    finding = FindingData(violation_code=args.violation, facts=args.facts,
                          corrected_on_spot=args.corrected, step=StepKind(args.step))
    evidence = tuple(EvidenceData(path=p, evidence_type=EvidenceType(args.evidence_type),
                                  captured_at=at, place=args.address or "")
                     for p in args.photo or ())
    data = InspectionData(subject_id=args.subject, officer_ids=officers, at=at,
                          address=args.address or "", findings=(finding,),
                          evidence=evidence)
    recorded = record_inspection(ctx=ctx, data=data, inspection_id=args.id)
    _emit(args, dataclasses.asdict(recorded) | {"changed": sorted(recorded.changed)},
          _("Inspection recorded: {id}", id=recorded.inspection_id))
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from fieldapp.services.audit import verify_audit

    result = verify_audit(ctx=_context(args))
    if result.ok:
        text = _("Audit log intact: {count} events checked.", count=result.checked)
    else:
        text = _("Audit log broken at event {seq}: {problem}", seq=result.first_bad_seq,
                 problem=_(result.problem, **result.params))
    _emit(args, {"ok": result.ok, "checked": result.checked,
                 "first_bad_seq": result.first_bad_seq, "first_bad_id": result.first_bad_id,
                 "problem": _(result.problem, **result.params) if result.problem else ""},
          text)
    return EXIT_OK if result.ok else EXIT_FAILURE


def cmd_backup(args: argparse.Namespace) -> int:
    from fieldapp.services.backup import backup

    result = backup(ctx=_context(args), dest=Path(args.file))
    _emit(args, dataclasses.asdict(result),
          _("Backup written to {path} ({size} bytes, {files} evidence files).",
            path=result.path, size=result.size_bytes, files=result.evidence_files))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from fieldapp.paths import data_dir
    from fieldapp.services.backup import restore

    result = restore(data_dir=data_dir(args.data_dir), source=Path(args.file),
                     now=dt.datetime.now(dt.UTC))
    _emit(args, dataclasses.asdict(result),
          _("Restored {events} audit events and {files} evidence files; the data it "
            "replaced is kept in {aside}.", events=result.audit_events,
            files=result.evidence_files, aside=result.replaced_dir or "-"))
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from fieldapp.paths import data_dir
    from fieldapp.ui.app import run_app

    return run_app(data_dir(args.data_dir))


# --- parser --------------------------------------------------------------------------


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=_("print one JSON object on stdout"))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fieldapp", description=_(
        "fieldapp: offline enforcement records for urban-management squads. "
        "Without a subcommand it opens the desktop app."))
    parser.add_argument("--version", action="version", version=f"fieldapp {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=_(
        "data directory (default: FIELDAPP_DATA_DIR or the per-user folder)"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help=_("language (default zh_CN)"))
    parser.set_defaults(func=cmd_gui)
    sub = parser.add_subparsers(title=_("subcommands"), metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("demo", help=_("fill an empty data directory with demo data"))
    p.add_argument("--subjects", type=int, default=300, help=_("number of subjects"))
    p.add_argument("--inspections", type=int, default=2000, help=_("number of inspections"))
    p.add_argument("--seed", type=int, default=7, help=_("random seed (same seed, same data)"))
    p.add_argument("--if-empty", action="store_true",
                   help=_("do nothing when the data directory already holds data"))
    _add_json(p)
    p.set_defaults(func=cmd_demo)

    _subject_parsers(sub)
    _inspect_parser(sub)

    p = sub.add_parser("audit", help=_("check the full-process record"))
    audit_sub = p.add_subparsers(metavar="ACTION", required=True, parser_class=_Parser)
    v = audit_sub.add_parser("verify", help=_("verify the hash chain of the audit log"))
    _add_json(v)
    v.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("backup", help=_("write a consistent backup, evidence files included"))
    p.add_argument("file", metavar="FILE")
    _add_json(p)
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help=_("restore a backup (the current data is kept aside)"))
    p.add_argument("file", metavar="FILE")
    _add_json(p)
    p.set_defaults(func=cmd_restore)
    return parser


def _subject_parsers(sub: Any) -> None:
    p = sub.add_parser("subject", help=_("add, find and show subjects"))
    actions = p.add_subparsers(metavar="ACTION", required=True, parser_class=_Parser)
    add = actions.add_parser("add", help=_("record a new subject"))
    add.add_argument("--kind", required=True, choices=[
        "individual", "business", "individual_business", "unidentified_vendor"],
        help=_("kind of subject"))
    for key, label in _SUBJECT_OPTIONS:
        add.add_argument("--" + key.replace("_", "-"), dest=key, help=_(label))
    add.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    _add_json(add)
    add.set_defaults(func=cmd_subject_add)
    find = actions.add_parser("find", help=_(
        "find subjects by name, sign, phone, ID or pinyin initials"))
    find.add_argument("query", metavar="QUERY")
    find.add_argument("--limit", type=int, default=20, help=_("at most this many results"))
    _add_json(find)
    find.set_defaults(func=cmd_subject_find)
    show = actions.add_parser("show", help=_("show a subject and its history"))
    show.add_argument("id", metavar="ID")
    _add_json(show)
    show.set_defaults(func=cmd_subject_show)


def _inspect_parser(sub: Any) -> None:
    p = sub.add_parser("inspect", help=_("record a finding without the desktop app"))
    p.add_argument("--subject", required=True, metavar="ID", help=_("subject id"))
    p.add_argument("--violation", required=True, metavar="CODE", help=_("violation code"))
    p.add_argument("--facts", required=True, help=_("what was found"))
    p.add_argument("--corrected", action="store_true", help=_("corrected on the spot"))
    p.add_argument("--officer", action="append", required=True, metavar="CERT",
                   help=_("certificate number of an officer (give two)"))
    p.add_argument("--at", metavar="TIME", help=_("time, e.g. 2026-11-21T09:30 (default: now)"))
    p.add_argument("--address", help=_("address"))
    p.add_argument("--step", default="educate", choices=["educate", "warn", "enforce"],
                   help=_("step taken"))
    p.add_argument("--photo", action="append", metavar="FILE", help=_("evidence photo"))
    p.add_argument("--evidence-type", default="audiovisual", choices=[
        "documentary", "physical", "audiovisual", "electronic", "witness",
        "party_statement", "expert_opinion", "inspection_record"], help=_("evidence type"))
    p.add_argument("--id", metavar="UUID", help=_("inspection id (repeating it is safe)"))
    _add_json(p)
    p.set_defaults(func=cmd_inspect)


def _preparse_language(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        i18n.set_language(_preparse_language(argv))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    handlers: list[tuple[type[BaseException], int, Callable[[BaseException], str]]] = [
        (BadInput, EXIT_BAD_INPUT, str),
        (ValidationError, EXIT_BAD_INPUT, i18n.describe),
        (NotFound, EXIT_BAD_INPUT, i18n.describe),
        (DomainError, EXIT_FAILURE, i18n.describe),
    ]
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except Exception as exc:
        for kind, code, describe in handlers:
            if isinstance(exc, kind):
                print(describe(exc), file=sys.stderr)
                return code
        print(_("Error: {error}", error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return EXIT_FAILURE
