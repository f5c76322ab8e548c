"""The adapter contract: the few primitives a tracker implements, stated once.

An :class:`Adapter` talks to one tracker. It takes and returns the neutral models, already
validated by :class:`~bridge.service.TicketingService`, and raises only :mod:`bridge.errors`
errors. Policies (retry, fallback) are adapters too: they wrap another adapter and call only
its public methods. The shipped contract suite (:mod:`bridge.testing`) checks an adapter
against this module::

    class MemoryAdapter(Adapter):
        name = "memory"
        def create(self, draft): ...
        ...

    tickets = TicketingService(MemoryAdapter())
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.errors import UnsupportedError
from bridge.feed import ChangeFeed
from bridge.fields import FieldInfo
from bridge.models import (
    Comment,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
    utcnow,
)

__all__ = ["Adapter", "Capabilities", "generic_changes"]


@dataclass(frozen=True)
class Capabilities:
    """What an adapter can do; the contract suite skips nothing silently, it reads these."""

    dependencies: bool = True
    nested_subtasks: bool = True
    max_description: int | None = None


class Adapter(ABC):
    """Create, read, update, comment on and list tickets on one tracker.

    ``name`` names the adapter in errors; ``capabilities`` say what it can do;
    ``sync_overlap`` is how far back a sync re-reads (clock skew, search lagging behind
    writes). Wrappers set all three from the adapter they wrap.
    """

    name: str = "adapter"
    capabilities: Capabilities = Capabilities()
    sync_overlap: timedelta = timedelta(seconds=60)

    @abstractmethod
    def create(self, draft: TicketDraft) -> Ticket:
        """Store a new ticket and return it as stored, with its id.

        Raises ``NotFoundError`` for an unknown parent or dependency, ``ConflictError`` for a
        link that would make a cycle, the transient errors when the tracker is unreachable.
        """

    @abstractmethod
    def get(self, ticket_id: str) -> Ticket:
        """Return the ticket or raise ``NotFoundError``."""

    @abstractmethod
    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        """Apply only the given fields and return the ticket as stored."""

    @abstractmethod
    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        """Append a comment by ``author`` and return it.

        ``key`` is stored with the comment and read back as ``Comment.key``: it is how a
        comment that may have been posted already is found again (never by its text).
        """

    @abstractmethod
    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        """All comments of a ticket, oldest first."""

    @abstractmethod
    def list(self, query: TicketQuery) -> TicketPage:
        """One page of tickets matching ``query``, oldest first, with the next page's cursor."""

    def change_dependencies(
        self,
        ticket_id: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
    ) -> Ticket:
        """Add and remove blocked-by links as a delta, keeping the others as stored.

        The default reads the ticket and writes the new list back; a wrapper that queues
        (the fallback) keeps the delta instead, so that a queued change never carries a
        stale list.
        """
        ticket = self.get(ticket_id)
        wanted = [d for d in ticket.dependencies if d not in remove]
        wanted += [d for d in dict.fromkeys(add) if d not in wanted and d not in remove]
        if wanted == ticket.dependencies:
            return ticket
        return self.update(ticket_id, TicketChanges(dependencies=wanted))

    def find_by_key(self, key: str) -> Ticket | None:
        """The ticket created with idempotency key ``key``, or ``None``.

        Called after an ambiguous failure of a create, before it is sent again. Adapters that
        store the key with the ticket override it; the default raises ``UnsupportedError``.
        """
        raise UnsupportedError(
            "this tracker cannot look tickets up by idempotency key", adapter=self.name
        )

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        """Tickets (any status) and comments changed since ``since`` (all when ``None``).

        ``validators`` are the ones a previous feed returned; adapters that support
        conditional requests answer ``not_modified`` when nothing changed.
        """
        return generic_changes(self, since)

    @property
    def sync_scope(self) -> str:
        """Names the tracker instance and project; a sync's id map belongs to one scope."""
        return self.name

    def fields(self, issue_type: str | None = None) -> builtins.list[FieldInfo]:
        """The tracker's fields for tickets (of ``issue_type``): names, ids, allowed values.

        Raises ``UnsupportedError`` where the tracker cannot say.
        """
        raise UnsupportedError(f"{self.name} does not list its fields")

    def close(self) -> None:  # noqa: B027 - optional hook, most adapters hold nothing
        """Release connections or files the adapter holds."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def generic_changes(adapter: Adapter, since: datetime | None) -> ChangeFeed:
    """The changed tickets, page by page, then the comments of each (one call per ticket)."""
    watermark = utcnow()
    tickets: builtins.list[Ticket] = []
    cursor: str | None = None
    while True:
        page = adapter.list(TicketQuery(updated_since=since, limit=100, cursor=cursor))
        tickets.extend(page)
        if page.next_cursor is None or page.next_cursor == cursor:
            break
        cursor = page.next_cursor
    comments = [c for t in tickets for c in adapter.list_comments(t.id)]
    return ChangeFeed(tickets=tickets, comments=comments, watermark=watermark)
