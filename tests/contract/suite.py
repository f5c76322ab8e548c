"""The contract every adapter passes, written once.

Hook an adapter up with a subclass that provides a ``service`` fixture returning a fresh,
empty :class:`TicketingService`::

    class TestLocalJsonContract(ContractSuite):
        @pytest.fixture
        def service(self, tmp_path):
            return LocalJsonService(tmp_path)

What an adapter cannot do is declared in its ``capabilities``; the suite reads them, and
``missing_id`` can name an id that is well-formed for the tracker but does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.errors import BridgeError, InvalidError, NotFoundError
from bridge.models import Priority, Status, Ticket, TicketType
from bridge.service import TicketingService

METADATA = {
    "task_type": "bug_fix",
    "affected_versions": ["1.3.9", "1.4.0"],
    "estimate": {"hours": 4.5, "confidence": None, "ok": True},
    "unicode": "naïve café — 東京 ✓",
    "nested": [{"phase": 1, "agents": ["research", "qa"]}, {"phase": 2, "agents": []}],
}


class ContractSuite:
    """Behaviour every ``TicketingService`` must show."""

    missing_id = "NOPE-999999"

    @pytest.fixture
    def service(self) -> TicketingService:
        raise NotImplementedError("hook the suite up with a `service` fixture")

    # ------------------------------------------------------------ create and get

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

    def test_enums_compare_equal_to_strings(self, service: TicketingService) -> None:
        """``ticket.status in ["resolved", "closed"]`` works as the guide writes it."""
        ticket = service.create_ticket("Resolve me")
        ticket = service.close_ticket(ticket.id, resolution="done")
        assert ticket.status in ["resolved", "closed"]
        assert service.get_ticket(ticket.id).status in ["resolved", "closed"]

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

    # ------------------------------------------------------------ update

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

    def test_empty_title_is_invalid(self, service: TicketingService) -> None:
        """A blank title is refused before anything is stored."""
        with pytest.raises(InvalidError, match="title"):
            service.create_ticket("   ")

    # ------------------------------------------------------------ comments

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

    def test_empty_comment_is_invalid(self, service: TicketingService) -> None:
        """A blank comment is refused."""
        ticket = service.create_ticket("No blank comments")
        with pytest.raises(InvalidError):
            service.add_comment(ticket.id, "  ")
        assert service.list_comments(ticket.id) == []

    # ------------------------------------------------------------ close and reopen

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

    # ------------------------------------------------------------ list

    def test_list_filters(self, service: TicketingService) -> None:
        """Each filter narrows the list to exactly the matching tickets."""
        a = service.create_ticket("Alpha needle", priority="high", assignee="qa", labels=["l1"])
        b = service.create_ticket("Beta", "has a needle inside", priority="low", assignee="qa")
        c = service.create_ticket("Gamma", priority="high", assignee="engineer", labels=["l1"])
        service.update_ticket(c.id, status="in_progress")

        def ids(**filters: object) -> set[str]:
            return {t.id for t in service.list_tickets(**filters)}  # type: ignore[arg-type]

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

    # ------------------------------------------------------------ parents and children

    def test_parent_and_children(self, service: TicketingService) -> None:
        """A child created under a parent is listed among its children."""
        parent = service.create_ticket("Epic", type="epic")
        first = service.create_ticket("Child one", parent_id=parent.id)
        second = service.create_ticket("Child two", parent_id=parent.id)
        assert service.get_ticket(first.id).parent_id == parent.id
        assert [t.id for t in service.get_children(parent.id)] == [first.id, second.id]
        assert {t.id for t in service.list_tickets(parent_id=parent.id)} == {first.id, second.id}

    def test_link_and_unlink_parent(self, service: TicketingService) -> None:
        """link_parent attaches an existing ticket; unlink_parent detaches it."""
        parent = service.create_ticket("Parent")
        child = service.create_ticket("Later child")
        service.link_parent(child.id, parent.id)
        assert service.get_ticket(child.id).parent_id == parent.id
        assert [t.id for t in service.get_children(parent.id)] == [child.id]
        service.unlink_parent(child.id)
        assert service.get_ticket(child.id).parent_id is None
        assert service.get_children(parent.id) == []

    def test_subtask_of_a_subtask(self, service: TicketingService) -> None:
        """Subtasks nest at least two levels where the tracker allows it."""
        if not service.capabilities.nested_subtasks:
            pytest.skip("the tracker does not nest subtasks")
        top = service.create_ticket("Top")
        mid = service.create_ticket("Middle", parent_id=top.id)
        leaf = service.create_ticket("Leaf", parent_id=mid.id)
        assert service.get_ticket(leaf.id).parent_id == mid.id
        assert service.get_ticket(mid.id).parent_id == top.id
        assert [t.id for t in service.get_children(mid.id)] == [leaf.id]

    def test_unknown_parent_is_not_found(self, service: TicketingService) -> None:
        """A parent that does not exist is an error and nothing is created."""
        with pytest.raises(NotFoundError):
            service.create_ticket("Orphan", parent_id=self.missing_id)

    # ------------------------------------------------------------ dependencies

    def test_dependencies_add_and_remove(self, service: TicketingService) -> None:
        """add_dependency records blocked-by; remove_dependency drops it."""
        if not service.capabilities.dependencies:
            pytest.skip("the tracker has no dependencies")
        design = service.create_ticket("Design")
        research = service.create_ticket("Research")
        impl = service.create_ticket("Implement", dependencies=[design.id])
        assert service.get_ticket(impl.id).dependencies == [design.id]
        service.add_dependency(impl.id, research.id)
        assert set(service.get_ticket(impl.id).dependencies) == {design.id, research.id}
        service.add_dependency(impl.id, research.id)
        assert sorted(service.get_ticket(impl.id).dependencies) == sorted([design.id, research.id])
        service.remove_dependency(impl.id, design.id)
        assert service.get_ticket(impl.id).dependencies == [research.id]

    # ------------------------------------------------------------ errors

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

    # ------------------------------------------------------------ idempotency

    def test_find_by_idempotency_key(self, service: TicketingService) -> None:
        """A ticket created with a key is found by it; an unknown key finds nothing."""
        ticket = service.create_ticket("Keyed", idempotency_key="key-0001")
        found = service.find_by_idempotency_key("key-0001")
        assert found is not None
        assert found.id == ticket.id
        assert service.find_by_idempotency_key("key-unknown") is None
