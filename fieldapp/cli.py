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
from fieldapp.domain.localtime import agency_zone, as_local
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
    from fieldapp.demo.load import generate_demo
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
    from fieldapp.services.staff import officer_by_certificate

    return str(officer_by_certificate(ctx=ctx, certificate_no=certificate).id)


def _two_officers(ctx: Any, certificates: Sequence[str]) -> tuple[str, str]:
    """The ids of the two officers named by certificate number (art. 42: two, exactly)."""
    if len(certificates) != 2:
        raise ValidationError("officers", "at least two different officers are required")
    return _officer_id(ctx, certificates[0]), _officer_id(ctx, certificates[1])


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
    from fieldapp.services.subjects import display_name, get_subject, subject_history

    ctx = _context(args)
    subject = get_subject(ctx=ctx, subject_id=args.id)
    history = subject_history(ctx=ctx, subject_id=args.id)
    lines = [f"{display_name(subject)}  ({_(subject.kind)})", f"{subject.phone} {subject.address}"]
    for entry in history:
        local = entry.at.astimezone(agency_zone())
        corrected = _("corrected on the spot") if entry.corrected_on_spot else ""
        lines.append(f"{local:%Y-%m-%d %H:%M}  {_(entry.step)}  {entry.violation_name}  "
                     f"{entry.summary} {corrected}  {entry.officers}")
    _emit(args, {"subject": _subject_json(subject),
                 "history": [dataclasses.asdict(e) for e in history]}, "\n".join(lines))
    return EXIT_OK


def _parse_time(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("time", "'{value}' is not a time like 2026-11-21T09:30",
                              value=text) from None
    return as_local(moment)


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
                          corrected_on_spot=args.corrected,
                          step=StepKind(args.step) if args.step else None,
                          override_reason=args.override_reason or "")
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
    from fieldapp.services.records import verify_audit

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
    from fieldapp.services.records import backup

    ctx = _context(args)
    result = backup(ctx=ctx, dest=Path(args.file), officer_id=_officer_id(ctx, args.officer))
    _emit(args, dataclasses.asdict(result),
          _("Backup written to {path} ({size} bytes, {files} evidence files).",
            path=result.path, size=result.size_bytes, files=result.evidence_files))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from fieldapp.paths import data_dir
    from fieldapp.services.records import restore

    result = restore(data_dir=data_dir(args.data_dir), source=Path(args.file),
                     now=dt.datetime.now(dt.UTC))
    _emit(args, dataclasses.asdict(result),
          _("Restored {events} audit events and {files} evidence files; the data it "
            "replaced is kept in {aside}.", events=result.audit_events,
            files=result.evidence_files, aside=result.replaced_dir or "-"))
    return EXIT_OK


def _at(text: str | None) -> dt.datetime:
    return _parse_time(text)


def cmd_advise(args: argparse.Namespace) -> int:
    from fieldapp.domain.no_penalty import ConditionKind
    from fieldapp.services.rules import advise

    answers: dict[ConditionKind, bool | float | None] = {}
    if args.corrected:
        answers[ConditionKind.CORRECTED_ON_SPOT] = True
        answers[ConditionKind.CORRECTED_IN_PERIOD] = True
    if args.minor_harm:
        answers[ConditionKind.MINOR_HARM] = True
        answers[ConditionKind.NO_HARMFUL_CONSEQUENCE] = True
    for item in args.answer or ():
        key, _sep, value = item.partition("=")
        try:
            kind = ConditionKind(key)
        except ValueError:
            raise ValidationError("answer", "'{key}' is not a condition", key=key) from None
        answers[kind] = value.lower() in ("1", "true", "yes", "y", "是") if kind.value not in (
            "area_max_m2", "duration_max_days", "overdue_max_months", "volume_max_m3"
        ) else float(value)
    advice = advise(ctx=_context(args), subject_id=args.subject, violation_code=args.violation,
                    at=_at(args.at), answers=answers)
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
    lines = [f"{_('Ladder step')}: {_(advice.step.value)}", advice.explanation,
             f"{advice.basis.provision}；{advice.basis.penalty_provision}"]
    lines += [f"  {a.item.item_no}. {a.item.name}: {_(a.outcome.value)}" for a in advice.items]
    _emit(args, payload, "\n".join(lines))
    return EXIT_OK


