"""A stateful fake of the GitHub REST API (issues, labels, comments, sub-issues, dependencies).

Served on 127.0.0.1 by :class:`tests.fakes.base.FakeServer`; every URL it returns is built from
its own base, as PyGithub requires. Shapes follow GitHub's OpenAPI description and the answers
recorded from api.github.com (``fixtures/github/recorded/``): optional properties real answers
leave out are left out here too (``parent_issue_url`` on an issue without a parent and on
every item of a sub-issue list), ``issue_dependencies_summary`` counts open blockers in
``blocked_by`` and all of them in ``total_blocked_by``, a request body with a key the route
does not take is refused with 422 as GitHub does, a ``labels`` filter is split at commas. It
sends ``Link`` pagination, ``ETag`` (and answers ``If-None-Match`` with 304), rate-limit
headers, and checks the token.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import FakeApp, FakeServer, Request, Response
from tests.fakes.github_fields import Organisation

REPO = r"/api/v3/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ISSUE = REPO + r"/issues/(?P<number>\d+)"
ORG = r"/api/v3/orgs/(?P<org>[^/]+)"
BODY_LIMIT = 65_536

# The keys each request body may hold: the properties of the route's request body in GitHub's
# OpenAPI description (tests/github/test_faithful.py checks them against it).
PERMITTED_KEYS: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/issues"): frozenset(
        {"title", "body", "assignee", "assignees", "milestone", "labels", "type"}
        | {"issue_field_values"}
    ),
    ("PATCH", "/issues/{issue_number}"): frozenset(
        {"title", "body", "assignee", "assignees", "milestone", "labels", "type", "state"}
        | {"state_reason", "duplicate_issue_id", "issue_field_values"}
    ),
    ("POST", "/issues/{issue_number}/comments"): frozenset({"body"}),
    ("POST", "/issues/{issue_number}/sub_issues"): frozenset({"sub_issue_id", "replace_parent"}),
    ("DELETE", "/issues/{issue_number}/sub_issue"): frozenset({"sub_issue_id"}),
    ("POST", "/issues/{issue_number}/dependencies/blocked_by"): frozenset({"issue_id"}),
    ("POST", "/labels"): frozenset({"name", "color", "description"}),
    ("POST", "/issues/{issue_number}/issue-field-values"): frozenset({"issue_field_values"}),
    ("PUT", "/issues/{issue_number}/issue-field-values"): frozenset({"issue_field_values"}),
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeIssue:
    number: int
    id: int
    title: str
    body: str | None
    labels: list[str]
    state: str = "open"
    state_reason: str | None = None
    assignees: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)
    closed_at: str | None = None
    parent: int | None = None
    sub_issues: list[int] = field(default_factory=list)
    blocked_by: list[int] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    type: str | None = None
    user: str = "octocat"


class GitHubFakeApp(FakeApp):
    """One repository's issues, with the state a test can read and change directly."""

    def __init__(self, owner: str = "octo", repo: str = "tickets", token: str = "t0ken") -> None:
        super().__init__()
        self.owner, self.repo, self.token = owner, repo, token
        self.issues: dict[int, FakeIssue] = {}
        self.deleted: set[int] = set()
        self.transferred: dict[int, str] = {}
        self.elsewhere: dict[tuple[str, int], dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}
        self.dependencies_enabled = True
        self.org = Organisation(owner)  # its issue fields and types: tests/fakes/github_fields.py
        self._next_id = 1000
        self._next_comment = 5000
        r = self.route
        r("GET", REPO, self.get_repo)
        r("GET", REPO + r"/issues", self.list_issues)
        r("POST", REPO + r"/issues", self.create_issue)
        r("GET", REPO + r"/issues/comments", self.list_repo_comments)
        r("GET", ISSUE, self.get_issue)
        r("PATCH", ISSUE, self.edit_issue)
        r("GET", ISSUE + r"/comments", self.list_comments)
        r("POST", ISSUE + r"/comments", self.create_comment)
        r("GET", REPO + r"/labels", self.list_labels)
        r("POST", REPO + r"/labels", self.create_label)
        r("GET", ISSUE + r"/sub_issues", self.list_sub_issues)
        r("POST", ISSUE + r"/sub_issues", self.add_sub_issue)
        r("DELETE", ISSUE + r"/sub_issue", self.remove_sub_issue)
        r("GET", ISSUE + r"/parent", self.get_parent)
        r("GET", ISSUE + r"/dependencies/blocked_by", self.list_blocked_by)
        r("POST", ISSUE + r"/dependencies/blocked_by", self.add_blocked_by)
        r("DELETE", ISSUE + r"/dependencies/blocked_by/(?P<issue_id>\d+)", self.remove_blocked_by)
        r("GET", ORG + r"/issue-fields", self.org.list_fields)
        r("GET", ORG + r"/issue-types", self.org.list_types)
        r("GET", ISSUE + r"/issue-field-values", self.list_field_values)
        r("POST", ISSUE + r"/issue-field-values", self.add_field_values)
        r("PUT", ISSUE + r"/issue-field-values", self.set_field_values)
        r("DELETE", ISSUE + r"/issue-field-values/(?P<field_id>\d+)", self.delete_field_value)

    # ------------------------------------------------------------ rendering

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v3/repos/{self.owner}/{self.repo}"

    def _user(self, login: str) -> dict[str, Any]:
        return {
            "login": login,
            "id": abs(hash(login)) % 10_000,
            "type": "User",
            "url": f"{self.base_url}/api/v3/users/{login}",
        }

    def _label(self, name: str) -> dict[str, Any]:
        if name not in self.labels:
            self.labels[name] = {
                "id": len(self.labels) + 1,
                "name": name,
                "color": "ededed",
                "description": None,
                "default": False,
            }
        label = self.labels[name]
        return {**label, "url": f"{self.api}/labels/{name}", "node_id": f"L{label['id']}"}

    def _closed(self, number: int) -> bool:
        return number in self.issues and self.issues[number].state == "closed"

    def render(self, issue: FakeIssue, *, listed_as_sub_issue: bool = False) -> dict[str, Any]:
        """An issue as GitHub answers it; a sub-issue list's items name no parent."""
        url = f"{self.api}/issues/{issue.number}"
        done = sum(1 for n in issue.sub_issues if self._closed(n))
        blocking = [i for i in self.issues.values() if issue.number in i.blocked_by]
        rendered = {
            "id": issue.id,
            "node_id": f"I_{issue.id}",
            "url": url,
            "repository_url": self.api,
            "comments_url": f"{url}/comments",
            "html_url": f"https://github.example/{self.owner}/{self.repo}/issues/{issue.number}",
            "number": issue.number,
            "state": issue.state,
            "state_reason": issue.state_reason,
            "title": issue.title,
            "body": issue.body,
            "user": self._user(issue.user),
            "labels": [self._label(n) for n in issue.labels],
            "assignee": self._user(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self._user(a) for a in issue.assignees],
            "locked": False,
            "comments": len(issue.comments),
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "author_association": "OWNER",
            "type": self.org.type_object(issue.type),
            "sub_issues_summary": {
                "total": len(issue.sub_issues),
                "completed": done,
                "percent_completed": int(100 * done / len(issue.sub_issues))
                if issue.sub_issues
                else 0,
            },
            "issue_dependencies_summary": {  # blocked_by and blocking count open issues
                "blocked_by": sum(1 for n in issue.blocked_by if not self._closed(n)),
                "blocking": sum(1 for i in blocking if i.state == "open"),
                "total_blocked_by": len(issue.blocked_by),
                "total_blocking": len(blocking),
            },
        }
        if issue.parent and not listed_as_sub_issue:
            rendered["parent_issue_url"] = f"{self.api}/issues/{issue.parent}"
        if values := self.org.render_values(issue.number):
            rendered["issue_field_values"] = values
        return rendered

    def render_comment(self, issue: FakeIssue, comment: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": comment["id"],
            "node_id": f"IC_{comment['id']}",
            "url": f"{self.api}/issues/comments/{comment['id']}",
            "html_url": f"https://github.example/{self.owner}/{self.repo}/issues/{issue.number}"
            f"#issuecomment-{comment['id']}",
            "issue_url": f"{self.api}/issues/{issue.number}",
            "body": comment["body"],
            "user": self._user(comment["user"]),
            "created_at": comment["created_at"],
            "updated_at": comment["created_at"],
            "author_association": "OWNER",
        }

    # ------------------------------------------------------------ plumbing

    def dispatch(self, req: Request) -> Response:
        auth = req.headers.get("authorization", "")
        if auth not in (f"token {self.token}", f"Bearer {self.token}"):
            return self._finish(
                req,
                Response(
                    401,
                    {
                        "message": "Bad credentials",
                        "documentation_url": "https://docs.github.com/rest",
                    },
                ),
            )
        refused = self._unpermitted(req)
        return self._finish(req, refused or super().dispatch(req))

    def _unpermitted(self, req: Request) -> Response | None:
        """GitHub's 422 for a request body key the route does not take."""
        prefix = f"/api/v3/repos/{self.owner}/{self.repo}"
        route = re.sub(r"/issues/\d+", "/issues/{issue_number}", req.path.removeprefix(prefix))
        permitted = PERMITTED_KEYS.get((req.method, route))
        if permitted is None or not isinstance(req.body, dict):
            return None
        unknown = sorted(set(req.body) - permitted)
        if not unknown:
            return None
        return Response(
            422,
            {
                "message": f'Invalid request.\n\n"{unknown[0]}" is not a permitted key.',
                "documentation_url": "https://docs.github.com/rest/issues",
                "status": "422",
            },
        )

    def _finish(self, req: Request, resp: Response) -> Response:
        reset = int(time.time()) + 3600
        resp.headers.update(
            {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "4999",
                "X-RateLimit-Reset": str(reset),
                "X-RateLimit-Used": "1",
                "X-RateLimit-Resource": "core",
            }
        )
        if req.method == "GET" and resp.status == 200:
            etag = (
                '"' + hashlib.sha1(json.dumps(resp.body, sort_keys=True).encode()).hexdigest() + '"'
            )
            resp.headers["ETag"] = etag
            if req.headers.get("if-none-match") == etag:
                return Response(304, None, resp.headers)
        return resp

    def _issue(self, number: str) -> FakeIssue | None:
        return self.issues.get(int(number))

    def _by_id(self, issue_id: int) -> FakeIssue | None:
        return next((i for i in self.issues.values() if i.id == issue_id), None)

    def _missing(self) -> Response:
        return Response(
            404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        )

    def _invalid(self, message: str, field_name: str = "body") -> Response:
        return Response(
            422,
            {
                "message": "Validation Failed",
                "errors": [
                    {"resource": "Issue", "code": "custom", "field": field_name, "message": message}
                ],
                "documentation_url": "https://docs.github.com/rest",
            },
        )

    def _page(self, req: Request, items: list[Any], path: str, render: Any = None) -> Response:
        per_page = min(int(req.arg("per_page") or 30), 100)
        page = max(int(req.arg("page") or 1), 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        if render is not None:  # render only the page served
            chunk = [render(item) for item in chunk]
        last = max((len(items) + per_page - 1) // per_page, 1)
        headers = {}
        query = "&".join(f"{k}={v[0]}" for k, v in req.query.items() if k not in ("page",))
        links = []
        if page < last:
            links.append(f'<{self.base_url}{path}?{query}&page={page + 1}>; rel="next"')
            links.append(f'<{self.base_url}{path}?{query}&page={last}>; rel="last"')
        if links:
            headers["Link"] = ", ".join(links)
        return Response(200, chunk, headers)

    # ------------------------------------------------------------ repository and issues

    def get_repo(self, req: Request, owner: str, repo: str) -> Response:
        return Response(
            200,
            {
                "id": 1,
                "name": repo,
                "full_name": f"{owner}/{repo}",
                "url": self.api,
                "has_issues": True,
            },
        )

    def _touch(self, issue: FakeIssue) -> None:
        issue.updated_at = _now()

    def create_issue(self, req: Request, owner: str, repo: str) -> Response:
        data = req.body or {}
        if not data.get("title"):
            return self._invalid("title is missing", "title")
        if len(data.get("body") or "") > BODY_LIMIT:
            return self._invalid("body is too long (maximum is 65536 characters)")
        refused = self.org.unknown_type(data.get("type")) or self.org.check(
            data.get("issue_field_values")
        )
        if refused is not None:
            return refused
        self._next_id += 1
        issue = FakeIssue(
            number=max([*self.issues, *self.deleted, *self.transferred, 0]) + 1,
            id=self._next_id,
            title=data["title"],
            body=data.get("body"),
            labels=[str(n) for n in data.get("labels", [])],
            assignees=list(data.get("assignees", [])),
            type=data.get("type") if self.org.type_object(data.get("type")) else None,
        )
        self.org.apply(issue.number, data.get("issue_field_values"))
        for name in issue.labels:
            self._label(name)
        self.issues[issue.number] = issue
        return Response(201, self.render(issue))

    def delete_issue(self, number: int) -> None:
        """Delete an issue, as an admin would: it answers 410 Gone from then on."""
        self.issues.pop(number)
        self.deleted.add(number)

    def transfer_issue(self, number: int, to_repo: str) -> None:
        """Transfer an issue to another repository: its old URL answers 301 Moved."""
        issue = self.issues.pop(number)
        payload = self.render(issue)
        new_number = 1 + sum(1 for k in self.elsewhere if k[0] == to_repo)
        base = f"{self.base_url}/api/v3/repos/{self.owner}/{to_repo}"
        payload.update(
            number=new_number,
            repository_url=base,
            url=f"{base}/issues/{new_number}",
            html_url=f"{self.base_url}/{self.owner}/{to_repo}/issues/{new_number}",
        )
        self.elsewhere[(to_repo, new_number)] = payload
        self.transferred[number] = f"/api/v3/repos/{self.owner}/{to_repo}/issues/{new_number}"

    def get_issue(self, req: Request, owner: str, repo: str, number: str) -> Response:
        if repo != self.repo:
            moved = self.elsewhere.get((repo, int(number)))
            return self._missing() if moved is None else Response(200, moved)
        if int(number) in self.transferred:
            location = self.base_url + self.transferred[int(number)]
            return Response(301, {"message": "Moved Permanently"}, {"Location": location})
        if int(number) in self.deleted:
            return Response(410, {"message": "This issue was deleted"})
        issue = self._issue(number)
        return self._missing() if issue is None else Response(200, self.render(issue))

    def edit_issue(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue(number)
        if issue is None:
            return self._missing()
        data = req.body or {}
        if len(data.get("body") or "") > BODY_LIMIT:
            return self._invalid("body is too long (maximum is 65536 characters)")
        refused = self.org.unknown_type(data.get("type")) or self.org.check(
            data.get("issue_field_values")
        )
        if refused is not None:
            return refused
        for key in ("title", "body"):
            if key in data:
                setattr(issue, key, data[key])
        if "type" in data and (data["type"] is None or self.org.type_object(data["type"])):
            issue.type = data["type"]
        self.org.apply(issue.number, data.get("issue_field_values"))
        if "labels" in data:
            issue.labels = [str(n) for n in data["labels"]]
            for name in issue.labels:
                self._label(name)
        if "assignees" in data:
            issue.assignees = list(data["assignees"])
        if "state" in data and data["state"] != issue.state:
            issue.state = data["state"]
            issue.closed_at = _now() if issue.state == "closed" else None
            default = "completed" if issue.state == "closed" else "reopened"
            issue.state_reason = data.get("state_reason") or default
        elif "state_reason" in data and issue.state == "closed":
            issue.state_reason = data["state_reason"]
        self._touch(issue)
        return Response(200, self.render(issue))

    def list_issues(self, req: Request, owner: str, repo: str) -> Response:
        state = req.arg("state", "open")
        items = [i for i in self.issues.values() if state in ("all", i.state)]
        if req.arg("labels"):
            wanted = [w for w in (req.arg("labels") or "").split(",") if w]
            items = [i for i in items if all(w in i.labels for w in wanted)]
        if req.arg("since"):
            since = req.arg("since") or ""
            items = [i for i in items if i.updated_at >= since]
        if req.arg("assignee"):
            items = [i for i in items if req.arg("assignee") in i.assignees]
        key = "updated_at" if req.arg("sort") == "updated" else "created_at"
        items.sort(key=lambda i: (getattr(i, key), i.number))
        if req.arg("direction", "desc") == "desc":
            items.reverse()
        return self._page(req, items, req.path, self.render)

    # ------------------------------------------------------------ comments

    def add_human_comment(self, number: int, body: str, user: str = "a-person") -> None:
        """A comment written on GitHub by a person, not through the bridge."""
        self._comment(self.issues[number], body, user)

    def _comment(self, issue: FakeIssue, body: str, user: str) -> dict[str, Any]:
        self._next_comment += 1
        comment = {"id": self._next_comment, "body": body, "user": user, "created_at": _now()}
        issue.comments.append(comment)
        self._touch(issue)
        return comment

    def create_comment(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue(number)
        if issue is None:
            return self._missing()
        body = (req.body or {}).get("body")
        if not body:
            return self._invalid("body is missing")
        if len(body) > BODY_LIMIT:
            return self._invalid("body is too long (maximum is 65536 characters)")
        return Response(201, self.render_comment(issue, self._comment(issue, body, "bridge-bot")))

    def list_comments(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue(number)
        if issue is None:
            return self._missing()
        rendered = [self.render_comment(issue, c) for c in issue.comments]
        return self._page(req, rendered, req.path)

    def list_repo_comments(self, req: Request, owner: str, repo: str) -> Response:
        since = req.arg("since") or ""
        rendered = [
            self.render_comment(i, c)
            for i in self.issues.values()
            for c in i.comments
            if c["created_at"] >= since
        ]
        key = "updated_at" if req.arg("sort") == "updated" else "created_at"
        rendered.sort(key=lambda c: (c[key], c["id"]))
        if req.arg("sort") and req.arg("direction", "desc") == "desc":
            rendered.reverse()
        return self._page(req, rendered, req.path)

    # ------------------------------------------------------------ labels

    def list_labels(self, req: Request, owner: str, repo: str) -> Response:
        return self._page(req, [self._label(n) for n in self.labels], req.path)

    def create_label(self, req: Request, owner: str, repo: str) -> Response:
        name = (req.body or {}).get("name")
        if not name:
            return self._invalid("name is missing", "name")
        if name in self.labels:
            return Response(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}],
                },
            )
        return Response(201, self._label(name))

    # ------------------------------------------------------------ sub-issues

    def list_sub_issues(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue(number)
        if issue is None:
            return self._missing()
        subs = [self.render(self.issues[n], listed_as_sub_issue=True) for n in issue.sub_issues]
        return self._page(req, subs, req.path)

    def add_sub_issue(self, req: Request, owner: str, repo: str, number: str) -> Response:
        parent = self._issue(number)
        data = req.body or {}
        if parent is None:
            return self._missing()
        if not isinstance(data.get("sub_issue_id"), int):
            return self._invalid("sub_issue_id must be an integer id", "sub_issue_id")
        child = self._by_id(data["sub_issue_id"])
        if child is None:
            return self._invalid("sub-issue not found", "sub_issue_id")
        if child.parent is not None and not data.get("replace_parent"):
            return self._invalid("Sub issue may only have one parent", "sub_issue_id")
        if child.parent is not None:
            self.issues[child.parent].sub_issues.remove(child.number)
        child.parent = parent.number
        parent.sub_issues.append(child.number)
        self._touch(child)
        self._touch(parent)
        return Response(201, self.render(parent))

    def remove_sub_issue(self, req: Request, owner: str, repo: str, number: str) -> Response:
        parent = self._issue(number)
        child = self._by_id(int((req.body or {}).get("sub_issue_id", -1)))
        if parent is None or child is None or child.parent != parent.number:
            return self._missing()
        child.parent = None
        parent.sub_issues.remove(child.number)
        self._touch(child)
        return Response(200, self.render(child))

    def get_parent(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue(number)
        if issue is None or issue.parent is None:
            return self._missing()
        return Response(200, self.render(self.issues[issue.parent]))

    # ------------------------------------------------------------ dependencies

    def list_blocked_by(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue(number)
        if issue is None or not self.dependencies_enabled:
            return self._missing()
        return self._page(req, [self.render(self.issues[n]) for n in issue.blocked_by], req.path)

    def add_blocked_by(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue(number)
        if issue is None or not self.dependencies_enabled:
            return self._missing()
        blocker = self._by_id(int((req.body or {}).get("issue_id", -1)))
        if blocker is None:
            return self._invalid("issue_id not found", "issue_id")
        if blocker.number not in issue.blocked_by:
            issue.blocked_by.append(blocker.number)
        self._touch(issue)
        return Response(201, self.render(blocker))

    def remove_blocked_by(
        self, req: Request, owner: str, repo: str, number: str, issue_id: str
    ) -> Response:
        issue = self._issue(number)
        blocker = self._by_id(int(issue_id))
        if issue is None or blocker is None or blocker.number not in issue.blocked_by:
            return self._missing()
        issue.blocked_by.remove(blocker.number)
        self._touch(issue)
        return Response(200, self.render(blocker))

    # ------------------------------------------------------------ issue field values

    def list_field_values(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue(number)
        if issue is None:
            return self._missing()
        return self._page(req, self.org.render_values(issue.number), req.path)

    def _write_values(self, req: Request, number: str, *, replace: bool) -> Response:
        issue = self._issue(number)
        if issue is None:
            return self._missing()
        items = (req.body or {}).get("issue_field_values", [])
        refused = self.org.check(items)
        if refused is not None:
            return refused
        self.org.apply(issue.number, items, replace=replace)
        self._touch(issue)
        return Response(200, self.org.render_values(issue.number))

    def add_field_values(self, req: Request, owner: str, repo: str, number: str) -> Response:
        return self._write_values(req, number, replace=False)

    def set_field_values(self, req: Request, owner: str, repo: str, number: str) -> Response:
        return self._write_values(req, number, replace=True)

    def delete_field_value(
        self, req: Request, owner: str, repo: str, number: str, field_id: str
    ) -> Response:
        issue = self._issue(number)
        if issue is None or not self.org.clear(issue.number, int(field_id)):
            return self._missing()
        self._touch(issue)
        return Response(204, None)


def start_github_fake(token: str = "t0ken") -> tuple[FakeServer, GitHubFakeApp]:
    """A running fake; ``server.url + "/api/v3"`` is the base URL to configure."""
    app = GitHubFakeApp(token=token)
    server = FakeServer(app)
    app.base_url = server.url
    return server.start(), app
