"""The fault matrix on the GitHub fake: every fault x every operation, then recovery.

Each fault hits the operation's writes, for all three configured attempts (so the call
falls back to the local store and the outbox) except ``drop_after``, which applies the
write and drops the answer once (so the retry must not repeat it). After replay the
tracker must equal the tracker of the same operation run with no fault at all.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.local_json import LocalJsonService
from bridge.config import RetryPolicy
from bridge.outbox import Outbox
from bridge.resilience import ResilientService
from bridge.service import TicketingService
from tests.contract.test_github import github_service
from tests.fakes.base import Fault
from tests.fakes.github_fake import GitHubFakeApp, start_github_fake

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
                tuple(c["body"] for c in issue.comments),
            )
        )
    return sorted(rows, key=repr)


def _run(tmp_path: Path, op: str, fault: str | None) -> tuple[list[tuple[object, ...]], Any]:
    server, app = start_github_fake()
    remote = github_service(server.url, timeout=1)
    local = LocalJsonService(tmp_path / f"local-{fault}")
    outbox = Outbox(local.root / "outbox-github.sqlite3")
    sleeps: list[float] = []
    service = ResilientService(
        remote,
        policy=RetryPolicy(attempts=ATTEMPTS, initial_wait=0.5, max_wait=4, deadline=600),
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
        return _snapshot(app), fell_back
    finally:
        service.close()
        server.stop()


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("op", list(OPS))
def test_fault_matrix_on_github(tmp_path: Path, op: str, fault: str) -> None:
    """After the fault, retries, fallback and replay, the tracker is as if nothing failed."""
    expected, _ = _run(tmp_path, op, None)
    got, fell_back = _run(tmp_path, op, fault)
    assert got == expected
    assert fell_back is (fault != "write applied, dropped")


def test_one_failing_call_sends_exactly_three_requests(tmp_path: Path) -> None:
    """Three attempts configured, SDK retries off: a dead tracker sees three requests."""
    server, _ = start_github_fake()
    try:
        remote = github_service(server.url)
        ticket = remote.create_ticket("Known")
        service = ResilientService(remote, policy=RetryPolicy(attempts=3), sleep=lambda _: None)
        server.clear_log()
        server.inject(Fault(status=503, times=10))
        with pytest.raises(Exception, match="503"):
            service.get_ticket(ticket.id)
        assert len(server.log) == 3
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        (Fault(status=401, body={"message": "Bad credentials"}), 401),
        (Fault(status=403, body={"message": "Must have admin rights"}), 403),
        (Fault(status=404, body={"message": "Not Found"}), 404),
        (Fault(status=422, body={"message": "Validation Failed"}), 422),
    ],
)
def test_permanent_errors_send_one_request(tmp_path: Path, fault: Fault, status: int) -> None:
    """401, 403 (credentials), 404 and 422 raise at once: exactly one request, no fallback."""
    from bridge.errors import PermanentError

    server, _ = start_github_fake()
    try:
        remote = github_service(server.url)
        ticket = remote.create_ticket("Known")
        local = LocalJsonService(tmp_path / "local")
        outbox = Outbox(local.root / "outbox.sqlite3")
        service = ResilientService(remote, local=local, outbox=outbox, sleep=lambda _: None)
        server.clear_log()
        server.inject(fault)
        with pytest.raises(PermanentError) as info:
            service.update_ticket(ticket.id, priority="high")
        assert str(status) in str(info.value) or info.value.message
        assert len(server.log) == 1
        assert len(outbox) == 0
    finally:
        server.stop()