def cmd_case_list(args: argparse.Namespace) -> int:
    from fieldapp.services.cases import list_cases

    ctx = _context(args)
    cases = list_cases(ctx=ctx, overdue_only=args.overdue,
                       officer_id=_officer_id(ctx, args.officer) or None)
    rows = [{"id": c.id, "status": c.status.value, "subject_id": c.subject_id,
             "violation_code": c.violation_code,
             "next_deadline": dataclasses.asdict(c.next_deadline) if c.next_deadline else None}
            for c in cases]
    lines = [f"{c.id}  {_(c.status.value)}  {c.violation_code}  "
             f"{c.next_deadline.due if c.next_deadline else ''}" for c in cases]
    _emit(args, {"count": len(rows), "cases": rows}, "\n".join(lines) or _("No cases."))
    return EXIT_OK


def cmd_case_act(args: argparse.Namespace) -> int:
    from fieldapp.domain.workflow import Action
    from fieldapp.services.cases import act, get_case

    ctx = _context(args)
    try:
        payload = json.loads(args.payload or "{}")
    except json.JSONDecodeError as exc:
        raise ValidationError("payload", "is not valid JSON ({error})", error=str(exc)) from None
    on = dt.date.fromisoformat(args.on) if args.on else None
    act(ctx=ctx, case_id=args.id, officer_id=_officer_id(ctx, args.officer),
        action=Action(args.action), payload=payload, on=on)
    view = get_case(ctx=ctx, case_id=args.id)
    _emit(args, {"id": view.id, "status": view.status.value},
          _("Case {id} is now: {status}", id=view.id, status=_(view.status.value)))
    return EXIT_OK


def cmd_case_open(args: argparse.Namespace) -> int:
    from fieldapp.domain.workflow import Procedure
    from fieldapp.services.cases import open_case

    ctx = _context(args)
    officers = _two_officers(ctx, args.officer)
    written = open_case(
        ctx=ctx, officer_ids=officers, subject_id=args.subject,
        violation_code=args.violation, source=args.source, external_ref=args.external_ref,
        summary=args.summary,
        procedure=Procedure.SUMMARY if args.summary_procedure else Procedure.ORDINARY)
    _emit(args, {"id": written.id}, _("Case opened: {id}", id=written.id))
    return EXIT_OK


def cmd_case_show(args: argparse.Namespace) -> int:
    from fieldapp.services.cases import case_actions, get_case

    ctx = _context(args)
    view = get_case(ctx=ctx, case_id=args.id)
    allowed = ([a.value for a in case_actions(ctx=ctx, case_id=args.id,
                                             officer_id=_officer_id(ctx, args.officer))]
               if args.officer else [])
    payload = {"id": view.id, "status": view.status.value, "procedure": view.procedure.value,
               "subject_id": view.subject_id, "violation_code": view.violation_code,
               "state": view.state.to_json(), "allowed_actions": allowed,
               "deadlines": [dataclasses.asdict(d) for d in view.deadlines]}
    lines = [f"{view.id}  {_(view.status.value)}  {_(view.procedure.value)}"]
    lines += [f"  {_(d.kind.value)}: {d.due}  {_(d.status)}  {d.basis}" for d in view.deadlines]
    lines += [f"  → {_(a)}" for a in allowed]
    _emit(args, payload, "\n".join(lines))
    return EXIT_OK


