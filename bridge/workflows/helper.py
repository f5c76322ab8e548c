"""``TicketingHelper``: the guide's PM helper, persisting through any ``TicketingService``.

``create_agent_task_ticket(agent, task, priority, additional_context)`` files a ticket titled
``[agent] task``, assigned to and labelled for the agent, with the context kept as metadata
and these keys of the context turned into real links and fields:

- ``parent_ticket`` (or ``parent_emergency``, ``parent``): the parent link.
- ``type``: the ticket type when it names one (``"epic"``, ``"bug"``, ...).
- ``dependencies``: blocked-by links. Each entry that is an existing ticket id is used as is.
  Any other entry is taken as an agent name, as the guide's Workflow 3 writes them
  (``["research"]``), and resolved to that agent's most recently created ticket that is
  still open, in progress or blocked *under the same parent* (without a parent: among the
  agent's top-level tickets).
  With a parent and no such ticket, the agent's most recent finished ticket under that
  parent is used (its work is done, the link documents the order). What cannot be resolved
  is kept in ``metadata["unresolved_dependencies"]``; it never fails the create.

Every ticket also gets ``metadata["sla"] = {"hours", "due_at"}`` (ISO 8601, UTC) from the
priority's SLA, and tickets at or above a webhook's ``min_priority`` are announced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import JsonValue

from bridge.errors import InvalidError, NotFoundError
from bridge.factory import Bridge, bridge_for, get_default
from bridge.models import MAX_TITLE, Priority, Status, Ticket, TicketType, utcnow
from bridge.notify import Notifier
from bridge.service import TicketingService
from bridge.settings import WorkflowSettings

__all__ = ["ACTIVE", "TicketingHelper", "agent_title", "sla_metadata"]

ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.BLOCKED)
_PARENT_KEYS = ("parent_ticket", "parent_emergency", "parent")


def agent_title(agent: str, task: str) -> str:
    """``[agent] task`` on one line, cut at a word boundary to fit a title."""
    title = f"[{agent}] {' '.join(task.split())}"
    if len(title) <= MAX_TITLE:
        return title
    head = title[: MAX_TITLE - 1]
    cut = head.rsplit(" ", 1)[0] if " " in head[len(agent) + 3 :] else head
    return cut.rstrip() + "…"


def _jsonable(context: dict[str, Any]) -> dict[str, JsonValue]:
    """The context as plain JSON (dates and other objects become their string form)."""
    result: dict[str, JsonValue] = json.loads(json.dumps(context, default=str))
    return result


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
        """The service (the process default unless given)."""
        if self._service is None:
            self._service = get_default().service
        return self._service

    @property
    def settings(self) -> WorkflowSettings:
        """The ``[workflows]`` settings of the configuration the service was built from."""
        if self._settings is None:
            self._settings = self._bridge().settings
        return self._settings

    @property
    def notifier(self) -> Notifier:
        """The stakeholder notifier of that configuration (sends nothing when none is set)."""
        if self._notifier is None:
            self._notifier = self._bridge().notifier
        return self._notifier

    def _bridge(self) -> Bridge:
        return bridge_for(self.service)

    # ------------------------------------------------------------ creating

    def create_agent_task_ticket(
        self,
        agent_name: str,
        task_description: str,
        priority: Priority | str = "medium",
        additional_context: dict[str, Any] | None = None,
        *,
        labels: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> Ticket:
        """A ticket owned by ``agent_name``, linked and typed from ``additional_context``.

        See the module docstring for the rules. Raises ``InvalidError`` for an empty agent
        or task and an unknown priority, ``NotFoundError`` for an unknown parent.
        """
        agent = (agent_name or "").strip()
        if not agent:
            raise InvalidError("agent_name must not be empty")
        if not task_description or not task_description.strip():
            raise InvalidError("task_description must not be empty")
        level = Priority.parse(priority, "priority")
        settings, notifier = self.settings, self.notifier  # config errors before any write
        context = _jsonable(dict(additional_context or {}))
        parent = next((str(context[k]) for k in _PARENT_KEYS if context.get(k)), None)
        raw_deps = context.get("dependencies") or []
        deps, unresolved = self._resolve_dependencies(
            raw_deps if isinstance(raw_deps, list) else [raw_deps], parent
        )
        kind = context.get("type")
        ticket_type = TicketType(kind) if kind in {t.value for t in TicketType} else TicketType.TASK
        metadata = _task_metadata(context, agent, settings.sla_for(level), unresolved)
        own = settings.label_for(agent)
        ticket = self.service.create_ticket(
            agent_title(agent, task_description),
            task_description,
            priority=level,
            type=ticket_type,
            assignee=agent,
            labels=[*([own] if own else []), *labels],
            parent_id=parent,
            dependencies=deps,
            metadata=metadata,
            idempotency_key=idempotency_key,
        )
        if notifier.enabled:
            notifier.ticket_created(ticket)
        return ticket

    def _resolve_dependencies(
        self, raw: list[JsonValue], parent: str | None
    ) -> tuple[list[str], list[str]]:
        deps: list[str] = []
        unresolved: list[str] = []
        for item in raw:
            ref = str(item).strip()
            found = (self._existing(ref) or self._latest_of_agent(ref, parent)) if ref else None
            if found is None:
                unresolved.append(ref)
            elif found not in deps:
                deps.append(found)
        return deps, unresolved

    def _existing(self, ref: str) -> str | None:
        try:
            return self.service.get_ticket(ref).id
        except (NotFoundError, InvalidError):
            return None

    def _latest_of_agent(self, agent: str, parent: str | None) -> str | None:
        latest: Ticket | None = None
        done: Ticket | None = None
        for ticket in self.service.iter_tickets(assignee=agent, parent_id=parent):
            if ticket.parent_id != parent:  # no parent: only the agent's top-level tickets
                continue
            if ticket.status in ACTIVE:
                latest = ticket
            elif parent is not None:
                done = ticket
        chosen = latest or done
        return chosen.id if chosen else None

    # ------------------------------------------------------------ reading and moving

    def get_agent_workload(self, agent: str) -> dict[str, int]:
        """The agent's ticket counts: one per status, ``high_priority`` and ``total``.

        ``high_priority`` counts open and in-progress tickets of high or critical priority.
        Only the agent's own tickets are read (an ``assignee`` filter on the tracker).
        """
        counts = {status.value: 0 for status in Status}
        high = 0
        for ticket in self.service.iter_tickets(assignee=agent):
            counts[ticket.status.value] += 1
            if (
                ticket.status in (Status.OPEN, Status.IN_PROGRESS)
                and ticket.priority.rank >= Priority.HIGH.rank
            ):
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
            try:
                due = datetime.fromisoformat(str(sla["due_at"]))
            except ValueError:
                return None
            return due if due.tzinfo else due.replace(tzinfo=UTC)
        return None


def sla_metadata(hours: float) -> dict[str, JsonValue]:
    """``metadata["sla"]`` of a new ticket: its hours and due time (ISO 8601, UTC)."""
    due = utcnow() + timedelta(hours=hours)
    return {"hours": hours, "due_at": due.isoformat(timespec="seconds")}


def _task_metadata(
    context: dict[str, JsonValue], agent: str, hours: float, unresolved: list[str]
) -> dict[str, JsonValue]:
    """The context, the owning agent and the SLA (hours and due time) as ticket metadata."""
    metadata: dict[str, JsonValue] = {**context, "agent": agent, "sla": sla_metadata(hours)}
    if unresolved:
        metadata["unresolved_dependencies"] = list(unresolved)
    return metadata
