"""The fault matrix on the GitHub and Jira fakes: every fault x every operation, then recovery.

Each fault hits the operation's writes, for all three configured attempts (so the call
falls back to the local store and the outbox) except ``drop_after``, which applies the
write and drops the answer once (so the retry must not repeat it). After replay the
tracker must equal the tracker of the same operation run with no fault at all.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.local_json import LocalJsonService
from bridge.errors import PermanentError, UnavailableError
from bridge.outbox import Outbox
from bridge.resilience import ResilientService
from bridge.retry import RetryPolicy
from bridge.service import TicketingService
from tests.contract.test_github import github_service
from tests.contract.test_jira import jira_service
from tests.fakes.base import FakeApp, FakeServer, Fault
from tests.fakes.github_fake import GitHubFakeApp, start_github_fake
from tests.fakes.jira_fake import JiraFakeApp, start_jira_fake

ATTEMPTS = 3


def _http_date(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


FAULTS: dict[str, Callable[[], Fault]] = {
    "500": lambda: Fault(status=500, times=ATTEMPTS),
    "502": lambda: Fault(status=502, times=ATTEMPTS),
    "503": lambda: Fault(status=503, times=ATTEMPTS),
    "timeout": lambda: Fault(kind="hang", delay=1.3, times=ATTEMPTS),
    "connection reset": lambda: Fault(kind="reset", times=ATTEMPTS),
    "429 seconds": lambda: Fault(status=429, headers={"Retry-After": "2"}, times=ATTEMPTS),
    "429 http-date": lambda: Fault(
        status=429, headers={"Retry-After": _http_date(3)}, times=ATTEMPTS
    ),
    "403 secondary": lambda: Fault(
        status=403,
        headers={"Retry-After": "5"},
        body={"message": "You have exceeded a secondary rate limit."},
        times=ATTEMPTS,
    ),
    "write applied, dropped": lambda: Fault(kind="drop_after", writes_only=True, times=1),
}

Op = Callable[[TicketingService, dict[str, str]], Any]
OPS: dict[str, Op] = {
    "create": lambda s, ids: s.create_ticket(
        "New work", "details", priority="high", labels=["x"], assignee="qa"
    ),
    "create subtask": lambda s, ids: s.create_ticket("Sub work", parent_id=ids["parent"]),
    "update": lambda s, ids: s.update_ticket(
        ids["target"], status="in_progress", priority="critical"
    ),
    "comment": lambda s, ids: s.add_comment(ids["target"], "progress made", author="qa-agent"),
    "close": lambda s, ids: s.close_ticket(ids["target"], resolution="Fixed in #9"),
    "add dependency": lambda s, ids: s.add_dependency(ids["target"], ids["other"]),
}


def _jira_snapshot(app: JiraFakeApp) -> list[tuple[object, ...]]:
    summary = {key: i.fields["summary"] for key, i in app.issues.items()}
    rows = []
    for key, issue in app.issues.items():
        prop = issue.properties.get("ticket-bridge", {})
        deps = tuple(sorted(summary[a] for a, b in app.links.values() if b == key))
        rows.append(
            (
                issue.fields["summary"],
                issue.fields.get("description"),
                issue.status,
                issue.resolution,
                tuple(sorted(issue.fields.get("labels", []))),
                issue.fields.get("priority"),
                summary.get(issue.fields.get("parent") or ""),
                deps,
                prop.get("status"),
                prop.get("resolution"),
                prop.get("metadata"),
                tuple(_unkeyed(c["body"]) for c in issue.comments),
            )
        )
    return sorted(rows, key=repr)


def _start(tracker: str) -> tuple[FakeServer, FakeApp, TicketingService]:
    if tracker == "github":
        server, app = start_github_fake()
        return server, app, github_service(server.url, timeout=1)
    server, jira_app = start_jira_fake("cloud")
    return server, jira_app, jira_service(server.url, "cloud", timeout=1)


def _unkeyed(body: object) -> object:
    """A comment body without the idempotency key in its marker, or a resolution note
    without its closing's key (fresh ones per run)."""
    if not isinstance(body, str):
        return body
    return re.sub(r'(?<=ticket-bridge:resolution -->)<!-- [0-9a-f]+ -->| key:? "[^"]*"', "", body)


def _snapshot(app: GitHubFakeApp) -> list[tuple[object, ...]]:
    title = {i.number: i.title for i in app.issues.values()}
    from adapters.github._mapping import split_body

    rows = []
    for issue in app.issues.values():
        description, block = split_body(issue.body)
        rows.append(
            (
                issue.title,
                description,
                issue.state,
                issue.state_reason,
                tuple(sorted(issue.labels)),
                title.get(issue.parent or 0),
                tuple(sorted(title[n] for n in issue.blocked_by)),
                block.status,
                block.resolution,
                tuple(_unkeyed(c["body"]) for c in issue.comments),
            )
        )
    return sorted(rows, key=repr)


