"""Listing: each filter, paging with cursors, oldest first, full tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bridge.errors import InvalidError
from bridge.models import Priority, Ticket
from bridge.service import TicketingService
from bridge.testing.contract._base import ContractFixtures

__all__ = ["ListContract"]


class ListContract(ContractFixtures):
    """``list_tickets`` filters, pages and orders as documented."""

    def test_list_filters(self, service: TicketingService) -> None:
        """Each filter narrows the list to exactly the matching tickets."""
        a = service.create_ticket("Alpha needle", priority="high", assignee="qa", labels=["l1"])
        b = service.create_ticket("Beta", "has a needle inside", priority="low", assignee="qa")
        c = service.create_ticket("Gamma", priority="high", assignee="engineer", labels=["l1"])
        service.update_ticket(c.id, status="in_progress")

        def ids(**filters: Any) -> set[str]:
            return {t.id for t in service.list_tickets(**filters)}

        assert ids() >= {a.id, b.id, c.id}
        assert ids(status="open") == {a.id, b.id}
        assert ids(status=["open", "in_progress"]) == {a.id, b.id, c.id}
        assert ids(priority="high") == {a.id, c.id}
        assert ids(assignee="qa") == {a.id, b.id}
        assert ids(labels=["l1"]) == {a.id, c.id}
        assert ids(status="open", assignee="qa", priority="high") == {a.id}
        assert ids(text="needle") == {a.id, b.id}
        assert ids(updated_since=datetime.now(UTC) + timedelta(days=1)) == set()
        assert ids(updated_since=datetime.now(UTC) - timedelta(days=1)) >= {a.id, b.id, c.id}

    def test_list_paginates_without_gaps_or_repeats(self, service: TicketingService) -> None:
        """Following next_cursor visits every ticket exactly once, oldest first."""
        created = [service.create_ticket(f"Page item {i}", labels=["paged"]).id for i in range(7)]
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            page = service.list_tickets(labels=["paged"], limit=3, cursor=cursor)
            assert len(page) <= 3
            seen.extend(t.id for t in page)
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == created
        assert pages == 3

    def test_list_is_oldest_created_first(self, service: TicketingService) -> None:
        """The order is creation order: updating a ticket does not move it."""
        created = [service.create_ticket(f"Ordered {i}", labels=["ordered"]).id for i in range(3)]
        service.update_ticket(created[0], priority="high")
        service.add_comment(created[1], "touched")
        assert [t.id for t in service.iter_tickets(labels=["ordered"], limit=2)] == created

    def test_list_returns_full_tickets(self, service: TicketingService) -> None:
        """Listed tickets carry the same fields as get_ticket."""
        ticket = service.create_ticket("Listed", priority="high", metadata={"a": {"b": [1]}})
        listed = [t for t in service.list_tickets() if t.id == ticket.id]
        assert len(listed) == 1
        assert isinstance(listed[0], Ticket)
        assert listed[0].metadata == {"a": {"b": [1]}}
        assert listed[0].priority == Priority.HIGH

    def test_invalid_filter_value_is_rejected(self, service: TicketingService) -> None:
        """An unknown status in a filter is an error, not an empty list."""
        with pytest.raises(InvalidError, match="done-ish"):
            service.list_tickets(status="done-ish")

    def test_foreign_cursor_is_invalid(self, service: TicketingService) -> None:
        """A cursor the adapter never handed out is refused, not read as the first page."""
        service.create_ticket("Somewhere in the list")
        with pytest.raises(InvalidError):
            service.list_tickets(cursor="not-a-cursor")
