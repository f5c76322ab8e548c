"""``ticket-bridge fields`` on the GitHub fake: the organisation's fields and issue types."""

from __future__ import annotations

import json

from tests.fakes.base import FakeServer
from tests.fakes.github_fake import GitHubFakeApp
from tests.github.conftest import CliRun


def test_fields_lists_the_organisations_fields_and_types(github_cli: CliRun) -> None:
    """The table names each field with its id, type and options; the types come as ``Type``."""
    code, out, err = github_cli("fields")
    assert (code, err) == (0, "")
    header, *rows = out.splitlines()
    assert header.split() == ["NAME", "ID", "TYPE", "REQUIRED", "ALLOWED"]
    priority = next(r for r in rows if r.startswith("Priority "))
    assert priority.split()[2] == "option"
    assert "Urgent" in priority
    assert "Low" in priority
    assert any(r.startswith("Type ") for r in rows)


def test_fields_json_parses_as_field_documents(github_cli: CliRun) -> None:
    code, out, _ = github_cli("--json", "fields")
    assert code == 0
    data = json.loads(out)
    names = {d["name"] for d in data}
    assert {"Priority", "Effort", "Target date", "Type"} <= names
    assert all(set(d) >= {"name", "id", "type", "required", "allowed_values"} for d in data)


def test_fields_of_a_users_repository_is_one_clear_error(
    github_cli: CliRun, fake: tuple[FakeServer, GitHubFakeApp]
) -> None:
    """A repository owned by a user has no organisation fields: one line, exit 1."""
    fake[1].org.is_organisation = False
    code, out, err = github_cli("fields")
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
