"""The fake's issue fields and types do what GitHub's description says, and the adapter reads
the description's own examples (``fixtures/github/issue-field*.json``, ``issue-types.json``).

Every request and answer here is also checked against the OpenAPI description by the
validator the test suite installs on every fake.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from adapters.github import GitHubConfig, GitHubService
from adapters.github import _payload as payload
from adapters.github._field_values import read_metadata, read_priority
from tests.fakes.base import FakeServer
from tests.fakes.github_fake import GitHubFakeApp

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "github"
PRIORITY, EFFORT = 101, 102


def _call(server: FakeServer, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(
        method,
        f"{server.url}/api/v3/{path}",
        headers={"Authorization": "token t0ken"},
        json=body,
        timeout=5,
    )


def _documented(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_values_on_create_come_back_in_the_answer(fake: tuple[FakeServer, GitHubFakeApp]) -> None:
    """Enabled: the answer carries each value; a single-select's ``value`` is the option's
    id and its name is in ``single_select_option``."""
    server, _ = fake
    values = [{"field_id": PRIORITY, "value": "High"}, {"field_id": EFFORT, "value": 3}]
    answer = _call(
        server, "POST", "repos/octo/tickets/issues", {"title": "x", "issue_field_values": values}
    )
    assert answer.status_code == 201
    held = {v["issue_field_name"]: v for v in answer.json()["issue_field_values"]}
    assert held["Priority"]["single_select_option"]["name"] == "High"
    assert held["Priority"]["value"] == held["Priority"]["single_select_option"]["id"]
    assert held["Effort"]["value"] == 3
    documented = {v["data_type"]: v for v in _documented("issue-field-values.json")}
    for kind, value in (("single_select", held["Priority"]), ("number", held["Effort"])):
        assert set(value) == set(documented[kind])


def test_values_are_silently_dropped_where_the_feature_is_off(
    fake: tuple[FakeServer, GitHubFakeApp],
) -> None:
    """Not enabled: 2xx, and the values are simply absent; an update the same."""
    server, app = fake
    app.org.enabled = False
    values = [{"field_id": PRIORITY, "value": "High"}]
    created = _call(
        server, "POST", "repos/octo/tickets/issues", {"title": "x", "issue_field_values": values}
    )
    assert created.status_code == 201
    assert "issue_field_values" not in created.json()
    edited = _call(server, "PATCH", "repos/octo/tickets/issues/1", {"issue_field_values": values})
    assert edited.status_code == 200
    assert "issue_field_values" not in edited.json()


def test_a_value_that_does_not_fit_is_a_422(fake: tuple[FakeServer, GitHubFakeApp]) -> None:
    """An option the field lacks, a text for a number, an unknown field: 422, nothing made."""
    server, app = fake
    for value in (
        {"field_id": PRIORITY, "value": "Whenever"},
        {"field_id": EFFORT, "value": "three"},
        {"field_id": 999, "value": "x"},
    ):
        answer = _call(
            server,
            "POST",
            "repos/octo/tickets/issues",
            {"title": "x", "issue_field_values": [value]},
        )
        assert answer.status_code == 422
    assert app.issues == {}


def test_the_issue_field_values_endpoints(fake: tuple[FakeServer, GitHubFakeApp]) -> None:
    """POST adds, PUT replaces, GET lists, DELETE removes one (204, then 404)."""
    server, _ = fake
    _call(server, "POST", "repos/octo/tickets/issues", {"title": "x"})
    path = "repos/octo/tickets/issues/1/issue-field-values"
    added = _call(server, "POST", path, {"issue_field_values": [{"field_id": EFFORT, "value": 2}]})
    assert [v["value"] for v in added.json()] == [2]
    replaced = _call(
        server, "PUT", path, {"issue_field_values": [{"field_id": PRIORITY, "value": "Low"}]}
    )
    assert [v["issue_field_name"] for v in replaced.json()] == ["Priority"]
    assert [v["issue_field_id"] for v in _call(server, "GET", path).json()] == [PRIORITY]
    assert _call(server, "DELETE", f"{path}/{PRIORITY}").status_code == 204
    assert _call(server, "DELETE", f"{path}/{PRIORITY}").status_code == 404
    assert _call(server, "GET", path).json() == []


def test_definitions_of_an_organisation_and_404_for_a_user(
    fake: tuple[FakeServer, GitHubFakeApp],
) -> None:
    """An organisation lists its fields and types with the documented keys; a user's
    account answers 404 to both, as does an organisation without fields."""
    server, app = fake
    fields = _call(server, "GET", "orgs/octo/issue-fields").json()
    assert [f["name"] for f in fields] == ["Priority", "Effort", "Start date", "Target date"]
    documented = {f["data_type"]: f for f in _documented("issue-fields.json")}
    assert set(documented["single_select"]) <= set(fields[0]) | {"options"}
    types = _call(server, "GET", "orgs/octo/issue-types").json()
    assert set(_documented("issue-types.json")[0]) <= set(types[0])
    assert _call(server, "GET", "orgs/someone-else/issue-fields").status_code == 404
    app.org.fields = []
    assert _call(server, "GET", "orgs/octo/issue-fields").status_code == 404
    app.org.is_organisation = False
    assert _call(server, "GET", "orgs/octo/issue-types").status_code == 404


def test_an_unknown_issue_type_is_a_422(fake: tuple[FakeServer, GitHubFakeApp]) -> None:
    """A type the organisation does not have is refused; a known one comes back whole."""
    server, _ = fake
    refused = _call(server, "POST", "repos/octo/tickets/issues", {"title": "x", "type": "Epic"})
    assert refused.status_code == 422
    made = _call(server, "POST", "repos/octo/tickets/issues", {"title": "x", "type": "Bug"})
    assert made.json()["type"]["name"] == "Bug"
    assert set(_documented("issue-types.json")[0]) <= set(made.json()["type"])


def test_the_adapter_lists_the_documented_fields(fake: tuple[FakeServer, GitHubFakeApp]) -> None:
    """The description's example organisation: a text, a single- and a multi-select."""
    server, app = fake
    app.org.fields = _documented("issue-fields.json")
    config = GitHubConfig(
        repo="octo/tickets",
        base_url=f"{server.url}/api/v3",
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    service = GitHubService(config, token="t0ken")
    infos = {f.name: f for f in service.adapter.fields()}
    service.close()
    assert (infos["Text field"].type, infos["Text field"].id) == ("string", "1")
    assert infos["Priority"].allowed_values == ("High", "Medium", "Low")
    assert infos["Categories"].type == "options"


def test_the_documented_values_read_as_priority_and_metadata() -> None:
    """An issue carrying the description's example values: the single-select's option name,
    the number, the date, the text and the multi-select's names."""
    issue = payload.issue(
        {**_documented("issue.json"), "issue_field_values": _documented("issue-field-values.json")}
    )
    config = GitHubConfig(
        repo="octo/tickets",
        priority_field="Priority",
        field_map={"points": "Points", "due": "Due Date", "dri": "DRI", "areas": "Labels"},
    )
    assert read_priority(issue, config) is not None
    assert read_priority(issue, config).value == "high"  # type: ignore[union-attr]
    assert read_metadata(issue, config) == {
        "points": 42,
        "due": "2025-12-25",
        "dri": "DRI",
        "areas": ["Frontend", "Backend"],
    }
