"""Workflow tests run on a fresh tracker per test; ``service`` is also the discovered one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.service import TicketingService


@pytest.fixture
def service(ticket_service: TicketingService) -> Iterator[TicketingService]:
    """The tracker the guide's code talks to through ``get_ticketing_service()``."""
    return ticket_service
