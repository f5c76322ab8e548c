"""Ready work: the open tickets an agent can start now.

A ticket is ready when its status is ``open`` (not in progress, not blocked, not done) and
every ticket it depends on is resolved or closed. A dependency that cannot be found counts as
not done, so a ticket is never offered before its blockers are known to be finished. The
most urgent comes first (critical before low), then the oldest::

    from bridge.workflows import ready_work

    for ticket in ready_work(service, agent="engineer", limit=5):
        print(ticket.id, ticket.title)
"""

from __future__ import annotations

from bridge.errors import NotFoundError
from bridge.models import Status, Ticket
from bridge.service import TicketingService

__all__ = ["ready_work"]

DEFAULT_LIMIT = 50


def _service(service: TicketingService | None) -> TicketingService:
    if service is not None:
        return service
    from bridge import get_ticketing_service

    return get_ticketing_service()


def _ready_order(ticket: Ticket) -> tuple[int, str, str]:
    """Highest priority first, then the oldest, then by id (a stable order for paging)."""
    return (-ticket.priority.rank, ticket.created_at.isoformat(), ticket.id)


class _DoneCache:
    """Whether a ticket is resolved or closed, each asked of the tracker once per call."""

    def __init__(self, service: TicketingService) -> None:
        self.service = service
        self.known: dict[str, bool] = {}

    def done(self, ticket_id: str) -> bool:
        if ticket_id not in self.known:
            try:
                self.known[ticket_id] = self.service.get_ticket(ticket_id).is_done
            except NotFoundError:
                self.known[ticket_id] = False
        return self.known[ticket_id]


def ready_work(
    service: TicketingService | None = None,
    *,
    agent: str | None = None,
    parent_id: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> list[Ticket]:
    """Open tickets whose dependencies are all resolved or closed, most urgent and then
    oldest first; only ``agent``'s (the assignee) or only the subtasks of ``parent_id`` when
    given; at most ``limit`` of them (``None``: all)."""
    tickets = _service(service)
    if limit is not None and limit < 1:
        return []
    cache = _DoneCache(tickets)
    candidates = tickets.iter_tickets(status=Status.OPEN, assignee=agent, parent_id=parent_id)
    ready = []
    for ticket in candidates:
        cache.known[ticket.id] = False  # open: not done, and known without a request
        if all(cache.done(dep) for dep in ticket.dependencies):
            ready.append(ticket)
    ready.sort(key=_ready_order)
    return ready if limit is None else ready[:limit]
