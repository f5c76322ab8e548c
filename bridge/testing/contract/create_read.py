"""Create and read back: every field, the defaults, every enum value, the description limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.errors import InvalidError
from bridge.models import Priority, Status, TicketType
from bridge.service import TicketingService
from bridge.testing.contract._base import METADATA, ContractFixtures, titled

__all__ = ["CreateReadContract"]

UNLIMITED_PROBE = 10_000
"""Description length that must round-trip when ``max_description`` is ``None``."""


class CreateReadContract(ContractFixtures):
    """What is created is what is read back."""

    def test_create_then_get_returns_every_field(self, service: TicketingService) -> None:
        """What is written is what is read back, field by field."""
        created = service.create_ticket(
            "Fix ImportError in --version",
            "The CLI fails.\n\nSteps:\n1. run it",
            priority="critical",
            type="bug",
            assignee="engineer",
            labels=["cli", "regression"],
            metadata=METADATA,
        )
        got = service.get_ticket(created.id)
        assert got.id == created.id
        assert got.title == "Fix ImportError in --version"
        assert got.description == "The CLI fails.\n\nSteps:\n1. run it"
        assert got.priority == Priority.CRITICAL
        assert got.type == TicketType.BUG
        assert got.status == Status.OPEN
        assert got.assignee == "engineer"
        assert set(got.labels) >= {"cli", "regression"}
        assert got.metadata == METADATA
        assert got.parent_id is None
        assert got.resolution is None
        assert got.created_at.tzinfo is not None
        assert got.updated_at >= got.created_at - timedelta(seconds=1)

    def test_defaults_are_open_medium_task(self, service: TicketingService) -> None:
        """A ticket created with a title only is an open, medium-priority task."""
        ticket = service.get_ticket(service.create_ticket("Just a title").id)
        assert (ticket.status, ticket.priority, ticket.type) == ("open", "medium", "task")
        assert ticket.assignee is None
        assert ticket.metadata == {}

    @pytest.mark.parametrize("priority", list(Priority))
    def test_every_priority_round_trips(
        self, service: TicketingService, priority: Priority
    ) -> None:
        """Each neutral priority is stored and read back unchanged."""
        ticket = service.create_ticket(f"Priority {priority}", priority=priority.value)
        assert service.get_ticket(ticket.id).priority == priority

    @pytest.mark.parametrize("kind", list(TicketType))
    def test_every_type_round_trips(self, service: TicketingService, kind: TicketType) -> None:
        """Each neutral type is stored and read back unchanged."""
        ticket = service.create_ticket(f"Type {kind}", type=kind.value)
        assert service.get_ticket(ticket.id).type == kind

    def test_empty_title_is_invalid(self, service: TicketingService) -> None:
        """A blank title is refused before anything is stored."""
        with pytest.raises(InvalidError, match="title"):
            service.create_ticket("   ")

    def test_description_up_to_the_declared_limit(self, service: TicketingService) -> None:
        """A description as long as ``capabilities.max_description`` round-trips; one
        character more is refused and nothing is stored (no limit: 10,000 characters)."""
        limit = service.capabilities.max_description
        length = limit or UNLIMITED_PROBE
        text = ("Long line of text.\n" * (length // 19 + 1))[: length - 1] + "."
        ticket = service.create_ticket("Long description", text)
        assert service.get_ticket(ticket.id).description == text
        if limit is None:
            return
        with pytest.raises(InvalidError, match="description"):
            service.create_ticket("Too long", text + "x")
        with pytest.raises(InvalidError, match="description"):
            service.update_ticket(ticket.id, description=text + "x")
        assert titled(service, "Too long") == []
        assert service.get_ticket(ticket.id).description == text
