"""The Jira fake's fields: create metadata, the site's field list, and custom field values.

What it serves, as Atlassian's descriptions give it:

* ``GET /issue/createmeta/{project}/issuetypes/{typeId}`` (Cloud, Data Center 8.4+): a page
  of ``FieldCreateMetadata``; Cloud holds it in ``fields``, Data Center in ``values`` (with
  ``isLast``). A fake of an older Server answers 404 there.
* ``GET /issue/createmeta?projectKeys&issuetypeNames&expand=projects.issuetypes.fields``: only
  on a fake of an older Server (Data Center 9 removed it); 404 elsewhere.
* ``GET /field``: every field of the site.

Projects: ``TB`` and ``NB`` have optional custom fields (Story Points, Team, Platforms,
Reviewer, Notes) beside components, fix versions and the due date, and company-managed epics
that require an Epic Name; ``RQ`` also requires Components and Team on every create.
A value sent to one of these fields is checked as Jira checks it (an option must be one of
the allowed values, a number a number, ...) and rendered back as Jira renders it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.fakes.base import Request, Response

TYPES = ["Task", "Bug", "Story", "Epic", "Sub-task"]
TYPE_IDS = {name: str(10001 + i) for i, name in enumerate(TYPES)}

# id -> (name, schema, allowed values)
CUSTOM: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "customfield_10016": (
        "Story Points",
        {"type": "number", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float"},
        [],
    ),
    "customfield_10050": (
        "Team",
        {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select"},
        ["Red", "Blue", "Green"],
    ),
    "customfield_10060": (
        "Platforms",
        {
            "type": "array",
            "items": "option",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multiselect",
        },
        ["iOS", "Android", "Web"],
    ),
    "customfield_10070": (
        "Reviewer",
        {"type": "user", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:userpicker"},
        [],
    ),
    "customfield_10080": (
        "Notes",
        {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textarea"},
        [],
    ),
    "customfield_10021": (
        "Flagged",
        {
            "type": "array",
            "items": "option",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
        },
        ["Impediment"],
    ),
    "customfield_10011": (
        "Epic Name",
        {"type": "string", "custom": "com.pyxis.greenhopper.jira:gh-epic-label"},
        [],
    ),
}
SYSTEM: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "summary": ("Summary", {"type": "string", "system": "summary"}, []),
    "issuetype": ("Issue Type", {"type": "issuetype", "system": "issuetype"}, TYPES),
    "project": ("Project", {"type": "project", "system": "project"}, []),
    "priority": (
        "Priority",
        {"type": "priority", "system": "priority"},
        ["Highest", "High", "Medium", "Low", "Lowest"],
    ),
    "labels": ("Labels", {"type": "array", "items": "string", "system": "labels"}, []),
    "description": ("Description", {"type": "string", "system": "description"}, []),
    "assignee": ("Assignee", {"type": "user", "system": "assignee"}, []),
    "reporter": ("Reporter", {"type": "user", "system": "reporter"}, []),
    "parent": ("Parent", {"type": "issuelink", "system": "parent"}, []),
    "components": (
        "Component/s",
        {"type": "array", "items": "component", "system": "components"},
        ["Backend", "Frontend"],
    ),
    "fixVersions": (
        "Fix Version/s",
        {"type": "array", "items": "version", "system": "fixVersions"},
        ["1.0", "2.0"],
    ),
    "duedate": ("Due date", {"type": "date", "system": "duedate"}, []),
}
ALL = {**SYSTEM, **CUSTOM}
# What every create screen holds, and what each project adds or requires.
BASE = ["summary", "issuetype", "project", "priority", "labels", "description", "assignee"]
OPTIONAL = [
    "reporter",
    "components",
    "fixVersions",
    "duedate",
    "customfield_10016",
    "customfield_10050",
    "customfield_10060",
    "customfield_10070",
    "customfield_10080",
]
REQUIRED_BY_PROJECT = {"RQ": {"components", "customfield_10050"}}
# Required on a screen, but Jira fills them when a create leaves them out.
DEFAULTED = {"reporter", "issuetype", "project", "priority"}


def screen(project: str, issue_type: str) -> dict[str, bool]:
    """The create screen of ``issue_type`` in ``project``: field id -> required."""
    ids = [*BASE, *OPTIONAL]
    if issue_type == "Epic":
        ids.append("customfield_10011")
    if issue_type == "Sub-task":
        ids.append("parent")
    required = {"summary", "issuetype", "project", "reporter"}
    required |= REQUIRED_BY_PROJECT.get(project, set())
    if issue_type == "Epic":
        required.add("customfield_10011")
    if issue_type == "Sub-task":
        required.add("parent")
    return {i: i in required for i in ids}


def _allowed(base_url: str, field_id: str, values: list[str]) -> list[dict[str, Any]]:
    out = []
    for n, value in enumerate(values):
        item_id = str(10100 + n)
        if field_id.startswith("customfield_"):
            out.append(
                {"self": f"{base_url}/rest/api/2/customFieldOption/{item_id}", "value": value}
                | {"id": item_id}
            )
        elif field_id == "issuetype":
            out.append(
                {"self": f"{base_url}/rest/api/2/issuetype/{TYPE_IDS[value]}"}
                | {"id": TYPE_IDS[value], "name": value, "subtask": value == "Sub-task"}
            )
        else:
            kind = {"components": "component", "fixVersions": "version"}.get(field_id, field_id)
            out.append(
                {"self": f"{base_url}/rest/api/2/{kind}/{item_id}", "id": item_id, "name": value}
            )
    return out


def field_entry(base_url: str, field_id: str, required: bool, *, paged: bool) -> dict[str, Any]:
    """One field of a create screen, as createmeta lists it (``paged``: with its fieldId)."""
    name, schema, values = ALL[field_id]
    entry: dict[str, Any] = {
        "required": required,
        "schema": dict(schema)
        | ({"customId": int(field_id.split("_")[1])} if field_id.startswith("custom") else {}),
        "name": name,
        "key": field_id,
        "hasDefaultValue": field_id in DEFAULTED,
        "operations": ["set"],
    }
    if paged:
        entry["fieldId"] = field_id
    if values:
        entry["allowedValues"] = _allowed(base_url, field_id, values)
    return entry


def check_value(field_id: str, value: Any) -> str | None:
    """Jira's complaint about ``value`` for a field of this fake, or None."""
    if field_id not in ALL or value is None:
        return None if value is None else f"Field '{field_id}' cannot be set."
    name, schema, values = ALL[field_id]
    kind, items = schema["type"], schema.get("items")
    ok = True
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "string":
        ok = isinstance(value, str) or (isinstance(value, dict) and value.get("type") == "doc")
    elif kind == "option":
        ok = isinstance(value, dict) and value.get("value") in values
    elif kind == "array":
        key = "value" if items == "option" else "name"
        ok = isinstance(value, list) and all(
            isinstance(v, dict) and v.get(key) in values for v in value
        )
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            ok = False
    elif kind == "user":
        ok = isinstance(value, dict) and bool(value.get("accountId") or value.get("name"))
    return None if ok else f"Specify a valid value for {name}"


