"""The PM workflow layer of the guide, on any tracker: helper, orchestrator, progress,
workload, SLA, phased features and emergency response.

The module-level functions use the discovered service (``get_ticketing_service()``) unless
given a ``service`` or ``helper``.

    from bridge.workflows import TicketingHelper, track_agent_progress

    helper = TicketingHelper()                     # the discovered service
    ticket = helper.create_agent_task_ticket("engineer", "Fix the login bug", priority="high")
    track_agent_progress(ticket.id, "engineer", "started")
"""

from bridge.workflows._config import WorkflowSettings
from bridge.workflows.emergency import WarRoom, handle_production_emergency
from bridge.workflows.helper import TicketingHelper
from bridge.workflows.orchestrator import AgentDelegationContext, Delegation, PMOrchestrator
from bridge.workflows.phased import create_phased_ticket, create_subtasks, get_feature_progress
from bridge.workflows.progress import CHECKPOINTS, track_agent_progress, update_progress
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
    "track_agent_progress",
    "update_progress",
]
