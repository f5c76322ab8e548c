"""The fault-injection kit itself: FaultyAdapter's bookkeeping and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local_json import LocalJsonAdapter
from bridge.errors import AuthError, TrackerTimeoutError, UnavailableError
from bridge.service import TicketingService
from bridge.testing import FAULT_KINDS, Faults, FaultyAdapter, fault_error


@pytest.fixture
def faulty(tmp_path: Path) -> FaultyAdapter:
    return FaultyAdapter(LocalJsonAdapter(tmp_path / "store"))


def test_faulty_adapter_is_a_faults(faulty: FaultyAdapter) -> None:
    """FaultyAdapter provides the Faults interface and takes the wrapped adapter's name."""
    assert isinstance(faulty, Faults)
    assert (faulty.name, faulty.capabilities) == ("local_json", faulty.inner.capabilities)


@pytest.mark.parametrize(
    ("op", "kind", "count", "named"),
    [
        ("delete", "unavailable", 1, "delete"),
        ("get", "flaky", 1, "flaky"),
        ("get", "unavailable", 0, "count"),
    ],
)
def test_unknown_faults_are_refused(
    faulty: FaultyAdapter, op: str, kind: str, count: int, named: str
) -> None:
    """An unknown operation or kind, or a count below one, is a ValueError naming it."""
    with pytest.raises(ValueError, match=named):
        faulty.fail_next(op, kind, count)  # type: ignore[arg-type]


def test_faults_of_one_operation_fire_in_order(faulty: FaultyAdapter) -> None:
    """Faults armed for an operation are used first armed, first used; calls are counted."""
    service = TicketingService(faulty)
    ticket = service.create_ticket("Target")
    faulty.fail_next("get", "timeout")
    faulty.fail_next("get", "auth")
    with pytest.raises(TrackerTimeoutError) as info:
        service.get_ticket(ticket.id)
    assert info.value.maybe_applied is False
    with pytest.raises(AuthError):
        service.get_ticket(ticket.id)
    assert service.get_ticket(ticket.id).id == ticket.id
    assert (faulty.calls["create"], faulty.calls["get"]) == (1, 3)


def test_applied_then_dropped_applies_the_write_first(faulty: FaultyAdapter) -> None:
    """The write lands, then the error says it may have."""
    service = TicketingService(faulty)
    faulty.fail_next("create", "applied_then_dropped")
    with pytest.raises(UnavailableError) as info:
        service.create_ticket("Landed")
    assert info.value.maybe_applied is True
    assert [t.title for t in service.list_tickets()] == ["Landed"]


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_fault_errors_name_the_adapter_and_ticket(kind: str) -> None:
    """Every injected error carries the adapter name and the ticket id."""
    error = fault_error(kind, "update", adapter="memory", ticket_id="MEM-1")  # type: ignore[arg-type]
    assert (error.adapter, error.ticket_id) == ("memory", "MEM-1")
    assert kind in str(error)
