"""The exactly-once state machine: every operation, every fault, then heal and compare.

Each example builds a resilient service (retry, fallback to a local store, durable outbox)
over one backend (:mod:`tests.exactly_once.rig`), runs a sequence of ticket operations with
faults armed in between, and checks, after healing the tracker and replaying the outbox, that
the tracker holds exactly the model's tickets: no duplicate, no loss, every field and link as
the model says, every comment once and in order.

The rules come in families (mixins) so that a test can run a shard of them:
:class:`Creates`, :class:`Changes`, :class:`Comments`, :class:`Links` (operations);
:class:`PlainFaults`, :class:`AmbiguousFaults`, :class:`StepFaults`, :class:`Outages`
(faults, outages, cut replays and the ``sync`` step). :class:`ExactlyOnceMachine` is the
base every shard starts from: two tickets, plain creates, replays, time passing and
checkpoints. :data:`EVERYTHING` lists every family.

Fault rules arm a fault that waits for the requests it matches (a failure between steps
waits for an operation with that many writes); an outage lasts from ``outage_start`` (or an
interrupted replay) until ``outage_end`` or the end. Nothing sleeps: waits go to a list, the
clock is a counter.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import ClassVar

from hypothesis import assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    multiple,
    precondition,
    rule,
)

from tests.exactly_once.doubles import Fault
from tests.exactly_once.driver import Driver
from tests.exactly_once.model import Model
from tests.exactly_once.rig import ATTEMPTS, make_rig

__all__ = [
    "EVERYTHING",
    "AmbiguousFaults",
    "Changes",
    "Comments",
    "Creates",
    "ExactlyOnceMachine",
    "Links",
    "Outages",
    "PlainFaults",
    "StepFaults",
    "machine_tests",
    "planted_duplicate_is_seen",
    "scratch_dir",
]

TICKETS = Bundle("tickets")
PRIORITIES = st.sampled_from(["critical", "high", "medium", "low"])
STATUSES = st.sampled_from(["open", "in_progress", "blocked", "resolved", "closed"])
AUTHORS = st.sampled_from(["qa-agent", "engineer"])
TEXTS = st.sampled_from(["on it", "fixed"])
RESOLUTIONS = st.sampled_from(["Fixed in #9", "Won't fix"])
TIMES = st.sampled_from([1, ATTEMPTS])


def scratch_dir(prefix: str) -> Path:
    """A fresh directory, in memory where the system has one (every example makes a store,
    an index and an outbox: on a disk their files cost more than the run)."""
    shm = Path("/dev/shm")
    memory = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix=prefix, dir=memory))


class _Rules:
    """What every family of rules works with (set up by :class:`ExactlyOnceMachine`)."""

    run: Driver
    model: Model


class ExactlyOnceMachine(RuleBasedStateMachine, _Rules):
    """One backend, two tickets, plain creates, replays, time and checkpoints; shards add
    families of rules. At the end the tracker must equal the model."""

    backend: ClassVar[str] = "local"

    def __init__(self) -> None:
        super().__init__()
        self.tmp = scratch_dir("tb-exactly-once-")
        self.rig = make_rig(self.backend, self.tmp / "rig")
        self.run = Driver(self.rig)
        self.model = self.run.model

    def teardown(self) -> None:
        try:
            if sys.exc_info()[0] is None:  # a step failed: that is the failure to report
                self.run.heal_and_check()
        finally:
            self.run.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    @initialize(target=TICKETS)
    def two_tickets(self) -> MultipleResults[int]:
        """Every run starts with two tickets on the tracker, so every rule can run at once."""
        return multiple(self.run.create(), self.run.create())

    @rule(target=TICKETS, priority=PRIORITIES)
    def create(self, priority: str) -> int:
        return self.run.create(priority)

    @rule()
    def replay(self) -> None:
        """``service.replay()`` now, whatever the tracker's state (armed faults hit it)."""
        self.run.replay()

    @rule()
    def tick(self) -> None:
        """Time passes: the next operation probes the tracker and drains the outbox."""
        self.run.tick()

    @rule()
    def checkpoint(self) -> None:
        """Heal, replay and compare now; the run goes on afterwards."""
        self.run.heal_and_check()


