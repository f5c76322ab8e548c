"""What real Jira does and a kind fake forgets: fields, properties, search bodies, custom
statuses, labels. Each test failed against the adapter before it asked for what it reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from bridge.errors import BridgeError, InvalidError, UnavailableError
from bridge.models import Status
from tests.contract.test_jira import jira_service
from tests.fakes.base import FakeServer
from tests.fakes.jira_fake import CATEGORY, WORKFLOWS, JiraFakeApp, start_jira_fake

AUTH = {"cloud": ("bot@example.com", "t0k")}


@pytest.fixture(params=["cloud", "server"])
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[FakeServer, JiraFakeApp]]:
    server, app = start_jira_fake(request.param)
    yield server, app
    server.stop()


def _get(server: FakeServer, mode: str, path: str, **params: str) -> requests.Response:
    v = "3" if mode == "cloud" else "2"
    if mode == "cloud":
        auth: dict[str, object] = {"auth": AUTH["cloud"]}
    else:
        auth = {"headers": {"Authorization": "Bearer t0k"}}
    return requests.get(f"{server.url}/rest/api/{v}{path}", params=params, timeout=5, **auth)  # type: ignore[arg-type]


def test_fake_returns_only_the_fields_asked_for(fake) -> None:  # type: ignore[no-untyped-def]
    """fields=summary,status gives no project, no issuetype; *all and -name as documented;
    parent is absent, not null, without a parent; properties only when asked for."""
    server, app = fake
    service = jira_service(server.url, app.mode)
    ticket = service.create_ticket("Shape", metadata={"k": 1})
    only = _get(server, app.mode, f"/issue/{ticket.id}", fields="summary,status").json()
    assert set(only["fields"]) == {"summary", "status"}
    assert "properties" not in only
    every = _get(server, app.mode, f"/issue/{ticket.id}").json()
    assert {"project", "issuetype", "comment", "summary"} <= set(every["fields"])
    assert "parent" not in every["fields"]
    minus = _get(server, app.mode, f"/issue/{ticket.id}", fields="*all,-comment").json()
    assert "comment" not in minus["fields"]
    assert "project" in minus["fields"]
    props = _get(server, app.mode, f"/issue/{ticket.id}", properties="ticket-bridge").json()
    assert props["properties"]["ticket-bridge"]["metadata"] == {"k": 1}
    rendered = _get(server, app.mode, f"/issue/{ticket.id}", expand="renderedFields").json()
    assert "renderedFields" in rendered


def test_cloud_search_gives_ids_only_without_fields() -> None:
    """Cloud's /search/jql answers ids only unless fields are asked for."""
    server, app = start_jira_fake("cloud")
    try:
        jira_service(server.url).create_ticket("One")
        answer = requests.post(
            f"{server.url}/rest/api/3/search/jql",
            json={"jql": 'project = "TB"'},
            auth=AUTH["cloud"],
            timeout=5,
        ).json()
        assert answer["issues"] == [{"id": str(app.issues["TB-1"].id)}]
        unknown = requests.post(
            f"{server.url}/rest/api/3/search/jql",
            json={"jql": 'project = "TB"', "startAt": 0},
            auth=AUTH["cloud"],
            timeout=5,
        )
        assert unknown.status_code == 400
    finally:
        server.stop()


def test_server_search_refuses_undocumented_body_keys() -> None:
    """A strict Server answers 400 "Unrecognized field" to a POST /search body key its
    SearchRequestBean lacks; the GET resource takes properties as a query parameter."""
    server, _ = start_jira_fake("server")
    try:
        service = jira_service(server.url, "server")
        ticket = service.create_ticket("Found", metadata={"x": 1})
        url = f"{server.url}/rest/api/2/search"
        headers = {"Authorization": "Bearer t0k"}
        bad = requests.post(
            url, json={"jql": "", "properties": ["ticket-bridge"]}, headers=headers, timeout=5
        )
        assert bad.status_code == 400
        assert "Unrecognized field" in bad.text
        server.clear_log()
        assert [t.metadata for t in service.list_tickets()] == [{"x": 1}]
        assert service.adapter.find_by_key("nope") is None
        searches = [e for e in server.log if e.path.endswith("/search")]
        assert searches
        assert all(e.method == "GET" and e.query["properties"] for e in searches)
        assert ticket.id
    finally:
        server.stop()


