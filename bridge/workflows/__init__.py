"""The PM workflow layer of the guide, on any tracker: helper, orchestrator, progress,
workload, SLA, phased features and emergency response.

The module-level functions use the process default service (``get_ticketing_service()``)
unless given a ``service`` or ``helper``. Each name loads its module on first use.

    from bridge.workflows import TicketingHelper, track_agent_progress

    helper = TicketingHelper()                     # the discovered service
    ticket = helper.create_agent_task_ticket("engineer", "Fix the login bug", priority="high")
    track_agent_progress(ticket.id, "engineer", "started")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bridge.settings import WorkflowSettings
    from bridge.workflows.emergency import WarRoom, handle_production_emergency
    from bridge.workflows.helper import TicketingHelper
    from bridge.workflows.orchestrator import AgentDelegationContext, Delegation, PMOrchestrator
    from bridge.workflows.phased import create_phased_ticket, create_subtasks, get_feature_progress
    from bridge.workflows.progress import CHECKPOINTS, track_agent_progress, update_progress
    from bridge.workflows.ready import ready_work
    from bridge.workflows.sla import Overdue, check_sla, overdue_tickets
    from bridge.workflows.workload import delegate_to_available_agent, get_agent_availability

__all__ = [
    "CHECKPOINTS",
    "AgentDelegationContext",
    "Delegation",
    "Overdue",
    "PMOrchestrator",
    "TicketingHelper",
    "WarRoom",
    "WorkflowSettings",
    "check_sla",
    "create_phased_ticket",
    "create_subtasks",
    "delegate_to_available_agent",
    "get_agent_availability",
    "get_feature_progress",
    "handle_production_emergency",
    "overdue_tickets",
    "ready_work",
    "track_agent_progress",
    "update_progress",
]

_HOMES = {
    "AgentDelegationContext": "bridge.workflows.orchestrator",
    "CHECKPOINTS": "bridge.workflows.progress",
    "Delegation": "bridge.workflows.orchestrator",
    "Overdue": "bridge.workflows.sla",
    "PMOrchestrator": "bridge.workflows.orchestrator",
    "TicketingHelper": "bridge.workflows.helper",
    "WarRoom": "bridge.workflows.emergency",
    "WorkflowSettings": "bridge.settings",
    "check_sla": "bridge.workflows.sla",
    "create_phased_ticket": "bridge.workflows.phased",
    "create_subtasks": "bridge.workflows.phased",
    "delegate_to_available_agent": "bridge.workflows.workload",
    "get_agent_availability": "bridge.workflows.workload",
    "get_feature_progress": "bridge.workflows.phased",
    "handle_production_emergency": "bridge.workflows.emergency",
    "overdue_tickets": "bridge.workflows.sla",
    "ready_work": "bridge.workflows.ready",
    "track_agent_progress": "bridge.workflows.progress",
    "update_progress": "bridge.workflows.progress",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'bridge.workflows' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
