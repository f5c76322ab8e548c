"""Fault injection: make an adapter's next calls fail the way a tracker fails.

Every hookup of the contract suite provides a :class:`Faults`. Hookups of HTTP adapters arm
their fake server (a 503, a 429 with ``Retry-After``, a hang, a connection dropped after the
write was applied, ...); any other adapter, the local store included, is wrapped in
:class:`FaultyAdapter`, which raises the bridge error itself::

    faulty = FaultyAdapter(LocalJsonAdapter(tmp_path))
    faulty.fail_next("create", "applied_then_dropped")
    TicketingService(faulty).create_ticket("Lands, then fails")   # UnavailableError

The kinds, and what the caller must see:

- ``unavailable``: ``UnavailableError``; nothing was applied (a 503).
- ``rate_limited``: ``RateLimitedError`` with ``retry_after == RETRY_AFTER``; nothing applied.
- ``timeout``: ``TrackerTimeoutError``; nothing was applied, but for a write the caller cannot
  know, so ``maybe_applied`` is set.
- ``applied_then_dropped``: a ``TransientError`` after the write *was* applied (the
  connection dropped before the answer); ``maybe_applied`` is set for a write.
- ``not_found``: ``NotFoundError``. ``auth``: ``AuthError``.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Literal, Protocol, TypeVar, get_args, runtime_checkable

from bridge.contract import Adapter
from bridge.errors import (
    AuthError,
    BridgeError,
    NotFoundError,
    RateLimitedError,
    TrackerTimeoutError,
    UnavailableError,
)
from bridge.feed import ChangeFeed
from bridge.fields import FieldInfo
from bridge.models import Comment, Ticket, TicketChanges, TicketDraft, TicketPage, TicketQuery

__all__ = [
    "FAULT_KINDS",
    "OPERATIONS",
    "PERMANENT_FAULTS",
    "RETRY_AFTER",
    "TRANSIENT_FAULTS",
    "WRITES",
    "FaultKind",
    "Faults",
    "FaultyAdapter",
    "Operation",
    "check_fault",
    "fault_error",
]

FaultKind = Literal[
    "unavailable", "rate_limited", "timeout", "applied_then_dropped", "not_found", "auth"
]
Operation = Literal[
    "create",
    "get",
    "update",
    "add_comment",
    "list_comments",
    "list",
    "find_by_key",
    "changes_since",
    "fields",
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
TRANSIENT_FAULTS: tuple[FaultKind, ...] = (
    "unavailable",
    "rate_limited",
    "timeout",
    "applied_then_dropped",
)
PERMANENT_FAULTS: tuple[FaultKind, ...] = ("not_found", "auth")
OPERATIONS: tuple[Operation, ...] = get_args(Operation)
WRITES: frozenset[Operation] = frozenset({"create", "update", "add_comment"})
RETRY_AFTER = 7.0
"""Seconds a ``rate_limited`` fault asks the caller to wait (its ``Retry-After``)."""

T = TypeVar("T")


@runtime_checkable
class Faults(Protocol):
    """Arms failures of an adapter's primitives; what each hookup of the suite provides."""

    def fail_next(self, op: Operation, kind: FaultKind, count: int = 1) -> None:
        """Make the next ``count`` calls of primitive ``op`` fail with ``kind``.

        Faults armed for one operation are used in the order they were armed. A hookup that
        injects at the HTTP level counts requests; each primitive the suite faults makes one
        request of its kind. Raises ``ValueError`` for an operation it cannot fault.
        """
        ...

    def heal(self) -> None:
        """Drop every armed fault that has not been used."""
        ...


def check_fault(op: str, kind: str, count: int) -> None:
    """Raise ``ValueError`` unless ``op``, ``kind`` and ``count`` name a fault."""
    if op not in OPERATIONS:
        raise ValueError(f"unknown operation {op!r}: expected one of {', '.join(OPERATIONS)}")
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {kind!r}: expected one of {', '.join(FAULT_KINDS)}")
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")