def test_reading_a_field_not_requested_is_a_bridge_error_naming_it(fake) -> None:  # type: ignore[no-untyped-def]
    """An adapter that reads a field it did not ask for fails against the fake, with a bridge
    error that names the field; asking for it (the fix) reads the issue."""
    server, app = fake
    service = jira_service(server.url, app.mode)
    ticket = service.create_ticket("Read me")
    client = service.adapter._client
    asked = client.fields
    client.fields = [f for f in asked if f != "project"]
    with pytest.raises(UnavailableError, match=r"fields\.project"):
        service.get_ticket(ticket.id)
    client.fields = [f for f in asked if f != "status"]
    with pytest.raises(UnavailableError, match=r"fields\.status"):
        service.get_ticket(ticket.id)
    client.fields = asked
    assert service.get_ticket(ticket.id).title == "Read me"
    gets = [e for e in server.log if e.method == "GET" and e.path.endswith(ticket.id)]
    assert "project" in gets[-1].query["fields"][0].split(",")


def test_listing_by_status_finds_custom_statuses_by_category(fake) -> None:  # type: ignore[no-untyped-def]
    """An issue in a status the map does not name (In Review) reads as in_progress, and a
    list by in_progress finds it; Blocked (mapped) stays out of it."""
    server, app = fake
    service = jira_service(server.url, app.mode)
    review = service.create_ticket("Reviewing")
    mapped = service.create_ticket("Working")
    blocked = service.create_ticket("Stuck")
    todo = service.create_ticket("Waiting")
    service.update_ticket(mapped.id, status="in_progress")
    service.update_ticket(blocked.id, status="blocked")
    app.issues[review.id].status = "In Review"
    assert "In Review" not in service.config.status_map.values()
    assert CATEGORY["In Review"] == "indeterminate"
    assert service.get_ticket(review.id).status == Status.IN_PROGRESS
    found = [t.id for t in service.list_tickets(status="in_progress")]
    assert sorted(found) == sorted([review.id, mapped.id])
    assert [t.id for t in service.list_tickets(status="blocked")] == [blocked.id]
    assert [t.id for t in service.list_tickets(status="open")] == [todo.id]
    service.close_ticket(todo.id, resolution="Won't fix")
    assert [t.id for t in service.list_tickets(status="closed")] == [todo.id]
    assert set(WORKFLOWS) == {"TB", "NB", "RQ"}


def test_labels_with_commas_are_found_and_spaces_refused(fake) -> None:  # type: ignore[no-untyped-def]
    """A label holding a comma is its own JQL literal; one with a space never leaves."""
    server, app = fake
    service = jira_service(server.url, app.mode)
    comma = service.create_ticket("Comma", labels=["a,b"])
    service.create_ticket("Split", labels=["a", "b"])
    assert [t.id for t in service.list_tickets(labels=["a,b"])] == [comma.id]
    server.clear_log()
    with pytest.raises(InvalidError, match="spaces"):
        service.create_ticket("Spaced", labels=["needs review"])
    with pytest.raises(InvalidError, match="spaces"):
        service.update_ticket(comma.id, labels=["needs\treview"])
    assert server.log == []


def test_a_bridge_error_for_every_field_missing_from_an_issue(fake) -> None:  # type: ignore[no-untyped-def]
    """Whatever field of a read the answer lacks or mistypes, a bridge error names it."""
    server, app = fake
    service = jira_service(server.url, app.mode)
    ticket = service.create_ticket("Broken")
    original = app.render

    for name, value in [
        ("summary", None),
        ("status", {"statusCategory": {"key": "new"}}),
        ("issuetype", "Task"),
        ("created", "yesterday"),
        ("labels", "a,b"),
        ("summary", "x" * 1_000_000),
    ]:

        def broken(*args, _n=name, _v=value, **kwargs):  # type: ignore[no-untyped-def]
            body = original(*args, **kwargs)
            body["fields"][_n] = _v
            return body

        app.render = broken  # type: ignore[method-assign]
        with pytest.raises(BridgeError, match=rf"fields\.{name}"):
            service.get_ticket(ticket.id)
    app.render = original  # type: ignore[method-assign]
