"""A ticket with its subtasks, recursively, and its dependencies: as text and as data."""

from __future__ import annotations

from typing import Any

from bridge.models import Ticket
from bridge.render import safe_line
from bridge.service import TicketingService

__all__ = ["render_tree", "tree_data"]

MAX_DEPTH = 20


def render_tree(
    service: TicketingService, ticket: Ticket, depth: int = 0, seen: set[str] | None = None
) -> list[str]:
    """Lines for ``ticket``, its resolution and dependencies, then its subtasks, indented."""
    seen = set() if seen is None else seen
    pad = "    " * depth
    who = f" @{safe_line(ticket.assignee)}" if ticket.assignee else ""
    title = safe_line(ticket.title)
    lines = [f"{pad}{ticket.id} [{ticket.status.value}, {ticket.priority.value}]{who} {title}"]
    if ticket.resolution:
        lines.append(f"{pad}    resolution: {safe_line(ticket.resolution)}")
    if ticket.dependencies:
        lines.append(f"{pad}    blocked by: {', '.join(ticket.dependencies)}")
    seen.add(ticket.id)
    if depth >= MAX_DEPTH:
        return lines
    for child in service.get_children(ticket.id):
        if child.id in seen:  # a tracker edited by hand can hold a cycle
            lines.append(f"{pad}    {child.id} (already shown)")
            continue
        lines += render_tree(service, child, depth + 1, seen)
    return lines


def tree_data(
    service: TicketingService, ticket: Ticket, depth: int = 0, seen: set[str] | None = None
) -> dict[str, Any]:
    """``ticket`` as JSON data with a ``children`` list of the same, recursively."""
    seen = set() if seen is None else seen
    seen.add(ticket.id)
    data = ticket.model_dump(mode="json")
    children = service.get_children(ticket.id) if depth < MAX_DEPTH else []
    data["children"] = [
        tree_data(service, child, depth + 1, seen) for child in children if child.id not in seen
    ]
    return data
