"""Workflow tests run on a fresh tracker per test (the local store, the GitHub and Jira fakes);
``service`` is also what ``get_ticketing_service()`` returns during the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.factory import reset_default, set_default
from bridge.service import TicketingService
from tests.contract.test_github import github_service
from tests.contract.test_jira import jira_service
from tests.fakes.github_fake import start_github_fake
from tests.fakes.jira_fake import start_jira_fake


@pytest.fixture(params=["local", "github", "jira"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TicketingService]:
    """The tracker the guide's code talks to through ``get_ticketing_service()``."""
    server = None
    if request.param == "github":
        server, _ = start_github_fake()
        tracker: TicketingService = github_service(server.url)
    elif request.param == "jira":
        server, _ = start_jira_fake("cloud")
        tracker = jira_service(server.url, "cloud")
    else:
        tracker = LocalJsonService(tmp_path / ".tickets")
    set_default(tracker)
    try:
        yield tracker
    finally:
        reset_default()
        tracker.close()
        if server is not None:
            server.stop()
