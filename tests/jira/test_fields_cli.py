"""``ticket-bridge fields`` on the Jira fakes (Cloud and Server) and on the local store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.cli import main
from tests.fakes.base import FakeServer
from tests.fakes.jira_fake import JiraFakeApp, start_jira_fake


@pytest.fixture(params=["cloud", "server"])
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[FakeServer, JiraFakeApp]]:
    server, app = start_jira_fake(request.param)
    yield server, app
    server.stop()


@pytest.fixture
def config(fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    server, app = fake
    monkeypatch.setenv("JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("JIRA_API_TOKEN", "t0k")
    path = tmp_path / "ticket-bridge.toml"
    path.write_text(
        '[bridge]\ntracker = "local"\n'
        '[trackers.local]\ntype = "local_json"\npath = "store"\n'
        f'[trackers.jira]\ntype = "jira"\nserver = "{server.url}"\nproject = "RQ"\n'
        f'deployment = "{app.mode}"\ntimeout = 5\n'
    )
    return path


def test_fields_table_names_ids_types_values_and_required(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table a user reads to write field_map, for one type of the Jira project."""
    assert main(["--config", str(config), "fields", "--tracker", "jira", "--type", "task"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split() == ["NAME", "ID", "TYPE", "REQUIRED", "ALLOWED"]
    team = next(r for r in rows if "customfield_10050" in r)
    assert team.split()[:5] == ["Team", "customfield_10050", "option", "yes", "Red,"]
    assert any(r.split()[:3] == ["Story", "Points", "customfield_10016"] for r in rows)


def test_fields_json_covers_every_type(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` without ``--type``: every issue type's fields, as FieldInfo documents."""
    assert main(["--config", str(config), "--tracker", "jira", "fields", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["issue_type"] for d in data} == {"Task", "Bug", "Story", "Epic", "Sub-task"}
    epic_name = [d for d in data if d["id"] == "customfield_10011"]
    assert epic_name == [
        {
            "name": "Epic Name",
            "id": "customfield_10011",
            "type": "string",
            "required": True,
            "allowed_values": [],
            "issue_type": "Epic",
        }
    ]


def test_fields_errors_are_one_line(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown type is a one-line error and exit 1, on the tracker and on the store."""
    assert main(["--config", str(config), "fields", "--tracker", "jira", "--type", "Chore"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Chore" in err
    assert main(["--config", str(config), "fields", "--type", "chore"]) == 1
    assert "unknown ticket type 'chore'" in capsys.readouterr().err
    assert main(["--config", str(config), "fields", "--type", "bug"]) == 0
    assert "priority" in capsys.readouterr().out
