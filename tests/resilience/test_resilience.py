"""Retry, fallback, outbox and exactly-once replay, against a tracker double that fails."""

from __future__ import annotations

import logging
import os
import random
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.contract import Capabilities
from bridge.errors import (
    AuthError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
    TransientError,
    UnavailableError,
    UnsupportedError,
)
from bridge.models import TicketChanges
from bridge.outbox import Outbox
from bridge.resilience import ResilientService, compute_wait
from bridge.retry import RetryPolicy
from bridge.service import TicketingService
from tests.resilience.flaky import FlakyAdapter, FlakyTracker, Late

POLICY = RetryPolicy(attempts=3, initial_wait=0.5, max_wait=10, deadline=300, jitter=0.5)


@dataclass
class Env:
    remote: FlakyTracker
    local: LocalJsonService
    outbox: Outbox
    service: ResilientService
    sleeps: list[float]
    clock: list[float]


def _make(tmp_path: Path, remote: FlakyTracker | None = None) -> Env:
    remote = remote or FlakyTracker(tmp_path / "remote")
    local = LocalJsonService(tmp_path / "local")
    outbox = Outbox(tmp_path / "local" / "outbox-flaky.sqlite3")
    sleeps: list[float] = []
    clock = [0.0]
    service = ResilientService(
        remote,
        policy=POLICY,
        local=local,
        outbox=outbox,
        sleep=sleeps.append,
        clock=lambda: clock[0],
        rng=random.Random(7),
    )
    return Env(remote, local, outbox, service, sleeps, clock)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    made = _make(tmp_path)
    yield made
    made.service.close()


def test_wait_honours_retry_after_and_the_cap() -> None:
    """Retry-After is waited as given, capped at max_wait; otherwise jittered backoff."""
    rng = random.Random(1)
    assert compute_wait(POLICY, 1, RateLimitedError("slow", retry_after=7), rng) == 7
    assert compute_wait(POLICY, 1, RateLimitedError("slow", retry_after=3600), rng) == 10
    assert compute_wait(POLICY, 2, RateLimitedError("slow", retry_after=0), rng) == 0
    for attempt, low in ((1, 0.5), (2, 1.0), (3, 2.0)):
        wait = compute_wait(POLICY, attempt, UnavailableError("down"), rng)
        assert low <= wait <= low * 1.5
    assert compute_wait(POLICY, 10, UnavailableError("down"), rng) == 10


def test_transient_errors_are_retried_with_their_waits(env: Env) -> None:
    """Two transient failures, then success: three calls, the waits recorded, nothing queued."""
    env.remote.errors = [UnavailableError("503"), RateLimitedError("429", retry_after=2)]
    ticket = env.service.create_ticket("Retried")
    assert not ticket.pending
    assert env.remote.calls["create"] == 3
    assert len(env.sleeps) == 2
    assert 0.5 <= env.sleeps[0] <= 0.75
    assert env.sleeps[1] == 2
    assert len(env.outbox) == 0
    assert [t.title for t in env.remote.iter_tickets()] == ["Retried"]


@pytest.mark.parametrize(
    "error", [AuthError("401"), NotFoundError("404"), InvalidError("422")], ids=str
)
def test_permanent_errors_raise_at_once(env: Env, error: Exception) -> None:
    """A permanent error is raised on the first call: no retry, no fallback."""
    ticket = env.remote.create_ticket("Exists")
    env.remote.calls.clear()
    env.remote.errors = [error]  # type: ignore[list-item]
    with pytest.raises(type(error)):
        env.service.update_ticket(ticket.id, priority="high")
    assert env.remote.calls["update"] == 1
    assert env.sleeps == []
    assert len(env.outbox) == 0


