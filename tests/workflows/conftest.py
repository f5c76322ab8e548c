"""Workflow tests run on a fresh tracker per test (the local store and the GitHub fake);
``service`` is also what ``get_ticketing_service()`` returns during the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.service import TicketingService
from tests.contract.test_github import github_service
from tests.fakes.github_fake import start_github_fake


@pytest.fixture(params=["local", "github"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TicketingService]:
    """The tracker the guide's code talks to through ``get_ticketing_service()``."""
    server = None
    if request.param == "github":
        server, _ = start_github_fake()
        tracker: TicketingService = github_service(server.url)
    else:
        tracker = LocalJsonService(tmp_path / ".tickets")
    TicketingService.reset_instance()
    TicketingService._instance = tracker
    try:
        yield tracker
    finally:
        TicketingService.reset_instance()
        tracker.close()
        if server is not None:
            server.stop()
