"""``TicketingHelper``: the guide's PM helper, persisting through any ``TicketingService``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import JsonValue

from bridge.errors import BridgeError, InvalidError
from bridge.models import Priority, Status, Ticket, TicketType, utcnow
from bridge.notify import Notifier
from bridge.service import TicketingService
from bridge.workflows._config import WorkflowSettings

__all__ = ["TicketingHelper", "agent_label"]

_PARENT_KEYS = ("parent_ticket", "parent_emergency", "parent")


def agent_label(agent: str) -> str:
    """The label that says which agent owns a ticket."""
    return f"agent:{agent}"


def _title(agent: str, task: str) -> str:
    title = f"[{agent}] {' '.join(task.split())}"
    if len(title) <= 255:
        return title
    cut = title[:254].rsplit(" ", 1)[0]
    return cut + "…"


class TicketingHelper:
    """Creates and tracks agent tasks as real tickets, with links, SLAs and notifications."""

    def __init__(
        self,
        service: TicketingService | None = None,
        *,
        settings: WorkflowSettings | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self._service = service
        self._settings = settings
        self._notifier = notifier

    @property
    def service(self) -> TicketingService:
        """The service (the discovered one unless given)."""
        if self._service is None:
            from bridge import get_ticketing_service

            self._service = get_ticketing_service()
        return self._service

    @property
    def settings(self) -> WorkflowSettings:
        if self._settings is None:
            from bridge.workflows._config import load_settings

            self._settings = load_settings()
        return self._settings

    @property
    def notifier(self) -> Notifier:
        if self._notifier is None:
            from bridge.notify import load_notifier

            self._notifier = load_notifier()
        return self._notifier

    # ------------------------------------------------------------ creating

    def create_agent_task_ticket(
        self,
        agent_name: str,
        task_description: str,
        priority: Priority | str = "medium",
        additional_context: dict[str, Any] | None = None,
        *,
        labels: list[str] | None = None,
    ) -> Ticket:
        """A ticket owned by ``agent_name``: title, assignee and label name the agent.

        ``additional_context`` is kept as metadata. Its ``parent_ticket`` becomes a real
        parent link, its ``dependencies`` real dependency links (a dependency that is not a
        ticket id is taken as an agent name: the latest open ticket of that agent under the
        same parent), and ``type: "epic"`` the ticket type. The SLA due time is stored too.
        """
        if not agent_name or not agent_name.strip():
            raise InvalidError("agent_name must not be empty")
        context: dict[str, Any] = dict(additional_context or {})
        level = Priority.parse(priority, "priority")
        parent = next((str(context[k]) for k in _PARENT_KEYS if context.get(k)), None)
        deps, unresolved = self._resolve_dependencies(context.get("dependencies") or [], parent)
        kind = context.get("type")
        ticket_type = TicketType(kind) if kind in {t.value for t in TicketType} else TicketType.TASK
        now = utcnow()
        hours = self.settings.sla_for(level)
        metadata: dict[str, JsonValue] = {
            **context,
            "agent": agent_name,
            "sla": {"hours": hours, "due_at": (now + timedelta(hours=hours)).isoformat()},
        }
        if unresolved:
            metadata["unresolved_dependencies"] = list(unresolved)
        ticket = self.service.create_ticket(
            _title(agent_name, task_description),
            task_description,
            priority=level,
            type=ticket_type,
            assignee=agent_name,
            labels=[agent_label(agent_name), *(labels or [])],
            parent_id=parent,
            dependencies=deps,
            metadata=metadata,
        )
        self._notify_created(ticket)
        return ticket

    def _notify_created(self, ticket: Ticket) -> None:
        notifier = self.notifier
        if notifier.enabled:
            notifier.ticket_created(ticket)

    def _resolve_dependencies(
        self, raw: list[Any], parent: str | None
    ) -> tuple[list[str], list[str]]:
        deps: list[str] = []
        unresolved: list[str] = []
        for item in raw:
            ref = str(item)
            found = self._existing(ref) or self._latest_of_agent(ref, parent)
            if found is None:
                unresolved.append(ref)
            elif found not in deps:
                deps.append(found)
        return deps, unresolved

    def _existing(self, ref: str) -> str | None:
        try:
            return self.service.get_ticket(ref).id
        except BridgeError:
            return None

    def _latest_of_agent(self, agent: str, parent: str | None) -> str | None:
        page = self.service.iter_tickets(
            assignee=agent, parent_id=parent, status=["open", "in_progress", "blocked"]
        )
        latest = None
        for ticket in page:
            latest = ticket.id
        return latest

    # ------------------------------------------------------------ reading and moving

    def get_agent_workload(self, agent: str) -> dict[str, int]:
        """Counts of the agent's tickets by status, ``high_priority`` and ``total``."""
        counts = {status.value: 0 for status in Status}
        high = 0
        for ticket in self.service.iter_tickets(assignee=agent):
            counts[ticket.status.value] += 1
            if ticket.status in (Status.OPEN, Status.IN_PROGRESS) and ticket.priority.rank >= 2:
                high += 1
        return {**counts, "high_priority": high, "total": sum(counts.values())}

    def update_agent_task_status(
        self,
        ticket_id: str,
        status: Status | str,
        agent_name: str | None = None,
        note: str | None = None,
    ) -> Ticket:
        """Move an agent's task to ``status``, with an optional note by ``<agent>-agent``."""
        ticket = self.service.update_ticket(ticket_id, status=status)
        if note:
            author = f"{agent_name or ticket.assignee or 'pm'}-agent"
            self.service.add_comment(ticket_id, note, author=author)
        return ticket

    def sla_due(self, ticket: Ticket) -> datetime | None:
        """The SLA due time stored on the ticket, if any."""
        sla = ticket.metadata.get("sla")
        if isinstance(sla, dict) and isinstance(sla.get("due_at"), str):
            return datetime.fromisoformat(str(sla["due_at"]))
        return None
