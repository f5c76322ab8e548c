"""Progress checkpoints and structured progress updates, as comments that move status."""

from __future__ import annotations

from typing import Any

from bridge.errors import InvalidError
from bridge.models import Comment, Priority, Status
from bridge.service import TicketingService

__all__ = ["CHECKPOINTS", "track_agent_progress", "update_progress"]

CHECKPOINTS: dict[str, str] = {
    "started": "Agent has started working on the task",
    "analysis_complete": "Initial analysis completed",
    "implementation_started": "Beginning implementation phase",
    "testing": "Running tests and validation",
    "completed": "Task completed successfully",
    "blocked": "Task blocked, escalation required",
}

_MOVES: dict[str, Status] = {"started": Status.IN_PROGRESS, "completed": Status.RESOLVED}


def _service(service: TicketingService | None) -> TicketingService:
    if service is not None:
        return service
    from bridge.factory import get_default

    return get_default().service


def track_agent_progress(
    ticket_id: str, agent_name: str, checkpoint: str, service: TicketingService | None = None
) -> Comment:
    """Record a checkpoint as a comment by ``<agent>-agent`` and move the status as the guide
    says: started -> in_progress, completed -> resolved, blocked -> blocked at high priority
    (or higher). Returns the comment; an unknown checkpoint raises ``InvalidError`` naming the
    allowed ones, before anything is written."""
    if checkpoint not in CHECKPOINTS:
        raise InvalidError(
            f"unknown checkpoint {checkpoint!r}: expected one of {', '.join(CHECKPOINTS)}",
            ticket_id=ticket_id,
        )
    tickets = _service(service)
    comment = tickets.add_comment(ticket_id, CHECKPOINTS[checkpoint], author=f"{agent_name}-agent")
    if checkpoint == "blocked":
        # Escalation raises a ticket to high; it never lowers a critical one.
        current = tickets.get_ticket(ticket_id).priority
        priority = max(current, Priority.HIGH, key=lambda p: p.rank)
        tickets.update_ticket(ticket_id, status=Status.BLOCKED, priority=priority)
    elif checkpoint in _MOVES:
        tickets.update_ticket(ticket_id, status=_MOVES[checkpoint])
    return comment


def _items(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "None"
    return str(value) if value not in (None, "") else "None"


def update_progress(
    ticket_id: str,
    agent: str,
    phase: int | str,
    details: dict[str, Any],
    service: TicketingService | None = None,
) -> Comment:
    """A structured progress comment: status, completed, remaining, blockers, next steps."""
    missing = [
        k
        for k in ("status", "completed_items", "remaining_items", "next_steps")
        if k not in details
    ]
    if missing:
        raise InvalidError(f"progress details lack {', '.join(missing)}", ticket_id=ticket_id)
    text = "\n".join(
        [
            f"Phase {phase} Progress Update:",
            f"- Status: {details['status']}",
            f"- Completed: {_items(details['completed_items'])}",
            f"- Remaining: {_items(details['remaining_items'])}",
            f"- Blockers: {_items(details.get('blockers'))}",
            f"- Next Steps: {_items(details['next_steps'])}",
        ]
    )
    return _service(service).add_comment(ticket_id, text, author=f"{agent}-agent")
