"""Phased features: one ticket per phase, linked by real dependencies, and their progress."""

from __future__ import annotations

from typing import Any

from bridge.errors import NotFoundError
from bridge.models import Ticket
from bridge.service import TicketingService
from bridge.workflows.helper import TicketingHelper

__all__ = [
    "PHASE_HEADERS",
    "create_phased_ticket",
    "create_subtasks",
    "get_feature_progress",
    "phase_rows",
]

PHASE_HEADERS = ("id", "status", "priority", "assignee", "title")


def create_phased_ticket(
    phase: int,
    agent: str,
    task: str,
    deliverables: list[str],
    dependencies: list[str] | None = None,
    parent: str | None = None,
    priority: str = "medium",
    helper: TicketingHelper | None = None,
) -> Ticket:
    """The ticket of one phase, titled ``[agent] Phase N: task`` and labelled ``phase:N``.

    ``dependencies`` (ticket ids, or agent names as in the helper) become blocked-by links,
    ``parent`` a parent link; the deliverables are kept in the metadata.
    """
    helper = helper or TicketingHelper()
    context: dict[str, Any] = {
        "phase": phase,
        "deliverables": list(deliverables),
        "dependencies": list(dependencies or []),
    }
    if parent:
        context["parent_ticket"] = parent
    return helper.create_agent_task_ticket(
        agent, f"Phase {phase}: {task}", priority, context, labels=[f"phase:{phase}"]
    )


def create_subtasks(
    parent: Ticket | str,
    subtasks: list[dict[str, Any]],
    priority: str = "high",
    helper: TicketingHelper | None = None,
) -> list[Ticket]:
    """Children of ``parent`` (each ``{"agent", "task", "dependencies"}``), each announced on
    the parent by a "Created subtask ..." comment from pm-orchestrator."""
    helper = helper or TicketingHelper()
    parent_id = parent if isinstance(parent, str) else parent.id
    created = []
    for index, subtask in enumerate(subtasks, 1):
        ticket = helper.create_agent_task_ticket(
            subtask["agent"],
            subtask["task"],
            priority,
            {
                "parent_ticket": parent_id,
                "dependencies": subtask.get("dependencies", []),
                "phase": index,
            },
        )
        helper.service.add_comment(
            parent_id,
            f"Created subtask {ticket.id} for {subtask['agent']} agent",
            author="pm-orchestrator",
        )
        created.append(ticket)
    return created


def get_feature_progress(
    ticket_ids: list[str], service: TicketingService | None = None
) -> dict[str, Any]:
    """Share of the phases resolved or closed, as the guide computes it.

    A ticket that does not exist counts as not completed; no ids is 0 % and ``complete``.
    """
    tickets = service or TicketingHelper().service
    total = len(ticket_ids)
    completed = 0
    for ticket_id in ticket_ids:
        try:
            ticket = tickets.get_ticket(ticket_id)
        except NotFoundError:
            continue
        if ticket.status in ["resolved", "closed"]:
            completed += 1
    return {
        "progress_percentage": (completed / total) * 100 if total else 0.0,
        "completed_phases": completed,
        "total_phases": total,
        "status": "complete" if completed == total else "in_progress",
    }


def phase_rows(ticket_ids: list[str], service: TicketingService) -> list[list[object]]:
    """A row of ``PHASE_HEADERS`` per phase ticket; one that does not exist says so."""
    rows: list[list[object]] = []
    for ticket_id in ticket_ids:
        try:
            t = service.get_ticket(ticket_id)
        except NotFoundError:
            rows.append([ticket_id, "not found", None, None, None])
            continue
        rows.append([t.id, t.status.value, t.priority.value, t.assignee, t.title])
    return rows
