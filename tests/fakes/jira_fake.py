"""A stateful fake of the Jira REST API, Cloud (v3, ``/search/jql``) or Server (v2, ``/search``).

Two projects: ``TB`` with the workflow To Do -> In Progress -> (Blocked | In Review) -> Done,
plus Closed, where Done is two steps from In Progress and the Approve transition's screen
requires a resolution; ``NB`` with To Do -> In Progress -> Done and no Blocked status.
Shapes follow Atlassian's REST documentation (samples in ``fixtures/jira/``).
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import FakeApp, FakeServer, Request, Response
from tests.fakes.jira_jql import JQLError, Query
from tests.fakes.jira_meta import ALL, TYPE_IDS, MetaRoutes, check_value, missing, render_value

API = r"/rest/api/(?P<v>[23])"
ISSUE = API + r"/issue/(?P<key>[A-Z][A-Z0-9_]*-\d+)"
CATEGORY = {
    "To Do": "new",
    "In Progress": "indeterminate",
    "Blocked": "indeterminate",
    "In Review": "indeterminate",
    "Done": "done",
    "Closed": "done",
}
# (from, transition name, to, resolution on screen: None | "optional" | "required")
WORKFLOWS: dict[str, list[tuple[str, str, str, str | None]]] = {
    "TB": [
        ("To Do", "Start", "In Progress", None),
        ("To Do", "Close", "Closed", "optional"),
        ("In Progress", "Block", "Blocked", None),
        ("In Progress", "Review", "In Review", None),
        ("In Progress", "Stop", "To Do", None),
        ("In Progress", "Close", "Closed", "optional"),
        ("Blocked", "Unblock", "In Progress", None),
        ("In Review", "Approve", "Done", "required"),
        ("In Review", "Rework", "In Progress", None),
        ("Done", "Reopen", "To Do", None),
        ("Closed", "Reopen", "To Do", None),
    ],
    "NB": [
        ("To Do", "Start", "In Progress", None),
        ("In Progress", "Finish", "Done", "optional"),
        ("In Progress", "Stop", "To Do", None),
        ("Done", "Reopen", "To Do", None),
    ],
}
WORKFLOWS["RQ"] = list(WORKFLOWS["NB"])  # a project whose creates require fields
TYPES = ["Task", "Bug", "Story", "Epic", "Sub-task"]
PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"]
CATEGORY_NAMES = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}
# The system fields this fake knows; ``comment`` is not navigable (a search returns it only
# when asked for), the rest are. Custom fields are navigable.
NAVIGABLE = frozenset(
    {
        "summary",
        "description",
        "issuetype",
        "project",
        "priority",
        "labels",
        "assignee",
        "status",
        "resolution",
        "created",
        "updated",
        "issuelinks",
        "parent",
        "subtasks",
        "components",
        "fixVersions",
        "duedate",
        "customfield_10021",
    }
)
ALL_FIELDS = NAVIGABLE | {"comment"}
# Documented request bodies: Server/Data Center ``POST /rest/api/2/search`` (SearchRequestBean)
# and Cloud ``POST /rest/api/3/search/jql`` (SearchAndReconcileRequestBean).
SERVER_SEARCH_BODY = frozenset(
    {"jql", "startAt", "maxResults", "fields", "expand", "validateQuery"}
)
CLOUD_SEARCH_BODY = frozenset(
    {
        "jql",
        "nextPageToken",
        "maxResults",
        "fields",
        "expand",
        "properties",
        "fieldsByKeys",
        "reconcileIssues",
    }
)


def selected_fields(spec: list[str], default: str) -> set[str]:
    """The fields a ``fields`` parameter asks for: names, ``*all``, ``*navigable``, ``-name``
    to leave one out; ``default`` (``*all`` or ``*navigable``) when it names none to add."""
    names = [n.strip() for item in spec for n in str(item).split(",") if n.strip()]
    chosen: set[str] = set()
    left_out = {n[1:] for n in names if n.startswith("-")}
    wanted = [n for n in names if not n.startswith("-")] or ([default] if default else [])
    for name in wanted:
        if name in ("*all", "all"):
            chosen |= ALL_FIELDS
        elif name in ("*navigable", "navigable"):
            chosen |= NAVIGABLE
        else:
            chosen.add(name)
    return chosen - left_out


def plain_doc(text: str) -> dict[str, Any]:
    """Text as an Atlassian Document, as Jira's editor makes it: paragraphs, hard breaks."""
    content = []
    for paragraph in text.split("\n\n"):
        nodes: list[dict[str, Any]] = []
        for i, line in enumerate(paragraph.split("\n")):
            if i:
                nodes.append({"type": "hardBreak"})
            if line:
                nodes.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": nodes})
    return {"type": "doc", "version": 1, "content": content}


