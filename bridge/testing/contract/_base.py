"""The fixtures every contract mixin stands on, and what the mixins share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import JsonValue

from bridge.contract import Adapter
from bridge.models import Ticket
from bridge.service import TicketingService
from bridge.testing.faults import Faults, FaultyAdapter

__all__ = ["METADATA", "ContractFixtures", "titled"]

METADATA: dict[str, JsonValue] = {
    "task_type": "bug_fix",
    "affected_versions": ["1.3.9", "1.4.0"],
    "estimate": {"hours": 4.5, "confidence": None, "ok": True},
    "unicode": "naïve café — 東京 ✓",
    "nested": [{"phase": 1, "agents": ["research", "qa"]}, {"phase": 2, "agents": []}],
}


class ContractFixtures(ABC):
    """The fixtures of the contract suite; a hookup implements :meth:`make_adapter`.

    ``service`` is a :class:`TicketingService` over a fresh adapter; ``faults`` arms failures
    of that service's adapter. ``missing_id`` is an id that is well-formed for the tracker
    but names no ticket; ``known_gaps`` declares what the adapter does not meet yet.
    """

    missing_id: ClassVar[str] = "NOPE-999999"
    known_gaps: ClassVar[Mapping[str, str]] = {}
    """Tests the adapter is known to fail, by name, with the reason; they run as strict
    xfails, so the gap shows in every run and fixing it turns them into failures."""

    @abstractmethod
    def make_adapter(self, tmp_path: Path) -> Adapter:
        """A fresh adapter over an empty tracker; called once per test, closed after it."""

    def make_faults(self, adapter: Adapter) -> Faults | None:
        """The tracker's own fault injection for ``adapter`` (a fake server's, say).

        ``None``, the default, wraps the adapter in :class:`FaultyAdapter` instead.
        """
        return None

    @pytest.fixture(autouse=True)
    def _known_gap(self, request: pytest.FixtureRequest) -> None:
        reason = self.known_gaps.get(request.node.name.partition("[")[0])
        if reason is not None:
            request.applymarker(pytest.mark.xfail(reason=reason, strict=True))

    @pytest.fixture
    def adapter(self, tmp_path: Path) -> Iterator[Adapter]:
        """The hookup's adapter, closed after the test."""
        adapter = self.make_adapter(tmp_path)
        yield adapter
        adapter.close()

    @pytest.fixture
    def service(self, adapter: Adapter) -> TicketingService:
        """The ticketing API over the hookup's adapter."""
        return TicketingService(adapter)

    @pytest.fixture
    def faults(self, service: TicketingService) -> Faults:
        """Fault injection for ``service``: the hookup's own, else a :class:`FaultyAdapter`
        put under ``service``."""
        own = self.make_faults(service.adapter)
        if own is not None:
            return own
        faulty = FaultyAdapter(service.adapter)
        service.adapter = faulty
        return faulty


def titled(service: TicketingService, title: str) -> list[Ticket]:
    """Every ticket, in any status, with exactly this title."""
    return [t for t in service.iter_tickets() if t.title == title]
