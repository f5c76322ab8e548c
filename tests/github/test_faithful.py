"""The GitHub fake does what api.github.com does wherever the adapter depends on it.

Each behaviour here was seen in answers recorded from api.github.com
(``fixtures/github/recorded/``) or is written in GitHub's OpenAPI description; a kinder fake
would let an adapter pass that fails against GitHub.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from adapters.github import GitHubService
from adapters.github import _mapping as mapping
from bridge.errors import InvalidError
from tests.contract.test_github import github_service
from tests.fakes.base import FakeServer
from tests.fakes.github_fake import (
    PERMITTED_KEYS,
    FakeIssue,
    GitHubFakeApp,
    start_github_fake,
)
from tests.github.test_recorded import RECORDED

ROOT = Path(__file__).resolve().parents[2]
# shared/ lies beside the clone (a worktree is one level further down)
SPEC_FILE = next(
    (
        base / "shared" / "specs" / "github-api.github.com.openapi.json.gz"
        for base in (ROOT.parent, ROOT.parent.parent)
        if (base / "shared" / "specs").is_dir()
    ),
    ROOT / "missing.json.gz",
)


@pytest.fixture
def fake() -> Iterator[tuple[FakeServer, GitHubFakeApp]]:
    server, app = start_github_fake()
    yield server, app
    server.stop()


@pytest.fixture
def gh(fake: tuple[FakeServer, GitHubFakeApp]) -> Iterator[GitHubService]:
    service = github_service(fake[0].url, timeout=2)
    yield service
    service.close()


def _get(server: FakeServer, path: str) -> Any:
    answer = requests.get(
        f"{server.url}/api/v3/repos/octo/tickets/{path}",
        headers={"Authorization": "token t0ken"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()


def test_sub_issue_list_items_name_no_parent(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """As recorded from api.github.com: no ``parent_issue_url`` on a sub-issue list's items,
    none on an issue without a parent; a child read on its own names its parent."""
    server, _ = fake
    parent = gh.create_ticket("Parent")
    child = gh.create_ticket("Child", parent_id=parent.id)
    [listed] = _get(server, f"issues/{parent.id}/sub_issues")
    assert listed["number"] == int(child.id)
    assert "parent_issue_url" not in listed
    assert "parent_issue_url" not in _get(server, f"issues/{parent.id}")
    assert _get(server, f"issues/{child.id}")["parent_issue_url"].endswith(f"/issues/{parent.id}")
    if RECORDED is not None:  # and so it was recorded from api.github.com
        recorded = json.loads((RECORDED / "pygithub-issue-5-sub-issues.json").read_text())
        assert recorded["body"]
        assert all("parent_issue_url" not in i for i in recorded["body"])


def test_children_of_a_parent_are_found(gh: GitHubService) -> None:
    """The sub-issue list names no parent: the adapter takes it from the URL it asked."""
    parent = gh.create_ticket("Parent")
    kids = [gh.create_ticket(f"Child {i}", parent_id=parent.id) for i in range(3)]
    children = gh.get_children(parent.id)
    assert [c.id for c in children] == [k.id for k in kids]
    assert {c.parent_id for c in children} == {parent.id}
    page = gh.list_tickets(parent_id=parent.id, limit=2)
    assert [c.id for c in page] == [k.id for k in kids[:2]]


def test_an_adapter_reading_a_left_out_field_fails_against_the_fake(
    gh: GitHubService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the adapter to take a child's parent only from ``parent_issue_url`` (as it once
    did), the fake would show it: the children come back empty."""
    parent = gh.create_ticket("Parent")
    gh.create_ticket("Child", parent_id=parent.id)
    real = mapping.issue_to_ticket

    def payload_only(issue, config, deps=None, *, parent_id=None):  # type: ignore[no-untyped-def]
        return real(issue, config, deps)  # ignores the parent the URL names

    monkeypatch.setattr("adapters.github._adapter.issue_to_ticket", payload_only)
    assert gh.get_children(parent.id) == []


def test_dependency_counts_are_open_and_total(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """As recorded: ``blocked_by`` counts open blockers, ``total_blocked_by`` all of them; a
    closed blocker added on GitHub is still read."""
    server, app = fake
    blocker = gh.create_ticket("Blocker")
    gh.close_ticket(blocker.id, resolution="done")
    blocked = gh.create_ticket("Blocked")
    app.issues[int(blocked.id)].blocked_by.append(int(blocker.id))  # by a person
    summary = _get(server, f"issues/{blocked.id}")["issue_dependencies_summary"]
    assert (summary["blocked_by"], summary["total_blocked_by"]) == (0, 1)
    assert gh.get_ticket(blocked.id).dependencies == [blocker.id]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "issues", {"title": "x", "priority": "high"}),
        ("PATCH", "issues/1", {"title": "x", "parent": 3}),
        ("POST", "issues/1/comments", {"body": "x", "author": "me"}),
        ("POST", "issues/1/sub_issues", {"sub_issue_id": 1, "number": 2}),
    ],
)
def test_unknown_request_keys_are_refused_with_422(fake, method, path, body) -> None:  # type: ignore[no-untyped-def]
    """GitHub refuses a key its route does not take: ``"x" is not a permitted key``."""
    server, app = fake
    app.issues[1] = FakeIssue(number=1, id=77, title="One", body="", labels=[])
    answer = requests.request(
        method,
        f"{server.url}/api/v3/repos/octo/tickets/{path}",
        json=body,
        headers={"Authorization": "token t0ken"},
        timeout=5,
    )
    assert answer.status_code == 422
    assert "is not a permitted key" in answer.json()["message"]


def test_an_unknown_key_from_the_adapter_would_be_a_bridge_error(
    gh: GitHubService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the fake refuses, the adapter reports as InvalidError (as against GitHub)."""
    real = mapping.create_payload

    def with_extra(config, draft, routing=None):  # type: ignore[no-untyped-def]
        return {**real(config, draft, routing), "priority": "high"}

    monkeypatch.setattr("adapters.github._adapter.create_payload", with_extra)
    with pytest.raises(InvalidError, match="not a permitted key"):
        gh.create_ticket("Refused")


@pytest.mark.skipif(not SPEC_FILE.exists(), reason="GitHub's OpenAPI description not present")
def test_permitted_keys_are_the_documented_request_properties() -> None:
    """The fake's permitted keys are exactly the request body properties in the spec."""
    with gzip.open(SPEC_FILE) as file:
        spec = json.load(file)

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    for (method, route), keys in PERMITTED_KEYS.items():
        path = "/repos/{owner}/{repo}" + route
        body = spec["paths"][path][method.lower()]["requestBody"]
        schema = resolve(body["content"]["application/json"]["schema"])
        assert set(schema["properties"]) == set(keys), (method, route)


def test_labels_filter_is_split_at_commas(fake) -> None:  # type: ignore[no-untyped-def]
    """GitHub's ``labels`` parameter is a comma-separated list: a label holding a comma
    cannot be asked for by name."""
    server, app = fake
    app.issues[1] = FakeIssue(number=1, id=77, title="One", body="", labels=["needs: a, b"])
    answer = requests.get(
        f"{server.url}/api/v3/repos/octo/tickets/issues",
        params={"labels": "needs: a, b"},
        headers={"Authorization": "token t0ken"},
        timeout=5,
    )
    assert answer.json() == []
