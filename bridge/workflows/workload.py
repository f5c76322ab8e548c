"""Agent availability and delegation to the least-loaded suitable agent."""

from __future__ import annotations

from typing import Any

from bridge.models import Priority, Status, Ticket
from bridge.service import TicketingService
from bridge.workflows.helper import TicketingHelper

__all__ = [
    "WORKLOAD_HEADERS",
    "delegate_to_available_agent",
    "get_agent_availability",
    "team_workload",
    "workload_rows",
]

WORKLOAD_HEADERS = (
    "agent",
    "open",
    "in progress",
    "blocked",
    "done",
    "high+",
    "load",
    "limit",
    "free",
    "available",
)


def get_agent_availability(
    agents: list[str] | None = None,
    helper: TicketingHelper | None = None,
    *,
    service: TicketingService | None = None,
) -> dict[str, dict[str, Any]]:
    """Per agent (the configured ones by default), as the guide's Pattern 3 computes it:
    ``available`` (fewer than ``max_open`` open tickets), ``current_load`` (open + in
    progress), ``high_priority`` (open and in progress at high or critical) and ``capacity``:
    what is left of the ``capacity`` setting (the most an agent carries) after the load."""
    helper = helper or TicketingHelper(service)
    settings = helper.settings
    names = agents if agents is not None else list(settings.agent_keywords)
    workload: dict[str, dict[str, Any]] = {}
    for agent in names:
        stats = helper.get_agent_workload(agent)
        load = stats["open"] + stats["in_progress"]
        workload[agent] = {
            "available": stats["open"] < settings.max_open,
            "current_load": load,
            "high_priority": stats["high_priority"],
            "capacity": settings.capacity - load,
        }
    return workload


def delegate_to_available_agent(
    task_type: str,
    task_description: str,
    helper: TicketingHelper | None = None,
    *,
    service: TicketingService | None = None,
) -> str:
    """The first available agent whose keywords the task type or description mentions, else
    the least loaded agent (the first configured one on a tie)."""
    helper = helper or TicketingHelper(service)
    workload = get_agent_availability(helper=helper)
    text = f"{task_type} {task_description}".lower()
    for agent, keywords in helper.settings.agent_keywords.items():
        if any(word in text for word in keywords) and workload[agent]["available"]:
            return agent
    return min(workload.items(), key=lambda item: item[1]["current_load"])[0]


def team_workload(
    helper: TicketingHelper, agents: list[str] | None = None
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Per agent: tickets per status, ``high_priority``, ``load`` (open + in progress),
    ``limit`` (the ``capacity`` setting), ``free`` (limit - load) and ``available``; and the
    named agents that are unknown (neither configured nor holding a ticket).

    Without ``agents``: every configured agent, then every other assignee holding tickets,
    from one pass over the tickets."""
    settings = helper.settings
    if agents is None:
        counts: dict[str, dict[str, int]] = {a: _zero() for a in settings.agent_keywords}
        for ticket in helper.service.iter_tickets():
            if ticket.assignee:
                _count(counts.setdefault(ticket.assignee, _zero()), ticket)
        unknown: list[str] = []
    else:
        counts = {a: helper.get_agent_workload(a) for a in agents}
        unknown = [a for a in agents if a not in settings.agent_keywords and not counts[a]["total"]]
        counts = {a: c for a, c in counts.items() if a not in unknown}
    table = {}
    for agent, c in counts.items():
        load = c["open"] + c["in_progress"]
        row = {k: c[k] for k in ("open", "in_progress", "blocked", "resolved", "closed")}
        table[agent] = {
            **row,
            "high_priority": c["high_priority"],
            "load": load,
            "limit": settings.capacity,
            "free": settings.capacity - load,
            "available": c["open"] < settings.max_open,
        }
    return table, unknown


def _zero() -> dict[str, int]:
    return {s.value: 0 for s in Status} | {"high_priority": 0, "total": 0}


def _count(counts: dict[str, int], ticket: Ticket) -> None:
    counts[ticket.status.value] += 1
    counts["total"] += 1
    if (
        ticket.status in (Status.OPEN, Status.IN_PROGRESS)
        and ticket.priority.rank >= Priority.HIGH.rank
    ):
        counts["high_priority"] += 1


def workload_rows(table: dict[str, dict[str, Any]]) -> list[list[object]]:
    """The rows of ``WORKLOAD_HEADERS`` for ``team_workload``'s table."""
    return [
        [
            agent,
            w["open"],
            w["in_progress"],
            w["blocked"],
            w["resolved"] + w["closed"],
            w["high_priority"],
            w["load"],
            w["limit"],
            w["free"],
            "yes" if w["available"] else "no",
        ]
        for agent, w in table.items()
    ]
