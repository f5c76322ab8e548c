"""The factory: one configuration builds the service and the settings that go with it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge import get_ticketing_service
from bridge.config import load_config
from bridge.factory import bridge_for, build_bridge, get_default, reset_default, set_default
from bridge.service import TicketingService
from bridge.workflows import PMOrchestrator, TicketingHelper, get_agent_availability

TRACKERS = '[trackers.local]\ntype = "local_json"\npath = "store"\n'


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory whose ticket-bridge.toml says max_open 3, and another file that
    says max_open 1."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "ticket-bridge.toml").write_text(TRACKERS + "[workflows]\nmax_open = 3\n")
    other = tmp_path / "elsewhere"
    other.mkdir()
    path = other / "cfg.toml"
    path.write_text(
        TRACKERS
        + "[workflows]\nmax_open = 1\ncapacity = 2\n"
        + '[[notify.webhooks]]\nname = "pager"\nurl_env = "PAGER_URL"\n'
    )
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)
    reset_default()
    yield path
    reset_default()


def test_helper_uses_the_workflows_of_the_file_its_service_came_from(elsewhere: Path) -> None:
    """TicketingHelper(get_ticketing_service(path)) reads [workflows] from path, not ./."""
    with get_ticketing_service(elsewhere) as service:
        helper = TicketingHelper(service)
        assert helper.settings.max_open == 1
        assert helper.settings.capacity == 2
        assert [hook.name for hook in helper.notifier.settings.webhooks] == ["pager"]


def test_workload_counts_against_that_files_limits(elsewhere: Path) -> None:
    """One open ticket makes an agent unavailable when that file says max_open = 1."""
    with get_ticketing_service(elsewhere) as service:
        helper = TicketingHelper(service)
        helper.create_agent_task_ticket("qa", "Run the suite")
        availability = get_agent_availability(["qa"], helper)
        assert availability["qa"]["available"] is False
        assert availability["qa"]["capacity"] == 1


def test_orchestrator_takes_its_settings_from_its_service(elsewhere: Path) -> None:
    """PMOrchestrator built on that service sees the same settings."""
    with get_ticketing_service(elsewhere) as service:
        assert PMOrchestrator(service).helper.settings.max_open == 1


def test_the_process_default_comes_from_the_discovered_file(elsewhere: Path) -> None:
    """With no argument, the default is built from ./ticket-bridge.toml, once."""
    assert TicketingHelper().settings.max_open == 3
    assert get_ticketing_service() is TicketingService.get_instance()
    assert get_default().service is get_ticketing_service()


def test_set_default_and_reset(tmp_path: Path, elsewhere: Path) -> None:
    """set_default makes a service the default; a hand-made one gets the default settings."""
    from adapters.local_json import LocalJsonService

    with LocalJsonService(tmp_path / "hand") as made:
        set_default(made)
        assert get_ticketing_service() is made
        assert TicketingHelper().settings.max_open == 3  # the defaults, nothing discovered
        reset_default()
        assert get_ticketing_service() is not made


def test_build_bridge_holds_one_configuration(elsewhere: Path) -> None:
    """A Bridge's service, settings and notifier all come from the one Config."""
    bridge = build_bridge(load_config(elsewhere))
    try:
        assert bridge.settings is bridge.config.workflows
        assert bridge.notifier.enabled
        assert bridge_for(bridge.service) is bridge
    finally:
        bridge.close()
