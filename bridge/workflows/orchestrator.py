"""``PMOrchestrator``: delegation prompts, and tickets created by the guide's rules."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from pydantic import JsonValue

from bridge.errors import InvalidError, NotFoundError
from bridge.models import Priority, Ticket
from bridge.notify import Notifier
from bridge.service import TicketingService
from bridge.settings import WorkflowSettings
from bridge.workflows.helper import ACTIVE, TicketingHelper

__all__ = ["AgentDelegationContext", "Delegation", "PMOrchestrator"]

KNOWN_AGENTS = ("research", "engineer", "security", "qa", "ops", "documentation")
_STAGE = {
    "research": "research",
    "engineer": "implement",
    "security": "secure",
    "qa": "test",
    "ops": "deploy",
    "documentation": "document",
}
_ALL_AGENTS = ("research", "engineer", "security", "qa")


_TICKET_REF = re.compile(r"\bTicket:\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


def _word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.IGNORECASE)


@dataclass
class AgentDelegationContext:
    """Everything about one delegation: what the prompt says and whether it gets a ticket.

    ``orchestration`` is an explicit plan (``agents_required``, ``workflow``, ``phases``, ...)
    to store on the ticket; without one, a plan is derived from the agents the task mentions.
    ``parent_id`` makes a filed ticket a subtask. ``ticket_id`` names a ticket that already
    tracks this work (as does a ``Ticket: <id>`` of an existing ticket in the description):
    the prompt refers to it and no other ticket is filed.
    """

    agent_type: str
    task_description: str
    requirements: list[str] = field(default_factory=list)
    deliverables: list[str] = field(default_factory=list)
    priority: str = "medium"
    integration_notes: str = ""
    escalation_triggers: list[str] | None = None
    orchestration: dict[str, JsonValue] | None = None
    parent_id: str | None = None
    ticket_id: str | None = None

    def ticket_reasons(self, settings: WorkflowSettings) -> list[str]:
        """Why the guide's rules want a ticket for this delegation (empty: no ticket)."""
        reasons = []
        if Priority.parse(self.priority, "priority").rank >= Priority.HIGH.rank:
            reasons.append(f"{self.priority} priority")
        limit = settings.auto_ticket_threshold
        if len(self.requirements) >= limit or len(self.deliverables) >= limit:
            reasons.append(f"{limit}+ requirements or deliverables")
        words = [w for w in settings.coordination_words if _word(w).search(self.task_description)]
        if words:
            reasons.append(f"coordination ({', '.join(words)})")
        if self.escalation_triggers:
            reasons.append("escalation triggers")
        return reasons

    def fingerprint(self) -> str:
        """The same delegation, repeated, has the same fingerprint."""
        data = [
            self.agent_type.strip().lower(),
            " ".join(self.task_description.split()).lower(),
            sorted(self.requirements),
            sorted(self.deliverables),
            Priority.parse(self.priority, "priority").value,
            self.parent_id,
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]

    def agents_required(self) -> list[str]:
        """The delegated agent plus every agent the task and notes mention."""
        text = " ".join([self.task_description, self.integration_notes, *self.requirements])
        found = [self.agent_type]
        if _word("all agents").search(text):
            found += list(_ALL_AGENTS)
        found += [a for a in KNOWN_AGENTS if _word(a).search(text)]
        return list(dict.fromkeys(found))

    def referenced_ticket(self) -> str | None:
        """``ticket_id``, else the id in a ``Ticket: <id>`` of the task description."""
        if self.ticket_id:
            return self.ticket_id
        found = _TICKET_REF.search(self.task_description)
        return found.group(1) if found else None

    def plan(self) -> dict[str, JsonValue]:
        """The orchestration plan stored on the ticket: the given one over a derived one."""
        agents = self.agents_required()
        derived: dict[str, JsonValue] = {
            "agents_required": list(agents),
            "workflow": " → ".join(_STAGE.get(a, a) for a in agents),
            "phases": [{"phase": i + 1, "agent": a} for i, a in enumerate(agents)],
        }
        return {**derived, **(self.orchestration or {})}


@dataclass
class Delegation:
    """A generated prompt and the ticket behind it, if the rules called for one."""

    prompt: str
    ticket: Ticket | None
    reasons: list[str]


