"""Plain-text and JSON rendering for the CLI: fast to import, readable in a terminal.

Text from a tracker can hold characters a terminal obeys rather than shows: escape
sequences (ESC, CSI), BEL, NUL and the other C0 and C1 controls, and the bidirectional
overrides and isolates (U+202A-U+202E, U+2066-U+2069) that reorder what follows. Human
output shows each as an escape (``\\x1b``, ``\\u202e``); a one-line field (a title, a
cell, an author) shows a newline as ``\\n``. ``--json`` keeps every value exact: JSON
escapes the C0 controls itself, and the C1 controls and bidi characters are written as
``\\uXXXX`` escapes, which read back as the same string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from bridge.models import Comment, Ticket

if TYPE_CHECKING:
    from bridge.service import TicketingService

__all__ = [
    "describe",
    "print_json",
    "render_comments",
    "render_table",
    "render_ticket",
    "safe_line",
    "safe_text",
    "stamp",
    "stamp_text",
]

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_LINE_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_TEXT_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return {10: "\\n", 13: "\\r", 9: "\\t"}.get(code) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )


def safe_line(text: str) -> str:
    """``text`` on one line with every control and bidi character shown as an escape."""
    return _LINE_UNSAFE.sub(_escape, text)


def safe_text(text: str) -> str:
    """``text`` with its lines and tabs kept, every other control or bidi character shown
    as an escape."""
    return _TEXT_UNSAFE.sub(_escape, text)


def stamp(moment: datetime) -> str:
    """The one format of a time in human output: ISO 8601 in UTC to the second, with ``Z``
    (``--json`` writes the same, with the microseconds the tracker gave)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def stamp_text(raw: str) -> str:
    """An ISO time kept as text (an outbox or sync record) in the format of ``stamp``."""
    try:
        return stamp(datetime.fromisoformat(raw))
    except ValueError:
        return raw


def _lines(text: str) -> list[str]:
    return safe_text(text.replace("\r\n", "\n")).split("\n")


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return safe_line(str(value))


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
    lines = [f"{safe_line(ticket.id)}  {safe_line(ticket.title)}"]
    fields: list[tuple[str, object]] = [
        ("status", ticket.status.value),
        ("priority", ticket.priority.value),
        ("type", ticket.type.value),
        ("assignee", ticket.assignee),
        ("labels", ", ".join(ticket.labels) or None),
        ("parent", ticket.parent_id),
        ("depends on", ", ".join(ticket.dependencies) or None),
        ("resolution", ticket.resolution),
        ("created", stamp(ticket.created_at)),
        ("updated", stamp(ticket.updated_at)),
        ("tracker", ticket.tracker.url or ticket.tracker.key if ticket.tracker else None),
    ]
    lines += [f"  {name:<11}{_cell(value)}" for name, value in fields if value is not None]
    if ticket.metadata:
        meta = safe_text(json.dumps(ticket.metadata, indent=2, ensure_ascii=False))
        lines.append("  metadata   " + meta.replace("\n", "\n             "))
    if ticket.description:
        lines += ["", *("  " + line for line in _lines(ticket.description.rstrip("\n")))]
    if comments:
        lines += ["", render_comments(comments)]
    return "\n".join(lines)


def render_comments(comments: Sequence[Comment]) -> str:
    """Comments, oldest first, each with its author and time."""
    out = [f"comments ({len(comments)}):"]
    for c in comments:
        out.append(f"  [{stamp(c.created_at)}] {safe_line(c.author)}:")
        out += ["    " + line for line in _lines(c.body.rstrip("\n"))]
    return "\n".join(out)


def describe(service: TicketingService) -> str:
    """The tracker in words: ``local store at PATH``, ``GitHub owner/name at URL``, ..."""
    adapter: Any = service.adapter
    for _ in range(4):  # through the retrying and fallback wrappers
        adapter = getattr(adapter, "remote", None) or getattr(adapter, "inner", None) or adapter
    root = getattr(adapter, "root", None)
    if root is not None:
        return f"local store at {root}"
    config: Any = getattr(adapter, "config", None)
    if getattr(config, "repo", None):
        return f"GitHub repository {config.repo} at {config.base_url}"
    if getattr(config, "project", None):
        return f"Jira project {config.project} at {config.server}"
    return f"{service.adapter_name} tracker"


def print_json(data: Any, out: TextIO) -> None:
    """``data`` as indented JSON (pydantic models included), every value exact; C1 controls
    and bidi characters as ``\\uXXXX`` escapes."""
    text = json.dumps(_plain(data), indent=2, ensure_ascii=False)
    out.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def _plain(data: Any) -> Any:
    if hasattr(data, "model_dump"):
        return data.model_dump(mode="json")
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    if isinstance(data, datetime):
        utc = data.astimezone(UTC) if data.tzinfo else data.replace(tzinfo=UTC)
        return utc.isoformat().replace("+00:00", "Z")
    return data
