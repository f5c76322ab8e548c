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
    from bridge.config import parse_config
    from bridge.factory import build_service

    local = {"type": "local_json", "path": str(tmp_path / ".tickets")}
    config = {"bridge": {"tracker": "local"}, "trackers": {"local": local}}
    service = build_service(parse_config(config, base_dir=tmp_path))
    set_default(service)
    try:
        yield service
    finally:
        reset_default()
        service.close()
