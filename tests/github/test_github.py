"""The GitHub adapter against the fake: mapping, links, limits, errors, secrets, request counts."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.github import GitHubService
from bridge.errors import (
    AuthError,
    BridgeError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
    TrackerTimeoutError,
    UnavailableError,
)
from tests.contract.test_github import github_service
from tests.fakes.base import FakeServer, Fault
from tests.fakes.github_fake import GitHubFakeApp, start_github_fake

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "github"
CANARY = "ghp_CANARY0123456789canary"


@pytest.fixture
def fake() -> Iterator[tuple[FakeServer, GitHubFakeApp]]:
    server, app = start_github_fake()
    yield server, app
    server.stop()


@pytest.fixture
def gh(fake: tuple[FakeServer, GitHubFakeApp]) -> Iterator[GitHubService]:
    service = github_service(fake[0].url, timeout=1)
    yield service
    service.close()


def _count(server: FakeServer, action) -> int:  # type: ignore[no-untyped-def]
    server.clear_log()
    action()
    return len(server.log)


def test_fake_payloads_have_the_documented_shape(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """Issues and comments from the fake carry the keys of GitHub's documented examples."""
    _server, app = fake
    ticket = gh.create_ticket("Shape")
    gh.add_comment(ticket.id, "hi")
    issue = app.render(app.issues[1])
    documented = json.loads((FIXTURES / "issue.json").read_text())
    for key in (
        "id",
        "node_id",
        "url",
        "html_url",
        "number",
        "state",
        "title",
        "body",
        "user",
        "labels",
        "assignee",
        "assignees",
        "comments",
        "created_at",
        "updated_at",
        "closed_at",
        "state_reason",
    ):
        assert key in documented
        assert key in issue
    comment = app.render_comment(app.issues[1], app.issues[1].comments[0])
    documented_comment = json.loads((FIXTURES / "issue-comment.json").read_text())
    assert set(comment) <= set(documented_comment) | {"html_url"}


