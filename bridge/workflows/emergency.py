"""Emergency response: a critical incident ticket, triage children, and a war room."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.errors import InvalidError
from bridge.models import Status, Ticket, utcnow
from bridge.notify import Notifier
from bridge.service import TicketingService
from bridge.workflows.helper import ACTIVE, TicketingHelper

__all__ = ["TRIAGE_AGENTS", "WarRoom", "handle_production_emergency"]

TRIAGE_AGENTS = ("ops", "engineer", "security")
AUTHOR = "emergency-response"


@dataclass
class WarRoom:
    """The emergency's participants and status updates (each also a comment on the ticket).

    Reads like the guide's dict too: ``war_room["status_updates"]``.
    """

    helper: TicketingHelper
    emergency: Ticket
    triage: list[Ticket]
    participants: list[str]
    status_updates: list[dict[str, str]] = field(default_factory=list)
    resolution_steps: list[str] = field(default_factory=list)

    @property
    def emergency_ticket(self) -> str:
        """The emergency ticket's id."""
        return self.emergency.id

    def __getitem__(self, key: str) -> Any:
        if key not in {"emergency_ticket", "participants", "status_updates", "resolution_steps"}:
            raise KeyError(key)
        return getattr(self, key)

    def update_status(self, status: str, details: str) -> None:
        """Post ``STATUS UPDATE: <status>`` on the emergency ticket and tell the stakeholders."""
        self.helper.service.add_comment(
            self.emergency.id, f"STATUS UPDATE: {status}\n{details}", author=AUTHOR
        )
        self.status_updates.append(
            {"time": utcnow().isoformat(timespec="seconds"), "status": status, "details": details}
        )
        if self.helper.notifier.enabled:
            self.helper.notifier.emergency_update(self.emergency, status, details)

    def add_resolution_step(self, step: str) -> None:
        """Record a step taken towards resolution (kept in the war room, in order)."""
        self.resolution_steps.append(step)

    def resolve(self, resolution: str) -> Ticket:
        """Post the final update, resolve the triage tickets still open, close the emergency."""
        self.update_status("resolved", resolution)
        service = self.helper.service
        for child in service.get_children(self.emergency.id):
            if child.status in ACTIVE:
                service.close_ticket(child.id, resolution=resolution, status=Status.RESOLVED)
        self.emergency = service.close_ticket(self.emergency.id, resolution=resolution)
        return self.emergency

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
            "resolution_steps": list(self.resolution_steps),
        }


def handle_production_emergency(
    error_details: dict[str, Any],
    helper: TicketingHelper | None = None,
    *,
    service: TicketingService | None = None,
    notifier: Notifier | None = None,
) -> tuple[Ticket, WarRoom]:
    """The guide's emergency: a critical ops ticket, ops/engineer/security triage children.

    ``error_details`` has ``summary`` and optionally ``services`` and ``impact``. The ticket's
    metadata records the incident (type, severity P0, affected services, user impact, start).
    """
    summary = str(error_details.get("summary") or "").strip()
    if not summary:
        raise InvalidError("error_details needs a 'summary' of the emergency")
    helper = helper or TicketingHelper(service, notifier=notifier)
    emergency = helper.create_agent_task_ticket(
        "ops",
        f"EMERGENCY: {summary}",
        "critical",
        {
            "type": "production_emergency",
            "severity": "P0",
            "affected_services": list(error_details.get("services", [])),
            "user_impact": error_details.get("impact", ""),
            "started_at": utcnow().isoformat(timespec="seconds"),
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
    return emergency, WarRoom(helper, emergency, triage, list(TRIAGE_AGENTS))