def render_value(base_url: str, field_id: str, value: Any) -> Any:
    """A stored value as Jira answers it: options and components with their ids and URLs."""
    if value is None or field_id not in ALL:
        return value
    _, schema, values = ALL[field_id]

    def one(v: dict[str, Any], key: str) -> dict[str, Any]:
        n = values.index(v[key]) if v.get(key) in values else 0
        kind = {"components": "component", "fixVersions": "version"}.get(
            field_id, "customFieldOption"
        )
        return {
            "self": f"{base_url}/rest/api/2/{kind}/{10100 + n}",
            key: v[key],
            "id": str(10100 + n),
        }

    if schema["type"] == "option":
        return one(value, "value")
    if schema["type"] == "array" and schema.get("items") in ("option", "component", "version"):
        key = "value" if schema["items"] == "option" else "name"
        return [one(v, key) for v in value]
    if schema["type"] == "user":
        account = value.get("accountId") or value.get("name")
        return {
            "accountId": account,
            "name": account,
            "displayName": f"User {account}",
            "active": True,
        }
    return value


def missing(project: str, issue_type: str, given: dict[str, Any]) -> dict[str, str]:
    """Jira's 400 errors for the required fields a create leaves out."""
    return {
        fid: f"{ALL[fid][0]} is required."
        for fid, required in screen(project, issue_type).items()
        if required and fid not in DEFAULTED and given.get(fid) in (None, [], "")
    }