def test_person_added_label_survives_bridge_updates(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """A label a person put on the issue is never removed by the bridge."""
    _, app = fake
    ticket = gh.create_ticket("Keep my label", labels=["mine"], priority="low")
    app.issues[int(ticket.id)].labels.append("needs-design")
    gh.update_ticket(ticket.id, priority="critical", status="in_progress")
    gh.update_ticket(ticket.id, labels=["mine", "other"])
    gh.close_ticket(ticket.id, resolution="done")
    labels = app.issues[int(ticket.id)].labels
    assert "needs-design" in labels
    assert "priority: critical" in labels
    assert "priority: low" not in labels
    got = gh.get_ticket(ticket.id)
    assert set(got.labels) == {"mine", "other", "needs-design"}


def test_labels_and_state_seen_on_github(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """Priority, status, type and agent are visible labels; closing sets state_reason."""
    _, app = fake
    ticket = gh.create_ticket("Visible", priority="high", type="bug", assignee="qa")
    gh.update_ticket(ticket.id, status="blocked")
    issue = app.issues[int(ticket.id)]
    assert set(issue.labels) == {"priority: high", "type: bug", "agent: qa", "status: blocked"}
    gh.close_ticket(ticket.id, resolution="Won't fix: by design")
    assert (issue.state, issue.state_reason) == ("closed", "not_planned")
    assert issue.comments[-1]["body"].endswith("**Resolution:** Won't fix: by design")
    assert gh.list_comments(ticket.id) == []
    other = gh.create_ticket("Done")
    gh.close_ticket(other.id, resolution="Fixed in #3", status="resolved")
    assert app.issues[int(other.id)].state_reason == "completed"


def test_subtask_of_subtask_uses_integer_ids(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """Sub-issues are added with the child's integer id, not its number."""
    server, app = fake
    top = gh.create_ticket("Top")
    mid = gh.create_ticket("Mid", parent_id=top.id)
    leaf = gh.create_ticket("Leaf", parent_id=mid.id)
    posts = [e for e in server.log if e.method == "POST" and e.path.endswith("/sub_issues")]
    assert [e.body for e in posts] == [
        {"sub_issue_id": app.issues[int(mid.id)].id},
        {"sub_issue_id": app.issues[int(leaf.id)].id},
    ]
    assert app.issues[int(mid.id)].id != int(mid.id)
    assert gh.get_ticket(leaf.id).parent_id == mid.id
    assert [t.id for t in gh.get_children(top.id)] == [mid.id]


def test_large_metadata_round_trips_and_body_stays_readable(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """10 KB of nested JSON round-trips; the body shows the description, the rest is hidden."""
    _, app = fake
    metadata = {
        "phases": [
            {
                "n": i,
                "notes": "x" * 80,
                "tags": ["a--b", "<!-- -->"],
                "nested": {"ok": True, "v": None},
            }
            for i in range(80)
        ]
    }
    assert len(json.dumps(metadata)) > 10_000
    ticket = gh.create_ticket("Big", "Human-readable description.", metadata=metadata)
    assert gh.get_ticket(ticket.id).metadata == metadata
    body = app.issues[int(ticket.id)].body or ""
    assert body.startswith("Human-readable description.\n\n<!-- ticket-bridge ")
    assert body.endswith(" -->")
    assert body.count("-->") == 1
    app.issues[int(ticket.id)].body = body.replace("Human-readable", "Edited by a person")
    got = gh.get_ticket(ticket.id)
    assert got.description == "Edited by a person description."
    assert got.metadata == metadata


def test_too_long_description_fails_before_any_request(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """A body over 65,536 characters with the bridge's block is refused locally."""
    server, _ = fake
    server.clear_log()
    with pytest.raises(InvalidError, match="65536"):
        gh.create_ticket("Too long", "x" * 65_500)
    assert server.log == []


FAULTS = [
    (Fault(status=401, body={"message": "Bad credentials"}), AuthError),
    (Fault(status=403, body={"message": "Resource not accessible by integration"}), AuthError),
    (
        Fault(
            status=403,
            headers={"Retry-After": "60"},
            body={"message": "You have exceeded a secondary rate limit."},
        ),
        RateLimitedError,
    ),
    (Fault(status=404, body={"message": "Not Found"}), NotFoundError),
    (Fault(status=410, body={"message": "Issue deleted"}), NotFoundError),
    (
        Fault(status=422, body={"message": "Validation Failed", "errors": [{"message": "bad"}]}),
        InvalidError,
    ),
    (
        Fault(status=429, headers={"Retry-After": "7"}, body={"message": "slow down"}),
        RateLimitedError,
    ),
    (Fault(status=500), UnavailableError),
    (Fault(status=502), UnavailableError),
    (Fault(status=503), UnavailableError),
    (Fault(kind="slow", delay=1.5), TrackerTimeoutError),
    (Fault(kind="reset"), UnavailableError),
]


@pytest.mark.parametrize(("fault", "error"), FAULTS, ids=lambda f: getattr(f, "__name__", ""))
def test_http_failures_become_bridge_errors(gh: GitHubService, fake, fault, error) -> None:  # type: ignore[no-untyped-def]
    """Each failure raises its bridge error and nothing foreign escapes."""
    server, _ = fake
    ticket = gh.create_ticket("Target")
    server.inject(fault)
    with pytest.raises(BridgeError) as info:
        gh.get_ticket(ticket.id)
    assert type(info.value) is error
    assert info.value.adapter == "github"
    if fault.status == 429:
        assert info.value.retry_after == 7  # type: ignore[attr-defined]


def test_rate_limit_reset_header_gives_retry_after(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """A primary rate limit without Retry-After waits until X-RateLimit-Reset."""
    import time

    server, _ = fake
    reset = int(time.time()) + 30
    server.inject(
        Fault(
            status=403,
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
            body={"message": "API rate limit exceeded"},
        )
    )
    with pytest.raises(RateLimitedError) as info:
        gh.list_tickets()
    assert 20 <= (info.value.retry_after or 0) <= 31


def test_canary_token_never_leaks(fake, caplog, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The token appears in no log line, repr, exception message or file the tool writes."""
    server, app = fake
    app.token = CANARY
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    from adapters.github import GitHubConfig

    config = GitHubConfig(
        repo="octo/tickets",
        base_url=f"{server.url}/api/v3",
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    with caplog.at_level(logging.DEBUG):
        service = GitHubService(config)
        ticket = service.create_ticket("Secret-safe")
        service.add_comment(ticket.id, "hello")
        messages = [repr(service), repr(config), str(config.model_dump())]
        for fault in (Fault(status=401, body={"message": "Bad credentials"}), Fault(status=500)):
            server.inject(fault)
            with pytest.raises(BridgeError) as info:
                service.get_ticket(ticket.id)
            messages += [str(info.value), repr(info.value)]
    text = "\n".join([caplog.text, *messages])
    assert CANARY not in text
    assert all(
        CANARY not in p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file()
    )
    bad = GitHubService(config, token="wrong-token")
    with pytest.raises(AuthError) as info:
        bad.get_ticket(ticket.id)
    assert "wrong-token" not in str(info.value)


def test_missing_token_names_the_variable(fake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without a token the error names the environment variable to set."""
    from adapters.github import GitHubConfig

    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    with pytest.raises(AuthError, match="GITHUB_TOKEN"):
        GitHubService(GitHubConfig(repo="octo/tickets", base_url=f"{fake[0].url}/api/v3"))


def test_request_counts(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """create 1 (2 with a parent), get 1, update 2, comment 1, close with resolution 3,
    1000 issues listed in 10 pages, and a repeated list answered 304."""
    server, app = fake
    parent = gh.create_ticket("Parent")
    assert _count(server, lambda: gh.create_ticket("One")) == 1
    assert _count(server, lambda: gh.create_ticket("Child", parent_id=parent.id)) == 2
    assert _count(server, lambda: gh.get_ticket(parent.id)) == 1
    assert _count(server, lambda: gh.update_ticket(parent.id, status="in_progress")) == 2
    assert _count(server, lambda: gh.update_ticket(parent.id, priority="high")) == 2
    assert _count(server, lambda: gh.add_comment(parent.id, "progress")) == 1
    assert _count(server, lambda: gh.close_ticket(parent.id, resolution="done")) == 3
    assert _count(server, lambda: gh.reopen_ticket(parent.id)) == 2
    for i in range(997):
        app.issues[len(app.issues) + 1] = type(app.issues[1])(
            number=len(app.issues) + 1, id=90_000 + i, title=f"Bulk {i}", body="", labels=[]
        )
    assert len(app.issues) == 1000
    assert _count(server, lambda: list(gh.iter_tickets(limit=100))) == 10
    server.clear_log()
    again = list(gh.iter_tickets(limit=100))
    assert len(again) == 1000
    assert [e.status for e in server.log] == [304] * 10
