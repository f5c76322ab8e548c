"""A local "tracker" double with every fault the exactly-once machines inject.

:class:`ChaosAdapter` is a local JSON store behind the adapter contract that fails on command,
the way a remote tracker fails:

- ``before``: the call fails and nothing is applied (a 5xx; ambiguous for a 502);
- ``reset``: the connection drops before the tracker read the request (ambiguous, not applied);
- ``after``: the write is applied, then the connection drops (ambiguous, applied);
- ``late``: the tracker takes the write and answers nothing (the client times out); it applies
  it when the next call arrives, or after ``after`` more calls, before serving that call;
- ``step``: a multi-request create (create, then the closing change, the parent link and each
  dependency, as on GitHub) fails at its ``step``-th write, after the earlier ones landed;
- ``limit``: 429 with ``Retry-After``;
- an outage (``down``), optionally starting after a number of calls (``down_in``).

Like a real tracker it stores the idempotency key with the ticket and never deduplicates by
it; ``find_by_key`` looks it up. Sleeping is never involved.
"""

from __future__ import annotations

import builtins
import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from adapters.local_json import LocalJsonAdapter
from bridge.errors import (
    BridgeError,
    RateLimitedError,
    TrackerTimeoutError,
    TransientError,
    UnavailableError,
)
from bridge.models import (
    Comment,
    Status,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
)

__all__ = ["IDEM", "ChaosAdapter", "Fault"]

IDEM = "_remote_idempotency_key"
T = TypeVar("T")


@dataclass
class Fault:
    """One armed fault of the double (see the module docstring for the kinds).

    ``times`` is how many calls (for ``step``: writes) it hits; ``writes_only`` lets reads
    through; ``after`` delays a late write; ``step`` is the write, counted from the next one,
    that fails first (2: the first follow-up of a create; later writes fail too while
    ``times`` lasts); ``status`` picks the 5xx of ``before`` (502 is ambiguous);
    ``retry_after`` is the wait a ``limit`` asks for.
    """

    kind: str
    times: int = 1
    writes_only: bool = True
    after: int = 0
    step: int = 2
    status: int = 503
    retry_after: float | None = 1.0

    def __post_init__(self) -> None:
        self.skip = max(self.step, 1) - 1  # writes of a ``step`` fault still to let through

    def error(self) -> BridgeError:
        if self.kind == "limit":
            return RateLimitedError(
                "tracker rate limit (429)", adapter="chaos", retry_after=self.retry_after
            )
        if self.kind == "late":
            return TrackerTimeoutError(
                "tracker did not answer in time", adapter="chaos", maybe_applied=True
            )
        ambiguous = self.kind in ("reset", "after") or (
            self.kind == "before" and self.status == 502
        )
        return UnavailableError(
            f"tracker failed ({self.kind})", adapter="chaos", maybe_applied=ambiguous
        )


def _strip(ticket: Ticket) -> Ticket:
    metadata = {k: v for k, v in ticket.metadata.items() if k != IDEM}
    return ticket.model_copy(update={"metadata": metadata})


class _StepFailed(Exception):
    """Raised inside a multi-request create when an armed ``step`` fault hits a write."""


