"""``ticket-bridge sync`` and ``ticket-bridge conflicts`` on the GitHub fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.cli import main
from tests.sync.rig import SECRETS, Rig, rig


@pytest.fixture
def r(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    with rig("github", tmp_path) as made:
        monkeypatch.setenv("TICKET_BRIDGE_CONFIG", str(made.config_path))
        for key, value in SECRETS.items():
            monkeypatch.setenv(key, value)
        yield made


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_sync_options_and_json(r: Rig, capsys: pytest.CaptureFixture[str]) -> None:
    r.remote.create_ticket("From GitHub")
    r.local.create_ticket("From here")
    r.clear()
    code, out = _run(capsys, "sync", "github", "--dry-run")
    assert code == 0
    assert "dry run" in out
    assert "plan: create" in out
    assert r.writes() == []
    code, out = _run(capsys, "--json", "sync", "github", "--pull-only")
    data = json.loads(out)
    assert (code, len(data["created_local"]), data["created_remote"]) == (0, 1, [])
    code, out = _run(capsys, "--json", "sync", "github", "--push-only")
    data = json.loads(out)
    assert (data["created_local"], len(data["created_remote"])) == ([], 1)
    assert sorted(t.title for t in r.remote.iter_tickets()) == ["From GitHub", "From here"]
    assert main(["sync", "github", "--pull-only", "--push-only"]) == 1
    assert "exclude each other" in capsys.readouterr().err


def test_conflicts_command_lists_what_the_policy_decided(
    r: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    ticket = r.remote.create_ticket("Contested", priority="low")
    _run(capsys, "sync")
    local_id = r.remote_to_local()[ticket.id]
    r.local.update_ticket(local_id, priority="high")
    r.remote.update_ticket(ticket.id, priority="critical")
    code, out = _run(capsys, "sync", "--policy", "local-wins")
    assert code == 0
    assert "conflict:" in out
    assert r.remote.get_ticket(ticket.id).priority == "high"
    code, out = _run(capsys, "conflicts")
    assert code == 0
    assert local_id in out
    assert "priority" in out
    assert "local" in out


def test_sync_refuses_the_local_store_itself(r: Rig, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "local"]) == 1
    assert "local store itself" in capsys.readouterr().err
