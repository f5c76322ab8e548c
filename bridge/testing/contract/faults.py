"""Faults: each failure surfaces as its bridge error, and retrying never writes twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bridge.errors import (
    AuthError,
    BridgeError,
    NotFoundError,
    RateLimitedError,
    TrackerTimeoutError,
    TransientError,
    UnavailableError,
)
from bridge.models import Priority
from bridge.resilience import RetryingAdapter
from bridge.retry import RetryPolicy
from bridge.service import TicketingService
from bridge.testing.contract._base import ContractFixtures, titled
from bridge.testing.faults import (
    FAULT_KINDS,
    PERMANENT_FAULTS,
    RETRY_AFTER,
    TRANSIENT_FAULTS,
    FaultKind,
    Faults,
    Operation,
)

__all__ = ["FaultContract"]

EXPECTED: dict[FaultKind, type[BridgeError]] = {
    "unavailable": UnavailableError,
    "rate_limited": RateLimitedError,
    "timeout": TrackerTimeoutError,
    "applied_then_dropped": TransientError,
    "not_found": NotFoundError,
    "auth": AuthError,
}
MAYBE_APPLIED: frozenset[FaultKind] = frozenset({"timeout", "applied_then_dropped"})


@dataclass(frozen=True)
class Probe:
    """One primitive under a fault: how to call it on a target ticket, and, for a write,
    how to tell whether it landed."""

    call: Callable[[TicketingService, str], object]
    landed: Callable[[TicketingService, str], bool] | None = None


PROBES: dict[Operation, Probe] = {
    "create": Probe(
        lambda s, _: s.create_ticket("Faulted create", idempotency_key="contract-faulted"),
        lambda s, _: len(titled(s, "Faulted create")) == 1,
    ),
    "update": Probe(
        lambda s, t: s.update_ticket(t, priority="critical"),
        lambda s, t: s.get_ticket(t).priority == Priority.CRITICAL,
    ),
    "add_comment": Probe(
        lambda s, t: s.add_comment(t, "Faulted comment", author="qa-agent"),
        lambda s, t: any(c.body == "Faulted comment" for c in s.list_comments(t)),
    ),
    "get": Probe(lambda s, t: s.get_ticket(t)),
}

SEARCHES: dict[Operation, Callable[[TicketingService], object]] = {
    "list": lambda s: s.list_tickets(),
    "find_by_key": lambda s: s.find_by_idempotency_key("contract-searched"),
}


def retrying(service: TicketingService, sleeps: list[float]) -> TicketingService:
    """``service`` behind a :class:`RetryingAdapter` that records its waits, never sleeping."""
    return TicketingService(RetryingAdapter(service.adapter, RetryPolicy(), sleep=sleeps.append))


class FaultContract(ContractFixtures):
    """Injected faults raise the right bridge errors; retries recover without duplicates."""

    @pytest.mark.parametrize("kind", FAULT_KINDS)
    @pytest.mark.parametrize("op", list(PROBES))
    def test_fault_surfaces_as_its_bridge_error(
        self, service: TicketingService, faults: Faults, op: Operation, kind: FaultKind
    ) -> None:
        """Each fault raises its bridge error naming the adapter; ``maybe_applied`` is set
        exactly when a write may have landed, and only a dropped write did land."""
        probe = PROBES[op]
        target = service.create_ticket("Fault target").id
        faults.fail_next(op, kind)
        with pytest.raises(EXPECTED[kind]) as info:
            probe.call(service, target)
        error = info.value
        assert error.adapter == service.adapter_name
        if isinstance(error, TransientError):
            assert error.maybe_applied is (probe.landed is not None and kind in MAYBE_APPLIED)
        if isinstance(error, RateLimitedError):
            assert error.retry_after == pytest.approx(RETRY_AFTER)
        if probe.landed is not None:
            assert probe.landed(service, target) is (kind == "applied_then_dropped")

    @pytest.mark.parametrize("op", list(SEARCHES))
    def test_search_faults_never_claim_a_write(
        self, service: TicketingService, faults: Faults, op: Operation
    ) -> None:
        """A search whose answer is lost is a read: ``maybe_applied`` stays false."""
        service.create_ticket("Searched for")
        faults.fail_next(op, "applied_then_dropped")
        with pytest.raises(TransientError) as info:
            SEARCHES[op](service)
        assert info.value.maybe_applied is False

    def test_fault_hits_only_its_operation(self, service: TicketingService, faults: Faults) -> None:
        """A fault armed for create leaves reads alone, then fails the next create."""
        ticket = service.create_ticket("Readable")
        faults.fail_next("create", "unavailable")
        assert service.get_ticket(ticket.id).id == ticket.id
        assert [t.id for t in service.list_tickets()] == [ticket.id]
        with pytest.raises(UnavailableError):
            service.create_ticket("Refused")
        assert service.create_ticket("Accepted").title == "Accepted"

    def test_count_fails_that_many_calls(self, service: TicketingService, faults: Faults) -> None:
        """``fail_next(op, kind, count=2)`` fails two calls; the third goes through."""
        ticket = service.create_ticket("Twice refused")
        faults.fail_next("get", "unavailable", count=2)
        for _ in range(2):
            with pytest.raises(UnavailableError):
                service.get_ticket(ticket.id)
        assert service.get_ticket(ticket.id).id == ticket.id

    def test_heal_drops_armed_faults(self, service: TicketingService, faults: Faults) -> None:
        """After ``heal()`` no armed fault fires."""
        ticket = service.create_ticket("Healed")
        faults.fail_next("get", "unavailable", count=3)
        faults.fail_next("create", "auth")
        faults.heal()
        assert service.get_ticket(ticket.id).id == ticket.id
        assert service.create_ticket("After healing").title == "After healing"

    @pytest.mark.parametrize("kind", TRANSIENT_FAULTS)
    def test_retrying_recovers_from_one_transient_failure(
        self, service: TicketingService, faults: Faults, kind: FaultKind
    ) -> None:
        """A RetryingAdapter over the adapter waits once (``Retry-After`` when rate limited)
        and returns the ticket."""
        ticket = service.create_ticket("Read through a blip")
        sleeps: list[float] = []
        faults.fail_next("get", kind)
        assert retrying(service, sleeps).get_ticket(ticket.id).id == ticket.id
        assert len(sleeps) == 1
        if kind == "rate_limited":
            assert sleeps == [pytest.approx(RETRY_AFTER)]

    @pytest.mark.parametrize("kind", PERMANENT_FAULTS)
    def test_permanent_failures_are_not_retried(
        self, service: TicketingService, faults: Faults, kind: FaultKind
    ) -> None:
        """A permanent fault is raised at once through a RetryingAdapter, with no wait."""
        ticket = service.create_ticket("Refused for good")
        sleeps: list[float] = []
        faults.fail_next("get", kind)
        with pytest.raises(EXPECTED[kind]):
            retrying(service, sleeps).get_ticket(ticket.id)
        assert sleeps == []

    @pytest.mark.parametrize("kind", TRANSIENT_FAULTS)
    def test_retried_create_leaves_exactly_one_ticket(
        self, service: TicketingService, faults: Faults, kind: FaultKind
    ) -> None:
        """A create that failed (perhaps after it was applied), retried through a
        RetryingAdapter, leaves one ticket, found by its idempotency key."""
        faults.fail_next("create", kind)
        created = retrying(service, []).create_ticket(
            "Created once", priority="high", idempotency_key=f"contract-once-{kind}"
        )
        assert [t.id for t in titled(service, "Created once")] == [created.id]
        found = service.find_by_idempotency_key(f"contract-once-{kind}")
        assert found is not None
        assert (found.id, found.priority) == (created.id, Priority.HIGH)

    @pytest.mark.parametrize("kind", TRANSIENT_FAULTS)
    def test_retried_comment_leaves_exactly_one_comment(
        self, service: TicketingService, faults: Faults, kind: FaultKind
    ) -> None:
        """A comment that failed (perhaps after it was applied), retried through a
        RetryingAdapter, leaves one comment."""
        ticket = service.create_ticket("Commented once")
        faults.fail_next("add_comment", kind)
        comment = retrying(service, []).add_comment(ticket.id, "Said once", author="qa-agent")
        comments = service.list_comments(ticket.id)
        assert [(c.id, c.body, c.author) for c in comments] == [
            (comment.id, "Said once", "qa-agent")
        ]