class PMOrchestrator:
    """Builds delegation prompts and keeps their tickets, on any tracker."""

    def __init__(
        self,
        service: TicketingService | None = None,
        settings: WorkflowSettings | None = None,
        *,
        notifier: Notifier | None = None,
        helper: TicketingHelper | None = None,
    ) -> None:
        self.helper = helper or TicketingHelper(service, settings=settings, notifier=notifier)
        self.last_ticket: Ticket | None = None

    @property
    def settings(self) -> WorkflowSettings:
        """The rules in force (``auto_ticket_threshold``, ``coordination_words``, ...)."""
        return self.helper.settings

    def generate_agent_prompt(
        self,
        agent_type: str,
        task_description: str,
        requirements: list[str] | None = None,
        deliverables: list[str] | None = None,
        priority: Priority | str = "medium",
        integration_notes: str = "",
        escalation_triggers: list[str] | None = None,
        *,
        orchestration: dict[str, JsonValue] | None = None,
        parent_id: str | None = None,
        ticket_id: str | None = None,
    ) -> str:
        """The delegation prompt, in the guide's format.

        When the guide's rules call for a ticket (high or critical priority, enough
        requirements or deliverables, a coordination word, escalation triggers) one is filed
        for the agent, or the open ticket of the same delegation is reused; its id appears in
        the prompt and in :attr:`last_ticket`. :meth:`delegate` returns both.
        ``parent_id`` files the ticket as a subtask; ``ticket_id`` (or ``Ticket: <id>`` of an
        existing ticket in the description) names the ticket that already tracks the work.
        """
        return self.delegate(
            agent_type,
            task_description,
            requirements,
            deliverables,
            priority,
            integration_notes,
            escalation_triggers,
            orchestration=orchestration,
            parent_id=parent_id,
            ticket_id=ticket_id,
        ).prompt

    def delegate(
        self,
        agent_type: str,
        task_description: str,
        requirements: list[str] | None = None,
        deliverables: list[str] | None = None,
        priority: Priority | str = "medium",
        integration_notes: str = "",
        escalation_triggers: list[str] | None = None,
        *,
        orchestration: dict[str, JsonValue] | None = None,
        parent_id: str | None = None,
        ticket_id: str | None = None,
    ) -> Delegation:
        """Like :meth:`generate_agent_prompt`, returning the ticket and the reasons too."""
        return self.delegate_context(
            AgentDelegationContext(
                agent_type,
                task_description,
                list(requirements or []),
                list(deliverables or []),
                Priority.parse(priority, "priority").value,
                integration_notes,
                escalation_triggers,
                orchestration,
                parent_id,
                ticket_id,
            )
        )

    def delegate_context(self, context: AgentDelegationContext) -> Delegation:
        """The prompt for ``context``, with its ticket filed or reused when the rules say so.

        ``last_ticket`` is set to that ticket (``None`` when no rule applied).
        """
        reasons = context.ticket_reasons(self.settings)
        ticket = self._referenced(context)
        if ticket is None and reasons:
            ticket = self._ticket_for(context, reasons)
        self.last_ticket = ticket
        return Delegation(self._prompt(context, ticket), ticket, reasons)

    def _referenced(self, context: AgentDelegationContext) -> Ticket | None:
        ref = context.referenced_ticket()
        if ref is None:
            return None
        try:
            return self.helper.service.get_ticket(ref)
        except (NotFoundError, InvalidError):
            if context.ticket_id:  # named explicitly: it must exist
                raise
            return None

    def _ticket_for(self, context: AgentDelegationContext, reasons: list[str]) -> Ticket:
        """The open ticket of this same delegation, else a new one.

        Tickets of one delegation share the label ``delegation:<fingerprint>``. The new
        ticket's idempotency key counts the earlier ones, so two processes filing the same
        delegation at once send the same key (stores that honour it keep one ticket), while a
        delegation repeated after its ticket was closed gets a fresh ticket.
        """
        fingerprint = context.fingerprint()
        label = f"delegation:{fingerprint}"
        earlier = list(self.helper.service.iter_tickets(labels=[label]))
        active = [t for t in earlier if t.status in ACTIVE]
        if active:
            return active[-1]
        return self.helper.create_agent_task_ticket(
            context.agent_type,
            context.task_description,
            context.priority,
            {
                "orchestration": context.plan(),
                "requirements": list(context.requirements),
                "deliverables": list(context.deliverables),
                "integration_notes": context.integration_notes,
                "escalation_triggers": list(context.escalation_triggers or []),
                "ticket_reasons": list(reasons),
                "delegation": fingerprint,
                **({"parent_ticket": context.parent_id} if context.parent_id else {}),
            },
            labels=[label],
            idempotency_key=f"delegation-{fingerprint}-{len(earlier) + 1}",
        )

    def _prompt(self, context: AgentDelegationContext, ticket: Ticket | None) -> str:
        name = context.agent_type.replace("_", " ").title()
        today = date.today().isoformat()
        lines = [
            f"**{name} Agent**: {context.task_description}",
            "",
            f"TEMPORAL CONTEXT: Today is {today}. {context.priority.capitalize()} priority.",
            "",
        ]
        if context.requirements:
            lines += ["**Task**:", *(f"{i}. {r}" for i, r in enumerate(context.requirements, 1))]
            lines.append("")
        notes = [f"- Priority: {context.priority}"]
        if context.integration_notes:
            notes.append(f"- Integration: {context.integration_notes}")
        if context.escalation_triggers:
            notes.append(f"- Escalate if: {'; '.join(context.escalation_triggers)}")
        if ticket is not None:
            notes.append(f"- Ticket: {ticket.id} (update it with progress and findings)")
        lines += ["**Context**:", *notes, ""]
        if context.deliverables:
            lines += ["**Expected Results**:", *(f"- {d}" for d in context.deliverables)]
        return "\n".join(lines).rstrip() + "\n"
