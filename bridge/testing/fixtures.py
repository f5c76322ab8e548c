"""The ``ticket_service`` fixture: a fresh offline tracker per test.

Registered through the ``pytest11`` entry point (:mod:`bridge.pytest_plugin` re-exports it),
so a project that depends on ticket-bridge gets it with no configuration::

    def test_my_orchestrator(ticket_service):
        ticket = ticket_service.create_ticket("Investigate", priority="high")
        assert ticket_service.get_ticket(ticket.id).priority == "high"
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.factory import reset_default, set_default
from bridge.service import TicketingService

__all__ = ["ticket_service"]


@pytest.fixture
def ticket_service(tmp_path: Path) -> Iterator[TicketingService]:
    """A local JSON store in ``tmp_path``; also what ``get_ticketing_service()`` returns."""
    from adapters.local_json import LocalJsonService

    service = LocalJsonService(tmp_path / ".tickets")
    set_default(service)
    try:
        yield service
    finally:
        reset_default()
        service.close()
