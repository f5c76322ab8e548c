"""Priority and mapped metadata in the organisation's issue fields, and issue types checked.

Against the GitHub fake, which learns these endpoints from GitHub's OpenAPI description
(``tests/fakes/github_fields.py``): values set by ``issue_field_values`` on create and
update, read from the issue's answer, silently dropped where the feature is not enabled.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.github import GitHubService
from bridge.errors import InvalidError, UnavailableError, UnsupportedError
from tests.contract.test_github import github_service
from tests.fakes.base import FakeServer, Fault
from tests.fakes.github_fake import GitHubFakeApp

FIELDS = {"estimate_hours": "Effort", "due": "Target date"}
PRIORITY, EFFORT, TARGET = 101, 102, 104


@pytest.fixture
def by_field(fake: tuple[FakeServer, GitHubFakeApp]) -> Iterator[GitHubService]:
    service = github_service(fake[0].url, priority_field="Priority", field_map=FIELDS)
    yield service
    service.close()


def _requests(server: FakeServer, method: str | None = None, path: str = "") -> list[Any]:
    return [e for e in server.log if (method is None or e.method == method) and path in e.path]


def _dropped_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "dropped" in r.getMessage()
    ]


def test_priority_round_trips_through_the_issue_field(
    fake: tuple[FakeServer, GitHubFakeApp], by_field: GitHubService
) -> None:
    """Configured, the priority is the Priority field's option, in both directions; no
    priority label is written."""
    _, app = fake
    ticket = by_field.create_ticket("Fields", priority="high")
    number = int(ticket.id)
    assert app.org.values[number][PRIORITY] == "High"
    assert not [lb for lb in app.issues[number].labels if lb.startswith("priority:")]
    assert by_field.get_ticket(ticket.id).priority.value == "high"
    by_field.update_ticket(ticket.id, priority="critical")
    assert app.org.values[number][PRIORITY] == "Urgent"
    assert by_field.get_ticket(ticket.id).priority.value == "critical"
    app.org.values[number][PRIORITY] = "Low"  # a person chose Low on GitHub
    assert by_field.get_ticket(ticket.id).priority.value == "low"
    assert [t.id for t in by_field.list_tickets(priority="low")] == [ticket.id]


def test_priority_through_labels_when_not_configured(
    fake: tuple[FakeServer, GitHubFakeApp], gh: GitHubService
) -> None:
    """Without ``priority_field``: the label, no field values, no organisation request."""
    server, app = fake
    ticket = gh.create_ticket("Labels", priority="high")
    gh.update_ticket(ticket.id, priority="low")
    assert "priority: low" in app.issues[int(ticket.id)].labels
    assert app.org.values == {}
    assert gh.get_ticket(ticket.id).priority.value == "low"
    assert _requests(server, path="/orgs/") == []


def test_a_silently_dropped_value_falls_back_to_the_label_with_one_warning(
    fake: tuple[FakeServer, GitHubFakeApp],
    by_field: GitHubService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The feature not enabled: GitHub answers 2xx without the values; the adapter notices
    from the answer, puts priority in its label and metadata in the body, warns once, and
    sends no field values for the rest of the run."""
    server, app = fake
    app.org.enabled = False
    with caplog.at_level(logging.WARNING):
        first = by_field.create_ticket("One", priority="high", metadata={"estimate_hours": 3})
        server.clear_log()
        second = by_field.create_ticket("Two", priority="critical")
        by_field.update_ticket(first.id, priority="low")
    assert len(_dropped_warnings(caplog)) == 1
    [post] = _requests(server, "POST", "/issues")
    assert "issue_field_values" not in post.body
    assert "priority: critical" in post.body["labels"]
    assert app.org.values == {}
    assert by_field.get_ticket(second.id).priority.value == "critical"
    again = by_field.get_ticket(first.id)
    assert (again.priority.value, again.metadata) == ("low", {"estimate_hours": 3})


