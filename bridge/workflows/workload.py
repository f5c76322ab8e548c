"""Agent availability and delegation to the least-loaded suitable agent."""

from __future__ import annotations

from typing import Any

from bridge.service import TicketingService
from bridge.workflows.helper import TicketingHelper

__all__ = ["delegate_to_available_agent", "get_agent_availability"]


def get_agent_availability(
    agents: list[str] | None = None,
    helper: TicketingHelper | None = None,
    *,
    service: TicketingService | None = None,
) -> dict[str, dict[str, Any]]:
    """Per agent (the configured ones by default), as the guide's Pattern 3 computes it:
    ``available`` (fewer than ``max_open`` open tickets), ``current_load`` (open + in
    progress), ``high_priority`` and ``capacity`` (``capacity`` setting minus the load)."""
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
