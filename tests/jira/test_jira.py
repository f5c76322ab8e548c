"""The Jira adapter on the fake: workflows, links, safe JQL, errors, secrets, request counts."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from adapters.jira import JiraConfig, JiraService
from adapters.jira._jql import quote
from bridge.errors import (
    AuthError,
    BridgeError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
    TrackerTimeoutError,
    UnavailableError,
)
from bridge.models import Status
from tests.contract.test_jira import jira_service
from tests.fakes.base import FakeServer, Fault, LogEntry
from tests.fakes.jira_fake import JiraFakeApp, start_jira_fake

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "jira"


@pytest.fixture(params=["cloud", "server"])
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[FakeServer, JiraFakeApp]]:
    server, app = start_jira_fake(request.param)
    yield server, app
    server.stop()


@pytest.fixture
def jira(fake: tuple[FakeServer, JiraFakeApp]) -> Iterator[JiraService]:
    service = jira_service(fake[0].url, fake[1].mode)
    yield service
    service.close()


def _count(server: FakeServer, action) -> int:  # type: ignore[no-untyped-def]
    server.clear_log()
    action()
    return len(server.log)


def _transitions(server: FakeServer) -> list[dict[str, object]]:
    return [e.body for e in server.log if e.method == "POST" and e.path.endswith("/transitions")]


def test_fake_payloads_have_the_documented_shape(jira: JiraService, fake) -> None:  # type: ignore[no-untyped-def]
    """The fake's issue, search and transitions answers carry the documented keys."""
    _, app = fake
    ticket = jira.create_ticket("Shape", "text")
    issue = app.render(app.issues[ticket.id], "3", ["ticket-bridge"])
    documented = json.loads((FIXTURES / "issue.json").read_text())
    assert {"id", "key", "self", "fields"} <= set(documented) & set(issue)
    for name in ("description", "project", "issuelinks", "updated", "comment"):
        assert name in documented["fields"]
        assert name in issue["fields"]
    search = json.loads((FIXTURES / "search-jql.json").read_text())
    assert {"issues", "isLast"} <= set(search)
    assert issue["fields"]["description"]["type"] == "doc"


def test_status_two_transitions_away_sends_resolution_only_where_asked(
    jira: JiraService, fake
) -> None:  # type: ignore[no-untyped-def]
    """In Progress -> Done goes through In Review; only the Approve screen gets a resolution."""
    server, app = fake
    warm = jira.create_ticket("Learn the workflow")
    jira.close_ticket(warm.id, resolution="x", status="resolved")
    ticket = jira.create_ticket("Walk")
    jira.update_ticket(ticket.id, status="in_progress")
    server.clear_log()
    jira.close_ticket(ticket.id, resolution="Shipped", status="resolved")
    bodies = _transitions(server)
    assert len(bodies) == 2
    assert "fields" not in bodies[0]
    assert bodies[1]["fields"] == {"resolution": {"name": "Done"}}
    assert app.issues[ticket.id].status == "Done"
    got = jira.get_ticket(ticket.id)
    assert (got.status, got.resolution) == (Status.RESOLVED, "Shipped")
    jira.reopen_ticket(ticket.id)
    server.clear_log()
    jira.close_ticket(ticket.id, resolution="Won't fix")
    assert [b.get("fields") for b in _transitions(server)] == [{"resolution": {"name": "Won't Do"}}]
    assert jira.get_ticket(ticket.id).status == Status.CLOSED


def test_blocked_without_a_blocked_status(fake) -> None:  # type: ignore[no-untyped-def]
    """In a workflow without Blocked, blocked is In Progress plus the configured label."""
    server, app = fake
    service = jira_service(server.url, app.mode, project="NB")
    ticket = service.create_ticket("Stuck", labels=["db"])
    service.update_ticket(ticket.id, status="blocked")
    assert app.issues[ticket.id].status == "In Progress"
    assert app.issues[ticket.id].fields["labels"] == ["db", "blocked"]
    got = service.get_ticket(ticket.id)
    assert (got.status, got.labels) == (Status.BLOCKED, ["db"])
    service.update_ticket(ticket.id, status="in_progress")
    assert app.issues[ticket.id].fields["labels"] == ["db"]
    service.close_ticket(ticket.id, resolution="done")
    assert service.get_ticket(ticket.id).status == Status.CLOSED
    flagged = jira_service(server.url, app.mode, project="NB", blocked_strategy="flag")
    other = flagged.create_ticket("Flag me")
    flagged.update_ticket(other.id, status="blocked")
    assert app.issues[other.id].fields["customfield_10021"] == [{"value": "Impediment"}]
    assert flagged.get_ticket(other.id).status == Status.BLOCKED


