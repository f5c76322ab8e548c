"""Operations on a rig and on the model at once: what the machines and the chaos bench send.

Each operation calls the resilient service the way a user would (with the ids it was given,
local ids included) and applies the same operation to the model as a fault-free run would.
:meth:`Driver.heal` ends every fault, replays the outbox until it is empty, lets late writes
land and returns how the tracker differs from the model.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TypeVar

from bridge.errors import TransientError
from bridge.models import Ticket
from bridge.resilience import ResilientService
from bridge.sync import SyncReport, SyncState, syncer_for
from tests.exactly_once.crash import Killed
from tests.exactly_once.doubles import Fault
from tests.exactly_once.model import Diff, Model, compare
from tests.exactly_once.rig import MAX_WAIT, POLICY, PROBE_INTERVAL, Rig

__all__ = ["Driver", "Unhealed"]

T = TypeVar("T")


class Unhealed(AssertionError):
    """The outbox did not drain once the tracker was healed."""


class Driver:
    """One run: a rig, the model, and the id each ticket was given by the service.

    Armed faults wait for a request they match (``faults_wait``, as the machines arm them),
    or last for the next operation only (as the chaos bench arms them, at a rate per
    operation).
    """

    def __init__(self, rig: Rig, *, faults_wait: bool = True) -> None:
        self.rig = rig
        self.faults_wait = faults_wait
        self.service = rig.service
        self.model = Model()
        self.ids: list[str] = []
        self.down = False
        self.fallbacks = 0
        self._sync_state: SyncState | None = None

    def close(self) -> None:
        try:
            if self._sync_state is not None:
                self._sync_state.close()
        finally:
            self.rig.close()

    def _op(self, call: Callable[[], T]) -> T:
        """One operation (it counts as a fallback if it left work in the outbox)."""
        queued = len(self.rig.outbox)
        try:
            return call()
        finally:
            self.rig.next_op(keep=self.faults_wait)
            self.fallbacks += len(self.rig.outbox) > queued

    def _made(self, ticket: Ticket, handle: int) -> int:
        assert ticket.title == self.model.title(handle), (ticket.title, handle)
        self.ids.append(ticket.id)
        return handle

    def _title(self) -> str:
        return f"{self.model.prefix}{len(self.model)}"

    # ------------------------------------------------------------ creating

    def create(self, priority: str = "medium") -> int:
        title = self._title()
        ticket = self._op(lambda: self.service.create_ticket(title, priority=priority))
        return self._made(ticket, self.model.create(priority=priority))

    def create_subtask(self, parent: int) -> int:
        title, parent_id = self._title(), self.ids[parent]
        ticket = self._op(lambda: self.service.create_ticket(title, parent_id=parent_id))
        return self._made(ticket, self.model.create(parent=parent))

    def create_with_dependency(self, on: int) -> int:
        title, dep = self._title(), self.ids[on]
        ticket = self._op(lambda: self.service.create_ticket(title, dependencies=[dep]))
        return self._made(ticket, self.model.create(deps=(on,)))

    def create_resolved(self) -> int:
        title = self._title()
        ticket = self._op(lambda: self.service.create_ticket(title, status="resolved"))
        return self._made(ticket, self.model.create(status="resolved"))

    # ------------------------------------------------------------ changing

    def update_status(self, ticket: int, status: str) -> None:
        tid = self.ids[ticket]
        self._op(lambda: self.service.update_ticket(tid, status=status))
        self.model.set_status(ticket, status)

    def update_priority(self, ticket: int, priority: str) -> None:
        tid = self.ids[ticket]
        self._op(lambda: self.service.update_ticket(tid, priority=priority))
        self.model.set_priority(ticket, priority)

    def close_ticket(self, ticket: int, resolution: str) -> None:
        tid = self.ids[ticket]
        self._op(lambda: self.service.close_ticket(tid, resolution=resolution))
        self.model.close(ticket, resolution)

    def comment(self, ticket: int, author: str, text: str) -> None:
        tid = self.ids[ticket]
        self._op(lambda: self.service.add_comment(tid, text, author=author))
        self.model.comment(ticket, author, text)

    def add_dependency(self, ticket: int, on: int) -> None:
        tid, dep = self.ids[ticket], self.ids[on]
        self._op(lambda: self.service.add_dependency(tid, dep))
        self.model.add_dependency(ticket, on)

    def remove_dependency(self, ticket: int, on: int) -> None:
        tid, dep = self.ids[ticket], self.ids[on]
        self._op(lambda: self.service.remove_dependency(tid, dep))
        self.model.remove_dependency(ticket, on)

    def link_parent(self, child: int, parent: int) -> None:
        cid, pid = self.ids[child], self.ids[parent]
        self._op(lambda: self.service.link_parent(cid, pid))
        self.model.link_parent(child, parent)

    # ------------------------------------------------------------ faults, outages, time

    def arm(self, fault: Fault) -> None:
        """A fault for the requests to come (see :mod:`tests.exactly_once.rig`)."""
        self.rig.arm(fault)

    def outage(self, on: bool) -> None:
        self.rig.outage(on)
        self.down = on

    def replay(self) -> None:
        """``service.replay()`` now, whatever the tracker's state (armed faults hit it)."""
        self._op(self.service.replay)

    def interrupted_replay(self, after: int) -> None:
        """A replay that an outage cuts short after ``after`` requests; the outage goes on."""
        self.rig.outage_in(after)
        self._op(self.service.replay)
        self.outage(True)

    def killed_replay(self, after: int, *, applied: bool) -> None:
        """A replay whose process is killed at its ``after``-th tracker call (before the
        call, or once the tracker applied it); a new process takes over the outbox."""
        self.rig.switch.arm(after, applied=applied)
        try:
            self.service.replay()
        except Killed:
            self.rig.restart()
            self.service = self.rig.service
        finally:
            self.rig.switch.disarm()
            self.rig.next_op(keep=self.faults_wait)

    def replay_elsewhere(self) -> None:
        """Another process, over the same local store and outbox, replays it."""
        local, outbox, service = self.rig.process()
        try:
            service.replay()
        finally:
            local.close()
            outbox.close()
            self.rig.next_op(keep=self.faults_wait)

    def tick(self) -> None:
        """Time passes: the next operation probes the tracker and drains the outbox."""
        self.rig.advance(PROBE_INTERVAL + 1)

    def sync(self) -> SyncReport:
        """What ``ticket-bridge sync`` does once the tracker answers: replay the outbox
        first (it must drain), then sync the local store and the tracker both ways."""
        self.rig.heal()
        self.down = False
        report = self.service.replay()
        if report.remaining:
            raise TransientError(f"the outbox did not drain before the sync: {report.error}")
        assert self.service.fallback is not None
        remote = ResilientService(
            self.service.remote, policy=POLICY, sleep=self.rig.sleep, rng=random.Random(0)
        )
        if self._sync_state is None:
            path = self.rig.root / "local" / f"sync-{self.rig.name}.sqlite3"
            self._sync_state = SyncState(path, remote.sync_scope)
        syncer = syncer_for(self.service.fallback, remote, self._sync_state, name=self.rig.name)
        return syncer.run()

    # ------------------------------------------------------------ the check

    def heal(self) -> list[Diff]:
        """Heal the tracker, replay the outbox until it is empty, let late writes land; how
        the tracker then differs from the model (dead letters included)."""
        self.rig.heal()
        self.down = False
        report = self.service.replay()
        for _ in range(2):
            if not report.remaining:
                break
            report = self.service.replay()
        if report.remaining:
            raise Unhealed(f"the outbox did not drain: {report.error}")
        self.rig.land_late()
        diffs = compare(self.model.views(notes=self.rig.notes), self.rig.state())
        diffs += [
            Diff("dead letter", str(e.ticket_id), f"{e.seq} {e.op}: {e.error}")
            for e in self.rig.outbox.entries(dead=True)
        ]
        return diffs

    def heal_and_check(self) -> None:
        """:meth:`heal`, asserting that the tracker equals the model and no wait was longer
        than the cap."""
        problems = [str(d) for d in self.heal()]
        assert not problems, "tracker != model:\n  " + "\n  ".join(problems)
        assert all(0 <= s <= MAX_WAIT for s in self.rig.sleeps), self.rig.sleeps
