"""Plain-text and JSON rendering for the CLI: fast to import, readable in a terminal."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from bridge.models import Comment, Ticket

__all__ = ["print_json", "render_comments", "render_table", "render_ticket"]


def _cell(value: object) -> str:
    if value is None:
        return "-"
    text = str(value)
    return text.replace("\n", " ")


def render_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, max_width: int = 60
) -> str:
    """Rows as aligned columns; the last column is cut at ``max_width`` characters."""
    cells = [[_cell(v) for v in row] for row in rows]
    for row in cells:
        if row and len(row[-1]) > max_width:
            row[-1] = row[-1][: max_width - 1] + "…"
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def ticket_rows(tickets: Iterable[Ticket]) -> list[list[object]]:
    """The columns of the ticket list."""
    return [
        [t.id, t.status.value, t.priority.value, t.type.value, t.assignee, t.title] for t in tickets
    ]


TICKET_HEADERS = ("id", "status", "priority", "type", "assignee", "title")


def render_ticket(ticket: Ticket, comments: Sequence[Comment] = ()) -> str:
    """One ticket with every field, then its comments."""
    lines = [f"{ticket.id}  {ticket.title}"]
    fields: list[tuple[str, object]] = [
        ("status", ticket.status.value),
        ("priority", ticket.priority.value),
        ("type", ticket.type.value),
        ("assignee", ticket.assignee),
        ("labels", ", ".join(ticket.labels) or None),
        ("parent", ticket.parent_id),
        ("depends on", ", ".join(ticket.dependencies) or None),
        ("resolution", ticket.resolution),
        ("created", ticket.created_at.isoformat(timespec="seconds")),
        ("updated", ticket.updated_at.isoformat(timespec="seconds")),
        ("tracker", ticket.tracker.url or ticket.tracker.key if ticket.tracker else None),
    ]
    lines += [f"  {name:<11}{_cell(value)}" for name, value in fields if value is not None]
    if ticket.metadata:
        meta = json.dumps(ticket.metadata, indent=2, ensure_ascii=False)
        lines.append("  metadata   " + meta.replace("\n", "\n             "))
    if ticket.description:
        lines += ["", *("  " + line for line in ticket.description.splitlines())]
    if comments:
        lines += ["", render_comments(comments)]
    return "\n".join(lines)


def render_comments(comments: Sequence[Comment]) -> str:
    """Comments, oldest first, each with its author and time."""
    out = [f"comments ({len(comments)}):"]
    for c in comments:
        out.append(f"  [{c.created_at.isoformat(timespec='seconds')}] {c.author}:")
        out += ["    " + line for line in c.body.splitlines() or [""]]
    return "\n".join(out)


def print_json(data: Any, out: TextIO) -> None:
    """``data`` as indented JSON (pydantic models included)."""
    out.write(json.dumps(_plain(data), indent=2, ensure_ascii=False) + "\n")


def _plain(data: Any) -> Any:
    if hasattr(data, "model_dump"):
        return data.model_dump(mode="json")
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    return data