# ---------------------------------------------------------------- operations


class Creates(_Rules):
    @rule(target=TICKETS, parent=TICKETS)
    def create_subtask(self, parent: int) -> int:
        assume(self.model.top_level(parent))
        return self.run.create_subtask(parent)

    @rule(target=TICKETS, on=TICKETS)
    def create_with_dependency(self, on: int) -> int:
        return self.run.create_with_dependency(on)

    @rule(target=TICKETS)
    def create_resolved(self) -> int:
        return self.run.create_resolved()


class Changes(_Rules):
    @rule(ticket=TICKETS, status=STATUSES)
    def update_status(self, ticket: int, status: str) -> None:
        self.run.update_status(ticket, status)

    @rule(ticket=TICKETS, priority=PRIORITIES)
    def update_priority(self, ticket: int, priority: str) -> None:
        self.run.update_priority(ticket, priority)

    @rule(ticket=TICKETS, resolution=RESOLUTIONS)
    def close(self, ticket: int, resolution: str) -> None:
        self.run.close_ticket(ticket, resolution)


class Comments(_Rules):
    @rule(ticket=TICKETS, author=AUTHORS, text=TEXTS)
    def comment(self, ticket: int, author: str, text: str) -> None:
        self.run.comment(ticket, author, text)

    @precondition(lambda self: any(t.comments for t in self.model.tickets))
    @rule(which=st.integers(0, 1000))
    def repeat_comment(self, which: int) -> None:
        """The same text again, by the same author, on the same ticket."""
        commented = [h for h, t in enumerate(self.model.tickets) if t.comments]
        ticket = commented[which % len(commented)]
        author, text = self.model.tickets[ticket].comments[-1]
        self.run.comment(ticket, author, text)


class Links(_Rules):
    @rule(a=TICKETS, b=TICKETS)
    def add_dependency(self, a: int, b: int) -> None:
        """The newer of the two comes to depend on the older one."""
        assume(a != b)
        self.run.add_dependency(max(a, b), min(a, b))

    @precondition(lambda self: any(t.deps for t in self.model.tickets))
    @rule(which=st.integers(0, 1000))
    def remove_dependency(self, which: int) -> None:
        pairs = [(h, d) for h, t in enumerate(self.model.tickets) for d in t.deps]
        self.run.remove_dependency(*pairs[which % len(pairs)])

    @rule(child=TICKETS, parent=TICKETS)
    def link_parent(self, child: int, parent: int) -> None:
        assume(self.model.may_parent(child, parent))
        self.run.link_parent(child, parent)


# ---------------------------------------------------------------- faults


class PlainFaults(_Rules):
    @rule(status=st.sampled_from([500, 502, 503]), times=TIMES, writes_only=st.booleans())
    def fail_before(self, status: int, times: int, writes_only: bool) -> None:
        """The tracker answers 5xx without applying anything (502: maybe it did)."""
        self.run.arm(Fault("before", status=status, times=times, writes_only=writes_only))

    @rule(
        retry_after=st.sampled_from([1.0, 5.0, 60.0, None]),
        times=TIMES,
        secondary=st.booleans(),
        writes_only=st.booleans(),
    )
    def rate_limited(
        self, retry_after: float | None, times: int, secondary: bool, writes_only: bool
    ) -> None:
        """429 (or GitHub's secondary limit, a 403) with ``Retry-After``, nothing applied."""
        kind = "secondary" if secondary else "limit"
        self.run.arm(Fault(kind, retry_after=retry_after, times=times, writes_only=writes_only))