def test_three_attempts_then_fallback(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    """With 3 attempts, a dead tracker gets exactly 3 calls, then the ticket is made locally."""
    env.remote.down = True
    with caplog.at_level(logging.WARNING):
        ticket = env.service.create_ticket("Made offline", priority="high")
    assert env.remote.calls["create"] == 3
    assert ticket.pending
    assert ticket.id.startswith("CLAUDE-")
    assert env.local.get_ticket(ticket.id).title == "Made offline"
    assert [e.op for e in env.outbox.entries()] == ["create"]
    assert "unreachable" in caplog.text
    assert env.service.get_ticket(ticket.id).title == "Made offline"


def test_write_applied_then_dropped_is_not_created_twice(env: Env) -> None:
    """After an ambiguous failure the key is looked up before creating again."""
    env.remote.errors = [TransientError("dropped", maybe_applied=True)]
    ticket = env.service.create_ticket("Once only")
    assert env.remote.calls["create"] == 1
    assert env.remote.calls["find"] == 1
    assert [t.id for t in env.remote.iter_tickets()] == [ticket.id]


def test_ambiguous_create_that_falls_back_is_replayed_once(env: Env) -> None:
    """Applied, dropped, then unreachable: the replay finds the ticket instead of re-creating."""
    env.remote.errors = [
        TransientError("dropped", maybe_applied=True),
        UnavailableError("503"),
        UnavailableError("503"),
    ]
    pending = env.service.create_ticket("Applied but unknown")
    assert pending.pending
    report = env.service.replay()
    assert report.remaining == 0
    assert [t.title for t in env.remote.iter_tickets()] == ["Applied but unknown"]
    assert env.service.get_ticket(pending.id).id == report.mapped[pending.id]


def test_queued_operations_wait_behind_the_outbox(env: Env) -> None:
    """While the outbox holds work and the probe is not due, calls do not touch the tracker."""
    env.remote.down = True
    first = env.service.create_ticket("First")
    calls = sum(env.remote.calls.values())
    env.service.add_comment(first.id, "queued comment", author="qa-agent")
    env.service.update_ticket(first.id, status="in_progress")
    assert sum(env.remote.calls.values()) == calls
    assert [e.op for e in env.outbox.entries()] == ["create", "comment", "update"]
    assert env.service.get_ticket(first.id).status == "in_progress"
    env.remote.down = False
    env.clock[0] += 60
    env.service.create_ticket("After recovery")
    assert len(env.outbox) == 0
    titles = [t.title for t in env.remote.iter_tickets()]
    assert titles == ["First", "After recovery"]


def test_refused_entry_goes_to_dead_letters_and_the_rest_goes_on(env: Env) -> None:
    """A permanent error moves that entry to the dead-letter list; later entries for other
    tickets are still sent; retry puts the dead one back and the next replay sends it."""
    env.remote.down = True
    a = env.service.create_ticket("A")
    env.service.create_ticket("B")
    env.service.create_ticket("C")
    env.remote.down = False
    env.remote.errors = [InvalidError("rejected")]
    report = env.service.replay()
    assert report.sent == 2
    assert report.remaining == 0
    [dead] = env.outbox.entries(dead=True)
    assert report.dead == [dead.seq]
    assert dead.ticket_id == a.id
    assert "rejected" in (dead.error or "")
    assert [t.title for t in env.remote.iter_tickets()] == ["B", "C"]
    assert env.outbox.retry(dead.seq) == [dead.seq]
    assert env.service.replay().sent == 1
    assert sorted(t.title for t in env.remote.iter_tickets()) == ["A", "B", "C"]
    assert env.service.get_ticket(a.id).title == "A"


def test_a_poison_entry_holds_back_only_what_depends_on_it(env: Env) -> None:
    """Entries about a ticket whose create is dead follow it to the dead-letter list (its
    comments, its subtasks); entries about other tickets are delivered; drop forgets them."""
    env.remote.down = True
    a = env.service.create_ticket("A")
    env.service.add_comment(a.id, "on A", author="qa")
    child = env.service.create_ticket("Child of A", parent_id=a.id)
    other = env.service.create_ticket("Other")
    env.service.add_comment(other.id, "on Other", author="qa")
    env.remote.down = False
    env.remote.errors = [InvalidError("rejected")]
    report = env.service.replay()
    assert report.sent == 2
    dead = env.outbox.entries(dead=True)
    assert [e.ticket_id for e in dead] == [a.id, a.id, child.id]
    assert all(e.blocked_by == dead[0].seq for e in dead[1:])
    [delivered] = env.remote.iter_tickets()
    assert delivered.title == "Other"
    assert [c.body for c in env.remote.list_comments(delivered.id)] == ["on Other"]
    assert env.outbox.drop(dead[0].seq) == [e.seq for e in dead]
    assert env.outbox.entries(dead=True) == []


def test_new_work_after_a_dead_entry_is_not_queued_behind_it(env: Env) -> None:
    """Once an entry is dead the outbox no longer holds back new operations."""
    env.remote.down = True
    env.service.create_ticket("Poison")
    env.remote.down = False
    env.remote.errors = [InvalidError("rejected")]
    env.service.replay()
    fresh = env.service.create_ticket("Fresh")
    assert not fresh.pending
    assert env.outbox.dead_count() == 1


def _workload(service: TicketingService, before: list[str]) -> list[str]:
    """50 operations mixing creates with parents, comments, status changes and links."""
    ids: list[str] = []
    parents: list[str] = []
    for i in range(50):
        kind = i % 5
        if kind == 0:
            parent = service.create_ticket(f"Epic {i}", type="epic", metadata={"after": before})
            parents.append(parent.id)
            ids.append(parent.id)
        elif kind == 1:
            child = service.create_ticket(f"Child {i}", parent_id=parents[-1], priority="high")
            ids.append(child.id)
        elif kind == 2:
            service.add_comment(ids[-1], f"progress {i}", author="engineer-agent")
            service.add_comment(before[i % len(before)], f"note {i}", author="pm")
        elif kind == 3:
            service.update_ticket(ids[-1], status="in_progress")
            service.update_ticket(before[0], priority="critical")
        else:
            dep = service.create_ticket(f"Dep {i}", dependencies=[parents[-1]])
            ids.append(dep.id)
            service.close_ticket(parents[-1], resolution=f"done {i}")
    return ids


def _snapshot(tracker: LocalJsonService) -> list[tuple[object, ...]]:
    tickets = list(tracker.iter_tickets())
    title = {t.id: t.title for t in tickets}
    return sorted(
        (
            t.title,
            t.status.value,
            t.priority.value,
            t.type.value,
            title.get(t.parent_id or ""),
            tuple(sorted(title[d] for d in t.dependencies)),
            t.resolution,
            repr(t.metadata.get("after") and [title[x] for x in t.metadata["after"]]),  # type: ignore[union-attr]
            tuple((c.author, c.body) for c in tracker.list_comments(t.id)),
        )
        for t in tickets
    )


def test_outage_of_fifty_operations_replays_to_the_same_state(tmp_path: Path) -> None:
    """Tracker down for 50 mixed operations: every call returns; after replay the tracker
    equals a tracker that was up all along, and every local id resolves to its ticket."""
    reference = FlakyTracker(tmp_path / "reference")
    ref_before = [reference.create_ticket(f"Before {i}").id for i in range(2)]
    _workload(reference, ref_before)

    env = _make(tmp_path)
    before = [env.service.create_ticket(f"Before {i}").id for i in range(2)]
    env.remote.down = True
    local_ids = _workload(env.service, before)
    assert all(env.service.get_ticket(i).pending for i in local_ids)
    assert len(list((tmp_path / "remote" / "tickets").glob("*.json"))) == 2

    env.remote.down = False
    report = env.service.replay()
    assert report.remaining == 0, report.error
    assert _snapshot(env.remote) == _snapshot(reference)
    for local_id in local_ids:
        resolved = env.service.get_ticket(local_id)
        assert resolved.id == report.mapped[local_id]
        assert not resolved.pending
    assert env.service.replay().sent == 0


class SlowAdapter(FlakyAdapter):
    """Takes a little time per write, so a replay can be killed in the middle."""

    def _fail(self, op: str, apply):  # type: ignore[no-untyped-def]
        time.sleep(0.004)
        return super()._fail(op, apply)


class SlowTracker(FlakyTracker):
    adapter_class = SlowAdapter


def test_replay_killed_with_sigkill_then_rerun(tmp_path: Path) -> None:
    """A replay killed half-way and run again: no duplicate, nothing lost."""
    env = _make(tmp_path)
    env.remote.down = True
    local_ids = []
    for i in range(40):
        ticket = env.service.create_ticket(f"Queued {i}")
        env.service.add_comment(ticket.id, f"comment {i}", author="qa-agent")
        local_ids.append(ticket.id)
    env.service.close()

    for _ in range(3):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child is killed
            child = _make(tmp_path, SlowTracker(tmp_path / "remote"))
            child.service.replay()
            os._exit(0)
        time.sleep(0.08)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    done = _make(tmp_path)
    left = len(done.outbox)
    assert 0 < left < 80, "the kills should land in the middle of the replay"
    report = done.service.replay()
    assert report.remaining == 0, report.error
    tickets = list(done.remote.iter_tickets())
    assert sorted(t.title for t in tickets) == sorted(f"Queued {i}" for i in range(40))
    for i, local_id in enumerate(local_ids):
        ticket = done.service.get_ticket(local_id)
        assert ticket.title == f"Queued {i}"
        comments = done.remote.list_comments(ticket.id)
        assert [(c.author, c.body) for c in comments] == [("qa-agent", f"comment {i}")]


def test_a_create_that_lands_after_the_client_gave_up_is_not_sent_again(env: Env) -> None:
    """The tracker takes the create, the client times out, and the issue appears only after
    two more requests: the retries only look it up (never resend), the create is queued as
    ambiguous, and the replay finds it: one ticket."""
    env.remote.errors = [Late(after=3)]
    pending = env.service.create_ticket("Landed late")
    assert pending.pending
    assert env.remote.calls["create"] == 1
    report = env.service.replay()
    assert report.remaining == 0, report.error
    assert [t.title for t in env.remote.iter_tickets()] == ["Landed late"]
    assert env.service.get_ticket(pending.id).id == report.mapped[pending.id]


def test_a_comment_that_lands_late_is_not_posted_twice(env: Env) -> None:
    """The same for a comment: retries look it up, the replay finds it, one comment."""
    ticket = env.service.create_ticket("Commented")
    env.remote.errors = [Late(after=3)]
    env.service.add_comment(ticket.id, "ack", author="qa-agent")
    assert env.remote.calls["comment"] == 1
    assert env.service.replay().remaining == 0
    assert [c.body for c in env.remote.list_comments(ticket.id)] == ["ack"]


def test_add_dependency_while_changes_are_queued_keeps_them(env: Env) -> None:
    """Read your own writes: with the tracker down, two add_dependency calls and a status
    change on one ticket are all kept; replay gives both links and the status; a link a
    person added on the tracker meanwhile survives, because deltas are queued, not lists."""
    a = env.service.create_ticket("A")
    b = env.service.create_ticket("B")
    c = env.service.create_ticket("C")
    d = env.service.create_ticket("D")
    env.remote.down = True
    env.service.add_dependency(a.id, b.id)
    env.service.update_ticket(a.id, status="in_progress")
    seen = env.service.add_dependency(a.id, c.id)
    assert seen.dependencies == [b.id, c.id]
    assert env.service.get_ticket(a.id).status == "in_progress"
    env.remote.down = False
    env.remote.adapter.update(a.id, TicketChanges(dependencies=[d.id]))  # a person, meanwhile
    env.clock[0] = 1000.0
    assert env.service.replay().remaining == 0
    stored = env.remote.get_ticket(a.id)
    assert sorted(stored.dependencies) == sorted([b.id, c.id, d.id])
    assert stored.status == "in_progress"


class FlatAdapter(FlakyAdapter):
    capabilities = Capabilities(nested_subtasks=False)


class FlatTracker(FlakyTracker):
    adapter_class = FlatAdapter


def test_offline_subtask_of_a_subtask_is_refused_as_online(tmp_path: Path) -> None:
    """A tracker that does not nest subtasks refuses the third level at once, offline too."""
    env = _make(tmp_path, FlatTracker(tmp_path / "remote"))
    service = env.service
    env.remote.down = True
    top = service.create_ticket("Top")
    mid = service.create_ticket("Mid", parent_id=top.id)
    with pytest.raises(UnsupportedError, match="does not nest sub-tasks"):
        service.create_ticket("Leaf", parent_id=mid.id)
    epic = service.create_ticket("Epic", type="epic")
    story = service.create_ticket("Story", parent_id=epic.id)
    assert service.create_ticket("Sub-task", parent_id=story.id).pending
