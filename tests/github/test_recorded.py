"""Answers recorded from api.github.com, served on loopback, read back through the public API.

The recordings are PyGithub's ``tests/ReplayData`` (LGPL-3.0), one answer a file, the API
host rewritten to ``https://github.invalid/api/v3`` (served here as the loopback server's
own base); ``PROVENANCE.md`` beside them names the file, record and commit of each. They are
looked up in ``shared/github/recorded/`` beside the clone, then in
``fixtures/github/recorded/``; without them these tests are skipped.

The server answers only what was recorded: an issue by its own recording or by its item in
a recorded list, a list page by its ``page`` parameter, the repository's issue list by
``state`` (``closed`` and ``open``). Anything else is a 404, so a request the adapter makes
beyond the recordings shows as an error, not as data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.github import GitHubConfig, GitHubService
from tests.fakes.base import FakeApp, FakeServer, Request, Response

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [
    base / "shared" / "github" / "recorded" for base in (ROOT.parent, ROOT.parent.parent)
] + [ROOT / "fixtures" / "github" / "recorded"]
RECORDED = next((p for p in CANDIDATES if any(p.glob("*.json"))), None)
RECORDED_BASE = "https://github.invalid"

pytestmark = pytest.mark.skipif(RECORDED is None, reason="no recorded GitHub answers here")


def _page(path: str) -> int:
    _, _, query = path.partition("?")
    pairs = dict(p.partition("=")[::2] for p in query.split("&") if p)
    return int(pairs.get("page", "1"))


class RecordedApp(FakeApp):
    """Serves the recorded answers of every repository they came from."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.pages: dict[str, dict[int, dict[str, Any]]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.misses: list[str] = []
        for file in sorted(folder.glob("*.json")):
            record = json.loads(file.read_text())
            self._add(file.stem, record)
        self.route("GET", r"/api/v3(?P<path>/repos/.*)", self.answer)

    def _add(self, stem: str, record: dict[str, Any]) -> None:
        path = record["path"].partition("?")[0]
        if stem.endswith(("-open", "-closed")):  # the repository's list, by state
            path = f"{path}?state={stem.rsplit('-', 1)[1]}"
        elif "/repositories/" in path:  # later pages of a list, as GitHub's links name them
            path = next(p for p in self.pages if p.endswith(path.split("/issues/", 1)[1]))
        if record["method"] == "GET":
            self.pages.setdefault(path, {})[_page(record["path"])] = record
        body = record["body"]
        for item in body if isinstance(body, list) else [body]:
            if isinstance(item, dict) and "title" in item:
                url = item["url"].removeprefix(f"{RECORDED_BASE}/api/v3")
                if record["method"] == "GET" or url not in self.items:
                    self.items.setdefault(url, item)
                if record["method"] != "GET" and url == path.rsplit("/dependencies", 1)[0]:
                    self.items[url] = item  # the newer state of the issue the write changed

    def answer(self, req: Request, path: str) -> Response:
        key = f"{path}?state={req.arg('state')}" if path.endswith("/issues") else path
        pages = self.pages.get(key)
        if pages is None and path in self.items:
            return Response(200, self._here(self.items[path]))
        if pages is None or _page(f"?page={req.arg('page', '1')}") not in pages:
            self.misses.append(f"{req.method} {path}?{req.query}")
            return Response(404, {"message": "Not Found (not recorded)"})
        record = pages[int(req.arg("page", "1") or 1)]
        headers = {k: v.replace(RECORDED_BASE, self.base_url) for k, v in record["headers"].items()}
        return Response(200, self._here(record["body"]), headers)

    def _here(self, body: Any) -> Any:
        return json.loads(json.dumps(body).replace(RECORDED_BASE, self.base_url))

    def dispatch(self, req: Request) -> Response:
        if not req.headers.get("authorization", "").startswith(("token ", "Bearer ")):
            return Response(401, {"message": "Requires authentication"})
        return super().dispatch(req)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    assert RECORDED is not None
    app = RecordedApp(RECORDED)
    server = FakeServer(app)
    app.base_url = server.url
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def only_recorded(server: FakeServer) -> Iterator[None]:
    """Every request a test makes is answered from a recording."""
    app = server.app
    assert isinstance(app, RecordedApp)
    app.misses.clear()
    yield
    assert app.misses == []


def _service(server: FakeServer, repo: str, **settings: Any) -> GitHubService:
    config = GitHubConfig(
        repo=repo,
        base_url=f"{server.url}/api/v3",
        seconds_between_requests=None,
        seconds_between_writes=None,
        timeout=5,
        **settings,
    )
    return GitHubService(config, token="recorded")


@pytest.fixture
def pygithub(server: FakeServer) -> Iterator[GitHubService]:
    # Blocked-by lists of this repository were not recorded: the body's (empty) list stands.
    service = _service(
        server, "PyGithub/PyGithub", use_issue_types=True, use_dependencies_api=False
    )
    yield service
    service.close()