class ChaosAdapter(LocalJsonAdapter):
    """The local store as a remote tracker that fails on command (see the module docstring)."""

    name = "chaos"

    def __init__(self, path: Path) -> None:
        super().__init__(path, id_prefix="REMOTE")
        self.faults: list[Fault] = []
        self.down = False
        self.down_in: int | None = None
        self.held: list[tuple[int, Callable[[], object]]] = []
        self.hits: Counter[str] = Counter()  # failed calls by fault kind

    # ------------------------------------------------------------ controls

    def arm(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def next_op(self, *, keep: bool = True) -> None:
        """An operation ended: used-up faults go (all of them unless ``keep``); a ``step``
        fault counts the writes of the next operation afresh (the outage and the held late
        writes stay)."""
        self.faults = [f for f in self.faults if keep and f.times > 0]
        for fault in self.faults:
            if fault.kind == "step":
                fault.skip = max(fault.step, 1) - 1

    def heal(self) -> None:
        """End the outage and forget armed faults; held late writes still land."""
        self.faults.clear()
        self.down = False
        self.down_in = None

    def land_late(self) -> int:
        """Apply every held late write now, oldest first; how many there were."""
        held, self.held = self.held, []
        for _, apply in held:
            self._land(apply)
        return len(held)

    def _land(self, apply: Callable[[], object]) -> None:
        with contextlib.suppress(BridgeError):  # the tracker refused it when it got to it
            apply()

    # ------------------------------------------------------------ the fault gate

    def _arrive(self) -> None:
        """A call arrived: late writes that are due land first; a countdown outage starts."""
        due = [apply for left, apply in self.held if left <= 0]
        self.held = [(left - 1, apply) for left, apply in self.held if left > 0]
        for apply in due:
            self._land(apply)
        if self.down_in is not None:
            self.down_in -= 1
            if self.down_in < 0:
                self.down, self.down_in = True, None

    def _take(self, *, write: bool) -> Fault | None:
        for fault in self.faults:
            if fault.times <= 0 or (fault.writes_only and not write):
                continue
            if fault.kind == "step":
                continue
            fault.times -= 1
            self.hits[fault.kind] += 1
            return fault
        return None

    def _step_fault(self, writes: int) -> tuple[int, Fault] | None:
        """Which of this call's ``writes`` an armed ``step`` fault fails (1 = the first)."""
        for fault in self.faults:
            if fault.kind != "step" or fault.times <= 0:
                continue
            if fault.skip >= writes:
                fault.skip -= writes
                return None
            at, fault.skip = fault.skip + 1, 0
            fault.times -= 1
            self.hits["step"] += 1
            return at, fault
        return None

    def _call(
        self,
        apply: Callable[[], T],
        *,
        write: bool,
        writes: int = 1,
        partial: Callable[[int], T] | None = None,
    ) -> T:
        """One tracker call: ``apply`` unless a fault says otherwise. A write call makes
        ``writes`` requests; ``partial(n)`` makes the first ``n - 1`` and fails the n-th."""
        self._arrive()
        if self.down:
            self.hits["outage"] += 1
            raise UnavailableError("tracker is down (503)", adapter="chaos")
        fault = self._take(write=write)
        if fault is None:
            hit = self._step_fault(writes) if write else None
            if hit is None:
                return apply()
            at, step = hit
            if at > 1 and partial is not None:
                with contextlib.suppress(_StepFailed):
                    partial(at)
            error = step.error()
            if at > 1 and isinstance(error, TransientError):
                error.maybe_applied = True  # what the adapters say after the first write landed
            raise error
        if fault.kind == "after":
            apply()
        elif fault.kind == "late":
            self.held.append((fault.after, apply))
        raise fault.error()

    # ------------------------------------------------------------ primitives

    def _steps(self, draft: TicketDraft) -> builtins.list[Callable[[str], object]]:
        """The follow-up writes of a create, after the create itself, as GitHub sends them."""
        steps: builtins.list[Callable[[str], object]] = []
        if draft.status is not Status.OPEN:
            changes = TicketChanges(status=draft.status, resolution=draft.resolution)
            steps.append(lambda tid: self._raw_update(tid, changes))
        if draft.parent_id:
            parent = draft.parent_id
            steps.append(lambda tid: self._raw_update(tid, TicketChanges(parent_id=parent)))
        for n in range(len(draft.dependencies)):
            deps = draft.dependencies[: n + 1]
            steps.append(lambda tid, d=deps: self._raw_update(tid, TicketChanges(dependencies=d)))
        return steps

    def _raw_update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        return super().update(ticket_id, changes)

    def _create_in_steps(self, draft: TicketDraft, fail_at: int | None) -> Ticket:
        """Create, then each follow-up write; ``fail_at`` (2 = the first follow-up) fails."""
        metadata: dict[str, Any] = dict(draft.metadata)
        if draft.idempotency_key:
            metadata[IDEM] = draft.idempotency_key
        bare = draft.model_copy(
            update={
                "idempotency_key": None,
                "metadata": metadata,
                "parent_id": None,
                "dependencies": [],
                "status": Status.OPEN,
                "resolution": None,
            }
        )
        ticket = super().create(bare)
        for number, step in enumerate(self._steps(draft), start=2):
            if fail_at is not None and number >= fail_at:
                raise _StepFailed
            step(ticket.id)
        return _strip(super().get(ticket.id))

    def create(self, draft: TicketDraft) -> Ticket:
        return self._call(
            lambda: self._create_in_steps(draft, None),
            write=True,
            writes=1 + len(self._steps(draft)),
            partial=lambda at: self._create_in_steps(draft, at),
        )

    def get(self, ticket_id: str) -> Ticket:
        return self._call(lambda: self.peek(ticket_id), write=False)

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        return self._call(lambda: _strip(self._raw_update(ticket_id, changes)), write=True)

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        return self._call(
            lambda: super(ChaosAdapter, self).add_comment(ticket_id, body, author, key=key),
            write=True,
        )

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        return self._call(lambda: self.peek_comments(ticket_id), write=False)

    def list(self, query: TicketQuery) -> TicketPage:
        def apply() -> TicketPage:
            page = super(ChaosAdapter, self).list(query)
            return TicketPage(
                [_strip(t) for t in page], next_cursor=page.next_cursor, problems=page.problems
            )

        return self._call(apply, write=False)

    def find_by_key(self, key: str) -> Ticket | None:
        return self._call(lambda: self._find(key), write=False)

    # ------------------------------------------------------------ reading past the faults

    def everything(self) -> builtins.list[Ticket]:
        """Every stored ticket, read past the faults (for checking, not a tracker call)."""
        found: builtins.list[Ticket] = []
        cursor: str | None = None
        while True:
            page = super().list(TicketQuery(limit=500, cursor=cursor))
            found.extend(page)
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    def peek(self, ticket_id: str) -> Ticket:
        return _strip(super().get(ticket_id))

    def peek_comments(self, ticket_id: str) -> builtins.list[Comment]:
        return super().list_comments(ticket_id)

    def _find(self, key: str) -> Ticket | None:
        return next((_strip(t) for t in self.everything() if t.metadata.get(IDEM) == key), None)
