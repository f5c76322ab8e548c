"""Partial updates: only the given fields change, bad values change nothing."""

from __future__ import annotations

import pytest

from bridge.errors import InvalidError
from bridge.models import Priority, Status
from bridge.service import TicketingService
from bridge.testing.contract._base import ContractFixtures

__all__ = ["UpdateContract"]


class UpdateContract(ContractFixtures):
    """``update_ticket`` changes what it is given and nothing else."""

    def test_update_changes_only_the_given_field(self, service: TicketingService) -> None:
        """``update_ticket(id, priority="high")`` leaves every other field and every comment."""
        ticket = service.create_ticket(
            "Partial update",
            "keep me",
            priority="low",
            type="feature",
            assignee="qa",
            labels=["keep"],
            metadata={"k": [1, 2]},
        )
        service.add_comment(ticket.id, "first", author="qa-agent")
        service.add_comment(ticket.id, "second", author="pm")
        before = service.get_ticket(ticket.id)
        after = service.update_ticket(ticket.id, priority="high")
        again = service.get_ticket(ticket.id)
        for got in (after, again):
            assert got.priority == Priority.HIGH
            assert got.title == before.title
            assert got.description == before.description
            assert got.status == before.status
            assert got.type == before.type
            assert got.assignee == before.assignee
            assert got.labels == before.labels
            assert got.metadata == before.metadata
        comments = service.list_comments(ticket.id)
        assert [(c.author, c.body) for c in comments] == [("qa-agent", "first"), ("pm", "second")]

    def test_update_each_field(self, service: TicketingService) -> None:
        """Title, description, type, assignee, labels and metadata can each be changed."""
        ticket = service.create_ticket("Before", "old", assignee="a", labels=["x"])
        service.update_ticket(
            ticket.id,
            title="After",
            description="new text",
            type="epic",
            assignee="b",
            labels=["y", "z"],
            metadata={"phase": 2},
        )
        got = service.get_ticket(ticket.id)
        assert (got.title, got.description, got.type, got.assignee) == (
            "After",
            "new text",
            "epic",
            "b",
        )
        assert set(got.labels) >= {"y", "z"}
        assert "x" not in got.labels
        assert got.metadata == {"phase": 2}

    def test_assignee_can_be_cleared(self, service: TicketingService) -> None:
        """``assignee=None`` unassigns."""
        ticket = service.create_ticket("Assigned", assignee="engineer")
        service.update_ticket(ticket.id, assignee=None)
        assert service.get_ticket(ticket.id).assignee is None

    def test_unknown_values_are_rejected_with_the_allowed_set(
        self, service: TicketingService
    ) -> None:
        """A bad status names the value and every allowed one; nothing is changed."""
        ticket = service.create_ticket("Stable")
        with pytest.raises(InvalidError) as info:
            service.update_ticket(ticket.id, status="finished")
        message = str(info.value)
        assert "finished" in message
        for allowed in ("open", "in_progress", "blocked", "resolved", "closed"):
            assert allowed in message
        with pytest.raises(InvalidError, match="urgent"):
            service.create_ticket("Bad priority", priority="urgent")
        with pytest.raises(InvalidError, match="colour"):
            service.update_ticket(ticket.id, colour="red")
        assert service.get_ticket(ticket.id).status == Status.OPEN