class AmbiguousFaults(_Rules):
    @rule(times=TIMES, writes_only=st.booleans())
    def reset_before(self, times: int, writes_only: bool) -> None:
        """The connection drops before the tracker read the request: ambiguous, not applied."""
        self.run.arm(Fault("reset", times=times, writes_only=writes_only))

    @rule(times=TIMES)
    def fail_after(self, times: int) -> None:
        """The write is applied, then the connection drops."""
        self.run.arm(Fault("after", times=times))

    @rule(after=st.integers(0, 2), times=TIMES)
    def apply_late(self, after: int, times: int) -> None:
        """The tracker takes the write, answers nothing, and applies it when the next request
        arrives (``after=0``) or after ``after`` more requests (at most two: a client that
        looks a write up on each retry instead of sending it again finds it)."""
        self.run.arm(Fault("late", after=after, times=times))


class StepFaults(_Rules):
    @rule(step=st.integers(2, 3), times=TIMES)
    def fail_between_steps(self, step: int, times: int) -> None:
        """The ``step``-th write of the next operation with that many writes fails (503)
        after the earlier ones landed: a create's sub-issue link, dependency or closing
        change."""
        self.run.arm(Fault("step", step=step, times=times))


class Outages(_Rules):
    @precondition(lambda self: not self.run.down)
    @rule()
    def outage_start(self) -> None:
        self.run.outage(True)

    @precondition(lambda self: self.run.down)
    @rule()
    def outage_end(self) -> None:
        self.run.outage(False)

    @precondition(lambda self: not self.run.down and len(self.run.rig.outbox))
    @rule(after=st.integers(0, 8))
    def interrupted_replay(self, after: int) -> None:
        """A replay that an outage cuts short after ``after`` requests; the outage goes on."""
        self.run.interrupted_replay(after)

    @precondition(lambda self: not self.run.down and len(self.run.rig.outbox))
    @rule(after=st.integers(0, 8), applied=st.booleans())
    def killed_replay(self, after: int, applied: bool) -> None:
        """The process is killed during a replay, between two steps; a new one goes on."""
        self.run.killed_replay(after, applied=applied)

    @precondition(lambda self: not self.run.down and len(self.run.rig.outbox))
    @rule()
    def replay_elsewhere(self) -> None:
        """A second process replays the same outbox."""
        self.run.replay_elsewhere()

    @precondition(lambda self: not self.run.down)
    @rule()
    def sync(self) -> None:
        """``ticket-bridge sync`` while the tracker answers: the outbox is replayed, then the
        local store and the tracker are synced both ways; the tracker must still equal the
        model (the sync neither creates nor drops nor changes what the replay sent)."""
        self.run.sync()
        self.run.heal_and_check()


EVERYTHING: tuple[type[_Rules], ...] = (
    Creates,
    Changes,
    Comments,
    Links,
    PlainFaults,
    AmbiguousFaults,
    StepFaults,
    Outages,
)

SHARDS: dict[str, tuple[type[_Rules], ...]] = {
    # comments, statuses, priorities and closes; 5xx, resets, lost answers, late writes
    "Comments": (Changes, Comments, PlainFaults, AmbiguousFaults),
    # subtasks, dependencies and parents; failures between steps, outages, cut replays
    "Links": (Creates, Links, Changes, PlainFaults, StepFaults, Outages),
    # every operation and every fault
    "Everything": EVERYTHING,
}


def machine_tests(backend: str, name: str, *, steps: int) -> dict[str, type]:
    """The machine's shards on ``backend``, each its own test case (so that ``-n 2``
    spreads them), named ``Test<name><shard>``; ``steps`` steps an example, the example
    count from the profile (``conftest.py``)."""
    found: dict[str, type] = {}
    for shard, rules in SHARDS.items():
        machine = type(f"{name}{shard}", (ExactlyOnceMachine, *rules), {"backend": backend})
        case = machine.TestCase
        case.settings = settings(stateful_step_count=steps)
        found[f"Test{name}{shard}"] = case
    return found


def planted_duplicate_is_seen(backend: str, root: Path) -> list[str]:
    """What the check reports after a ticket is made twice behind the model's back: the
    machines' invariant must be able to fail on ``backend``."""
    run = Driver(make_rig(backend, root))
    try:
        run.create()
        run.rig.remote.create_ticket(run.model.title(0))  # a second one the model never made
        return [str(d) for d in run.heal()]
    finally:
        run.close()
