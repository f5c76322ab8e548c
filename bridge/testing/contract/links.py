"""Parents, children and dependencies, as the adapter's capabilities declare them."""

from __future__ import annotations

import pytest

from bridge.errors import NotFoundError, PermanentError, UnsupportedError
from bridge.service import TicketingService
from bridge.testing.contract._base import ContractFixtures, titled

__all__ = ["LinkContract"]


class LinkContract(ContractFixtures):
    """Subtasks and blocked-by links; what ``capabilities`` rule out raises UnsupportedError."""

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
        top = service.create_ticket("Top")
        mid = service.create_ticket("Middle", parent_id=top.id)
        if not service.capabilities.nested_subtasks:  # declared: refused, nothing is made
            with pytest.raises(UnsupportedError):
                service.create_ticket("Leaf", parent_id=mid.id)
            assert titled(service, "Leaf") == []
            assert service.get_children(mid.id) == []
            return
        leaf = service.create_ticket("Leaf", parent_id=mid.id)
        assert service.get_ticket(leaf.id).parent_id == mid.id
        assert service.get_ticket(mid.id).parent_id == top.id
        assert [t.id for t in service.get_children(mid.id)] == [leaf.id]

    def test_unknown_parent_is_not_found(self, service: TicketingService) -> None:
        """A parent that does not exist is an error and nothing is created."""
        with pytest.raises(NotFoundError):
            service.create_ticket("Orphan", parent_id=self.missing_id)
        assert titled(service, "Orphan") == []

    def test_linking_to_an_unknown_parent_is_not_found(self, service: TicketingService) -> None:
        """link_parent to a ticket that does not exist is an error; the child keeps no parent."""
        child = service.create_ticket("Would-be child")
        with pytest.raises(NotFoundError):
            service.link_parent(child.id, self.missing_id)
        assert service.get_ticket(child.id).parent_id is None

    def test_dependencies_add_and_remove(self, service: TicketingService) -> None:
        """add_dependency records blocked-by; remove_dependency drops it."""
        design = service.create_ticket("Design")
        research = service.create_ticket("Research")
        if not service.capabilities.dependencies:  # declared: both ways in are refused
            with pytest.raises(UnsupportedError):
                service.create_ticket("Implement", dependencies=[design.id])
            with pytest.raises(UnsupportedError):
                service.add_dependency(research.id, design.id)
            return
        impl = service.create_ticket("Implement", dependencies=[design.id])
        assert service.get_ticket(impl.id).dependencies == [design.id]
        service.add_dependency(impl.id, research.id)
        assert set(service.get_ticket(impl.id).dependencies) == {design.id, research.id}
        service.add_dependency(impl.id, research.id)
        assert sorted(service.get_ticket(impl.id).dependencies) == sorted([design.id, research.id])
        service.remove_dependency(impl.id, design.id)
        assert service.get_ticket(impl.id).dependencies == [research.id]

    def test_unknown_dependency_is_not_found(self, service: TicketingService) -> None:
        """A dependency on a ticket that does not exist is an error."""
        expected = NotFoundError if service.capabilities.dependencies else UnsupportedError
        with pytest.raises(expected):
            service.create_ticket("Blocked by nothing", dependencies=[self.missing_id])

    def test_unknown_dependency_creates_nothing(self, service: TicketingService) -> None:
        """A create refused for an unknown dependency leaves no ticket behind."""
        with pytest.raises(PermanentError):
            service.create_ticket("Half made", dependencies=[self.missing_id])
        assert titled(service, "Half made") == []