def test_subtask_epic_child_dependencies_and_children(jira: JiraService, fake) -> None:  # type: ignore[no-untyped-def]
    """A sub-task under a task, a child under an epic, a Blocks link, children by JQL."""
    _, app = fake
    task = jira.create_ticket("Task")
    epic = jira.create_ticket("Epic", type="epic")
    sub = jira.create_ticket("Sub", parent_id=task.id)
    child = jira.create_ticket("Story", type="feature", parent_id=epic.id)
    assert app.issues[sub.id].fields["issuetype"] == "Sub-task"
    assert app.issues[child.id].fields["issuetype"] == "Story"
    assert jira.get_ticket(sub.id).type == "task"
    assert [t.id for t in jira.get_children(task.id)] == [sub.id]
    assert [t.id for t in jira.get_children(epic.id)] == [child.id]
    jira.add_dependency(child.id, task.id)
    assert list(app.links.values()) == [(task.id, child.id)]
    assert jira.get_ticket(child.id).dependencies == [task.id]
    assert jira.get_ticket(task.id).dependencies == []
    jira.remove_dependency(child.id, task.id)
    assert app.links == {}


@pytest.mark.parametrize(
    "value",
    [
        'x" OR project != "TB',
        'a\\" OR 1=1 OR "',
        "ORDER BY created",
        "currentUser()",
        'x") OR issuekey IN (NB-1',
        "\\\\",
    ],
)
def test_filter_values_cannot_change_the_query(fake, value: str) -> None:  # type: ignore[no-untyped-def]
    """Quotes, backslashes, OR, ORDER BY and functions in a value only ever match literally."""
    server, app = fake
    tb = jira_service(server.url, app.mode)
    nb = jira_service(server.url, app.mode, project="NB")
    nb.create_ticket("Other project")
    tb.create_ticket("Plain")
    literal = tb.create_ticket(f"Has {value} inside")
    assert list(tb.list_tickets(labels=[value.replace(" ", "_")])) == []
    assert [t.id for t in tb.list_tickets(text=value)] == [literal.id]
    assert all(t.id.startswith("TB-") for t in tb.iter_tickets())
    searches = [_jql(e) for e in server.log if "search" in e.path]
    assert searches
    assert all(
        jql.startswith('project = "TB" AND')
        or jql.startswith('project = "NB"')
        or jql.startswith('project = "TB" ORDER')
        for jql in searches
    )


def _jql(entry: LogEntry) -> str:
    """The JQL of a logged search: in the body (POST) or the query (GET)."""
    if isinstance(entry.body, dict):
        return str(entry.body["jql"])
    return entry.query["jql"][0]


def test_quote_escapes_backslashes_and_quotes() -> None:
    """The JQL string literal escapes what would end it."""
    assert quote('a"b\\c') == '"a\\"b\\\\c"'
    assert quote("line\nbreak") == '"line break"'


