"""Conversions a sync makes between the two sides: drafts, update keywords, orderings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bridge.models import Status, Ticket, TicketDraft

__all__ = ["changes", "draft", "parents_first", "stamp", "unresolved", "when"]


def draft(
    ticket: Ticket, key: str, parent: str | None = None, deps: list[str] | None = None
) -> TicketDraft:
    """A draft copying ``ticket`` to the other side, links given in that side's ids."""
    return TicketDraft(
        title=ticket.title,
        description=ticket.description,
        status=ticket.status,
        priority=ticket.priority,
        type=ticket.type,
        assignee=ticket.assignee,
        labels=list(ticket.labels),
        parent_id=parent,
        dependencies=deps or [],
        metadata=dict(ticket.metadata),
        resolution=ticket.resolution if ticket.status.is_done else None,
        idempotency_key=key,
    )


def when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def stamp(ticket: Ticket) -> str:
    return ticket.updated_at.isoformat()


def unresolved(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.startswith("?") for v in values)


def changes(
    fields: dict[str, Any], translate: Callable[[str], str | None] | None = None
) -> dict[str, Any] | None:
    """``update_ticket`` keywords from snapshot values, ids translated (``None``: cannot)."""
    out = dict(fields)
    if translate is not None:
        if out.get("parent_id") is not None:
            out["parent_id"] = translate(out["parent_id"])
            if out["parent_id"] is None:
                return None
        if "dependencies" in out:
            deps = [translate(d) for d in out["dependencies"]]
            if any(d is None for d in deps):
                return None
            out["dependencies"] = deps
    if "resolution" in out and out["resolution"] is None:
        del out["resolution"]  # reopening clears it on every tracker
    if out.get("status") is not None and Status(out["status"]).is_done is False:
        out.pop("resolution", None)
    return out


def parents_first(tickets: list[Ticket]) -> list[Ticket]:
    """Order so that a parent comes before its children (and a dependency before its
    dependants where that is possible)."""
    by_id = {t.id: t for t in tickets}
    placed: set[str] = set()
    ordered: list[Ticket] = []

    def place(ticket: Ticket, trail: set[str]) -> None:
        if ticket.id in placed or ticket.id in trail:
            return
        trail = trail | {ticket.id}
        for ref in [ticket.parent_id, *ticket.dependencies]:
            if ref in by_id:
                place(by_id[ref], trail)
        placed.add(ticket.id)
        ordered.append(ticket)

    for ticket in tickets:
        place(ticket, set())
    return ordered
