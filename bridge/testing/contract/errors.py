"""Errors: malformed ids, missing tickets, and nothing but bridge errors, ever."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest

from bridge.errors import BridgeError, InvalidError, NotFoundError
from bridge.service import TicketingService
from bridge.testing.contract._base import ContractFixtures

__all__ = ["ErrorContract"]


class ErrorContract(ContractFixtures):
    """Bad ids are invalid, missing tickets are not found, and only bridge errors escape."""

    def test_missing_ticket_is_not_found(self, service: TicketingService) -> None:
        """Every operation on a missing ticket raises NotFoundError naming it."""
        missing = self.missing_id
        with pytest.raises(NotFoundError) as info:
            service.get_ticket(missing)
        assert info.value.ticket_id == missing
        with pytest.raises(NotFoundError):
            service.update_ticket(missing, priority="high")
        with pytest.raises(NotFoundError):
            service.add_comment(missing, "hello")
        with pytest.raises(NotFoundError):
            service.close_ticket(missing, resolution="x")

    def test_more_operations_on_a_missing_ticket_are_not_found(
        self, service: TicketingService
    ) -> None:
        """Comments, reopening and links of a missing ticket raise NotFoundError too."""
        other = service.create_ticket("Exists").id
        missing = self.missing_id
        calls: list[Callable[[], object]] = [
            lambda: service.list_comments(missing),
            lambda: service.reopen_ticket(missing),
            lambda: service.link_parent(missing, other),
            lambda: service.unlink_parent(missing),
            lambda: service.add_dependency(missing, other),
        ]
        for call in calls:
            with pytest.raises(NotFoundError):
                call()

    @pytest.mark.parametrize("bad_id", ["", "../x", "/etc/passwd", "a/b", "x" * 10_000])
    def test_malformed_ids_are_invalid(self, service: TicketingService, bad_id: str) -> None:
        """Ids that could name a path, or are empty or huge, are refused clearly."""
        with pytest.raises(InvalidError, match="ticket id"):
            service.get_ticket(bad_id)
        with pytest.raises(InvalidError, match="ticket id"):
            service.update_ticket(bad_id, status="open")

    def test_errors_carry_the_adapter_name(self, service: TicketingService) -> None:
        """Bridge errors say which adapter raised them."""
        with pytest.raises(BridgeError) as info:
            service.get_ticket(self.missing_id)
        assert info.value.adapter == service.adapter_name

    def test_nothing_foreign_escapes(self, service: TicketingService) -> None:
        """Odd but valid input either works or raises a bridge error, never a library's own."""
        ticket = service.create_ticket("Target").id
        calls: list[Callable[[], object]] = [
            lambda: service.create_ticket("Odd labels", labels=["needs review", "a:b/c"]),
            lambda: service.create_ticket("T" * 255, "D"),
            lambda: service.create_ticket("Control\tcharacters", "nul \x00 bell \x07 end"),
            lambda: service.update_ticket(ticket, metadata={"deep": [[[{"x": None}]]]}),
            lambda: service.update_ticket(ticket, labels=["needs review"]),
            lambda: service.add_comment(ticket, "\U0001f600" * 1000),
            lambda: service.list_tickets(text='quote " and \\ backslash'),
            lambda: service.list_tickets(assignee="o'brien"),
            lambda: service.list_tickets(labels=["needs review"]),
            lambda: service.list_tickets(limit=1000),
        ]
        for call in calls:
            with contextlib.suppress(BridgeError):
                call()