@pytest.fixture
def enricomi(server: FakeServer) -> Iterator[GitHubService]:
    service = _service(server, "EnricoMi/PyGithub")
    yield service
    service.close()


def test_an_issue_with_labels_type_assignee_and_comments(pygithub: GitHubService) -> None:
    """#28: closed as completed, two labels, issue type Bug, an assignee, two comments."""
    ticket = pygithub.get_ticket("28")
    assert ticket.title == "Issue created by PyGithub"
    assert ticket.description == "Body edited by PyGithub"
    assert (ticket.status.value, ticket.resolution) == ("resolved", None)
    assert ticket.priority.value == "medium"  # no priority label
    assert ticket.type.value == "bug"
    assert ticket.labels == ["bug", "question"]
    assert ticket.assignee == "jacquev6"
    assert ticket.parent_id is None
    assert ticket.tracker is not None
    assert ticket.tracker.url == "https://github.com/PyGithub/PyGithub/issues/28"
    comments = pygithub.list_comments("28")
    assert [c.author for c in comments] == ["jacquev6", "roskakori"]
    assert comments[0].body.startswith("Thank you for the suggestion.")
    assert comments[0].created_at.isoformat() == "2012-05-01T22:03:59+00:00"


def test_comments_over_three_recorded_pages(pygithub: GitHubService) -> None:
    """#1136's seven comments came in pages of three, each naming the next in ``Link``."""
    ticket = pygithub.get_ticket("1136")
    assert ticket.title == "Paginated list reversed only gives the first page of results backwards"
    assert ticket.status.value == "open"  # state_reason "reopened"
    assert ticket.description.startswith('When I do\r\n```\r\ng = Github("xxx")')
    authors = [c.author for c in pygithub.list_comments("1136")]
    assert authors == [
        "stale[bot]",
        "engn33r",
        "EnricoMi",
        "etiennnr",
        "EnricoMi",
        "etiennnr",
        "engn33r",
    ]


def test_children_from_a_sub_issue_list_that_names_no_parent(pygithub: GitHubService) -> None:
    """#5's sub-issue list carries no ``parent_issue_url``: the children are still #5's."""
    children = pygithub.get_children("5")
    assert [(c.id, c.title) for c in children] == [
        ("34", "check formatting rule"),
        ("35", "sub-issue-sample_1"),
        ("38", "sub-issue-sample_added"),
    ]
    assert {c.parent_id for c in children} == {"5"}
    assert children[2].description == "This is a sample sub-issue for testAddSubIssue"
    # Read on its own, a sub-issue recorded in 2025-07 names no parent either.
    assert pygithub.get_ticket("39").parent_id is None


def test_closed_list_with_parents_and_issue_types(pygithub: GitHubService) -> None:
    """The closed issues as listed in 2025-09: parents from ``parent_issue_url``, types."""
    tickets = {t.id: t for t in pygithub.list_tickets(status=["resolved", "closed"])}
    assert set(tickets) == {"3364", "3337", "3336", "3335", "28"}
    assert {k: t.parent_id for k, t in tickets.items()} == {
        "3364": None,
        "3337": "3335",
        "3336": "3335",
        "3335": "28",
        "28": None,
    }
    assert {k: t.type.value for k, t in tickets.items()} == {
        "3364": "bug",
        "3337": "task",
        "3336": "task",
        "3335": "feature",
        "28": "bug",
    }
    assert tickets["3364"].labels == ["bug"]
    assert tickets["3336"].description == "To generate test data.\n\nBlocks #3337."
    assert all(t.status.value == "resolved" for t in tickets.values())


def test_open_list_and_a_long_comment_thread(pygithub: GitHubService) -> None:
    """The open issues, and #3372's four comments with their authors."""
    tickets = pygithub.list_tickets(status="open")
    assert [t.id for t in tickets] == ["3379", "3373", "3372"]
    assert tickets[2].title == "Commit.files does not respect requester.per_page (in forward mode)"
    comments = pygithub.list_comments("3372")
    assert [c.author for c in comments] == ["iarspider", "EnricoMi", "iarspider", "EnricoMi"]
    assert comments[-1].body.startswith("Fix available in #3377.")


def test_blocked_by_a_closed_issue(enricomi: GitHubService) -> None:
    """#24 is blocked by #13, which is closed: ``blocked_by`` says 0, ``total_blocked_by``
    says 1, and the dependency is read from the blocked-by list."""
    ticket = enricomi.get_ticket("24")
    assert ticket.title == "Issue dependencies test"
    assert ticket.description == "This issue tests issue dependencies."
    assert ticket.dependencies == ["13"]
    blocker = enricomi.get_ticket("13")
    assert (blocker.title, blocker.status.value) == ("Test issue", "resolved")
