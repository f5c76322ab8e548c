"""The retrying adapter: transient failures are tried again, writes never land twice.

Waits follow ``Retry-After`` or the rate-limit reset when the tracker gives one (capped at
``max_wait``), else jittered exponential backoff, all within the policy's ``deadline``.
Permanent errors raise at once. A create carries an idempotency key that the tracker keeps;
after an attempt that may have landed (a timeout, a connection dropped after sending) the key
is looked up before anything is sent again, and so is the text of a comment.
"""

from __future__ import annotations

import builtins
import logging
import random
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from bridge.contract import Adapter
from bridge.errors import TransientError
from bridge.feed import ChangeFeed
from bridge.fields import FieldInfo
from bridge.models import Comment, Ticket, TicketChanges, TicketDraft, TicketPage, TicketQuery
from bridge.retry import RetryPolicy, compute_wait, retrying

__all__ = ["RetryingAdapter", "compute_wait", "new_key"]

log = logging.getLogger(__name__)
T = TypeVar("T")


def new_key() -> str:
    """A fresh idempotency key for a write."""
    return uuid.uuid4().hex


class RetryingAdapter(Adapter):
    """Wraps ``inner``; every primitive is retried by ``policy``."""

    def __init__(
        self,
        inner: Adapter,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        resend_ambiguous: bool = True,
    ) -> None:
        self.inner = inner
        self.policy = policy or RetryPolicy()
        self.resend_ambiguous = resend_ambiguous
        self.name = inner.name
        self.capabilities = inner.capabilities
        self.sync_overlap = inner.sync_overlap
        self._sleep = sleep
        self._rng = rng or random.Random()

    def with_attempts(self, attempts: int) -> RetryingAdapter:
        """The same adapter with at most ``attempts`` tries per call (a quick probe)."""
        policy = self.policy.model_copy(update={"attempts": attempts})
        return RetryingAdapter(
            self.inner,
            policy,
            sleep=self._sleep,
            rng=self._rng,
            resend_ambiguous=self.resend_ambiguous,
        )

    @property
    def sync_scope(self) -> str:
        return self.inner.sync_scope

    def close(self) -> None:
        self.inner.close()

    def __repr__(self) -> str:
        return f"<RetryingAdapter {self.inner!r}>"

    # ------------------------------------------------------------ the loop

    def call(self, fn: Callable[[], T], *, lookup: Callable[[], T | None] | None = None) -> T:
        """``fn()``, retried; before a resend after an attempt that may have landed,
        ``lookup()`` is asked for what that attempt made (``None``: not there yet).

        With ``resend_ambiguous`` off (when a fallback will queue the write) a write that
        may have landed is never sent again in this call: each further attempt only looks
        it up, after its wait, so a write the tracker applies late is found; if it is still
        not there the last error is raised, for the replay to look it up once more later.
        The error that ends the retries has ``maybe_applied`` set when any attempt may
        have reached the tracker. After an attempt that may have landed, the next one first
        waits ``policy.settle``: a request the tracker took may still be applied until then,
        and a lookup (or a resend) before it could miss it (or overtake it). Without a
        fallback the call waits it once more before raising, so that the caller's next call
        is not overtaken either.
        """
        ambiguous: TransientError | None = None
        in_flight = False  # the last request sent may still be applied
        try:
            for attempt in retrying(self.policy, sleep=self._sleep, rng=self._rng):
                with attempt:
                    sent = True  # a lookup may write too: it completes what it finds
                    try:
                        if in_flight:
                            self.settle()
                            in_flight = False
                        if ambiguous is not None and lookup is not None:
                            found = lookup()
                            if found is not None:
                                return found
                            if not self.resend_ambiguous:
                                sent = False
                                raise ambiguous
                        return fn()
                    except TransientError as exc:
                        in_flight = sent and exc.maybe_applied
                        if exc.maybe_applied and ambiguous is None:
                            ambiguous = exc
                        exc.maybe_applied = ambiguous is not None
                        log.warning("%s; attempt %d", exc, attempt.retry_state.attempt_number)
                        raise
        except TransientError:
            if in_flight and self.resend_ambiguous:
                self.settle()  # no replay will wait for it: the caller's next call must not
            raise
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def settle(self) -> None:
        """Wait until a write the tracker took but did not answer has landed or never will
        (``policy.settle``), so that looking it up tells the truth."""
        self._sleep(self.policy.settle)

    # ------------------------------------------------------------ the contract

    def create(self, draft: TicketDraft) -> Ticket:
        """Created with an idempotency key (a fresh one unless the draft has one), so that an
        attempt that may have landed is found by it instead of made again."""
        if not draft.idempotency_key:
            draft = draft.model_copy(update={"idempotency_key": new_key()})
        return self.call(lambda: self.inner.create(draft), lookup=lambda: self.find_created(draft))

    def find_created(self, draft: TicketDraft) -> Ticket | None:
        """The ticket an earlier attempt of ``draft`` created, completed with what it did not
        get to (parent, dependencies, status), or ``None`` when no attempt landed."""
        ticket = self.inner.find_by_key(draft.idempotency_key or "")
        if ticket is None:
            return None
        changes: dict[str, Any] = {}
        if draft.parent_id and ticket.parent_id != draft.parent_id:
            changes["parent_id"] = draft.parent_id
        if set(draft.dependencies) - set(ticket.dependencies):
            changes["dependencies"] = list(
                dict.fromkeys([*ticket.dependencies, *draft.dependencies])
            )
        if draft.status != ticket.status:
            changes["status"] = draft.status
            if draft.resolution is not None:
                changes["resolution"] = draft.resolution
        return self.inner.update(ticket.id, TicketChanges(**changes)) if changes else ticket

    def get(self, ticket_id: str) -> Ticket:
        return self.call(lambda: self.inner.get(ticket_id))

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        return self.call(lambda: self.inner.update(ticket_id, changes))

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        """Posted with an idempotency key (a fresh one unless given): after an attempt
        that may have landed, the comment is looked up by that key, never by its text."""
        key = key or new_key()
        return self.call(
            lambda: self.inner.add_comment(ticket_id, body, author, key=key),
            lookup=lambda: self.find_comment(ticket_id, key),
        )

    def find_comment(self, ticket_id: str, key: str) -> Comment | None:
        """The comment posted with ``key``, if an attempt landed."""
        return next((c for c in self.inner.list_comments(ticket_id) if c.key == key), None)

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        return self.call(lambda: self.inner.list_comments(ticket_id))

    def list(self, query: TicketQuery) -> TicketPage:
        return self.call(lambda: self.inner.list(query))

    def change_dependencies(
        self, ticket_id: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> Ticket:
        return self.call(lambda: self.inner.change_dependencies(ticket_id, add=add, remove=remove))

    def find_by_key(self, key: str) -> Ticket | None:
        return self.call(lambda: self.inner.find_by_key(key))

    def fields(self, issue_type: str | None = None) -> builtins.list[FieldInfo]:
        return self.call(lambda: self.inner.fields(issue_type))

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        return self.call(lambda: self.inner.changes_since(since, validators))