def _run(
    tmp_path: Path, op: str, fault: str | None, tracker: str = "github"
) -> tuple[list[tuple[object, ...]], Any]:
    server, app, remote = _start(tracker)
    local = LocalJsonService(tmp_path / f"local-{fault}")
    outbox = Outbox(local.root / "outbox-github.sqlite3")
    sleeps: list[float] = []
    service = ResilientService(
        remote,
        policy=RetryPolicy(attempts=ATTEMPTS, initial_wait=0.5, max_wait=4, deadline=600, settle=4),
        local=local,
        outbox=outbox,
        sleep=sleeps.append,
        rng=random.Random(3),
    )
    try:
        ids = {
            "parent": service.create_ticket("Parent").id,
            "target": service.create_ticket("Target", assignee="engineer").id,
            "other": service.create_ticket("Other").id,
        }
        if fault is not None:
            injected = FAULTS[fault]()
            injected.writes_only = True  # the reads before a write pass; the write fails
            server.inject(injected)
        result = OPS[op](service, ids)
        fell_back = len(outbox) > 0
        server.clear_faults()
        report = service.replay()
        assert report.remaining == 0, report.error
        assert all(w <= 4 for w in sleeps)
        if fell_back and hasattr(result, "id") and hasattr(result, "pending"):
            assert result.pending
            assert service.get_ticket(result.id).title == result.title
        if isinstance(app, JiraFakeApp):
            return _jira_snapshot(app), fell_back
        assert isinstance(app, GitHubFakeApp)
        return _snapshot(app), fell_back
    finally:
        service.close()
        server.stop()


def cells() -> list[tuple[str, str, str]]:
    """Every (tracker, operation, fault); the secondary rate limit is GitHub's alone."""
    return [
        (tracker, op, fault)
        for tracker in ("github", "jira")
        for op in OPS
        for fault in FAULTS
        if not (tracker == "jira" and fault == "403 secondary")
    ]


@pytest.mark.parametrize(("tracker", "op", "fault"), cells())
def test_fault_matrix(tmp_path: Path, tracker: str, op: str, fault: str) -> None:
    """After the fault, retries, fallback and replay, the tracker is as if nothing failed."""
    expected, _ = _run(tmp_path / "ref", op, None, tracker)
    got, fell_back = _run(tmp_path / "run", op, fault, tracker)
    assert got == expected
    assert fell_back is (fault != "write applied, dropped")


@pytest.mark.parametrize("tracker", ["github", "jira"])
def test_one_failing_call_sends_exactly_three_requests(tmp_path: Path, tracker: str) -> None:
    """Three attempts configured, SDK retries off: a dead tracker sees three requests."""
    server, _, remote = _start(tracker)
    try:
        ticket = remote.create_ticket("Known")
        service = ResilientService(remote, policy=RetryPolicy(attempts=3), sleep=lambda _: None)
        server.clear_log()
        server.inject(Fault(status=503, times=10))
        with pytest.raises(UnavailableError, match="503"):
            service.get_ticket(ticket.id)
        assert len(server.log) == 3
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("tracker", "status", "body"),
    [
        (tracker, status, body)
        for tracker, invalid in (("github", 422), ("jira", 400))
        for status, body in (
            (401, {"message": "Bad credentials", "errorMessages": ["not authenticated"]}),
            (403, {"message": "Must have admin rights", "errorMessages": ["no permission"]}),
            (404, {"message": "Not Found", "errorMessages": ["Issue does not exist"]}),
            (invalid, {"message": "Validation Failed", "errorMessages": ["bad field"]}),
        )
    ],
)
def test_permanent_errors_send_one_request(
    tmp_path: Path, tracker: str, status: int, body: dict[str, object]
) -> None:
    """401, 403 (credentials), 404 and 422/400 raise at once: one request, no fallback."""
    server, _, remote = _start(tracker)
    try:
        ticket = remote.create_ticket("Known")
        local = LocalJsonService(tmp_path / "local")
        outbox = Outbox(local.root / "outbox.sqlite3")
        service = ResilientService(remote, local=local, outbox=outbox, sleep=lambda _: None)
        server.clear_log()
        server.inject(Fault(status=status, body=body))
        with pytest.raises(PermanentError) as info:
            service.update_ticket(ticket.id, priority="high")
        assert info.value.message
        assert len(server.log) == 1
        assert len(outbox) == 0
    finally:
        server.stop()
