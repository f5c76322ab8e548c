"""A third-party adapter in forty lines, passing the shipped suite: tickets in a dict."""

from __future__ import annotations

from pathlib import Path

from bridge.contract import Adapter, Capabilities
from bridge.errors import InvalidError, NotFoundError
from bridge.models import Comment, Ticket, TicketChanges, TicketDraft, TicketPage, TicketQuery
from bridge.testing import AdapterContract


class MemoryAdapter(Adapter):
    """Tickets, comments and idempotency keys in dicts; ids from a counter."""

    name = "memory"
    capabilities = Capabilities(max_description=5_000)

    def __init__(self) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.comments: dict[str, list[Comment]] = {}
        self.keys: dict[str, str] = {}
        self.counter = 0

    def _known(self, *ticket_ids: str | None) -> None:
        for ticket_id in ticket_ids:
            if ticket_id is not None and ticket_id not in self.tickets:
                raise NotFoundError("no such ticket", adapter=self.name, ticket_id=ticket_id)

    def create(self, draft: TicketDraft) -> Ticket:
        self._known(draft.parent_id, *draft.dependencies)
        self.counter += 1
        ticket = Ticket(id=f"MEM-{self.counter}", **draft.model_dump(exclude={"idempotency_key"}))
        self.tickets[ticket.id], self.comments[ticket.id] = ticket, []
        if draft.idempotency_key:
            self.keys[draft.idempotency_key] = ticket.id
        return ticket

    def get(self, ticket_id: str) -> Ticket:
        self._known(ticket_id)
        return self.tickets[ticket_id]

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        self._known(ticket_id, changes.parent_id, *(changes.dependencies or ()))
        self.tickets[ticket_id] = changes.apply_to(self.tickets[ticket_id])
        return self.tickets[ticket_id]

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        self._known(ticket_id)
        self.counter += 1
        comment = Comment(
            id=str(self.counter), ticket_id=ticket_id, author=author, body=body, key=key
        )
        self.comments[ticket_id].append(comment)
        return comment

    def list_comments(self, ticket_id: str) -> list[Comment]:
        self._known(ticket_id)
        return list(self.comments[ticket_id])

    def list(self, query: TicketQuery) -> TicketPage:
        if not (query.cursor or "0").isdigit():
            raise InvalidError(f"invalid cursor {query.cursor!r}", adapter=self.name)
        start, end = int(query.cursor or 0), int(query.cursor or 0) + query.limit
        found = [t for t in self.tickets.values() if query.matches(t)]
        return TicketPage(found[start:end], next_cursor=str(end) if end < len(found) else None)

    def find_by_key(self, key: str) -> Ticket | None:
        return self.tickets.get(self.keys.get(key, ""))


class TestMemoryContract(AdapterContract):
    """The in-memory adapter passes the whole shipped suite."""

    def make_adapter(self, tmp_path: Path) -> MemoryAdapter:
        return MemoryAdapter()


def test_the_memory_adapter_keeps_what_it_is_given() -> None:
    """The example itself: a created ticket reads back, and its key finds it."""
    adapter = MemoryAdapter()
    made = adapter.create(TicketDraft(title="Hello", idempotency_key="k1"))
    assert adapter.get(made.id).title == "Hello"
    assert adapter.find_by_key("k1") == made
    assert adapter.find_by_key("other") is None
