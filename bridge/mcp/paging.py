"""Cursors and size-bounded pages: no response grows past about 32 KB.

A tool result travels twice, as structured content and as its JSON text copy (inside a JSON
string, so every quote is escaped), within one JSON-RPC message. :func:`wire_cost` counts an
item both ways; pages take items until the next one would not fit in :data:`BUDGET` and hand
back a cursor for the rest instead of cutting anything short.

Cursors are opaque to the client: URL-safe base64 of a small JSON object naming the tool and
a digest of its query, so a cursor given to another tool or another query is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from pydantic import JsonValue

from bridge.errors import InvalidError
from bridge.models import Ticket
from bridge.service import TicketingService

__all__ = [
    "BUDGET",
    "MAX_RESPONSE",
    "Cursor",
    "fit_count",
    "fit_field",
    "fit_ticket",
    "page_tickets",
    "slice_page",
    "ticket_line",
    "wire_cost",
]

MAX_RESPONSE = 32 * 1024
"""The cap on one response on the wire, in bytes."""
BUDGET = 30_000
"""What a page may fill, leaving room for the JSON-RPC envelope and the result's own fields."""
SERVICE_PAGE = 100
"""Tickets asked of the tracker per request (GitHub's largest page)."""

T = TypeVar("T")


def compact(value: Any) -> str:
    """``value`` as compact JSON, non-ASCII kept as is (as the wire carries it)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def wire_cost(value: Any) -> int:
    """Bytes ``value`` adds to a response: as structured content, plus escaped in the text copy."""
    raw = compact(value)
    return len(raw.encode()) + len(json.dumps(raw, ensure_ascii=False).encode()) - 2 + 2


def fit_count(costs: Sequence[int], room: int) -> int:
    """How many leading items of these costs fit into ``room`` bytes (at least one)."""
    used = 0
    for count, cost in enumerate(costs):
        used += cost
        if used > room and count > 0:
            return count
    return len(costs)


def ticket_line(ticket: Ticket) -> str:
    """One short line: ``ID STATUS PRIORITY ASSIGNEE TITLE`` (``-`` for no assignee)."""
    flag = " (pending)" if ticket.pending else ""
    who = ticket.assignee or "-"
    return f"{ticket.id} {ticket.status.value} {ticket.priority.value} {who} {ticket.title}{flag}"


class Cursor:
    """Where a listing goes on: the tool, a digest of its query, and a position."""

    def __init__(self, tool: str, query: Any) -> None:
        self.tool = tool
        self.digest = hashlib.sha256(compact(query).encode()).hexdigest()[:12]

    def encode(self, **position: JsonValue) -> str:
        raw = compact({"t": self.tool, "q": self.digest, **position}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def peek(self, cursor: str) -> dict[str, Any]:
        """The state in a cursor of this tool, whatever its query."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            state = json.loads(raw)
        except (binascii.Error, ValueError):
            state = None
        if not isinstance(state, dict) or state.get("t") != self.tool:
            raise InvalidError(
                f"invalid cursor for {self.tool}: pass next_cursor back exactly as it was given"
            )
        return state

    def decode(self, cursor: str | None) -> dict[str, Any]:
        """The position in ``cursor`` (``{}`` for none); refuses a cursor of another query."""
        if cursor is None:
            return {}
        state = self.peek(cursor)
        if state.get("q") != self.digest:
            raise InvalidError(
                f"this cursor belongs to another {self.tool} query: repeat the same arguments "
                "with it, or leave cursor out to start again"
            )
        return state

    def offset(self, cursor: str | None) -> int:
        value = self.decode(cursor).get("o", 0)
        if not isinstance(value, int) or value < 0:
            raise InvalidError(f"invalid cursor for {self.tool}: bad position")
        return value


def slice_page(
    items: Sequence[T],
    render: Callable[[T], JsonValue],
    *,
    start: int,
    limit: int,
    room: int,
) -> tuple[list[JsonValue], int | None]:
    """Rendered ``items[start:]``, at most ``limit`` and what fits in ``room`` bytes; and the
    offset of the next page (``None`` when this one reaches the end)."""
    rendered = [render(item) for item in items[start : start + limit]]
    count = fit_count([wire_cost(r) for r in rendered], room)
    end = start + count
    return rendered[:count], (end if end < len(items) else None)


def _pages(
    service: TicketingService, filters: dict[str, Any], after: str | None
) -> Iterator[tuple[str | None, list[Ticket], list[str], str | None]]:
    """The tracker's pages from ``after``: (its cursor, tickets, problems, next cursor)."""
    while True:
        page = service.list_tickets(**filters, limit=SERVICE_PAGE, cursor=after)
        yield after, list(page), page.problems, page.next_cursor
        if page.next_cursor is None:
            return
        after = page.next_cursor


def page_tickets(
    service: TicketingService,
    filters: dict[str, Any],
    cursor: Cursor,
    raw_cursor: str | None,
    *,
    render: Callable[[Ticket], JsonValue],
    limit: int,
    room: int,
) -> tuple[list[JsonValue], str | None, list[str]]:
    """One response's worth of ``list_tickets(**filters)``: rendered tickets, the cursor of
    the rest and any problems. The position is the tracker's page plus how many of its
    tickets were already sent, so a walk sends every ticket exactly once."""
    state = cursor.decode(raw_cursor)
    skip = state.get("s", 0)
    out: list[JsonValue] = []
    problems: list[str] = []
    used = 0
    for start, tickets, page_problems, after in _pages(service, filters, state.get("c")):
        problems += page_problems
        for index in range(skip, len(tickets)):
            item = render(tickets[index])
            used += wire_cost(item)
            if len(out) >= limit or (out and used > room):
                return out, cursor.encode(c=start, s=index), problems
            out.append(item)
        skip = 0
        if after is None:
            return out, None, problems
    return out, None, problems  # pragma: no cover - the last page returns above


def fit_field(
    data: dict[str, JsonValue], key: str, room: int
) -> tuple[dict[str, JsonValue], int | None]:
    """``data``; when it would not fit in ``room`` bytes, its text ``key`` is cut to fit and
    the offset where it was cut is returned."""
    text = data.get(key)
    if not isinstance(text, str) or wire_cost(data) <= room:
        return data, None
    low, high = 0, len(text)  # the longest prefix that fits lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if wire_cost({**data, key: text[:middle]}) <= room:
            low = middle
        else:
            high = middle
    return {**data, key: text[:low]}, low


def fit_ticket(ticket: Ticket, room: int) -> tuple[dict[str, JsonValue], int | None]:
    """``ticket`` as JSON; when it alone would not fit in ``room`` bytes, its description is
    cut to fit and the offset where it was cut is returned (read on with get_ticket)."""
    return fit_field(ticket.model_dump(mode="json"), "description", room)