def plain(doc: Any) -> str:
    """A document's text as a person reads it: paragraphs apart, hard breaks as newlines."""
    blocks = doc.get("content") or [] if isinstance(doc, dict) else []
    return "\n\n".join(
        "".join("\n" if n.get("type") == "hardBreak" else flat(n) for n in b.get("content") or [])
        for b in blocks
    )


def flat(value: Any) -> str:
    """The text of a description or body, for JQL's ``~``."""
    if isinstance(value, str) or value is None:
        return value or ""
    if isinstance(value, list):
        return " ".join(flat(v) for v in value)
    if isinstance(value, dict):
        return " ".join(filter(None, [str(value.get("text") or ""), flat(value.get("content"))]))
    return ""


def _check_adf(node: Any) -> None:
    """Jira refuses a document with a node without a type or a text node without text."""
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        raise ValueError("INVALID_INPUT: a node has no type")
    if node["type"] == "text" and not node.get("text"):
        raise ValueError("INVALID_INPUT: a text node must have text")
    for child in node.get("content") or []:
        _check_adf(child)


def _listed(value: Any) -> list[str]:
    """A list parameter as Jira takes it: a JSON list, or comma-separated text."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [p for item in items for p in str(item).split(",") if p]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


@dataclass
class FakeJiraIssue:
    id: int
    key: str
    project: str
    fields: dict[str, Any]
    properties: dict[str, Any] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)
    status: str = "To Do"
    resolution: str | None = None
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)


class JiraFakeApp(FakeApp):
    """Jira's issues, workflows, links, properties and comments, for one site."""

    def __init__(
        self,
        mode: str = "cloud",
        email: str = "bot@example.com",
        token: str = "t0k",
        *,
        legacy_createmeta: bool = False,
    ) -> None:
        super().__init__()
        self.mode, self.email, self.token = mode, email, token
        self.legacy_createmeta = legacy_createmeta  # a Server before 8.4
        self.issues: dict[str, FakeJiraIssue] = {}
        self.moved: dict[str, str] = {}
        self.links: dict[int, tuple[str, str]] = {}  # id -> (inward = blocker, outward = blocked)
        self._next = 10_000
        r = self.route
        r("GET", API + r"/serverInfo", self.server_info)
        r("GET", API + r"/project/(?P<project>[A-Z]+)/statuses", self.project_statuses)
        r("POST", API + r"/issue", self.create)
        r("GET", ISSUE, self.get)
        r("PUT", ISSUE, self.edit)
        r("DELETE", ISSUE, self.delete)
        r("GET", ISSUE + r"/transitions", self.transitions)
        r("POST", ISSUE + r"/transitions", self.transition)
        r("GET", ISSUE + r"/comment", self.list_comments)
        r("POST", ISSUE + r"/comment", self.add_comment)
        r("GET", ISSUE + r"/properties/(?P<name>[^/]+)", self.get_property)
        r("PUT", ISSUE + r"/properties/(?P<name>[^/]+)", self.put_property)
        r("POST", API + r"/issueLink", self.create_link)
        r("DELETE", API + r"/issueLink/(?P<link>\d+)", self.delete_link)
        r("GET", API + r"/issueLinkType", self.link_types)
        r("GET", API + r"/search", self.search_old)
        r("POST", API + r"/search", self.search_old)
        r("GET", API + r"/search/jql", self.search_jql)
        r("POST", API + r"/search/jql", self.search_jql)
        MetaRoutes(self, legacy=legacy_createmeta)

    def projects(self) -> list[str]:
        return list(WORKFLOWS)

    # ------------------------------------------------------------ plumbing

    def dispatch(self, req: Request) -> Response:
        auth = req.headers.get("authorization", "")
        if self.mode == "cloud":
            basic = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            ok = auth == f"Basic {basic}"
        else:
            ok = auth == f"Bearer {self.token}"
        if not ok:
            return Response(401, {"errorMessages": ["You are not authenticated."], "errors": {}})
        return super().dispatch(req)

    def _bad(self, *messages: str, **errors: str) -> Response:
        return Response(400, {"errorMessages": list(messages), "errors": errors})

    def _missing(self) -> Response:
        return Response(
            404,
            {
                "errorMessages": ["Issue does not exist or you do not have permission to see it."],
                "errors": {},
            },
        )

    def _text(self, value: Any, v: str) -> Any:
        """Description or comment body as sent, checked as Jira checks it: a string in v2, an
        ADF document in v3 (kept as it is; a text node must have text)."""
        if value is None:
            return None
        if v == "2":
            if not isinstance(value, str):
                raise ValueError("expected a string")
            return value
        if not (isinstance(value, dict) and value.get("type") == "doc"):
            raise ValueError("Operation value must be an Atlassian Document")
        _check_adf(value)
        return copy.deepcopy(value)

    def _doc(self, stored: Any, v: str) -> Any:
        """What Jira answers for a stored description or body: as it was written."""
        if stored is None or v == "2" or not isinstance(stored, str):
            return copy.deepcopy(stored)
        return plain_doc(stored)  # an issue made by hand in a test, as text

    # ------------------------------------------------------------ rendering

    def _status(self, name: str) -> dict[str, Any]:
        key = CATEGORY[name]
        label = CATEGORY_NAMES[key]
        return {
            "name": name,
            "id": str(abs(hash(name)) % 1000),
            "statusCategory": {"key": key, "name": label},
        }

    def _ref(self, issue: FakeJiraIssue) -> dict[str, Any]:
        return {
            "id": str(issue.id),
            "key": issue.key,
            "self": self._self(issue),
            "fields": {
                "summary": issue.fields["summary"],
                "status": self._status(issue.status),
                "issuetype": {"name": issue.fields["issuetype"]},
            },
        }

    def _self(self, issue: FakeJiraIssue) -> str:
        return f"{self.base_url}/rest/api/2/issue/{issue.id}"

    def render(
        self,
        issue: FakeJiraIssue,
        v: str,
        properties: list[str] | None = None,
        fields: set[str] | None = None,
        expand: list[str] | None = None,
    ) -> dict[str, Any]:
        """An issue as Jira answers it: only the ``fields`` asked for (all when None), the
        entity ``properties`` asked for, and what ``expand`` names."""
        every = self._fields(issue, v)
        wanted = ALL_FIELDS if fields is None else fields
        chosen = {k: val for k, val in every.items() if k in wanted}
        for name in wanted:  # a custom field the site has reads as null when it is unset
            if name.startswith("customfield_") and name not in chosen:
                chosen[name] = None
        body: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": str(issue.id),
            "self": self._self(issue),
            "key": issue.key,
            "fields": chosen,
        }
        if properties:
            wanted_props = (
                issue.properties
                if "*all" in properties
                else {k: val for k, val in issue.properties.items() if k in properties}
            )
            body["properties"] = dict(wanted_props)
        if "renderedFields" in (expand or []):
            body["renderedFields"] = {
                k: (f"<p>{flat(val)}</p>" if k == "description" and val else val)
                for k, val in chosen.items()
            }
        if "names" in (expand or []):
            body["names"] = {k: k.capitalize() for k in chosen}
        return body

    def _fields(self, issue: FakeJiraIssue, v: str) -> dict[str, Any]:
        """Every field of an issue; ``parent`` is left out when there is none, as Jira does."""
        f = issue.fields
        links = []
        for link_id, (inward, outward) in self.links.items():
            base = {
                "id": str(link_id),
                "type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
            }
            if outward == issue.key and inward in self.issues:
                links.append({**base, "inwardIssue": self._ref(self.issues[inward])})
            elif inward == issue.key and outward in self.issues:
                links.append({**base, "outwardIssue": self._ref(self.issues[outward])})
        shown = issue.comments[:20]  # an issue's comment field holds up to 20, as Jira's
        fields: dict[str, Any] = {
            "summary": f["summary"],
            "description": self._doc(f.get("description"), v),
            "issuetype": {"name": f["issuetype"], "subtask": f["issuetype"] == "Sub-task"},
            "project": {"key": issue.project, "id": "10000", "name": issue.project},
            "priority": {"name": f.get("priority", "Medium")},
            "labels": list(f.get("labels", [])),
            "assignee": f.get("assignee"),
            "status": self._status(issue.status),
            "resolution": {"name": issue.resolution} if issue.resolution else None,
            "created": issue.created,
            "updated": issue.updated,
            "issuelinks": links,
            "subtasks": [
                self._ref(i) for i in self.issues.values() if i.fields.get("parent") == issue.key
            ],
            "comment": {
                "comments": [self._render_comment(c, v) for c in shown],
                "maxResults": len(shown),
                "total": len(issue.comments),
                "startAt": 0,
            },
        }
        if f.get("parent") in self.issues:
            fields["parent"] = self._ref(self.issues[f["parent"]])
        for name in ALL:
            if name in f and name not in fields:
                fields[name] = render_value(self.base_url, name, f[name])
        return fields

    # ------------------------------------------------------------ site and issues

    def server_info(self, req: Request, v: str) -> Response:
        kind = "Cloud" if self.mode == "cloud" else "Server"
        numbers = [8, 3, 0] if self.legacy_createmeta else [9, 12, 0]
        return Response(
            200,
            {
                "baseUrl": self.base_url,
                "version": "1001.0.0" if kind == "Cloud" else ".".join(map(str, numbers)),
                "versionNumbers": numbers,
                "deploymentType": kind,
                "serverTitle": "Fake Jira",
            },
        )

    def project_statuses(self, req: Request, v: str, project: str) -> Response:
        if project not in WORKFLOWS:
            return Response(404, {"errorMessages": ["No project could be found"], "errors": {}})
        names = sorted({s for t in WORKFLOWS[project] for s in (t[0], t[2])})
        return Response(
            200,
            [
                {
                    "self": f"{self.base_url}/rest/api/2/issuetype/{TYPE_IDS[t]}",
                    "id": TYPE_IDS[t],
                    "name": t,
                    "subtask": t == "Sub-task",
                    "statuses": [self._status(n) for n in names],
                }
                for t in TYPES
            ],
        )

    def _touch(self, issue: FakeJiraIssue) -> None:
        issue.updated = _now()

    def _apply_fields(
        self, issue_fields: dict[str, Any], given: dict[str, Any], v: str
    ) -> str | None:
        for name, value in given.items():
            if name == "summary":
                if not value or len(value) > 255:
                    return "summary"
                issue_fields["summary"] = value
            elif name == "description":
                issue_fields["description"] = self._text(value, v)
            elif name == "issuetype":
                if value.get("name") not in TYPES:
                    return "issuetype"
                issue_fields["issuetype"] = value["name"]
            elif name == "priority":
                if value.get("name") not in PRIORITIES:
                    return "priority"
                issue_fields["priority"] = value["name"]
            elif name == "labels":
                if any(" " in label for label in value):
                    return "labels"
                issue_fields["labels"] = list(value)
            elif name == "parent":
                key = (value or {}).get("key")
                if key is not None and key not in self.issues:
                    return "parent"
                issue_fields["parent"] = key
            elif name == "assignee":
                issue_fields["assignee"] = value
            elif name in ALL or name.startswith("customfield_"):
                if name in ALL and check_value(name, value) is not None:
                    return name
                issue_fields[name] = value
            elif name != "project":
                return name
        return None

    def create(self, req: Request, v: str) -> Response:
        data = req.body or {}
        given = dict(data.get("fields") or {})
        project = (given.get("project") or {}).get("key")
        if project not in WORKFLOWS:
            return self._bad(project="valid project is required")
        issue_fields: dict[str, Any] = {"priority": "Medium", "labels": []}
        try:
            bad = self._apply_fields(issue_fields, given, v)
        except ValueError as exc:
            return self._bad(description=str(exc))
        if bad or "summary" not in issue_fields or "issuetype" not in issue_fields:
            return self._bad(**{bad or "summary": f"Field '{bad or 'summary'}' is invalid."})
        if issue_fields["issuetype"] == "Sub-task" and not issue_fields.get("parent"):
            return self._bad(parent="Sub-task issues need a parent.")
        if errors := missing(project, issue_fields["issuetype"], given):
            return self._bad(**errors)
        self._next += 1
        key = f"{project}-{sum(1 for i in self.issues.values() if i.project == project) + 1}"
        issue = FakeJiraIssue(self._next, key, project, issue_fields)
        for prop in data.get("properties") or []:
            issue.properties[prop["key"]] = prop["value"]
        self.issues[key] = issue
        return Response(201, {"id": str(issue.id), "key": key, "self": self._self(issue)})

    def move_issue(self, key: str, project: str) -> str:
        """Move an issue to another project, as a person would; the old key still resolves."""
        issue = self.issues.pop(key)
        issue.key = f"{project}-{issue.id}"
        issue.project = project
        self.issues[issue.key] = issue
        self.moved[key] = issue.key
        return issue.key

    def get(self, req: Request, v: str, key: str) -> Response:
        issue = self.issues.get(self.moved.get(key, key))
        if issue is None:
            return self._missing()
        props = _listed(req.query.get("properties"))
        fields = selected_fields(req.query.get("fields") or [], "*all")
        expand = _listed(req.query.get("expand"))
        return Response(200, self.render(issue, v, props, fields, expand))

    def edit(self, req: Request, v: str, key: str) -> Response:
        issue = self.issues.get(key)
        if issue is None:
            return self._missing()
        data = req.body or {}
        try:
            bad = self._apply_fields(issue.fields, dict(data.get("fields") or {}), v)
        except ValueError as exc:
            return self._bad(description=str(exc))
        if bad:
            return self._bad(
                **{
                    bad: f"Field '{bad}' cannot be set. It is not on the appropriate screen, "
                    "or unknown."
                }
            )
        for prop in data.get("properties") or []:
            issue.properties[prop["key"]] = prop["value"]
        self._touch(issue)
        return Response(204)

    def delete(self, req: Request, v: str, key: str) -> Response:
        if self.issues.pop(key, None) is None:
            return self._missing()
        return Response(204)

    # ------------------------------------------------------------ workflow

    def _available(self, issue: FakeJiraIssue) -> list[tuple[int, str, str, str | None]]:
        return [
            (i + 11, name, to, res)
            for i, (frm, name, to, res) in enumerate(WORKFLOWS[issue.project])
            if frm == issue.status
        ]

    def transitions(self, req: Request, v: str, key: str) -> Response:
        issue = self.issues.get(key)
        if issue is None:
            return self._missing()
        expand = "transitions.fields" in (req.arg("expand") or "")
        out = []
        for tid, name, to, res in self._available(issue):
            item: dict[str, Any] = {
                "id": str(tid),
                "name": name,
                "to": self._status(to),
                "hasScreen": res is not None,
            }
            if expand:
                item["fields"] = (
                    {}
                    if res is None
                    else {
                        "resolution": {
                            "required": res == "required",
                            "name": "Resolution",
                            "key": "resolution",
                            "allowedValues": [
                                {"name": "Done"},
                                {"name": "Won't Do"},
                                {"name": "Duplicate"},
                            ],
                        }
                    }
                )
            out.append(item)
        return Response(200, {"expand": "transitions", "transitions": out})

    def transition(self, req: Request, v: str, key: str) -> Response:
        issue = self.issues.get(key)
        if issue is None:
            return self._missing()
        data = req.body or {}
        wanted = str((data.get("transition") or {}).get("id"))
        match = next((t for t in self._available(issue) if str(t[0]) == wanted), None)
        if match is None:
            return self._bad(f"Transition id '{wanted}' is not valid for this issue.")
        _, _, to, res = match
        resolution = ((data.get("fields") or {}).get("resolution") or {}).get("name")
        if resolution and res is None:
            return self._bad(
                resolution="Field 'resolution' cannot be set. It is not on the "
                "appropriate screen, or unknown."
            )
        if res == "required" and not resolution:
            return self._bad(resolution="Resolution is required.")
        issue.status = to
        issue.resolution = resolution if CATEGORY[to] == "done" else None
        if CATEGORY[to] == "done" and not issue.resolution:
            issue.resolution = "Done"
        for prop in data.get("properties") or []:
            issue.properties[prop["key"]] = prop["value"]
        self._touch(issue)
        return Response(204)

    # ------------------------------------------------------------ comments, properties, links

    def add_human_comment(self, key: str, body: Any, author: str = "A Person") -> None:
        """A comment a person wrote: text, or an ADF document on Cloud."""
        issue = self.issues[key]
        self._next += 1
        issue.comments.append(
            {
                "id": str(self._next),
                "body": body if isinstance(body, str) else plain(body),
                "adf": None if isinstance(body, str) else copy.deepcopy(body),
                "author": author,
                "created": _now(),
            }
        )
        self._touch(issue)

    def _render_comment(self, c: dict[str, Any], v: str) -> dict[str, Any]:
        return {
            "id": c["id"],
            "body": copy.deepcopy(c["adf"]) if c.get("adf") else self._doc(c["body"], v),
            "author": {"displayName": c["author"], "accountId": "557058:bot"},
            "created": c["created"],
            "updated": c["created"],
        }

    def add_comment(self, req: Request, v: str, key: str) -> Response:
        issue = self.issues.get(key)
        if issue is None:
            return self._missing()
        try:
            body = self._text((req.body or {}).get("body"), v)
        except ValueError as exc:
            return self._bad(comment=str(exc))
        if not flat(body).strip():
            return self._bad(comment="Comment body can not be empty!")
        self._next += 1
        comment = {
            "id": str(self._next),
            "body": body if isinstance(body, str) else plain(body),  # as a person reads it
            "adf": None if isinstance(body, str) else body,  # as it was written (v3)
            "author": "bridge-bot",
            "created": _now(),
        }
        issue.comments.append(comment)
        self._touch(issue)
        return Response(201, self._render_comment(comment, v))

    def list_comments(self, req: Request, v: str, key: str) -> Response:
        issue = self.issues.get(key)
        if issue is None:
            return self._missing()
        start = int(req.arg("startAt") or 0)
        size = min(int(req.arg("maxResults") or 50), 100)
        chunk = issue.comments[start : start + size]
        return Response(
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(issue.comments),
                "comments": [self._render_comment(c, v) for c in chunk],
            },
        )

    def get_property(self, req: Request, v: str, key: str, name: str) -> Response:
        issue = self.issues.get(key)
        if issue is None or name not in issue.properties:
            return self._missing()
        return Response(200, {"key": name, "value": issue.properties[name]})

    def put_property(self, req: Request, v: str, key: str, name: str) -> Response:
        issue = self.issues.get(key)
        if issue is None:
            return self._missing()
        issue.properties[name] = req.body
        return Response(200)

    def link_types(self, req: Request, v: str) -> Response:
        return Response(
            200,
            {
                "issueLinkTypes": [
                    {
                        "id": "10000",
                        "name": "Blocks",
                        "inward": "is blocked by",
                        "outward": "blocks",
                    }
                ]
            },
        )

    def create_link(self, req: Request, v: str) -> Response:
        data = req.body or {}
        inward = (data.get("inwardIssue") or {}).get("key")
        outward = (data.get("outwardIssue") or {}).get("key")
        if (data.get("type") or {}).get("name") != "Blocks":
            return self._bad("No issue link type with name found.")
        if inward not in self.issues or outward not in self.issues:
            return self._missing()
        self._next += 1
        self.links[self._next] = (inward, outward)
        self._touch(self.issues[outward])
        return Response(201)

    def delete_link(self, req: Request, v: str, link: str) -> Response:
        if self.links.pop(int(link), None) is None:
            return self._missing()
        return Response(204)

    # ------------------------------------------------------------ search

    def _values(self, issue: dict[str, Any], name: str) -> list[str]:
        source: FakeJiraIssue = issue["_issue"]
        f = source.fields
        name = name.lower()
        if name.startswith("issue.property["):
            prop, _, path = name[len("issue.property[") :].partition("].")
            value: Any = source.properties.get(prop, {})
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            return [] if value is None else [str(value)]
        simple = {
            "project": [source.project],
            "key": [source.key],
            "issuekey": [source.key],
            "status": [source.status],
            "statuscategory": [CATEGORY_NAMES[CATEGORY[source.status]]],
            "priority": [f.get("priority", "")],
            "labels": list(f.get("labels", [])),
            "type": [f["issuetype"]],
            "issuetype": [f["issuetype"]],
            "parent": [f["parent"]] if f.get("parent") else [],
            "assignee": [f["assignee"]["accountId"]] if f.get("assignee") else [],
            "summary": [f["summary"]],
            "description": [flat(f.get("description"))],
            "text": [f["summary"], flat(f.get("description"))],
            "updated": [source.updated[:16].replace("T", " ")],
            "created": [source.created[:16].replace("T", " ")],
        }
        if name not in simple:
            raise JQLError(
                f"Field '{name}' does not exist or you do not have permission to view it."
            )
        return simple[name]

    def _search(self, req: Request) -> tuple[list[FakeJiraIssue], dict[str, Any]]:
        """The issues a search finds, in order, and its parameters (body or query)."""
        body = req.body if isinstance(req.body, dict) else {}
        args: dict[str, Any] = {
            k: (vals if k in ("fields", "expand", "properties") else vals[0])
            for k, vals in req.query.items()
        }
        args.update(body)
        query = Query(str(args.get("jql") or ""), self._values)
        found = [i for i in self.issues.values() if query.predicate({"_issue": i})]
        if query.order:
            name, desc = query.order
            found.sort(
                key=lambda i: (
                    i.updated
                    if name.lower() == "updated"
                    else (self._values({"_issue": i}, name) or [""])[0]
                ),
                reverse=desc,
            )
        return found, args

    def _unknown_keys(self, req: Request, allowed: frozenset[str]) -> Response | None:
        """Jira's answer to a body key its request bean does not have: 400, nothing done."""
        if req.method != "POST" or not isinstance(req.body, dict):
            return None
        unknown = sorted(set(req.body) - allowed)
        if not unknown:
            return None
        bean = "SearchRequestBean" if self.mode == "server" else "SearchAndReconcileRequestBean"
        return self._bad(
            f'Unrecognized field "{unknown[0]}" (Class com.atlassian.jira.rest.v2.search.'
            f"{bean}), not marked as ignorable"
        )

    def _page(
        self, found: list[FakeJiraIssue], args: dict[str, Any], v: str, start: int, default: str
    ) -> tuple[list[dict[str, Any]], int]:
        size = min(int(args.get("maxResults") or 50), 100)
        fields = selected_fields(_listed(args.get("fields")), default)
        props = _listed(args.get("properties"))
        expand = _listed(args.get("expand"))
        chunk = found[start : start + size]
        if not fields:  # Cloud's /search/jql without fields: ids only
            return [{"id": str(i.id)} for i in chunk], size
        return [self.render(i, v, props, fields, expand) for i in chunk], size

    def search_old(self, req: Request, v: str) -> Response:
        if self.mode == "cloud":
            return Response(
                410,
                {
                    "errorMessages": [
                        "The requested API has been removed. "
                        "Please migrate to /rest/api/3/search/jql."
                    ]
                },
            )
        if (bad := self._unknown_keys(req, SERVER_SEARCH_BODY)) is not None:
            return bad
        if req.method == "POST":  # the body documents no properties: none come back
            req.query.pop("properties", None)
        try:
            found, args = self._search(req)
        except JQLError as exc:
            return self._bad(str(exc))
        start = int(args.get("startAt") or 0)
        issues, size = self._page(found, args, v, start, "*navigable")
        return Response(
            200,
            {
                "expand": "names,schema",
                "startAt": start,
                "maxResults": size,
                "total": len(found),
                "issues": issues,
            },
        )

    def search_jql(self, req: Request, v: str) -> Response:
        if self.mode != "cloud":
            return self._missing()
        if (bad := self._unknown_keys(req, CLOUD_SEARCH_BODY)) is not None:
            return bad
        try:
            found, args = self._search(req)
        except JQLError as exc:
            return self._bad(str(exc))
        start = int(args.get("nextPageToken") or 0)
        issues, size = self._page(found, args, v, start, "")
        out: dict[str, Any] = {"issues": issues, "isLast": start + size >= len(found)}
        if start + size < len(found):
            out["nextPageToken"] = str(start + size)
        return Response(200, out)


def start_jira_fake(
    mode: str = "cloud", *, legacy_createmeta: bool = False
) -> tuple[FakeServer, JiraFakeApp]:
    """A running fake Jira in ``cloud`` or ``server`` mode (``legacy_createmeta``: a Server
    before 8.4, with only the old create metadata); ``server.url`` is the site."""
    app = JiraFakeApp(mode, legacy_createmeta=legacy_createmeta)
    server = FakeServer(app)
    app.base_url = server.url
    return server.start(), app
