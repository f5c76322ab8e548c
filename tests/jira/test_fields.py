"""Jira fields: field_map both ways, required fields refused before the create, Epic Name,
create metadata once per issue type per run, on Cloud, Data Center and an older Server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.jira import JiraConfig
from bridge.errors import InvalidError
from tests.contract.test_jira import jira_service
from tests.fakes.base import FakeServer
from tests.fakes.jira_fake import JiraFakeApp, start_jira_fake

FIELD_MAP = {
    "estimate_hours": "customfield_10016",
    "team": "customfield_10050",
    "platforms": "customfield_10060",
    "component": "components",
    "release": "fixVersions",
    "due": "duedate",
    "reviewer": "customfield_10070",
    "notes": "customfield_10080",
}
VALUES = {
    "estimate_hours": 5,
    "team": "Blue",
    "platforms": ["iOS", "Web"],
    "component": ["Backend"],
    "release": ["2.0"],
    "due": "2026-03-01",
    "reviewer": "5b10a2844c20165700ede21g",
    "notes": "First line\n\nSecond paragraph",
}


@pytest.fixture(params=["cloud", "server", "legacy"])
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[FakeServer, JiraFakeApp]]:
    mode = "cloud" if request.param == "cloud" else "server"
    server, app = start_jira_fake(mode, legacy_createmeta=request.param == "legacy")
    yield server, app
    server.stop()


def _meta_requests(server: FakeServer) -> list[str]:
    return [e.path for e in server.log if "/createmeta" in e.path]


def test_mapped_values_land_in_their_fields_and_read_back_as_metadata(fake) -> None:  # type: ignore[no-untyped-def]
    """Every common schema type goes into its field in Jira's form and reads back as written;
    the bridge's property keeps only the unmapped keys."""
    server, app = fake
    service = jira_service(server.url, app.mode, field_map=FIELD_MAP)
    ticket = service.create_ticket("Mapped", metadata={**VALUES, "phase": 2})
    stored = app.issues[ticket.id].fields
    assert stored["customfield_10016"] == 5
    assert stored["customfield_10050"] == {"value": "Blue"}
    assert stored["customfield_10060"] == [{"value": "iOS"}, {"value": "Web"}]
    assert stored["components"] == [{"name": "Backend"}]
    assert stored["fixVersions"] == [{"name": "2.0"}]
    assert stored["duedate"] == "2026-03-01"
    account = "accountId" if app.mode == "cloud" else "name"
    assert stored["customfield_10070"] == {account: VALUES["reviewer"]}
    notes = stored["customfield_10080"]
    assert (notes["type"] == "doc") if app.mode == "cloud" else (notes == VALUES["notes"])
    prop = app.issues[ticket.id].properties["ticket-bridge"]
    assert prop["metadata"] == {"phase": 2}
    assert service.get_ticket(ticket.id).metadata == {**VALUES, "phase": 2}
    assert [t.metadata for t in service.list_tickets()] == [{**VALUES, "phase": 2}]


def test_an_edit_on_jira_reads_back_and_an_update_writes_only_the_changed_field(fake) -> None:  # type: ignore[no-untyped-def]
    """A person's edit of a mapped field is the ticket's metadata; an update sends only the
    mapped field that changed, and removing a key clears its field."""
    server, app = fake
    service = jira_service(server.url, app.mode, field_map=FIELD_MAP)
    ticket = service.create_ticket("Edit", metadata={"estimate_hours": 3, "team": "Red"})
    app.issues[ticket.id].fields["customfield_10016"] = 8.0
    assert service.get_ticket(ticket.id).metadata == {"estimate_hours": 8, "team": "Red"}
    server.clear_log()
    service.update_ticket(ticket.id, metadata={"estimate_hours": 8, "team": "Green"})
    puts = [e.body for e in server.log if e.method == "PUT"]
    assert puts == [{"fields": {"customfield_10050": {"value": "Green"}}}]
    service.update_ticket(ticket.id, metadata={"team": "Green"})
    assert app.issues[ticket.id].fields["customfield_10016"] is None
    assert service.get_ticket(ticket.id).metadata == {"team": "Green"}


def test_a_create_without_a_required_field_is_refused_before_it_is_sent(fake) -> None:  # type: ignore[no-untyped-def]
    """RQ requires Components and Team: the error names each, its id and its allowed values;
    no create is sent, and once the metadata is known no request at all."""
    server, app = fake
    service = jira_service(server.url, app.mode, project="RQ", field_map=FIELD_MAP)
    with pytest.raises(InvalidError) as info:
        service.create_ticket("Lacks", metadata={"team": "Red"})
    message = str(info.value)
    assert "Component/s (components; one of: Backend, Frontend)" in message
    assert "Team" not in message
    assert not [e for e in server.log if e.method == "POST"]
    server.clear_log()
    with pytest.raises(InvalidError) as info:
        service.create_ticket("Lacks both")
    assert "Team (customfield_10050; one of: Red, Blue, Green)" in str(info.value)
    assert "Component/s (components" in str(info.value)
    assert server.log == []
    made = service.create_ticket("Has all", metadata={"team": "Red", "component": ["Frontend"]})
    assert service.get_ticket(made.id).metadata == {"team": "Red", "component": ["Frontend"]}
    assert app.issues == {made.id: app.issues[made.id]}


