"""SLAs: due times stored on create, overdue queries, breach notifications (once each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bridge.models import Ticket, utcnow
from bridge.service import TicketingService
from bridge.workflows.helper import TicketingHelper

__all__ = ["Overdue", "check_sla", "overdue_tickets"]

_ACTIVE = ["open", "in_progress", "blocked"]


@dataclass(frozen=True)
class Overdue:
    """A ticket past its SLA and by how long."""

    ticket: Ticket
    due_at: datetime
    hours_late: float


def overdue_tickets(
    service: TicketingService | None = None, now: datetime | None = None
) -> list[Overdue]:
    """Open, in-progress and blocked tickets whose stored SLA due time is before ``now``
    (default: the current time; a naive ``now`` is taken as UTC), the most overdue first."""
    helper = TicketingHelper(service)
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    late = []
    for ticket in helper.service.iter_tickets(status=_ACTIVE):
        due = helper.sla_due(ticket)
        if due is not None and due < now:
            late.append(Overdue(ticket, due, (now - due).total_seconds() / 3600))
    return sorted(late, key=lambda o: o.due_at)


def check_sla(
    helper: TicketingHelper | None = None,
    now: datetime | None = None,
    *,
    service: TicketingService | None = None,
) -> list[Overdue]:
    """Tell the stakeholders of each newly breached ticket, once: the breach is recorded as
    ``metadata["sla"]["breach_notified_at"]``. Returns every overdue ticket."""
    helper = helper or TicketingHelper(service)
    late = overdue_tickets(helper.service, now)
    for item in late:
        sla = item.ticket.metadata.get("sla")
        if not isinstance(sla, dict) or sla.get("breach_notified_at"):
            continue
        if helper.notifier.enabled:
            helper.notifier.sla_breach(item.ticket, item.due_at.isoformat())
        metadata = dict(item.ticket.metadata)
        metadata["sla"] = {**sla, "breach_notified_at": utcnow().isoformat(timespec="seconds")}
        helper.service.update_ticket(item.ticket.id, metadata=metadata)
    return late