def cmd_tasks(args: argparse.Namespace) -> int:
    from fieldapp.services.cases import list_cases
    from fieldapp.services.inspections import list_revisits

    ctx = _context(args)
    officer = _officer_id(ctx, args.officer) or None
    revisits = list_revisits(ctx=ctx, officer_id=officer, overdue_only=args.overdue)
    cases = [c for c in list_cases(ctx=ctx, officer_id=officer, overdue_only=args.overdue)
             if c.next_deadline is not None]
    payload = {
        "revisits": [dataclasses.asdict(r) for r in revisits],
        "case_deadlines": [{"case_id": c.id, "status": c.status.value,
                            **dataclasses.asdict(c.next_deadline)} for c in cases
                           if c.next_deadline is not None]}
    lines = [f"{_('revisit')}  {r.due_at.astimezone(agency_zone()):%Y-%m-%d}  {r.violation_code}  "
             f"{r.subject_id}{'  ' + _('overdue') if r.overdue else ''}" for r in revisits]
    lines += [f"{_('case')}  {c.next_deadline.due}  {_(c.next_deadline.kind.value)}  {c.id}  "
              f"{_(c.next_deadline.status)}" for c in cases if c.next_deadline is not None]
    _emit(args, payload, "\n".join(lines) or _("Nothing due."))
    return EXIT_OK


def cmd_revisit_list(args: argparse.Namespace) -> int:
    from fieldapp.services.inspections import list_revisits

    ctx = _context(args)
    rows = list_revisits(ctx=ctx, overdue_only=args.overdue,
                         officer_id=_officer_id(ctx, args.officer) or None)
    lines = [f"{r.id}  {r.subject_id}  {r.violation_code}  {r.due_at:%Y-%m-%d}"
             f"{'  ' + _('overdue') if r.overdue else ''}" for r in rows]
    _emit(args, {"count": len(rows), "revisits": [dataclasses.asdict(r) for r in rows]},
          "\n".join(lines) or _("No revisits due."))
    return EXIT_OK


def cmd_revisit_done(args: argparse.Namespace) -> int:
    from fieldapp.services.inspections import complete_revisit

    ctx = _context(args)
    complete_revisit(ctx=ctx, revisit_id=args.id, officer_id=_officer_id(ctx, args.officer),
                     corrected=args.corrected, at=_at(args.at))
    _emit(args, {"id": args.id, "corrected": args.corrected}, _("Revisit recorded."))
    return EXIT_OK


def cmd_figures(args: argparse.Namespace) -> int:
    from fieldapp.services.reports import figures_721

    start = dt.datetime.fromisoformat(args.start).replace(tzinfo=agency_zone())
    end = dt.datetime.fromisoformat(args.end).replace(tzinfo=agency_zone())
    rows = figures_721(ctx=_context(args), start=start, end=end, by=args.by)
    lines = [f"{f.name}: {_('education')} {f.share('educate'):.0%}  "
             f"{_('warning')} {f.share('warn'):.0%}  {_('enforcement')} {f.share('enforce'):.0%}"
             f"  ({f.total})" for f in rows]
    _emit(args, {"by": args.by, "rows": [dataclasses.asdict(f) | {"total": f.total}
                                         for f in rows]}, "\n".join(lines))
    return EXIT_OK