def test_without_the_check_the_site_refuses_it(fake) -> None:  # type: ignore[no-untyped-def]
    """With check_required off a create costs its one request, and the site's own 400 names
    the field."""
    server, app = fake
    service = jira_service(server.url, app.mode, project="RQ", check_required=False)
    with pytest.raises(InvalidError, match="customfield_10050: Team is required"):
        service.create_ticket("Lacks")
    assert [e.method for e in server.log] == ["POST"]


def test_metadata_costs_one_request_per_issue_type_per_run(fake) -> None:  # type: ignore[no-untyped-def]
    """Creates of one type read its metadata once; another type once more; a new run again.
    An older Server answers the first (paged) form 404 once per run, then the old form."""
    server, app = fake
    probe = 1 if app.legacy_createmeta else 0
    service = jira_service(server.url, app.mode, field_map=FIELD_MAP)
    for n in range(3):
        service.create_ticket(f"Task {n}", metadata={"estimate_hours": n})
    bug = service.create_ticket("Bug", type="bug")
    service.update_ticket(bug.id, metadata={"estimate_hours": 1})
    assert len(_meta_requests(server)) == 2 + probe
    assert [e.status for e in server.log if "/createmeta" in e.path].count(404) == probe
    again = jira_service(server.url, app.mode, field_map=FIELD_MAP)
    again.create_ticket("Next run")
    assert len(_meta_requests(server)) == 3 + 2 * probe


def test_epic_name_is_filled_from_the_title(fake) -> None:  # type: ignore[no-untyped-def]
    """Company-managed epics require an Epic Name; the bridge gives it the title."""
    server, app = fake
    service = jira_service(server.url, app.mode)
    epic = service.create_ticket("Checkout revamp", type="epic")
    assert app.issues[epic.id].fields["customfield_10011"] == "Checkout revamp"
    off = jira_service(server.url, app.mode, check_required=False)
    assert off.create_ticket("Still named", type="epic").type == "epic"


def test_values_a_field_cannot_take_are_refused_naming_the_field(fake) -> None:  # type: ignore[no-untyped-def]
    """An option outside the allowed values, a word for a number, a bad date: refused before
    the create, naming the key, the field and what it takes."""
    server, app = fake
    service = jira_service(server.url, app.mode, field_map=FIELD_MAP)
    cases = [
        ({"team": "Purple"}, r"Team \(customfield_10050\): allowed values: Red, Blue, Green"),
        ({"estimate_hours": "five"}, "expected a number"),
        ({"due": "soon"}, "expected a date"),
        ({"component": ["Kitchen"]}, "allowed values: Backend, Frontend"),
    ]
    for metadata, message in cases:
        with pytest.raises(InvalidError, match=message):
            service.create_ticket("Bad", metadata=metadata)
    assert not [e for e in server.log if e.method == "POST"]


def test_a_field_map_by_name_is_resolved_once(fake) -> None:  # type: ignore[no-untyped-def]
    """``estimate = "Story Points"`` finds customfield_10016 through the site's field list."""
    server, app = fake
    service = jira_service(server.url, app.mode, field_map={"estimate": "Story Points"})
    ticket = service.create_ticket("By name", metadata={"estimate": 2})
    assert app.issues[ticket.id].fields["customfield_10016"] == 2
    assert service.get_ticket(ticket.id).metadata == {"estimate": 2}
    assert sum(1 for e in server.log if e.path.endswith("/field")) == 1
    unknown = jira_service(server.url, app.mode, field_map={"x": "No Such Field"})
    with pytest.raises(InvalidError, match="no field named 'No Such Field'"):
        unknown.get_ticket(ticket.id)


def test_fields_lists_each_type_with_ids_types_values_and_required(fake) -> None:  # type: ignore[no-untyped-def]
    """What ``ticket-bridge fields`` shows: by neutral type or Jira type name, or all types."""
    server, app = fake
    service = jira_service(server.url, app.mode, project="RQ")
    by_id = {f.id: f for f in service.adapter.fields("task")}
    assert by_id["customfield_10050"].allowed_values == ("Red", "Blue", "Green")
    assert (by_id["customfield_10050"].type, by_id["customfield_10050"].required) == (
        "option",
        True,
    )
    assert (by_id["customfield_10016"].name, by_id["customfield_10016"].type) == (
        "Story Points",
        "number",
    )
    assert by_id["components"].type == "options"
    assert by_id["customfield_10080"].type == "text"
    assert not by_id["reporter"].required  # Jira fills it in
    epic = {f.id: f for f in service.adapter.fields("Epic")}
    assert epic["customfield_10011"].required
    every = service.adapter.fields()
    assert {f.issue_type for f in every} == {"Task", "Bug", "Story", "Epic", "Sub-task"}
    with pytest.raises(InvalidError, match="unknown issue type 'Chore'"):
        service.adapter.fields("Chore")


def test_field_map_is_validated_at_load() -> None:
    """Keys the bridge sets itself, two keys on one field, an empty target: clear errors."""
    base = {"server": "https://x.atlassian.net", "project": "TB"}
    for field_map, message in [
        ({"p": "priority"}, "sets itself"),
        ({"a": "customfield_1", "b": "customfield_1"}, "both map to"),
        ({"a": " "}, "not a Jira field"),
        ({"bad key": "components"}, "metadata key"),
    ]:
        with pytest.raises(ValueError, match=message):
            JiraConfig(**base, field_map=field_map)
