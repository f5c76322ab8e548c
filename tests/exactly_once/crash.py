"""A process killed between two steps: the tracker call went out (or not), nothing after it ran.

:class:`KillSwitch` wraps the rig's tracker adapter. Armed with ``after=n``, it lets ``n``
calls through, then on the next one kills the process: :class:`Killed` is a
``BaseException``, which no retry, fallback or replay handler catches, raised before the
call (``applied=False``) or after the tracker applied it and before its answer was used
(``applied=True``). The rig then starts a new process over the same local store and
outbox (:meth:`tests.exactly_once.rig.Rig.restart`).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from bridge.contract import Adapter
from bridge.feed import ChangeFeed
from bridge.fields import FieldInfo
from bridge.models import Comment, Ticket, TicketChanges, TicketDraft, TicketPage, TicketQuery

__all__ = ["KillSwitch", "Killed"]

T = TypeVar("T")


class Killed(BaseException):
    """The process died here."""


class KillSwitch(Adapter):
    """Passes every call to ``inner`` until armed; then kills the process on the n-th."""

    def __init__(self, inner: Adapter) -> None:
        self.inner = inner
        self.name = inner.name
        self.capabilities = inner.capabilities
        self.sync_overlap = inner.sync_overlap
        self.left: int | None = None
        self.applied = True
        self.kills = 0

    def arm(self, after: int, *, applied: bool) -> None:
        self.left, self.applied = after, applied

    def disarm(self) -> None:
        self.left = None

    def _call(self, fn: Callable[[], T]) -> T:
        if self.left is None:
            return fn()
        if self.left > 0:
            self.left -= 1
            return fn()
        self.left = None
        self.kills += 1
        if self.applied:
            fn()
        raise Killed

    @property
    def sync_scope(self) -> str:
        return self.inner.sync_scope

    def close(self) -> None:
        self.inner.close()

    def create(self, draft: TicketDraft) -> Ticket:
        return self._call(lambda: self.inner.create(draft))

    def get(self, ticket_id: str) -> Ticket:
        return self._call(lambda: self.inner.get(ticket_id))

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        return self._call(lambda: self.inner.update(ticket_id, changes))

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        return self._call(lambda: self.inner.add_comment(ticket_id, body, author, key=key))

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        return self._call(lambda: self.inner.list_comments(ticket_id))

    def list(self, query: TicketQuery) -> TicketPage:
        return self._call(lambda: self.inner.list(query))

    def change_dependencies(
        self, ticket_id: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> Ticket:
        return self._call(lambda: self.inner.change_dependencies(ticket_id, add=add, remove=remove))

    def find_by_key(self, key: str) -> Ticket | None:
        return self._call(lambda: self.inner.find_by_key(key))

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        return self._call(lambda: self.inner.changes_since(since, validators))

    def fields(self, issue_type: str | None = None) -> builtins.list[FieldInfo]:
        return self._call(lambda: self.inner.fields(issue_type))
