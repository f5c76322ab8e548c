"""Agent availability and delegation to the least-loaded suitable agent."""

from __future__ import annotations

from typing import Any

from bridge.workflows.helper import TicketingHelper

__all__ = ["delegate_to_available_agent", "get_agent_availability"]


def get_agent_availability(
    agents: list[str] | None = None, helper: TicketingHelper | None = None
) -> dict[str, dict[str, Any]]:
    """Per agent: available (fewer than ``max_open`` open), load, high priority, capacity."""
    helper = helper or TicketingHelper()
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
    task_type: str, task_description: str, helper: TicketingHelper | None = None
) -> str:
    """The first available agent whose keywords the task mentions, else the least loaded."""
    helper = helper or TicketingHelper()
    workload = get_agent_availability(helper=helper)
    text = f"{task_type} {task_description}".lower()
    for agent, keywords in helper.settings.agent_keywords.items():
        if any(word in text for word in keywords) and workload[agent]["available"]:
            return agent
    return min(workload.items(), key=lambda item: item[1]["current_load"])[0]
