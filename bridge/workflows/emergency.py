"""Emergency response: a critical incident ticket, triage children, and a war room."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.models import Ticket, utcnow
from bridge.workflows.helper import TicketingHelper

__all__ = ["TRIAGE_AGENTS", "WarRoom", "handle_production_emergency"]

TRIAGE_AGENTS = ("ops", "engineer", "security")


@dataclass
class WarRoom:
    """The emergency's participants, its status updates (also posted as comments)."""

    helper: TicketingHelper
    emergency: Ticket
    triage: list[Ticket]
    participants: list[str]
    status_updates: list[dict[str, str]] = field(default_factory=list)
    resolution_steps: list[str] = field(default_factory=list)

    @property
    def emergency_ticket(self) -> str:
        return self.emergency.id

    def update_status(self, status: str, details: str) -> None:
        """Post ``STATUS UPDATE`` on the emergency ticket and tell the stakeholders."""
        self.helper.service.add_comment(
            self.emergency.id, f"STATUS UPDATE: {status}\n{details}", author="emergency-response"
        )
        self.status_updates.append(
            {"time": utcnow().isoformat(), "status": status, "details": details}
        )
        if self.helper.notifier.enabled:
            self.helper.notifier.emergency_update(self.emergency, status, details)

    def summary(self) -> dict[str, Any]:
        """The war room at a glance: the incident, its triage tickets and the last update."""
        service = self.helper.service
        emergency = service.get_ticket(self.emergency.id)
        children = service.get_children(self.emergency.id)
        return {
            "emergency_ticket": emergency.id,
            "status": emergency.status.value,
            "severity": emergency.metadata.get("severity"),
            "participants": list(self.participants),
            "triage": {t.assignee or "?": t.status.value for t in children},
            "updates": len(self.status_updates),
            "last_update": self.status_updates[-1] if self.status_updates else None,
        }


def handle_production_emergency(
    error_details: dict[str, Any], helper: TicketingHelper | None = None
) -> tuple[Ticket, WarRoom]:
    """The guide's emergency: a critical ticket, ops/engineer/security triage as children."""
    helper = helper or TicketingHelper()
    emergency = helper.create_agent_task_ticket(
        "ops",
        f"EMERGENCY: {error_details['summary']}",
        "critical",
        {
            "type": "production_emergency",
            "severity": "P0",
            "affected_services": list(error_details.get("services", [])),
            "user_impact": error_details.get("impact", ""),
            "started_at": utcnow().isoformat(),
        },
    )
    triage = [
        helper.create_agent_task_ticket(
            agent,
            f"Emergency triage for {emergency.id}",
            "critical",
            {"parent_emergency": emergency.id, "response_sla_minutes": 15},
        )
        for agent in TRIAGE_AGENTS
    ]
    room = WarRoom(helper, emergency, triage, list(TRIAGE_AGENTS))
    return emergency, room
