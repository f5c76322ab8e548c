"""Comments: order, authors, exact text; blank ones refused."""

from __future__ import annotations

import pytest

from bridge.errors import InvalidError
from bridge.service import TicketingService
from bridge.testing.contract._base import ContractFixtures

__all__ = ["CommentContract"]


class CommentContract(ContractFixtures):
    """Comments read back as they were written, oldest first."""

    def test_comments_keep_order_author_and_body(self, service: TicketingService) -> None:
        """Comments read back oldest first with their authors and exact text."""
        ticket = service.create_ticket("Commented")
        bodies = ["Agent has started", "Line one\nLine two — ✓", "**done**"]
        for i, body in enumerate(bodies):
            service.add_comment(ticket.id, body, author=f"agent{i}-agent")
        comments = service.list_comments(ticket.id)
        assert [c.body for c in comments] == bodies
        assert [c.author for c in comments] == [f"agent{i}-agent" for i in range(3)]
        assert all(c.ticket_id == ticket.id for c in comments)
        assert len({c.id for c in comments}) == 3

    def test_add_comment_returns_the_stored_comment(self, service: TicketingService) -> None:
        """``add_comment`` returns the comment as ``list_comments`` reads it: id, author, text."""
        ticket = service.create_ticket("Answered")
        added = service.add_comment(ticket.id, "Looking into it", author="qa-agent")
        [listed] = service.list_comments(ticket.id)
        assert (added.id, added.ticket_id, added.author, added.body) == (
            listed.id,
            ticket.id,
            "qa-agent",
            "Looking into it",
        )
        assert listed.created_at.tzinfo is not None

    def test_empty_comment_is_invalid(self, service: TicketingService) -> None:
        """A blank comment is refused."""
        ticket = service.create_ticket("No blank comments")
        with pytest.raises(InvalidError):
            service.add_comment(ticket.id, "  ")
        assert service.list_comments(ticket.id) == []
