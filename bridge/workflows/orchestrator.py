"""``PMOrchestrator``: delegation prompts, and tickets created by the guide's rules."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from pydantic import JsonValue

from bridge.models import Priority, Ticket
from bridge.service import TicketingService
from bridge.workflows._config import WorkflowSettings
from bridge.workflows.helper import TicketingHelper

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


def _word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.IGNORECASE)


@dataclass
class AgentDelegationContext:
    """Everything about one delegation that decides whether it gets a ticket."""

    agent_type: str
    task_description: str
    requirements: list[str] = field(default_factory=list)
    deliverables: list[str] = field(default_factory=list)
    priority: str = "medium"
    integration_notes: str = ""
    escalation_triggers: list[str] | None = None

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
        *,
        settings: WorkflowSettings | None = None,
        helper: TicketingHelper | None = None,
    ) -> None:
        self.helper = helper or TicketingHelper(service, settings=settings)
        self.last_ticket: Ticket | None = None

    @property
    def settings(self) -> WorkflowSettings:
        return self.helper.settings

    def generate_agent_prompt(
        self,
        agent_type: str,
        task_description: str,
        requirements: list[str] | None = None,
        deliverables: list[str] | None = None,
        priority: str = "medium",
        integration_notes: str = "",
        escalation_triggers: list[str] | None = None,
    ) -> str:
        """The delegation prompt; creates (or reuses) its ticket when the rules say so."""
        return self.delegate(
            agent_type,
            task_description,
            requirements,
            deliverables,
            priority,
            integration_notes,
            escalation_triggers,
        ).prompt

    def delegate(
        self,
        agent_type: str,
        task_description: str,
        requirements: list[str] | None = None,
        deliverables: list[str] | None = None,
        priority: str = "medium",
        integration_notes: str = "",
        escalation_triggers: list[str] | None = None,
    ) -> Delegation:
        """Like :meth:`generate_agent_prompt`, returning the ticket and the reasons too."""
        context = AgentDelegationContext(
            agent_type,
            task_description,
            list(requirements or []),
            list(deliverables or []),
            Priority.parse(priority, "priority").value,
            integration_notes,
            escalation_triggers,
        )
        reasons = context.ticket_reasons(self.settings)
        ticket = self._ticket_for(context, reasons) if reasons else None
        self.last_ticket = ticket
        return Delegation(self._prompt(context, ticket), ticket, reasons)

    def _ticket_for(self, context: AgentDelegationContext, reasons: list[str]) -> Ticket:
        label = f"delegation:{context.fingerprint()}"
        service = self.helper.service
        open_now = service.list_tickets(
            labels=[label], status=["open", "in_progress", "blocked"], limit=1
        )
        if open_now:
            return open_now[0]
        agents = context.agents_required()
        plan: dict[str, JsonValue] = {
            "agents_required": list(agents),
            "workflow": " → ".join(_STAGE.get(a, a) for a in agents),
            "phases": [{"phase": i + 1, "agent": a} for i, a in enumerate(agents)],
        }
        return self.helper.create_agent_task_ticket(
            context.agent_type,
            context.task_description,
            context.priority,
            {
                "orchestration": plan,
                "requirements": list(context.requirements),
                "deliverables": list(context.deliverables),
                "integration_notes": context.integration_notes,
                "escalation_triggers": list(context.escalation_triggers or []),
                "ticket_reasons": list(reasons),
                "delegation": context.fingerprint(),
            },
            labels=[label],
        )

    def _prompt(self, context: AgentDelegationContext, ticket: Ticket | None) -> str:
        name = context.agent_type.replace("_", " ").title()
        temporal = f"TEMPORAL CONTEXT: Today is {date.today().isoformat()}."
        temporal += f" {context.priority.capitalize()} priority."
        if ticket is not None:
            temporal += f" Ticket: {ticket.id}"
        lines = [f"**{name} Agent**: {context.task_description}", "", temporal, ""]
        if context.requirements:
            lines.append("**Task**:")
            lines += [f"{i}. {r}" for i, r in enumerate(context.requirements, 1)]
            lines.append("")
        if context.deliverables:
            lines.append("**Deliverables**:")
            lines += [f"- {d}" for d in context.deliverables]
            lines.append("")
        if context.integration_notes:
            lines += [f"**Integration Notes**: {context.integration_notes}", ""]
        if context.escalation_triggers:
            lines.append("**Escalation Triggers**:")
            lines += [f"- {t}" for t in context.escalation_triggers]
            lines.append("")
        if ticket is not None:
            lines.append(f"**Ticket**: update {ticket.id} with progress and findings.")
        return "\n".join(lines).rstrip() + "\n"