def cmd_calendar_import(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import import_calendar_csv

    ctx = _context(args)
    result = import_calendar_csv(ctx=ctx, officer_id=_officer_id(ctx, args.officer),
                                 path=Path(args.file), year=args.year)
    _emit(args, dataclasses.asdict(result),
          _("Holidays of {year} imported.", year=result.year))
    return EXIT_OK


def cmd_nopenalty_list(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import get_list, lists

    ctx = _context(args)
    if args.id:
        one = get_list(ctx=ctx, list_id=args.id)
        items = [{"item_no": i.item_no, "domain": i.domain, "name": i.name,
                  "violation_codes": list(i.violation_codes),
                  "exemption_kind": i.exemption_kind.value,
                  "conditions": [c.text for c in i.conditions],
                  "prohibiting_provision": i.prohibiting_provision,
                  "penalty_provision": i.penalty_provision} for i in one.items]
        lines = [f"{one.title}  {one.doc_no}"] + [
            f"{i.item_no}. [{i.domain}] {i.name}  {_(i.exemption_kind.value)}  "
            f"{'；'.join(c.text for c in i.conditions)}" for i in one.items]
        _emit(args, {"id": one.id, "title": one.title, "items": items}, "\n".join(lines))
        return EXIT_OK
    found = lists(ctx=ctx)
    rows = [{"id": x.id, "title": x.title, "issuer": x.issuer, "doc_no": x.doc_no,
             "effective_from": x.effective_from, "effective_to": x.effective_to,
             "items": len(x.items), "domains": list(x.domains)} for x in found]
    lines = [f"{x.id}  {x.title}  {x.doc_no}  {x.effective_from}～{x.effective_to or ''}  "
             f"{len(x.items)}" for x in found]
    _emit(args, {"count": len(rows), "lists": rows}, "\n".join(lines))
    return EXIT_OK


def cmd_nopenalty_import(args: argparse.Namespace) -> int:
    from fieldapp.domain.no_penalty import ImportErrors
    from fieldapp.services.rules import describe_problems, import_list

    ctx = _context(args)
    try:
        result = import_list(ctx=ctx, officer_id=_officer_id(ctx, args.officer),
                             path=Path(args.file))
    except ImportErrors as errors:
        # Every bad row, one per line, after the one-line summary.
        print(i18n.describe(errors), file=sys.stderr)
        for line in describe_problems(errors):
            print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    _emit(args, {"id": result.list_id, "items": result.items, "domains": list(result.domains)},
          _("No-penalty list imported: {items} items in {domains} domains.",
            items=result.items, domains=len(result.domains)))
    return EXIT_OK


def cmd_nopenalty_export(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import export_list

    path = export_list(ctx=_context(args), list_id=args.id, path=Path(args.file))
    _emit(args, {"path": path}, _("Written to {path}.", path=path))
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import rule_config, set_rule

    ctx = _context(args)
    if args.set:
        key, _sep, text = args.set.partition("=")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        set_rule(ctx=ctx, officer_id=_officer_id(ctx, args.officer), key=key.strip(),
                 value=value)
    config = dataclasses.asdict(rule_config(ctx=ctx))
    _emit(args, config, "\n".join(f"{k} = {v}" for k, v in config.items()))
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
    _rules_parsers(sub)
    _document_parsers(sub)

    p = sub.add_parser("audit", help=_("check the full-process record"))
    audit_sub = p.add_subparsers(metavar="ACTION", required=True, parser_class=_Parser)
    v = audit_sub.add_parser("verify", help=_("verify the hash chain of the audit log"))
    _add_json(v)
    v.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("backup", help=_("write a consistent backup, evidence files included"))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
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
    p.add_argument("--step", choices=["educate", "warn", "enforce"],
                   help=_("step taken (default: the step the ladder advises)"))
    p.add_argument("--override-reason", metavar="TEXT",
                   help=_("why another step than the advised one is taken"))
    p.add_argument("--photo", action="append", metavar="FILE", help=_("evidence photo"))
    p.add_argument("--evidence-type", default="audiovisual", choices=[
        "documentary", "physical", "audiovisual", "electronic", "witness",
        "party_statement", "expert_opinion", "inspection_record"], help=_("evidence type"))
    p.add_argument("--id", metavar="UUID", help=_("inspection id (repeating it is safe)"))
    _add_json(p)
    p.set_defaults(func=cmd_inspect)


def _rules_parsers(sub: Any) -> None:
    p = sub.add_parser("advise", help=_("the step due and the no-penalty items for a subject"))
    p.add_argument("--subject", required=True, metavar="ID", help=_("subject id"))
    p.add_argument("--violation", required=True, metavar="CODE", help=_("violation code"))
    p.add_argument("--at", metavar="TIME", help=_("time, e.g. 2026-11-21T09:30 (default: now)"))
    p.add_argument("--corrected", action="store_true", help=_("corrected on the spot"))
    p.add_argument("--minor-harm", action="store_true",
                   help=_("the harm is minor and there is no harmful consequence"))
    p.add_argument("--answer", action="append", metavar="CONDITION=VALUE",
                   help=_("an answer to a condition, e.g. corrected_on_spot=yes, area_max_m2=3"))
    _add_json(p)
    p.set_defaults(func=cmd_advise)

    p = sub.add_parser("case", help=_("cases: list and workflow actions"))
    actions = p.add_subparsers(metavar="ACTION", required=True, parser_class=_Parser)
    ls = actions.add_parser("list", help=_("open cases, the most urgent first"))
    ls.add_argument("--overdue", action="store_true", help=_("only cases past a deadline"))
    ls.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    _add_json(ls)
    ls.set_defaults(func=cmd_case_list)
    op = actions.add_parser("open", help=_("open a case (立案 needs the approvals)"))
    op.add_argument("--subject", required=True, metavar="ID", help=_("subject id"))
    op.add_argument("--violation", required=True, metavar="CODE", help=_("violation code"))
    op.add_argument("--officer", action="append", required=True, metavar="CERT",
                    help=_("certificate number of an officer (give two)"))
    op.add_argument("--summary-procedure", action="store_true",
                    help=_("on-the-spot decision (简易程序)"))
    op.add_argument("--source", default="patrol", help=_("where the case came from"))
    op.add_argument("--external-ref", default="", help=_("hotline work-order number"))
    op.add_argument("--summary", default="", help=_("what the case is about"))
    _add_json(op)
    op.set_defaults(func=cmd_case_open)
    show = actions.add_parser("show", help=_("a case, its deadlines and the actions allowed"))
    show.add_argument("id", metavar="ID")
    show.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    _add_json(show)
    show.set_defaults(func=cmd_case_show)
    do = actions.add_parser("advance", aliases=["act"],
                            help=_("take a workflow action on a case"))
    do.add_argument("id", metavar="ID")
    do.add_argument("action", metavar="ACTION", help=_("e.g. approve_filing, notify, decide"))
    do.add_argument("--officer", required=True, metavar="CERT",
                    help=_("certificate number of the officer"))
    do.add_argument("--payload", metavar="JSON", help=_("details of the action as JSON"))
    do.add_argument("--on", metavar="DATE", help=_("date of the action (default: today)"))
    _add_json(do)
    do.set_defaults(func=cmd_case_act)

    p = sub.add_parser("revisit", help=_("re-inspections after a warning (回头看)"))
    actions = p.add_subparsers(metavar="ACTION", required=True, parser_class=_Parser)
    ls = actions.add_parser("list", help=_("open revisits, the earliest first"))
    ls.add_argument("--overdue", action="store_true", help=_("only revisits past their date"))
    ls.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    _add_json(ls)
    ls.set_defaults(func=cmd_revisit_list)
    done = actions.add_parser("done", help=_("record a revisit"))
    done.add_argument("id", metavar="ID")
    done.add_argument("--officer", required=True, metavar="CERT",
                      help=_("certificate number of the officer"))
    done.add_argument("--corrected", action="store_true", help=_("the party has corrected"))
    done.add_argument("--at", metavar="TIME", help=_("time, e.g. 2026-11-21T09:30 (default: now)"))
    _add_json(done)
    done.set_defaults(func=cmd_revisit_done)

    p = sub.add_parser("tasks", help=_("revisits and case deadlines, the earliest first"))
    p.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    p.add_argument("--overdue", action="store_true", help=_("only what is past its date"))
    _add_json(p)
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("stats", aliases=["figures"], help=_("721 figures: how encounters ended"))
    p.add_argument("--from", dest="start", required=True, metavar="DATE",
                   help=_("first day, e.g. 2026-01-01"))
    p.add_argument("--to", dest="end", required=True, metavar="DATE",
                   help=_("day after the last"))
    p.add_argument("--by", choices=["officer", "squad", "all"], default="officer",
                   help=_("group by"))
    _add_json(p)
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("list", aliases=["nopenalty"],
                       help=_("the minor-violation no-penalty lists"))
    actions = p.add_subparsers(metavar="ACTION", required=True, parser_class=_Parser)
    ls = actions.add_parser("show", help=_("the lists loaded, all versions; or one list"))
    ls.add_argument("id", metavar="ID", nargs="?", help=_("show the items of this list"))
    _add_json(ls)
    ls.set_defaults(func=cmd_nopenalty_list)
    imp = actions.add_parser("import", help=_("import a list from .csv, .xlsx or .json"))
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    _add_json(imp)
    imp.set_defaults(func=cmd_nopenalty_import)
    exp = actions.add_parser("export", help=_("export a list to .csv, .xlsx or .json"))
    exp.add_argument("id", metavar="ID")
    exp.add_argument("file", metavar="FILE")
    _add_json(exp)
    exp.set_defaults(func=cmd_nopenalty_export)

    p = sub.add_parser("settings", help=_("the city's rule settings (thresholds, windows)"))
    p.add_argument("--set", metavar="KEY=VALUE", help=_("change one setting"))
    p.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    _add_json(p)
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("calendar", help=_("official holidays and adjusted working days"))
    actions = p.add_subparsers(metavar="ACTION", required=True, parser_class=_Parser)
    imp = actions.add_parser("import", help=_("import a year of holidays from a CSV file"))
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--year", type=int, required=True, help=_("the year the file covers"))
    imp.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    _add_json(imp)
    imp.set_defaults(func=cmd_calendar_import)


# --- documents (执法文书) and dossiers (案卷) -------------------------------------------


def _fields(items: Sequence[str] | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationError("document field", "'{value}' is not name=value", value=item)
        fields[key.strip()] = value
    return fields


def _document_json(view: Any) -> dict[str, Any]:
    return dataclasses.asdict(view) | {"pdf_path": str(view.pdf_path or "")}


def cmd_doc_issue(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import issue_document

    ctx = _context(args)
    doc = issue_document(ctx=ctx, officer_id=_officer_id(ctx, args.officer), kind=args.kind,
                         finding_id=args.finding, case_id=args.case,
                         fields=_fields(args.field), layout=args.layout,
                         served_document_id=args.served)
    _emit(args, {"id": doc.id, "number": doc.number, "kind": doc.kind,
                 "pdf_path": str(doc.pdf_path), "qr_payload": doc.qr_payload},
          _("Document issued: {number}, PDF: {path}", number=doc.number, path=doc.pdf_path))
    return EXIT_OK


def cmd_doc_print(args: argparse.Namespace) -> int:
    from fieldapp.atomic import write_atomically
    from fieldapp.services.paperwork import reprint_document

    pdf = reprint_document(ctx=_context(args), document_id=args.id, rerender=args.redraw)
    path = Path(args.output).resolve()
    write_atomically(path, pdf)
    _emit(args, {"id": args.id, "path": str(path), "size_bytes": len(pdf)},
          _("Written to {path}.", path=path))
    return EXIT_OK


def cmd_doc_void(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import get_document, void_document

    ctx = _context(args)
    written = void_document(ctx=ctx, officer_id=_officer_id(ctx, args.officer),
                            document_id=args.id, reason=args.reason)
    number = get_document(ctx=ctx, document_id=args.id).number
    _emit(args, {"id": written.id, "voids": args.id, "number": number},
          _("Document {number} is voided; its number is never used again.", number=number))
    return EXIT_OK


def cmd_doc_amend(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import amend_document

    ctx = _context(args)
    doc = amend_document(ctx=ctx, officer_id=_officer_id(ctx, args.officer),
                         document_id=args.id, fields=_fields(args.field), reason=args.reason,
                         layout=args.layout)
    _emit(args, {"id": doc.id, "number": doc.number, "amends": args.id,
                 "pdf_path": str(doc.pdf_path)},
          _("Document issued: {number}, PDF: {path}", number=doc.number, path=doc.pdf_path))
    return EXIT_OK


def cmd_doc_serve(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import record_service

    ctx = _context(args)
    officers = _two_officers(ctx, args.officer)
    written = record_service(ctx=ctx, document_id=args.id, method=args.method,
                             served_at=_parse_time(args.at),
                             officer_ids=officers, receiver=args.receiver,
                             refused=args.refused, refusal_note=args.refusal_note,
                             witness=args.witness, place=args.place)
    _emit(args, {"id": written.id, "document_id": args.id, "method": args.method},
          _("Service recorded."))
    return EXIT_OK


_VERIFY_TEXT = {
    "genuine": N_("Genuine: {title} {number} ({subject}), issued on {date}."),
    "voided": N_("Voided: {title} {number} was voided; {problem}"),
    "altered": N_("Altered: {problem}"),
    "unknown": N_("Cannot be verified here: {problem}"),
}


def cmd_doc_verify(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import verify
    from fieldapp.services.paperwork.verify import key_content_lines

    result = verify(ctx=_context(args), payload_or_pdf=args.code)
    problem = _(result.problem, **result.params) if result.problem else ""
    text = _(_VERIFY_TEXT[result.status], title=result.title, number=result.number,
             subject=result.subject, date=result.issued_on or "", problem=problem)
    text = "\n".join([text, *key_content_lines(result)])  # what the paper must say
    _emit(args, dataclasses.asdict(result) | {"problem": problem, "message": text}, text)
    return EXIT_OK if result.genuine else EXIT_FAILURE


def cmd_doc_list(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import list_documents

    views = list_documents(ctx=_context(args), case_id=args.case, subject_id=args.subject)
    lines = []
    for v in views:
        state = _("voided") if v.voided_by else (_("amended") if v.amended_by else "")
        lines.append(f"{v.id}  {v.issued_at.astimezone(agency_zone()):%Y-%m-%d}  {v.title}  "
                     f"{v.number}  {state}".rstrip())
    _emit(args, {"count": len(views), "documents": [_document_json(v) for v in views]},
          "\n".join(lines) or _("No documents."))
    return EXIT_OK


def cmd_doc_voided(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import list_voided

    rows = list_voided(ctx=_context(args), year=args.year)
    lines = [f"{v.number}  {v.at.astimezone(agency_zone()):%Y-%m-%d}  {v.officer}  {v.reason}"
             for v in rows]
    _emit(args, {"year": args.year, "count": len(rows),
                 "voided": [dataclasses.asdict(v) for v in rows]},
          "\n".join(lines) or _("No voided numbers."))
    return EXIT_OK


def cmd_dossier(args: argparse.Namespace) -> int:
    from fieldapp.services.paperwork import dossier_completeness, print_dossier

    ctx = _context(args)
    if args.check:
        missing = dossier_completeness(ctx=ctx, case_id=args.case_id)
        payload: dict[str, Any] = {"case_id": args.case_id, "missing": missing}
        text = ""
    else:
        if not args.output:
            raise ValidationError("output file", "is required")
        bar = _ProgressBar()
        result = print_dossier(ctx=ctx, case_id=args.case_id, path=Path(args.output).resolve(),
                               progress=bar, officer_id=_officer_id(ctx, args.officer))
        bar.done()
        missing = list(result.missing)
        payload = dataclasses.asdict(result) | {"case_id": args.case_id}
        text = _("Dossier written to {path}: {documents} items, {photos} photos.",
                 path=result.path, documents=result.documents, photos=result.photos) + "\n"
    text += (_("Missing from the dossier:") + "\n" + "\n".join(f"  {m}" for m in missing)
             if missing else _("Nothing is missing from the dossier."))
    _emit(args, payload, text)
    return EXIT_OK


def _document_parsers(sub: Any) -> None:
    kinds = ["education_notice", "warning_notice", "correction_order", "no_penalty_commitment",
             "inspection_record", "inquiry_record", "filing_approval", "evidence_preservation",
             "prior_notice", "statement_record", "penalty_decision", "on_spot_decision",
             "no_penalty_decision", "service_receipt", "service_address", "closing_approval",
             "photo_evidence"]
    p = sub.add_parser("doc", help=_("enforcement documents: issue, print, void, verify"))
    actions = p.add_subparsers(metavar="ACTION", required=True, parser_class=_Parser)

    issue = actions.add_parser("issue", help=_("issue a document about a finding or a case"))
    issue.add_argument("kind", metavar="KIND", choices=kinds, help=_("document kind"))
    about = issue.add_mutually_exclusive_group(required=True)
    about.add_argument("--finding", metavar="ID", help=_("finding id"))
    about.add_argument("--case", metavar="ID", help=_("case id"))
    issue.add_argument("--field", action="append", metavar="NAME=VALUE",
                       help=_("a value the store does not hold, e.g. case.discretion=…"))
    issue.add_argument("--layout", choices=["a4", "receipt"], default="a4",
                       help=_("a4, or receipt for 80 mm portable printers"))
    issue.add_argument("--served", metavar="ID",
                       help=_("for a service receipt: the document it proves served"))
    issue.add_argument("--officer", required=True, metavar="CERT",
                       help=_("certificate number of the officer"))
    _add_json(issue)
    issue.set_defaults(func=cmd_doc_issue)

    show = actions.add_parser("print", help=_("write an issued document's PDF again"))
    show.add_argument("id", metavar="ID")
    show.add_argument("-o", "--output", required=True, metavar="FILE", help=_("PDF file"))
    show.add_argument("--redraw", action="store_true",
                      help=_("draw it again from the stored snapshot"))
    _add_json(show)
    show.set_defaults(func=cmd_doc_print)

    void = actions.add_parser("void", help=_("void a document (its number stays voided)"))
    void.add_argument("id", metavar="ID")
    void.add_argument("--reason", required=True, metavar="TEXT", help=_("why it is voided"))
    void.add_argument("--officer", required=True, metavar="CERT",
                      help=_("certificate number of the officer"))
    _add_json(void)
    void.set_defaults(func=cmd_doc_void)

    amend = actions.add_parser("amend", help=_("issue a corrected document in place of one"))
    amend.add_argument("id", metavar="ID")
    amend.add_argument("--field", action="append", metavar="NAME=VALUE",
                       help=_("a corrected value"))
    amend.add_argument("--reason", required=True, metavar="TEXT", help=_("what is corrected"))
    amend.add_argument("--layout", choices=["a4", "receipt"],
                       help=_("a4, or receipt for 80 mm portable printers"))
    amend.add_argument("--officer", required=True, metavar="CERT",
                       help=_("certificate number of the officer"))
    _add_json(amend)
    amend.set_defaults(func=cmd_doc_amend)

    serve = actions.add_parser("serve", help=_("record how a document was served"))
    serve.add_argument("id", metavar="ID")
    serve.add_argument("--method", required=True, choices=[
        "direct", "left_at_address", "post", "electronic", "entrusted", "forwarded", "notice"],
        help=_("how it was served"))
    serve.add_argument("--officer", action="append", required=True, metavar="CERT",
                       help=_("certificate number of an officer (give two)"))
    serve.add_argument("--at", metavar="TIME", help=_("time, e.g. 2026-11-21T09:30 (default: now)"))
    serve.add_argument("--receiver", default="", help=_("who received it"))
    serve.add_argument("--refused", action="store_true", help=_("the party refused to sign"))
    serve.add_argument("--refusal-note", default="", metavar="TEXT",
                       help=_("how the party refused"))
    serve.add_argument("--witness", default="", help=_("witness"))
    serve.add_argument("--place", default="", help=_("address"))
    _add_json(serve)
    serve.set_defaults(func=cmd_doc_serve)

    check = actions.add_parser("verify", help=_(
        "check a document's PDF or verification code offline (exit 0 only when genuine)"))
    check.add_argument("code", metavar="FILE.pdf|PAYLOAD")
    _add_json(check)
    check.set_defaults(func=cmd_doc_verify)

    ls = actions.add_parser("list", help=_("issued documents, the oldest first"))
    ls.add_argument("--case", metavar="ID", help=_("case id"))
    ls.add_argument("--subject", metavar="ID", help=_("subject id"))
    _add_json(ls)
    ls.set_defaults(func=cmd_doc_list)

    voided = actions.add_parser("voided", help=_("the voided document numbers of a year"))
    voided.add_argument("--year", type=int, required=True, help=_("year"))
    _add_json(voided)
    voided.set_defaults(func=cmd_doc_voided)

    p = sub.add_parser("dossier", help=_("print a case's dossier (案卷) and list what it lacks"))
    p.add_argument("case_id", metavar="CASE_ID")
    p.add_argument("-o", "--output", metavar="FILE.pdf", help=_("PDF file"))
    p.add_argument("--check", action="store_true",
                   help=_("only list what the case lacks; print nothing"))
    p.add_argument("--officer", metavar="CERT", help=_("certificate number of the officer"))
    _add_json(p)
    p.set_defaults(func=cmd_dossier)


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
