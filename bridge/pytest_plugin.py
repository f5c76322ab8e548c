"""The pytest plugin registered through the ``pytest11`` entry point.

It re-exports the ``ticket_service`` fixture of :mod:`bridge.testing`, so a project that
depends on ticket-bridge gets a fresh offline tracker per test with no configuration::

    def test_my_orchestrator(ticket_service):
        ticket = ticket_service.create_ticket("Investigate", priority="high")
        assert ticket_service.get_ticket(ticket.id).priority == "high"
"""

from __future__ import annotations

from bridge.testing.fixtures import ticket_service

__all__ = ["ticket_service"]