def fault_error(
    kind: FaultKind, op: Operation, *, adapter: str, ticket_id: str | None = None
) -> BridgeError:
    """The bridge error a tracker's fault of ``kind`` during ``op`` becomes."""
    text = f"injected fault {kind!r} during {op}"
    if kind == "unavailable":
        return UnavailableError(f"{text}: 503", adapter=adapter, ticket_id=ticket_id)
    if kind == "rate_limited":
        return RateLimitedError(
            f"{text}: 429", adapter=adapter, ticket_id=ticket_id, retry_after=RETRY_AFTER
        )
    if kind == "timeout":
        return TrackerTimeoutError(
            f"{text}: no answer in time",
            adapter=adapter,
            ticket_id=ticket_id,
            maybe_applied=op in WRITES,
        )
    if kind == "applied_then_dropped":
        return UnavailableError(
            f"{text}: connection dropped after sending",
            adapter=adapter,
            ticket_id=ticket_id,
            maybe_applied=op in WRITES,
        )
    if kind == "not_found":
        return NotFoundError(f"{text}: 404", adapter=adapter, ticket_id=ticket_id)
    return AuthError(f"{text}: 401", adapter=adapter, ticket_id=ticket_id)


class FaultyAdapter(Adapter):
    """Wraps any adapter; its primitives fail on command, as :class:`Faults` arms them.

    An ``applied_then_dropped`` fault calls the wrapped adapter first, then raises: the write
    landed, the answer was lost. Every other fault raises without calling it. ``calls``
    counts the calls of each primitive, failed or not.
    """

    def __init__(self, inner: Adapter) -> None:
        self.inner = inner
        self.name = inner.name
        self.capabilities = inner.capabilities
        self.sync_overlap = inner.sync_overlap
        self.calls: Counter[str] = Counter()
        self._armed: builtins.list[tuple[Operation, FaultKind]] = []

    # ------------------------------------------------------------ Faults

    def fail_next(self, op: Operation, kind: FaultKind, count: int = 1) -> None:
        check_fault(op, kind, count)
        self._armed.extend([(op, kind)] * count)

    def heal(self) -> None:
        self._armed.clear()

    def _call(self, op: Operation, run: Callable[[], T], ticket_id: str | None = None) -> T:
        self.calls[op] += 1
        kind = self._take(op)
        if kind is None:
            return run()
        if kind == "applied_then_dropped":
            run()
        raise fault_error(kind, op, adapter=self.name, ticket_id=ticket_id)

    def _take(self, op: Operation) -> FaultKind | None:
        for index, (armed_op, kind) in enumerate(self._armed):
            if armed_op == op:
                del self._armed[index]
                return kind
        return None

    # ------------------------------------------------------------ the contract

    @property
    def sync_scope(self) -> str:
        return self.inner.sync_scope

    def close(self) -> None:
        self.inner.close()

    def __repr__(self) -> str:
        return f"<FaultyAdapter {self.inner!r}>"

    def create(self, draft: TicketDraft) -> Ticket:
        return self._call("create", lambda: self.inner.create(draft))

    def get(self, ticket_id: str) -> Ticket:
        return self._call("get", lambda: self.inner.get(ticket_id), ticket_id)

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        return self._call("update", lambda: self.inner.update(ticket_id, changes), ticket_id)

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        return self._call(
            "add_comment",
            lambda: self.inner.add_comment(ticket_id, body, author, key=key),
            ticket_id,
        )

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        return self._call("list_comments", lambda: self.inner.list_comments(ticket_id), ticket_id)

    def list(self, query: TicketQuery) -> TicketPage:
        return self._call("list", lambda: self.inner.list(query))

    def find_by_key(self, key: str) -> Ticket | None:
        return self._call("find_by_key", lambda: self.inner.find_by_key(key))

    def fields(self, issue_type: str | None = None) -> builtins.list[FieldInfo]:
        return self._call("fields", lambda: self.inner.fields(issue_type))

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        return self._call("changes_since", lambda: self.inner.changes_since(since, validators))
