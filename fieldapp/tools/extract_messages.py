"""Collect every user-visible English string and update ``resources/i18n/zh_CN.po``.

Developer tool. Strings are found with ``ast``: arguments of ``_``/``gettext``/``N_``,
the field label and template of ``ValidationError``/``NotFound``/``DomainError``, the
``problem`` templates of the audit verifier, the values of the domain's StrEnums, and
argparse's own messages. Run: ``python -m fieldapp.tools.extract_messages``; a test
fails while any string lacks a translation.
"""

from __future__ import annotations

import ast
from pathlib import Path

from fieldapp.i18n import parse_po
from fieldapp.resources import resource

PACKAGE = Path(__file__).resolve().parents[1]
_CALLS = {"_": 1, "gettext": 1, "N_": 1, "ValidationError": 2, "NotFound": 1,
          "DomainError": 1, "_Problem": 3, "_record_problem": 2}
# argparse's messages that users of the CLI see (argparse routes them through us).
ARGPARSE = (
    "usage: ", "positional arguments", "options", "show this help message and exit",
    "show program's version number and exit", "the following arguments are required: %s",
    "invalid choice: %(value)r (choose from %(choices)s)", "unrecognized arguments: %s",
    "argument %(argument_name)s: %(message)s", "expected one argument",
    "invalid %(type)s value: %(value)r", "%(prog)s: error: %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s",
)


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _strings_in(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (count := _CALLS.get(_call_name(node))):
            for arg in node.args[:count]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and (t.id == "problem" or t.id.endswith("_FIELD"))
                for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found.add(node.value.value)
        elif isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id == "StrEnum" for b in node.bases):
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant):
                    found.add(str(item.value.value))
    return {s for s in found if s.strip()}


def collect() -> set[str]:
    messages = set(ARGPARSE)
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts or "tools" in path.parts:
            continue
        messages |= _strings_in(ast.parse(path.read_text(encoding="utf-8")))
    return messages


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def write_po(path: Path, messages: set[str]) -> list[str]:
    """Rewrite the catalogue sorted, keeping translations; returns msgids lacking one."""
    known = parse_po(path.read_text(encoding="utf-8")) if path.exists() else {}
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
             '"Language: zh_CN\\n"', ""]
    missing = []
    for msgid in sorted(messages):
        translated = known.get(msgid, "")
        if not translated:
            missing.append(msgid)
        lines += [f"msgid {_quote(msgid)}", f"msgstr {_quote(translated)}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return missing


def main() -> None:
    missing = write_po(resource("i18n", "zh_CN.po"), collect())
    print(f"{len(missing)} strings without a translation")
    for msgid in missing:
        print("  ", msgid)


if __name__ == "__main__":
    main()