def _date(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


FAULTS = [
    (
        Fault(status=400, body={"errorMessages": [], "errors": {"summary": "too long"}}),
        InvalidError,
    ),
    (Fault(status=401, body={"errorMessages": ["not authenticated"]}), AuthError),
    (Fault(status=403, body={"errorMessages": ["no permission"]}), AuthError),
    (Fault(status=404, body={"errorMessages": ["Issue does not exist"]}), NotFoundError),
    (Fault(status=429, headers={"Retry-After": "9"}), RateLimitedError),
    (Fault(status=429, headers={"Retry-After": "date+20"}), RateLimitedError),
    (Fault(status=500), UnavailableError),
    (Fault(status=503), UnavailableError),
    (Fault(kind="hang", delay=0.5), TrackerTimeoutError),
]


@pytest.mark.parametrize(("fault", "error"), FAULTS)
def test_http_failures_become_bridge_errors(fake, fault: Fault, error: type) -> None:  # type: ignore[no-untyped-def]
    """Each failure raises its bridge error and nothing foreign escapes."""
    server, app = fake
    # a short timeout only where the fault is a hang; elsewhere a loaded machine's pause
    # must not turn the expected error into a timeout
    service = jira_service(server.url, app.mode, timeout=0.3 if fault.kind == "hang" else 10)
    ticket = service.create_ticket("Target")
    fault = copy.deepcopy(fault)
    if fault.headers.get("Retry-After") == "date+20":  # an HTTP date 20 s from now, made now
        fault.headers["Retry-After"] = _date(20)
    server.inject(fault)
    with pytest.raises(BridgeError) as info:
        service.get_ticket(ticket.id)
    assert type(info.value) is error
    assert info.value.adapter == "jira"
    if error is RateLimitedError and fault.headers["Retry-After"] == "9":
        assert info.value.retry_after == 9  # type: ignore[attr-defined]
    elif error is RateLimitedError:
        assert 10 <= (info.value.retry_after or 0) <= 21  # type: ignore[attr-defined]
    if fault.status == 400:
        assert "summary: too long" in str(info.value)


def test_canary_secrets_never_leak(fake, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Neither the token nor the email appears in logs, reprs or exception messages."""
    server, app = fake
    app.email, app.token = "canary-email@example.com", "CANARY-jira-token-123"
    monkeypatch.setenv("JIRA_EMAIL", app.email)
    monkeypatch.setenv("JIRA_API_TOKEN", app.token)
    config = JiraConfig(server=server.url, project="TB", deployment=app.mode)
    with caplog.at_level(logging.DEBUG):
        service = JiraService(config)
        ticket = service.create_ticket("Safe")
        texts = [repr(service), repr(config), str(config.model_dump())]
        for fault in (Fault(status=401), Fault(status=500)):
            server.inject(fault)
            with pytest.raises(BridgeError) as info:
                service.get_ticket(ticket.id)
            texts += [str(info.value), repr(info.value)]
        bad = JiraService(config, email="x@example.com", token="wrong-secret")
        with pytest.raises(AuthError) as info:
            bad.get_ticket(ticket.id)
        texts.append(str(info.value))
    blob = "\n".join([caplog.text, *texts])
    assert "CANARY-jira-token-123" not in blob
    assert "wrong-secret" not in blob
    assert "canary-email" not in blob


def test_request_counts(jira: JiraService, fake) -> None:  # type: ignore[no-untyped-def]
    """create 1 with everything once its type's create metadata is known (one request per
    type per run, the first also reads the project's types), comment 1, status change 2 once
    known, get 1, list by pages."""
    server, app = fake
    parents: list[str] = []
    assert _count(server, lambda: parents.append(jira.create_ticket("Parent").id)) == 3
    parent = jira.get_ticket(parents[0])
    assert [e.path.rsplit("/", 1)[-1] for e in server.log[:2]] == ["statuses", "10001"]
    assert _count(server, lambda: jira.create_ticket("Warm", parent_id=parent.id)) == 2
    assert (
        _count(
            server,
            lambda: jira.create_ticket(
                "Child",
                priority="high",
                labels=["a", "b"],
                parent_id=parent.id,
                metadata={"phase": 1},
            ),
        )
        == 1
    )
    assert _count(server, lambda: jira.add_comment(parent.id, "hello")) == 1
    assert _count(server, lambda: jira.get_ticket(parent.id)) == 1
    jira.update_ticket(parent.id, status="in_progress")
    jira.update_ticket(parent.id, status="open")
    assert _count(server, lambda: jira.update_ticket(parent.id, status="in_progress")) == 2
    assert _count(server, lambda: jira.update_ticket(parent.id, priority="low")) == 2
    while len(app.issues) < 1000:
        jira.create_ticket(f"Bulk {len(app.issues)}")
    assert _count(server, lambda: list(jira.iter_tickets(limit=100))) == 10


def test_status_outside_the_map_reads_by_category(jira: JiraService, fake) -> None:  # type: ignore[no-untyped-def]
    """A status the map does not name (In Review) reads back by its category."""
    _, app = fake
    ticket = jira.create_ticket("Reviewing")
    app.issues[ticket.id].status = "In Review"
    assert jira.get_ticket(ticket.id).status == Status.IN_PROGRESS
    app.issues[ticket.id].status = "Done"
    assert jira.get_ticket(ticket.id).status == Status.RESOLVED
