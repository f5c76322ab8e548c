"""Writes that may be sent twice, fail half-way or land late: each ends exactly once."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.local_json import LocalJsonService
from bridge.outbox import Outbox
from bridge.resilience import ResilientService
from bridge.retry import RetryPolicy
from tests.fakes.base import FakeServer, Fault
from tests.fakes.github_fake import GitHubFakeApp
from tests.resilience.test_matrix import _start


@dataclass
class Rig:
    server: FakeServer
    app: GitHubFakeApp
    service: ResilientService
    outbox: Outbox


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[Rig]:
    server, app, remote = _start("github")
    local = LocalJsonService(tmp_path / "local")
    outbox = Outbox(local.root / "outbox-github.sqlite3")
    service = ResilientService(
        remote,
        policy=RetryPolicy(attempts=3, initial_wait=0.5, max_wait=4, deadline=600),
        local=local,
        outbox=outbox,
        sleep=lambda _: None,
        clock=lambda: 1e9,  # the probe is always due: every call tries the outbox first
        rng=random.Random(5),
    )
    assert isinstance(app, GitHubFakeApp)
    try:
        yield Rig(server, app, service, outbox)
    finally:
        service.close()
        server.stop()


def _titles(app: GitHubFakeApp) -> list[str]:
    return sorted(i.title for i in app.issues.values())


@pytest.mark.parametrize(
    ("path", "status", "kwargs"),
    [
        (r"/sub_issues$", 503, {"parent": True}),
        (r"/dependencies/blocked_by$", 429, {"dependency": True}),
        (r"/issues/\d+$", 503, {"status": "resolved"}),
    ],
    ids=["subtask-link-503", "blocked-by-429", "closing-patch-503"],
)
def test_a_create_whose_follow_up_step_fails_is_made_once(
    gh: Rig, path: str, status: int, kwargs: dict[str, Any]
) -> None:
    """The issue is created, then its sub-issue link, blocked-by link or closing PATCH
    fails: the retry finds the issue by its key and completes the step; one issue."""
    parent = gh.service.create_ticket("Parent")
    blocker = gh.service.create_ticket("Blocker")
    gh.server.inject(
        Fault(status=status, headers={"Retry-After": "1"}, method=None, path=path, times=1)
    )
    made = gh.service.create_ticket(
        "Child",
        parent_id=parent.id if kwargs.get("parent") else None,
        dependencies=[blocker.id] if kwargs.get("dependency") else [],
        status=kwargs.get("status", "open"),
    )
    gh.service.replay()
    assert _titles(gh.app) == ["Blocker", "Child", "Parent"]
    stored = gh.service.get_ticket(gh.outbox.remote_id(made.id) or made.id)
    if kwargs.get("parent"):
        assert stored.parent_id == parent.id
    if kwargs.get("dependency"):
        assert stored.dependencies == [blocker.id]
    if kwargs.get("status"):
        assert stored.status == "resolved"


def test_the_same_text_twice_is_two_comments(gh: Rig) -> None:
    """A second "ack" by the same author after a 502 that was not applied is posted, not
    taken for the first one."""
    ticket = gh.service.create_ticket("Acked")
    gh.service.add_comment(ticket.id, "ack", author="qa")
    gh.server.inject(Fault(status=502, method="POST", path=r"/comments$", times=1))
    second = gh.service.add_comment(ticket.id, "ack", author="qa")
    gh.service.replay()
    bodies = [c.body for c in gh.service.list_comments(ticket.id)]
    assert bodies == ["ack", "ack"]
    assert second.key is not None


def test_a_queued_ack_whose_first_replay_failed_is_still_sent(gh: Rig) -> None:
    """A queued "ack" whose first replay got a 503 is sent by the next replay, although an
    older "ack" by the same author is there."""
    ticket = gh.service.create_ticket("Acked")
    gh.service.add_comment(ticket.id, "ack", author="qa")
    gh.server.inject(Fault(status=503, method="POST", path=r"/comments$", times=3))
    gh.service.add_comment(ticket.id, "ack", author="qa")  # queued
    assert len(gh.outbox) == 1
    gh.server.inject(Fault(status=503, method="POST", path=r"/comments$", times=3))
    assert gh.service.replay().remaining == 1
    assert gh.service.replay().remaining == 0
    assert [c.body for c in gh.service.list_comments(ticket.id)] == ["ack", "ack"]
