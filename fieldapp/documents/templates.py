"""Document templates: the declarative files in ``forms/`` and their placeholders.

A template (``forms/<kind>.json``) holds the title, copies (联), layouts and the body as
a list of blocks; blocks name snapshot keys as ``{key}`` (or ``{key|other}``: the first
that is not empty). ``forms/_shared.json`` holds blocks that many documents use (the
party block, the remedies text …), included with ``{"use": "name"}``. The format is
described in ``forms/README.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from fieldapp.domain.errors import ValidationError
from fieldapp.resources import form

Block = Mapping[str, Any]

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?:\|[a-z][a-z0-9_.]*)*)\}")


@dataclass(frozen=True)
class Copy:
    """One copy (联) of a multi-part document, e.g. 第一联 当事人留存."""

    note: str
    archive: bool = False


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    layouts: tuple[str, ...]
    font_size: float
    copies: tuple[Copy, ...]
    body: tuple[Block, ...]
    page_signature: str = ""  # printed at the foot of every page (笔录)
    page_numbers: bool = True  # 第 N 页 共 M 页
    qr: bool = True
    frame: bool = False  # a border around the type area (dossier cover)
    number_code: str = ""  # the usual 文号 code, e.g. 罚决字 (for the issuing side)
    show_agency: bool = True  # the agency's full name above the title
    show_number: bool = True  # the 文号 under the title
    snapshot_title: bool = True  # print document.title of the snapshot when it has one
    label_width: float = 24  # mm, the label column of every field grid of the document


@cache
def _shared() -> dict[str, list[Block]]:
    with form("_shared.json").open(encoding="utf-8") as handle:
        data: dict[str, list[Block]] = json.load(handle)["blocks"]
    return data


def _expand(blocks: Sequence[Block]) -> tuple[Block, ...]:
    out: list[Block] = []
    for block in blocks:
        if "use" in block:
            out.extend(_expand(_shared()[block["use"]]))
        elif block.get("type") == "variants":
            variants = [{**v, "blocks": _expand(v["blocks"])} for v in block["variants"]]
            out.append({**block, "variants": variants})
        else:
            out.append(block)
    return tuple(out)


@cache
def load_template(name: str) -> Template:
    """The template ``forms/<name>.json``; refuses a name without one."""
    path = form(f"{name}.json")
    if not name or name.startswith("_") or not path.is_file():
        raise ValidationError("document kind", "there is no document template for '{kind}'",
                              kind=name)
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    copies = tuple(Copy(c.get("note", ""), c.get("archive", False))
                   for c in data.get("copies", [{"note": "", "archive": True}]))
    return Template(
        name=name, title=data["title"], layouts=tuple(data.get("layouts", ["a4"])),
        font_size=float(data.get("font_size", 14)), copies=copies,
        body=_expand(data["body"]), page_signature=data.get("page_signature", ""),
        page_numbers=data.get("page_numbers", True), qr=data.get("qr", True),
        frame=data.get("frame", False), number_code=data.get("number_code", ""),
        show_agency=data.get("show_agency", True), show_number=data.get("show_number", True),
        snapshot_title=data.get("snapshot_title", True),
        label_width=float(data.get("label_width", 24)))


def value(snapshot: Mapping[str, str], keys: str) -> str:
    """The first non-empty value of ``a|b|c``; '' when all are empty or missing."""
    for key in keys.split("|"):
        found = snapshot.get(key, "")
        if found:
            return found
    return ""


def pieces(text: str, snapshot: Mapping[str, str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_value) with the placeholders filled in."""
    out: list[tuple[str, bool]] = []
    end = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > end:
            out.append((text[end:match.start()], False))
        out.append((value(snapshot, match.group(1)), True))
        end = match.end()
    if end < len(text):
        out.append((text[end:], False))
    return out


def fill(text: str, snapshot: Mapping[str, str]) -> str:
    """``text`` with the placeholders replaced by their values."""
    return "".join(piece for piece, _ in pieces(text, snapshot))


def holds(condition: str | Sequence[str] | None, snapshot: Mapping[str, str]) -> bool:
    """A block condition: ``key`` (not empty), ``!key`` (empty), ``key=value``; a list
    means all of them."""
    if condition is None:
        return True
    if isinstance(condition, str):
        condition = [condition]
    return all(_holds_one(c, snapshot) for c in condition)


def _holds_one(condition: str, snapshot: Mapping[str, str]) -> bool:
    if condition.startswith("!"):
        return not value(snapshot, condition[1:])
    if "=" in condition:
        key, expected = condition.split("=", 1)
        return snapshot.get(key, "") == expected
    return bool(value(snapshot, condition))


def keys_used(template: Template) -> set[str]:
    """Every snapshot key the template names (for checks and the issuing side)."""
    return {key for group in placeholders(template) for key in group.split("|")}


def placeholders(template: Template) -> set[str]:
    """The placeholders of the template as written: ``key`` or ``key|fallback``."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.update(match.group(1) for match in _PLACEHOLDER.finditer(node))
        elif isinstance(node, Mapping):
            for item in node.values():
                walk(item)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)

    walk(template.body)
    walk(template.page_signature)
    return found
