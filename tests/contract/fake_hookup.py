"""Hooks an HTTP adapter and its loopback fake into the shipped contract suite.

Faults are injected by the fake server itself, at the HTTP level: a 503, a 429 with
``Retry-After``, a hang past the adapter's timeout, a request applied and then the connection
dropped, a 404, a 401.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bridge.contract import Adapter
from bridge.errors import UnavailableError
from bridge.service import TicketingService
from bridge.testing import AdapterContract
from bridge.testing.faults import (
    RETRY_AFTER,
    FaultKind,
    Faults,
    FaultyAdapter,
    Operation,
    check_fault,
)
from tests.fakes.base import FakeApp, FakeServer, Fault

# An operation's requests: (HTTP method, or None for any; regex searched in the path).
Route = tuple[str | None, str]

SHAPES: dict[FaultKind, dict[str, Any]] = {
    "unavailable": {"status": 503},
    "rate_limited": {"status": 429, "headers": {"Retry-After": f"{RETRY_AFTER:g}"}},
    "timeout": {"kind": "hang"},
    "applied_then_dropped": {"kind": "drop_after"},
    "not_found": {"status": 404},
    "auth": {"status": 401},
}


class FakeServerFaults:
    """:class:`~bridge.testing.faults.Faults` served by a fake: each armed fault hits the
    next ``count`` requests of the operation's route."""

    def __init__(self, server: FakeServer, routes: Mapping[str, Route], *, hang: float) -> None:
        self.server, self.routes, self.hang = server, routes, hang

    def fail_next(self, op: Operation, kind: FaultKind, count: int = 1) -> None:
        check_fault(op, kind, count)
        if op not in self.routes:
            raise ValueError(f"this fake cannot fault {op!r}")
        method, path = self.routes[op]
        shape = {**SHAPES[kind], "headers": dict(SHAPES[kind].get("headers", {}))}
        self.server.inject(Fault(**shape, delay=self.hang, method=method, path=path, times=count))

    def heal(self) -> None:
        self.server.clear_faults()


class FakeTrackerContract(AdapterContract):
    """The whole contract for an adapter of an HTTP tracker, against the tracker's fake."""

    routes: ClassVar[Mapping[str, Route]]
    timeout: ClassVar[float] = 1.0  # short, so that a hang times out quickly
    server: FakeServer
    app: FakeApp

    @abstractmethod
    def start_fake(self) -> tuple[FakeServer, FakeApp]:
        """A running fake with an empty tracker."""

    @abstractmethod
    def adapter_for(self, url: str) -> Adapter:
        """The adapter under test, pointed at the fake at ``url``, with ``self.timeout``."""

    @pytest.fixture(autouse=True)
    def fake(self) -> Iterator[FakeServer]:
        self.server, self.app = self.start_fake()
        yield self.server
        self.server.stop()

    def make_adapter(self, tmp_path: Path) -> Adapter:
        return self.adapter_for(self.server.url)

    def make_faults(self, adapter: Adapter) -> Faults:
        return FakeServerFaults(self.server, self.routes, hang=self.timeout + 0.3)

    def test_faults_are_served_by_the_fake(self, service: TicketingService, faults: Faults) -> None:
        """The fault tests above ran against the real adapter, failed by the fake over HTTP."""
        ticket = service.create_ticket("Served")
        faults.fail_next("get", "unavailable")
        with pytest.raises(UnavailableError):
            service.get_ticket(ticket.id)
        assert isinstance(faults, FakeServerFaults)
        assert not isinstance(service.adapter, FaultyAdapter)
        assert [e.status for e in self.server.log if e.method == "GET"][-1] == 503
