"""A tracker double for the resilience tests: a local store that fails on command."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.local_json import LocalJsonService
from bridge.errors import BridgeError, TransientError
from bridge.models import Comment, Ticket, TicketChanges, TicketDraft, TicketPage, TicketQuery

IDEM = "_remote_idempotency_key"


def _strip(ticket: Ticket) -> Ticket:
    metadata = {k: v for k, v in ticket.metadata.items() if k != IDEM}
    return ticket.model_copy(update={"metadata": metadata})


class FlakyTracker(LocalJsonService):
    """A "remote" tracker whose primitives raise queued errors; ``down`` fails everything.

    A queued error with ``maybe_applied=True`` is raised *after* the operation was applied,
    like a connection dropped after the tracker wrote it.
    """

    adapter_name = "flaky"

    def __init__(self, path: Path) -> None:
        super().__init__(path, id_prefix="REMOTE")
        self.errors: list[BridgeError] = []
        self.down = False
        self.calls: Counter[str] = Counter()

    def _create_keeping_key(self, draft: TicketDraft) -> Ticket:
        """Like a real tracker: stores the key with the ticket, never deduplicates by it."""
        metadata = dict(draft.metadata)
        if draft.idempotency_key:
            metadata[IDEM] = draft.idempotency_key
        stored = super()._create(
            draft.model_copy(update={"idempotency_key": None, "metadata": metadata})
        )
        return _strip(stored)

    def _find(self, key: str) -> Ticket | None:
        for ticket in LocalJsonService._list(self, TicketQuery(limit=1000)):
            if ticket.metadata.get(IDEM) == key:
                return _strip(ticket)
        return None

    def _fail(self, op: str, apply: Callable[[], Any]) -> Any:
        self.calls[op] += 1
        if self.down:
            raise TransientError("tracker is down", adapter="flaky")
        if self.errors:
            error = self.errors.pop(0)
            if isinstance(error, TransientError) and error.maybe_applied:
                apply()
            raise error
        return apply()

    def _create(self, draft: TicketDraft) -> Ticket:
        return self._fail("create", lambda: self._create_keeping_key(draft))  # type: ignore[no-any-return]

    def _get(self, ticket_id: str) -> Ticket:
        return self._fail("get", lambda: _strip(super(FlakyTracker, self)._get(ticket_id)))  # type: ignore[no-any-return]

    def _update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        return self._fail("update", lambda: super(FlakyTracker, self)._update(ticket_id, changes))  # type: ignore[no-any-return]

    def _add_comment(self, ticket_id: str, body: str, author: str) -> Comment:
        return self._fail(  # type: ignore[no-any-return]
            "comment", lambda: super(FlakyTracker, self)._add_comment(ticket_id, body, author)
        )

    def _list_comments(self, ticket_id: str) -> list[Comment]:
        return self._fail(
            "list_comments", lambda: super(FlakyTracker, self)._list_comments(ticket_id)
        )  # type: ignore[no-any-return]

    def _list(self, query: TicketQuery) -> TicketPage:
        return self._fail("list", lambda: super(FlakyTracker, self)._list(query))  # type: ignore[no-any-return]

    def find_by_idempotency_key(self, key: str) -> Ticket | None:
        return self._fail("find", lambda: self._find(key))  # type: ignore[no-any-return]