def test_a_value_dropped_on_update_falls_back_too(
    fake: tuple[FakeServer, GitHubFakeApp],
    by_field: GitHubService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Dropped on an update (the feature switched off since): the PATCH's answer shows it,
    one more PATCH writes the label, and the ticket reads back as updated."""
    _, app = fake
    ticket = by_field.create_ticket("Then off", priority="high")
    app.org.enabled = False
    with caplog.at_level(logging.WARNING):
        by_field.update_ticket(ticket.id, priority="critical")
    assert len(_dropped_warnings(caplog)) == 1
    assert "priority: critical" in app.issues[int(ticket.id)].labels
    assert by_field.get_ticket(ticket.id).priority.value == "critical"


def test_a_user_owned_repository_keeps_labels_and_fields_says_why(
    fake: tuple[FakeServer, GitHubFakeApp],
    by_field: GitHubService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A user, not an organisation: no issue fields (404), so labels and the body, one
    warning per missing field; ``fields()`` answers UnsupportedError saying why."""
    _, app = fake
    app.org.is_organisation = False
    with caplog.at_level(logging.WARNING):
        one = by_field.create_ticket("User", priority="high", metadata={"estimate_hours": 2})
        by_field.create_ticket("Again", priority="low")
    warnings = [r.getMessage() for r in caplog.records if "no issue field" in r.getMessage()]
    assert len(warnings) == 3  # Priority, Effort, Target date: each once
    assert "priority: high" in app.issues[int(one.id)].labels
    assert by_field.get_ticket(one.id).metadata == {"estimate_hours": 2}
    with pytest.raises(UnsupportedError, match="user, not an organisation"):
        by_field.adapter.fields()


def test_mapped_metadata_round_trips_and_a_removed_key_is_cleared(
    fake: tuple[FakeServer, GitHubFakeApp], by_field: GitHubService
) -> None:
    """``field_map`` keys live in their fields (not in the body); other keys in the body;
    removing a key clears its field; a person's edit on GitHub reads back."""
    server, app = fake
    metadata = {"estimate_hours": 5, "due": "2026-01-31", "phase": "build"}
    ticket = by_field.create_ticket("Mapped", metadata=metadata)
    number = int(ticket.id)
    assert app.org.values[number] == {PRIORITY: "Medium", EFFORT: 5, TARGET: "2026-01-31"}
    assert "estimate_hours" not in (app.issues[number].body or "")
    assert by_field.get_ticket(ticket.id).metadata == metadata
    server.clear_log()
    by_field.update_ticket(ticket.id, metadata={"estimate_hours": 5.5, "phase": "build"})
    assert [e.path.rsplit("/", 1)[-1] for e in _requests(server, "DELETE")] == [str(TARGET)]
    assert app.org.values[number] == {PRIORITY: "Medium", EFFORT: 5.5}
    app.org.values[number][EFFORT] = 8
    assert by_field.get_ticket(ticket.id).metadata == {"estimate_hours": 8, "phase": "build"}


def test_a_value_that_does_not_fit_is_refused_before_any_write(
    fake: tuple[FakeServer, GitHubFakeApp], by_field: GitHubService
) -> None:
    """A text for the number field Effort, a date that is not one: InvalidError naming the
    key, the field and what it takes; nothing is written."""
    server, _ = fake
    with pytest.raises(InvalidError, match=r"metadata 'estimate_hours'.*a number.*'Effort'"):
        by_field.create_ticket("Bad", metadata={"estimate_hours": "lots"})
    with pytest.raises(InvalidError, match=r"YYYY-MM-DD.*'Target date'"):
        by_field.create_ticket("Bad", metadata={"due": "next week"})
    assert server.writes() == []


def test_priority_values_that_are_not_options_are_a_clear_error(
    fake: tuple[FakeServer, GitHubFakeApp],
) -> None:
    """``priority_values`` naming an option the field lacks: the error lists the options."""
    server, _ = fake
    values = {"critical": "P0", "high": "High", "medium": "Medium", "low": "Low"}
    service = github_service(server.url, priority_field="Priority", priority_values=values)
    with pytest.raises(InvalidError, match=r"'P0'.*options: Urgent, High, Medium, Low"):
        service.create_ticket("Misconfigured")
    service.close()
    assert server.writes() == []


def test_an_issue_written_with_labels_moves_to_the_field_on_its_next_update(
    fake: tuple[FakeServer, GitHubFakeApp], gh: GitHubService, by_field: GitHubService
) -> None:
    """An issue from before ``priority_field``: its label is read, and the next update
    writes the field and takes the label away."""
    _, app = fake
    ticket = gh.create_ticket("Old", priority="high")
    assert by_field.get_ticket(ticket.id).priority.value == "high"
    by_field.update_ticket(ticket.id, title="Old, updated")
    number = int(ticket.id)
    assert app.org.values[number][PRIORITY] == "High"
    assert "priority: high" not in app.issues[number].labels
    assert by_field.get_ticket(ticket.id).priority.value == "high"


def test_requests_priority_through_the_field_adds_none(
    fake: tuple[FakeServer, GitHubFakeApp], by_field: GitHubService
) -> None:
    """The field list is read once a run; after it, a create is one request and an update
    two, as with labels."""
    server, _ = fake
    server.clear_log()
    by_field.create_ticket("First", priority="high")
    assert [(e.method, e.path.split("/api/v3")[-1]) for e in server.log] == [
        ("GET", "/orgs/octo/issue-fields"),
        ("POST", "/repos/octo/tickets/issues"),
    ]
    server.clear_log()
    ticket = by_field.create_ticket("Second", priority="low", metadata={"estimate_hours": 1})
    assert len(server.log) == 1
    server.clear_log()
    by_field.update_ticket(ticket.id, priority="critical")
    assert len(server.log) == 2


# ---------------------------------------------------------------- issue types


def test_issue_types_are_checked_once_per_run(fake: tuple[FakeServer, GitHubFakeApp]) -> None:
    """With ``use_issue_types``: the organisation's types are read once; a known type is
    set; an unknown one is an InvalidError listing the available ones, before any write."""
    server, app = fake
    service = github_service(server.url, use_issue_types=True)
    bug = service.create_ticket("A bug", type="bug")
    service.create_ticket("A task", type="task")
    assert app.issues[int(bug.id)].type == "Bug"
    assert service.get_ticket(bug.id).type.value == "bug"
    writes = len(server.writes())
    with pytest.raises(InvalidError, match=r"'Epic' is not one of octo's.*Task, Bug, Feature"):
        service.create_ticket("An epic", type="epic")
    with pytest.raises(InvalidError, match="'Epic'"):
        service.update_ticket(bug.id, type="epic")
    assert len(server.writes()) == writes
    assert len(_requests(server, "GET", "/orgs/octo/issue-types")) == 1
    service.close()


def test_issue_types_on_a_user_repository_are_a_clear_error(
    fake: tuple[FakeServer, GitHubFakeApp],
) -> None:
    """A user's repository has no issue types: the error says to switch them off."""
    server, app = fake
    app.org.is_organisation = False
    service = github_service(server.url, use_issue_types=True)
    with pytest.raises(InvalidError, match="use_issue_types = false"):
        service.create_ticket("Typed")
    service.close()


def test_without_issue_types_no_type_request(
    fake: tuple[FakeServer, GitHubFakeApp], gh: GitHubService
) -> None:
    """Off by default: type labels, as before, and no issue-types request."""
    server, app = fake
    ticket = gh.create_ticket("Labelled", type="epic")
    assert "type: epic" in app.issues[int(ticket.id)].labels
    assert _requests(server, path="/issue-types") == []


# ---------------------------------------------------------------- Adapter.fields


def test_fields_lists_the_organisation_fields_and_types(
    fake: tuple[FakeServer, GitHubFakeApp], gh: GitHubService
) -> None:
    """Name, id, neutral type and options of each field, and the types as ``type``; read
    once a run."""
    server, _ = fake
    infos = {f.name: f for f in gh.adapter.fields()}
    assert set(infos) == {"Priority", "Effort", "Start date", "Target date", "Type"}
    priority = infos["Priority"]
    assert (priority.id, priority.type) == ("101", "option")
    assert priority.allowed_values == ("Urgent", "High", "Medium", "Low")
    assert (infos["Effort"].type, infos["Target date"].type) == ("number", "date")
    assert infos["Type"].allowed_values == ("Task", "Bug", "Feature")
    assert not any(f.required for f in infos.values())
    assert [f.name for f in gh.adapter.fields("Bug")] == list(infos)
    with pytest.raises(InvalidError, match="'Story' is not one of octo's issue types"):
        gh.adapter.fields("Story")
    assert len(_requests(server, "GET", "/orgs/")) == 2


def test_fields_of_an_organisation_without_fields_lists_its_types(
    fake: tuple[FakeServer, GitHubFakeApp], gh: GitHubService
) -> None:
    """No issue fields (404) but issue types: the types alone."""
    _, app = fake
    app.org.fields = []
    assert [f.name for f in gh.adapter.fields()] == ["Type"]


def test_the_bench_rows_of_issue_fields() -> None:
    """``bench/api_calls.py``'s figures: a create with the priority in its field is one
    request; the field list and the type list cost one request each per run."""
    from bench.api_calls import github_field_rows

    figures = {name: count for name, count, _ in github_field_rows()}
    assert figures == {
        "create, priority as issue field": 1,
        "update priority, issue field": 2,
        "first create of a run": 3,
        "issue-field list, per run": 1,
        "issue-type check, per run": 1,
    }


# ---------------------------------------------------------------- hostile answers


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/issue-fields", {"fields": []}, "issue fields are dict, not a list"),
        ("/issue-fields", [{"id": "1", "name": "Priority"}], "issue fields"),
        ("/issue-types", [{"name": 7}], "issue types"),
    ],
)
def test_a_broken_definition_list_is_one_bridge_error(
    fake: tuple[FakeServer, GitHubFakeApp], path: str, body: Any, message: str
) -> None:
    """Definitions that are not GitHub's shape: UnavailableError naming them, no write."""
    server, _ = fake
    server.inject(Fault(kind="status", status=200, body=body, path=path))
    service = github_service(server.url, priority_field="Priority", use_issue_types=True)
    with pytest.raises(UnavailableError, match=message):
        service.create_ticket("Broken")
    service.close()
    assert server.writes() == []


def test_broken_field_values_in_an_issue_are_one_bridge_error(
    fake: tuple[FakeServer, GitHubFakeApp], by_field: GitHubService
) -> None:
    """An issue whose ``issue_field_values`` are not the documented shape: an error naming
    the property, never a KeyError or TypeError from the mapping."""
    server, app = fake
    ticket = by_field.create_ticket("Fine")
    broken = {**app.render(app.issues[int(ticket.id)]), "issue_field_values": [{"value": 1}]}
    server.inject(Fault(kind="status", status=200, body=broken, method="GET"))
    with pytest.raises(UnavailableError, match="issue_field_values"):
        by_field.get_ticket(ticket.id)
