"""A tracker outage of 50 operations on the GitHub and Jira fakes, then replay; and the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from adapters.local_json import LocalJsonService
from bridge.cli import main
from bridge.outbox import Outbox
from bridge.resilience import ResilientService
from bridge.retry import RetryPolicy
from tests.fakes.base import Fault
from tests.fakes.jira_fake import JiraFakeApp
from tests.resilience.test_matrix import _jira_snapshot, _snapshot, _start
from tests.resilience.test_resilience import _workload


def _state(app: Any) -> list[tuple[object, ...]]:
    return _jira_snapshot(app) if isinstance(app, JiraFakeApp) else _snapshot(app)


@pytest.mark.parametrize("tracker", ["github", "jira"])
def test_outage_of_fifty_operations_on_the_fake(tmp_path: Path, tracker: str) -> None:
    """Every call returns while the tracker is down; after replay the tracker equals one
    that was up all along, and every local id resolves to its tracker ticket."""
    ref_server, ref_app, reference = _start(tracker)
    try:
        ref_before = [reference.create_ticket(f"Before {i}").id for i in range(2)]
        _workload(reference, ref_before)
        expected = _state(ref_app)
    finally:
        ref_server.stop()

    server, app, remote = _start(tracker)
    local = LocalJsonService(tmp_path / "local")
    service = ResilientService(
        remote,
        policy=RetryPolicy(attempts=3),
        local=local,
        outbox=Outbox(local.root / f"outbox-{tracker}.sqlite3"),
        sleep=lambda _: None,
        clock=lambda: 0.0,
        rng=random.Random(1),
    )
    try:
        before = [service.create_ticket(f"Before {i}").id for i in range(2)]
        assert before == ref_before
        server.inject(Fault(status=503, times=10**6))
        local_ids = _workload(service, before)
        assert all(i.startswith("CLAUDE-") for i in local_ids)
        server.clear_faults()
        report = service.replay()
        assert report.remaining == 0, report.error
        assert _state(app) == expected
        for local_id in local_ids:
            assert service.get_ticket(local_id).id == report.mapped[local_id]
    finally:
        service.close()
        server.stop()


def test_outbox_and_sync_push_only_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With GitHub down the CLI still creates; ``outbox`` lists it; ``sync --push-only``
    sends it once GitHub is back."""
    server, app, _ = _start("github")
    try:
        config = tmp_path / "ticket-bridge.toml"
        config.write_text(
            f"""
[bridge]
tracker = "github"
[trackers.github]
type = "github"
repo = "octo/tickets"
base_url = "{server.url}/api/v3"
seconds_between_requests = 0
seconds_between_writes = 0
[trackers.local]
type = "local_json"
path = "store"
[retry]
attempts = 2
initial_wait = 0
max_wait = 0.01
"""
        )
        monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
        monkeypatch.setenv("TICKET_BRIDGE_CONFIG", str(config))
        server.inject(Fault(status=502, times=10**6))
        assert main(["create", "Filed offline", "-p", "high"]) == 0
        local_id = capsys.readouterr().out.strip()
        assert local_id.startswith("CLAUDE-")
        assert main(["outbox"]) == 0
        listed = capsys.readouterr().out
        assert "create" in listed
        assert local_id in listed
        server.clear_faults()
        assert main(["sync", "--push-only"]) == 0
        assert "1 queued operations replayed" in capsys.readouterr().out
        assert [i.title for i in app.issues.values()] == ["Filed offline"]
        assert main(["--json", "show", local_id]) == 0
        assert '"id": "1"' in capsys.readouterr().out
        assert main(["outbox"]) == 0
        assert "the outbox is empty" in capsys.readouterr().out
    finally:
        server.stop()


def test_dead_entry_is_listed_shown_retried_dropped_and_fails_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A comment queued for an issue that was then deleted is refused for good: it goes to
    the dead letters while the other queued work is delivered; ``outbox`` lists it (exit 1),
    ``show`` names it, ``sync`` reports it and exits 1, ``retry`` queues it again, ``drop``
    asks, ``drop --yes`` forgets it."""
    server, app, _ = _start("github")
    try:
        config = tmp_path / "ticket-bridge.toml"
        config.write_text(
            f'''[bridge]
tracker = "github"
[trackers.github]
type = "github"
repo = "octo/tickets"
base_url = "{server.url}/api/v3"
seconds_between_requests = 0
seconds_between_writes = 0
[trackers.local]
type = "local_json"
path = "store"
[retry]
attempts = 1
'''
        )
        monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
        monkeypatch.setenv("TICKET_BRIDGE_CONFIG", str(config))
        assert main(["create", "Doomed"]) == 0
        doomed = capsys.readouterr().out.strip()
        server.inject(Fault(status=503, times=10**6))
        assert main(["comment", doomed, "too late"]) == 0
        assert main(["create", "Fine"]) == 0
        capsys.readouterr()
        server.clear_faults()
        app.delete_issue(int(doomed))
        assert main(["sync", "--push-only"]) == 1
        assert "refused" in capsys.readouterr().out
        assert [i.title for i in app.issues.values()] == ["Fine"]
        assert main(["--json", "outbox"]) == 1
        [dead] = json.loads(capsys.readouterr().out)["dead"]
        assert dead["op"] == "comment"
        assert main(["outbox", "show", str(dead["seq"])]) == 0
        assert "too late" in capsys.readouterr().out
        assert main(["outbox", "retry", str(dead["seq"])]) == 0
        assert main(["outbox", "drop", str(dead["seq"])]) == 1  # not confirmed
        assert main(["outbox", "drop", str(dead["seq"]), "--yes"]) == 0
        capsys.readouterr()
        assert main(["outbox"]) == 0
        assert "the outbox is empty" in capsys.readouterr().out
    finally:
        server.stop()
