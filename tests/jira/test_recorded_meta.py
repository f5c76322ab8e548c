"""Create metadata and field lists recorded from real Jira sites (fixtures/jira/recorded/meta/,
PROVENANCE.md there): parsed by the adapter's own code, replayed on loopback to the real
adapter, and checked against Atlassian's description."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.jira import JiraConfig, JiraService
from adapters.jira._meta import LEGACY, SITE_FIELDS
from adapters.jira._payload import checked
from adapters.jira._schema import EPIC_NAME, FieldMeta
from bridge.errors import InvalidError
from bridge.fields import FieldInfo
from bridge.models import Priority, TicketType
from tests.fakes.base import FakeServer
from tests.fakes.jira_meta_replay import META, MetaReplayApp, load, screen_of, start_meta_replay
from tests.fakes.openapi import jira
from tests.fakes.openapi_allow import ALLOWED

SERVER = "go-jira-createmeta-SPN-Request.json"  # Server, old form: SPN / Request
TASK = "defectdojo-createmeta-TEST-Task.json"  # Cloud: TEST / Task
EPIC = "defectdojo-createmeta-NTEST-Epic.json"  # Cloud: NTEST / Epic
FIELDS = "defectdojo-field.json"  # Cloud: GET /field
COMPONENTS = (
    "Build automation",
    "Caches and noSQL",
    "Cloud services",
    "Code quality tools",
    "Configuration management and provisioning",
    "Cronjobs",
    "Data pipelines and queues",
    "Database",
    "Documentation",
    "Git",
)
SITE_PRIORITIES = ("Immediate", "Urgent", "High", "Moderate", "Normal", "Low")
SITE_PRIORITY_MAP = {
    Priority.CRITICAL: "Immediate",
    Priority.HIGH: "High",
    Priority.MEDIUM: "Normal",
    Priority.LOW: "Low",
}


def _infos(name: str) -> dict[str, FieldInfo]:
    """A recorded old-form answer read as the adapter reads it: checked, then each entry."""
    answer = checked(LEGACY, load(name), "the create metadata")
    _, kind, fields = screen_of(answer)
    return {k: FieldMeta.of(k, v).info(kind["name"]) for k, v in fields.items()}


# ---------------------------------------------------------------- 1. parsing


def test_the_server_screen_reads_as_recorded() -> None:
    """Server (go-jira's recording): required Components with its 21 components; Assignee
    required but defaulted, so not required of a create; the site's own priorities."""
    infos = _infos(SERVER)
    assert len(infos) == 11
    comp = infos["components"]
    assert (comp.name, comp.type, comp.required, comp.issue_type) == (
        "Component/s",
        "options",
        True,
        "Request",
    )
    assert comp.allowed_values[:10] == COMPONENTS
    assert len(comp.allowed_values) == 21
    assert comp.allowed_values[-1] == "Internal Infrastructure"
    assert infos["assignee"] == FieldInfo(
        name="Assignee", id="assignee", type="user", required=False, issue_type="Request"
    )
    assert infos["priority"].allowed_values == SITE_PRIORITIES
    assert (infos["priority"].type, infos["priority"].required) == ("option", False)
    assert (infos["duedate"].name, infos["duedate"].type) == ("Due Date", "date")
    assert (infos["customfield_10806"].name, infos["customfield_10806"].type) == (
        "Epic Link",
        "any",
    )
    assert infos["labels"].type == "array of string"
    assert infos["description"].type == "text"
    assert {k for k, i in infos.items() if i.required} == {
        "summary",
        "issuetype",
        "components",
        "project",
    }
    assert infos["issuetype"].allowed_values == ("Request",)


def test_the_cloud_screens_read_as_recorded() -> None:
    """Cloud (DefectDojo's test site): Flagged is an array of option with one value, Start
    date a date, Team Atlassian's own type; the epic screen carries Epic Name, not required."""
    task = _infos(TASK)
    assert task["customfield_10021"] == FieldInfo(
        name="Flagged",
        id="customfield_10021",
        type="options",
        allowed_values=("Impediment",),
        issue_type="Task",
    )
    assert (task["customfield_10015"].name, task["customfield_10015"].type) == (
        "Start date",
        "date",
    )
    assert (task["customfield_10001"].name, task["customfield_10001"].type) == ("Team", "team")
    assert "priority" not in task  # a team-managed project: no priority on its screen
    assert {k for k, i in task.items() if i.required} == {"summary", "issuetype", "project"}
    epic = _infos(EPIC)
    assert epic["customfield_10011"] == FieldInfo(
        name="Epic Name", id="customfield_10011", type="string", issue_type="Epic"
    )
    _, _, screen = screen_of(load(EPIC))
    assert FieldMeta.of("customfield_10011", screen["customfield_10011"]).custom == EPIC_NAME
    assert epic["priority"].allowed_values == ("Highest", "High", "Medium", "Low", "Lowest")
    assert not epic["priority"].required  # required by no one; it has a default anyway
    assert (epic["fixVersions"].type, epic["components"].type) == ("options", "options")


def test_the_field_list_reads_as_recorded() -> None:
    """The site's 109 fields: each custom type maps to its neutral type; two are named
    Impact."""
    fields = checked(SITE_FIELDS, load(FIELDS), "the field list")
    assert len(fields) == 109
    metas = {f["id"]: FieldMeta.of(f["id"], {**f, "required": False}) for f in fields}
    expected = {
        "customfield_10026": ("Story Points", "number"),
        "customfield_10043": ("DefectDojo Custom Number Field", "number"),
        "customfield_10048": ("DefectDojo Custom Select List (SingleChoice) Field", "option"),
        "customfield_10047": ("DefectDojo Custom Select List (MultiChoice) Field", "options"),
        "customfield_10039": ("DefectDojo Custom CheckBoxes", "options"),
        "customfield_10051": ("DefectDojo Custom User Picker Field", "user"),
        "customfield_10003": ("Approvers", "array of user"),
        "customfield_10040": ("DefectDojo Custom DatePicker", "date"),
        "customfield_10041": ("DefectDojo Customer Date Time Picker", "datetime"),
        "customfield_10049": ("DefectDojo Custom Short Text Field", "string"),
        "customfield_10044": ("DefectDojo Customer Paragraph Field", "text"),
        "customfield_10042": ("DefectDojo Custom Labels", "array of string"),
        "customfield_10011": ("Epic Name", "string"),
        "components": ("Components", "options"),
        "fixVersions": ("Fix versions", "options"),
        "versions": ("Affects versions", "options"),
        "duedate": ("Due date", "date"),
    }
    assert {k: (metas[k].name, metas[k].neutral_type) for k in expected} == expected
    assert metas["customfield_10011"].custom == EPIC_NAME
    assert sorted(k for k, m in metas.items() if m.name == "Impact") == [
        "customfield_10004",
        "customfield_10052",
    ]
    assert all(not m.required for m in metas.values())


# ---------------------------------------------------------------- 2. replayed to the adapter


def _service(url: str, mode: str, app: MetaReplayApp, **settings: Any) -> JiraService:
    deployment = "cloud" if mode == "cloud" else "server"
    config = JiraConfig(
        server=url,
        project=app.project,
        deployment=deployment,
        timeout=5,
        type_map={TicketType.TASK: app.kind["name"], TicketType.EPIC: "Epic"},
        **settings,
    )
    return JiraService(config, email="bot@example.com", token="t0k")


@pytest.fixture
def site(request: pytest.FixtureRequest) -> Iterator[tuple[FakeServer, MetaReplayApp]]:
    mode, name = request.param
    server, app = start_meta_replay(mode, load(name), load(FIELDS))
    yield server, app
    server.stop()


def _posts(server: FakeServer) -> list[str]:
    return [e.path for e in server.log if e.method == "POST"]


@pytest.mark.parametrize("site", [("legacy", SERVER), ("server", SERVER)], indirect=True)
def test_a_create_without_the_recorded_required_field_is_refused_before_the_post(
    site: tuple[FakeServer, MetaReplayApp],
) -> None:
    """Components is required on the recorded screen: the create is refused naming it, its
    id and its first ten components, and nothing is posted. An older Server is asked in the
    old form after the paged form's 404; Data Center answers the paged form."""
    server, app = site
    service = _service(server.url, app.mode, app)
    with pytest.raises(InvalidError) as caught:
        service.create_ticket("Deploy the cache")
    message = str(caught.value)
    assert f"Component/s (components; one of: {', '.join(COMPONENTS)}, ... (11 more))" in message
    assert "Assignee" not in message
    assert "Summary" not in message
    assert _posts(server) == []
    asked = [e.path for e in server.log if "/createmeta" in e.path]
    if app.mode == "legacy":
        assert asked == [
            "/rest/api/2/issue/createmeta/SPN/issuetypes/6",
            "/rest/api/2/issue/createmeta",
        ]
    else:
        assert asked == ["/rest/api/2/issue/createmeta/SPN/issuetypes/6"]


@pytest.mark.parametrize("site", [("legacy", SERVER)], indirect=True)
def test_recorded_system_fields_get_the_shape_their_schema_asks_for(
    site: tuple[FakeServer, MetaReplayApp],
) -> None:
    """Mapped to the recorded Components (array of component) and Due Date (date), the
    values go out as ``[{"name": ...}]`` and the date string; the site takes the create."""
    server, app = site
    service = _service(
        server.url,
        app.mode,
        app,
        field_map={"area": "components", "due": "duedate"},
        priority_map=SITE_PRIORITY_MAP,
    )
    ticket = service.create_ticket(
        "Deploy the cache", metadata={"area": ["Database", "Git"], "due": "2026-03-01"}
    )
    assert ticket.id == "SPN-1"
    [body] = app.created
    assert body["fields"]["components"] == [{"name": "Database"}, {"name": "Git"}]
    assert body["fields"]["duedate"] == "2026-03-01"
    assert body["fields"]["priority"] == {"name": "Normal"}


@pytest.mark.parametrize("site", [("cloud", TASK)], indirect=True)
def test_recorded_custom_fields_mapped_by_name_get_their_shape_on_cloud(
    site: tuple[FakeServer, MetaReplayApp],
) -> None:
    """``Flagged`` and ``Start date`` are resolved through the recorded field list; Flagged
    (an array of option) goes out as ``[{"value": ...}]``, Start date as the date. The screen
    has no priority, so none is sent (Jira refuses a field not on the screen)."""
    server, app = site
    service = _service(
        server.url, app.mode, app, field_map={"flag": "Flagged", "start": "Start date"}
    )
    service.create_ticket(
        "Check the flag", metadata={"flag": ["Impediment"], "start": "2026-03-01"}
    )
    [body] = app.created
    assert body["fields"]["customfield_10021"] == [{"value": "Impediment"}]
    assert body["fields"]["customfield_10015"] == "2026-03-01"
    assert "priority" not in body["fields"]
    assert [e.path for e in server.log if e.path.endswith("/field")] == ["/rest/api/3/field"]
    with pytest.raises(
        InvalidError, match=r"Flagged \(customfield_10021\).*allowed values: Impediment"
    ):
        service.create_ticket("Bad flag", metadata={"flag": ["Blocker"]})
    assert len(app.created) == 1


@pytest.mark.parametrize("site", [("cloud", TASK)], indirect=True)
def test_a_name_two_recorded_fields_share_is_refused(
    site: tuple[FakeServer, MetaReplayApp],
) -> None:
    server, app = site
    service = _service(server.url, app.mode, app, field_map={"impact": "Impact"})
    with pytest.raises(
        InvalidError,
        match=r"several fields are named 'Impact' \(customfield_10004, customfield_10052\)",
    ):
        service.create_ticket("Ambiguous", metadata={"impact": "High"})
    assert _posts(server) == []


@pytest.mark.parametrize("site", [("server", EPIC), ("cloud", EPIC)], indirect=True)
def test_the_recorded_epic_screen_gets_its_epic_name(
    site: tuple[FakeServer, MetaReplayApp],
) -> None:
    """The recorded epic screen (Data Center's ``values`` page, Cloud's ``fields``) has Epic
    Name: the epic's title goes into it, as the string its schema asks for."""
    server, app = site
    service = _service(server.url, app.mode, app)
    service.create_ticket("Release 2", type=TicketType.EPIC)
    [body] = app.created
    assert body["fields"]["customfield_10011"] == "Release 2"
    assert body["fields"]["issuetype"] == {"name": "Epic"}
    infos = {i.id: i for i in service.adapter.fields("epic")}
    assert infos == _infos(EPIC)


@pytest.mark.parametrize("site", [("legacy", SERVER), ("cloud", TASK)], indirect=True)
def test_the_fields_command_answers_the_recorded_screen(
    site: tuple[FakeServer, MetaReplayApp],
) -> None:
    server, app = site
    service = _service(server.url, app.mode, app)
    name = SERVER if app.project == "SPN" else TASK
    assert {i.id: i for i in service.adapter.fields("task")} == _infos(name)


# ---------------------------------------------------------------- 3. the description


RECORDINGS = [
    (SERVER, "/rest/api/2/issue/createmeta"),
    (TASK, "/rest/api/2/issue/createmeta"),
    (EPIC, "/rest/api/2/issue/createmeta"),
    (FIELDS, "/rest/api/2/field"),
]


@pytest.mark.parametrize(("name", "path"), RECORDINGS, ids=[n for n, _ in RECORDINGS])
def test_each_recording_meets_the_description_but_for_its_allowlisted_deviation(
    name: str, path: str
) -> None:
    """Checked as a 200 answer to the request it was recorded for; each deviation must be
    one the allowlist names (Server's entries without ``key``; Cloud's ``untranslatedName``)."""
    checked_it, found = jira().check_response("GET", path, 200, load(name))
    assert checked_it
    assert found, "the allowlist entries for the recordings would be stale"
    uncovered = [v for v in found if not any(a.covers(v) for a in ALLOWED)]
    assert uncovered == []


def test_every_recording_is_in_the_provenance() -> None:
    text = (META.parent / "PROVENANCE.md").read_text()
    files = sorted(p.name for p in META.glob("*.json"))
    assert files == sorted([SERVER, TASK, EPIC, FIELDS])
    assert all(f"meta/{f}" in text for f in files)
