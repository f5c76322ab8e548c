"""Idempotency keys: a ticket created with one is found by it, for as long as it lives."""

from __future__ import annotations

from bridge.service import TicketingService
from bridge.testing.contract._base import ContractFixtures

__all__ = ["IdempotencyContract"]


class IdempotencyContract(ContractFixtures):
    """``find_by_key`` finds what was created with the key, and nothing else."""

    def test_find_by_idempotency_key(self, service: TicketingService) -> None:
        """A ticket created with a key is found by it; an unknown key finds nothing."""
        ticket = service.create_ticket("Keyed", idempotency_key="key-0001")
        found = service.find_by_idempotency_key("key-0001")
        assert found is not None
        assert found.id == ticket.id
        assert service.find_by_idempotency_key("key-unknown") is None

    def test_key_survives_updates_and_closing(self, service: TicketingService) -> None:
        """The key stays with the ticket through edits, comments and closing."""
        ticket = service.create_ticket("Keyed for life", idempotency_key="key-0002")
        service.update_ticket(ticket.id, title="Renamed", metadata={"phase": 3})
        service.add_comment(ticket.id, "progress")
        service.close_ticket(ticket.id, resolution="Done")
        found = service.find_by_idempotency_key("key-0002")
        assert found is not None
        assert (found.id, found.title) == (ticket.id, "Renamed")

    def test_keys_tell_tickets_apart(self, service: TicketingService) -> None:
        """Two tickets with two keys are each found by their own key."""
        first = service.create_ticket("First keyed", idempotency_key="key-0003")
        second = service.create_ticket("Second keyed", idempotency_key="key-0004")
        found = [service.find_by_idempotency_key(k) for k in ("key-0003", "key-0004")]
        assert [t.id if t else None for t in found] == [first.id, second.id]
