"""A tracker double for the resilience tests: a local store that fails on command."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from adapters.local_json import LocalJsonAdapter
from bridge.errors import BridgeError, TransientError
from bridge.models import Comment, Ticket, TicketChanges, TicketDraft, TicketPage, TicketQuery
from bridge.service import TicketingService

IDEM = "_remote_idempotency_key"
T = TypeVar("T")


def _strip(ticket: Ticket) -> Ticket:
    metadata = {k: v for k, v in ticket.metadata.items() if k != IDEM}
    return ticket.model_copy(update={"metadata": metadata})


class Late(TransientError):
    """Times out with the write taken but not yet applied: the tracker applies it only when
    ``after`` more requests have arrived (a write that lands after the client gave up)."""

    def __init__(self, after: int = 1) -> None:
        super().__init__("timed out; the tracker is still working", maybe_applied=True)
        self.after = after


class FlakyAdapter(LocalJsonAdapter):
    """A "remote" tracker whose primitives raise queued errors; ``down`` fails everything.

    A queued error with ``maybe_applied=True`` is raised *after* the operation was applied,
    like a connection dropped after the tracker wrote it.
    """

    name = "flaky"

    def __init__(self, path: Path) -> None:
        super().__init__(path, id_prefix="REMOTE")
        self.errors: list[BridgeError] = []
        self.down = False
        self.calls: Counter[str] = Counter()
        self._late: list[tuple[int, Callable[[], object]]] = []

    def _create_keeping_key(self, draft: TicketDraft) -> Ticket:
        """Like a real tracker: stores the key with the ticket, never deduplicates by it."""
        metadata = dict(draft.metadata)
        if draft.idempotency_key:
            metadata[IDEM] = draft.idempotency_key
        stored = super().create(
            draft.model_copy(update={"idempotency_key": None, "metadata": metadata})
        )
        return _strip(stored)

    def _find(self, key: str) -> Ticket | None:
        for ticket in super().list(TicketQuery(limit=1000)):
            if ticket.metadata.get(IDEM) == key:
                return _strip(ticket)
        return None

    def _land_late_writes(self) -> None:
        due = [(n - 1, fn) for n, fn in self._late]
        self._late = [(n, fn) for n, fn in due if n > 0]
        for n, fn in due:
            if n <= 0:
                fn()

    def _fail(self, op: str, apply: Callable[[], T]) -> T:
        self.calls[op] += 1
        self._land_late_writes()
        if self.down:
            raise TransientError("tracker is down", adapter="flaky")
        if self.errors:
            error = self.errors.pop(0)
            if isinstance(error, Late):
                self._late.append((error.after, apply))
            elif isinstance(error, TransientError) and error.maybe_applied:
                apply()
            raise error
        return apply()

    def create(self, draft: TicketDraft) -> Ticket:
        return self._fail("create", lambda: self._create_keeping_key(draft))

    def get(self, ticket_id: str) -> Ticket:
        return self._fail("get", lambda: _strip(super(FlakyAdapter, self).get(ticket_id)))

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        return self._fail("update", lambda: super(FlakyAdapter, self).update(ticket_id, changes))

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        return self._fail(
            "comment",
            lambda: super(FlakyAdapter, self).add_comment(ticket_id, body, author, key=key),
        )

    def list_comments(self, ticket_id: str) -> list[Comment]:
        return self._fail(
            "list_comments", lambda: super(FlakyAdapter, self).list_comments(ticket_id)
        )

    def list(self, query: TicketQuery) -> TicketPage:
        return self._fail("list", lambda: super(FlakyAdapter, self).list(query))

    def find_by_key(self, key: str) -> Ticket | None:
        return self._fail("find", lambda: self._find(key))


class FlakyTracker(TicketingService):
    """The ticketing API over a :class:`FlakyAdapter`; its controls are the adapter's."""

    adapter: FlakyAdapter

    adapter_class: type[FlakyAdapter] = FlakyAdapter

    def __init__(self, path: Path) -> None:
        super().__init__(self.adapter_class(path))

    @property
    def errors(self) -> list[BridgeError]:
        return self.adapter.errors

    @errors.setter
    def errors(self, value: list[BridgeError]) -> None:
        self.adapter.errors = value

    @property
    def down(self) -> bool:
        return self.adapter.down

    @down.setter
    def down(self, value: bool) -> None:
        self.adapter.down = value

    @property
    def calls(self) -> Counter[str]:
        return self.adapter.calls

    @property
    def root(self) -> Path:
        return self.adapter.root
