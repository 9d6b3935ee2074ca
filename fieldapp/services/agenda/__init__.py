"""Agenda (今日待办): what is due for one officer today, across the areas, named in
words (party, 文号 or case, violation, deadline), read-only.

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.agenda.todo import APPROVALS, TodoItem, TodoKind, todo_for

__all__ = ["APPROVALS", "TodoItem", "TodoKind", "todo_for"]