class MetaRoutes:
    """The routes above, for a :class:`~tests.fakes.jira_fake.JiraFakeApp`."""

    def __init__(self, app: Any, *, legacy: bool) -> None:
        self.app, self.legacy = app, legacy
        api = r"/rest/api/(?P<v>[23])"
        app.route("GET", api + r"/issue/createmeta", self.legacy_meta)
        app.route(
            "GET",
            api + r"/issue/createmeta/(?P<project>[A-Z][A-Z0-9_]*)/issuetypes/(?P<type_id>\d+)",
            self.paged_meta,
        )
        app.route("GET", api + r"/field", self.site_fields)

    def _gone(self, req: Request) -> Response:
        return Response(404, {"errorMessages": [f"null for uri: {req.path}"], "errors": {}})

    def paged_meta(self, req: Request, v: str, project: str, type_id: str) -> Response:
        if self.legacy:
            return self._gone(req)
        names = {i: n for n, i in TYPE_IDS.items()}
        if project not in self.app.projects() or type_id not in names:
            return Response(
                400, {"errorMessages": ["Issue type or project not found"], "errors": {}}
            )
        start = int(req.arg("startAt") or 0)
        size = min(int(req.arg("maxResults") or 50), 200)
        entries = [
            field_entry(self.app.base_url, fid, required, paged=True)
            for fid, required in screen(project, names[type_id]).items()
        ]
        chunk = entries[start : start + size]
        page: dict[str, Any] = {"maxResults": size, "startAt": start, "total": len(entries)}
        if self.app.mode == "cloud":
            page["fields"] = chunk
        else:
            page |= {"isLast": start + size >= len(entries), "values": chunk}
        return Response(200, page)

    def legacy_meta(self, req: Request, v: str) -> Response:
        if not self.legacy:
            return self._gone(req)
        keys = [k for item in req.query.get("projectKeys", []) for k in item.split(",") if k]
        names = [n for item in req.query.get("issuetypeNames", []) for n in item.split(",") if n]
        expand = "projects.issuetypes.fields" in (req.arg("expand") or "")
        projects = []
        for key in keys:
            if key not in self.app.projects():
                continue
            kinds = []
            for name in names or TYPES:
                if name not in TYPES:
                    continue
                kind: dict[str, Any] = {
                    "self": f"{self.app.base_url}/rest/api/2/issuetype/{TYPE_IDS[name]}",
                    "id": TYPE_IDS[name],
                    "name": name,
                    "subtask": name == "Sub-task",
                }
                if expand:
                    kind["fields"] = {
                        fid: field_entry(self.app.base_url, fid, required, paged=False)
                        for fid, required in screen(key, name).items()
                    }
                kinds.append(kind)
            projects.append({"id": "10000", "key": key, "name": key, "issuetypes": kinds})
        return Response(200, {"expand": "projects", "projects": projects})

    def site_fields(self, req: Request, v: str) -> Response:
        out = []
        for fid, (name, schema, _) in ALL.items():
            custom = fid.startswith("customfield_")
            out.append(
                {
                    "id": fid,
                    "key": fid,
                    "name": name,
                    "custom": custom,
                    "orderable": True,
                    "navigable": True,
                    "searchable": True,
                    "clauseNames": [f"cf[{fid.split('_')[1]}]" if custom else fid],
                    "schema": dict(schema),
                }
            )
        return Response(200, out)
