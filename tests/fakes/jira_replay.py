"""The Jira fake in replay mode: serves recorded issues (``fixtures/jira/recorded/``) read-only,
as Jira would answer for them: by key, in searches (JQL over the recorded values), their
comments, the project's statuses; only the fields asked for."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tests.fakes.base import FakeApp, FakeServer, Request, Response
from tests.fakes.jira_fake import API, ISSUE, _listed, selected_fields
from tests.fakes.jira_jql import JQLError, Query

RECORDED = Path(__file__).resolve().parent.parent.parent / "fixtures" / "jira" / "recorded"


def recorded_issues(path: Path) -> list[dict[str, Any]]:
    """The issues a recorded answer holds: a search page, one issue, or a webhook's issue."""
    data = json.loads(path.read_text())
    if isinstance(data, dict) and isinstance(data.get("issues"), list):
        return [i for i in data["issues"] if "fields" in i]
    if isinstance(data, dict) and isinstance(data.get("issue"), dict):
        return [data["issue"]]
    return [data] if isinstance(data, dict) and "fields" in data else []


class ReplayApp(FakeApp):
    """Recorded issues, served as a site of ``mode`` would answer."""

    def __init__(
        self,
        mode: str,
        issues: list[dict[str, Any]],
        comments: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        super().__init__()
        self.mode = mode
        self.issues = {i["key"]: i for i in issues}
        self.comments = comments or {}
        r = self.route
        r("GET", ISSUE, self.get)
        r("GET", ISSUE + r"/comment", self.list_comments)
        r("GET", API + r"/project/(?P<project>[A-Z0-9_]+)/statuses", self.statuses)
        r("GET", API + r"/search", self.search)
        r("POST", API + r"/search/jql", self.search)

    def dispatch(self, req: Request) -> Response:
        auth = req.headers.get("authorization", "")
        expected = (
            "Basic " + base64.b64encode(b"bot@example.com:t0k").decode()
            if self.mode == "cloud"
            else "Bearer t0k"
        )
        if auth != expected:
            return Response(401, {"errorMessages": ["You are not authenticated."]})
        return super().dispatch(req)

    def _render(self, issue: dict[str, Any], args: dict[str, Any], default: str) -> dict[str, Any]:
        """The recorded issue with only the fields asked for (``*all``: every recorded one;
        ``*navigable``: all but the comments), and properties when asked for."""
        recorded = issue["fields"]
        spec = _listed(args.get("fields"))
        names = set(recorded) | ({"comment"} if "comment" in recorded else set())
        wanted = selected_fields(spec, default)
        if {"*all", "all"} & set(spec) or (default == "*all" and not spec):
            wanted |= names
        elif {"*navigable", "navigable"} & set(spec) or (default == "*navigable" and not spec):
            wanted |= names - {"comment"}
        out = {k: v for k, v in issue.items() if k != "fields"}
        out["fields"] = {k: v for k, v in recorded.items() if k in wanted}
        if _listed(args.get("properties")):
            out["properties"] = {}
        return out

    def get(self, req: Request, v: str, key: str) -> Response:
        issue = self.issues.get(key)
        if issue is None:
            return Response(404, {"errorMessages": ["Issue does not exist"], "errors": {}})
        args = dict(req.query)
        return Response(200, self._render(issue, args, "*all"))

    def list_comments(self, req: Request, v: str, key: str) -> Response:
        issue = self.issues.get(key)
        if issue is None:
            return Response(404, {"errorMessages": ["Issue does not exist"], "errors": {}})
        block = issue["fields"].get("comment") or {}
        comments = self.comments.get(key, block.get("comments") or [])
        start = int(req.arg("startAt") or 0)
        size = int(req.arg("maxResults") or 50)
        chunk = comments[start : start + size]
        return Response(
            200, {"startAt": start, "maxResults": size, "total": len(comments), "comments": chunk}
        )

    def statuses(self, req: Request, v: str, project: str) -> Response:
        seen = {
            i["fields"]["status"]["name"]: i["fields"]["status"]
            for i in self.issues.values()
            if i["key"].startswith(f"{project}-")
        }
        task = {"self": f"{self.base_url}/rest/api/2/issuetype/3", "id": "3", "subtask": False}
        return Response(200, [{**task, "name": "Task", "statuses": list(seen.values())}])

    def _values(self, wrapped: dict[str, Any], name: str) -> list[str]:
        issue = wrapped["_issue"]
        f = issue["fields"]
        status = f.get("status") or {}
        name = name.lower()
        simple: dict[str, list[str]] = {
            "project": [issue["key"].rsplit("-", 1)[0]],
            "key": [issue["key"]],
            "status": [status.get("name", "")],
            "statuscategory": [(status.get("statusCategory") or {}).get("name", "")],
            "priority": [(f.get("priority") or {}).get("name", "")],
            "labels": list(f.get("labels") or []),
            "parent": [(f.get("parent") or {}).get("key", "")] if f.get("parent") else [],
            "created": [str(f.get("created") or "")[:16].replace("T", " ")],
            "updated": [str(f.get("updated") or "")[:16].replace("T", " ")],
        }
        if name not in simple:
            raise JQLError(f"Field '{name}' does not exist or you do not have permission.")
        return simple[name]

    def search(self, req: Request, v: str) -> Response:
        args: dict[str, Any] = dict(req.query)
        if isinstance(req.body, dict):
            args.update(req.body)
        jql = args.get("jql")
        jql = jql[0] if isinstance(jql, list) else jql
        try:
            query = Query(str(jql or ""), self._values)
        except JQLError as exc:
            return Response(400, {"errorMessages": [str(exc)], "errors": {}})
        found = [i for i in self.issues.values() if query.predicate({"_issue": i})]
        found.sort(key=lambda i: str(i["fields"].get("created") or ""))
        first = args.get("startAt") or args.get("nextPageToken") or 0
        start = int(first[0] if isinstance(first, list) else first)
        size_arg = args.get("maxResults") or 50
        size = int(size_arg[0] if isinstance(size_arg, list) else size_arg)
        default = "" if self.mode == "cloud" else "*navigable"
        chunk = [self._render(i, args, default) for i in found[start : start + size]]
        if self.mode == "cloud":
            out: dict[str, Any] = {"issues": chunk, "isLast": start + size >= len(found)}
            if start + size < len(found):
                out["nextPageToken"] = str(start + size)
            return Response(200, out)
        return Response(
            200, {"startAt": start, "maxResults": size, "total": len(found), "issues": chunk}
        )


def start_replay(
    mode: str,
    issues: list[dict[str, Any]],
    comments: dict[str, list[dict[str, Any]]] | None = None,
) -> tuple[FakeServer, ReplayApp]:
    """A running replay of ``issues`` as a ``cloud`` or ``server`` site."""
    app = ReplayApp(mode, issues, comments)
    server = FakeServer(app)
    app.base_url = server.url
    return server.start(), app
