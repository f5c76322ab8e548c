"""The workflow: every status, close with a resolution, resolve, reopen."""

from __future__ import annotations

from bridge.models import Status
from bridge.service import TicketingService
from bridge.testing.contract._base import ContractFixtures

__all__ = ["LifecycleContract"]


class LifecycleContract(ContractFixtures):
    """Tickets move through every status; closing records the resolution."""

    def test_every_status_round_trips(self, service: TicketingService) -> None:
        """Moving a ticket through every status reads each one back."""
        ticket = service.create_ticket("Walk the workflow")
        for status in (
            Status.IN_PROGRESS,
            Status.BLOCKED,
            Status.IN_PROGRESS,
            Status.RESOLVED,
            Status.OPEN,
            Status.CLOSED,
            Status.OPEN,
        ):
            updated = service.update_ticket(ticket.id, status=status.value)
            assert updated.status == status
            assert service.get_ticket(ticket.id).status == status

    def test_enums_compare_equal_to_strings(self, service: TicketingService) -> None:
        """``ticket.status in ["resolved", "closed"]`` works as the guide writes it."""
        ticket = service.create_ticket("Resolve me")
        ticket = service.close_ticket(ticket.id, resolution="done")
        assert ticket.status in ["resolved", "closed"]
        assert service.get_ticket(ticket.id).status in ["resolved", "closed"]

    def test_close_records_the_resolution_and_reopen_clears_it(
        self, service: TicketingService
    ) -> None:
        """close_ticket stores status and resolution; reopen_ticket opens it again."""
        ticket = service.create_ticket("Close me")
        closed = service.close_ticket(ticket.id, resolution="Fixed in PR #123")
        got = service.get_ticket(ticket.id)
        for t in (closed, got):
            assert t.status == Status.CLOSED
            assert t.resolution == "Fixed in PR #123"
        reopened = service.reopen_ticket(ticket.id)
        got = service.get_ticket(ticket.id)
        for t in (reopened, got):
            assert t.status == Status.OPEN
            assert t.resolution is None

    def test_resolve_is_distinct_from_close(self, service: TicketingService) -> None:
        """``status="resolved"`` reads back as resolved, not closed."""
        ticket = service.create_ticket("Resolve me")
        service.close_ticket(ticket.id, resolution="Root cause found", status="resolved")
        got = service.get_ticket(ticket.id)
        assert got.status == Status.RESOLVED
        assert got.resolution == "Root cause found"

    def test_close_wont_fix(self, service: TicketingService) -> None:
        """A "won't fix" closure reads back closed with its resolution."""
        ticket = service.create_ticket("Not planned")
        service.close_ticket(ticket.id, resolution="Won't fix")
        got = service.get_ticket(ticket.id)
        assert (got.status, got.resolution) == (Status.CLOSED, "Won't fix")

    def test_closed_tickets_are_listed_by_status(self, service: TicketingService) -> None:
        """A closed ticket is listed under ``closed`` and no longer under ``open``."""
        done = service.create_ticket("Finished")
        todo = service.create_ticket("Still to do")
        service.close_ticket(done.id, resolution="Shipped")
        assert [t.id for t in service.list_tickets(status="closed")] == [done.id]
        assert [t.id for t in service.list_tickets(status="open")] == [todo.id]
