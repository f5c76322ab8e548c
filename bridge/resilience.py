"""Retry, then fall back, then replay: a service that wraps any tracker's service.

- Transient errors are retried with tenacity: waiting what ``Retry-After`` or the rate-limit
  reset says (capped at ``max_wait``), else jittered exponential backoff, all within
  ``deadline``. Permanent errors raise at once.
- Every create carries an idempotency key that the tracker stores. After an ambiguous failure
  (a timeout, a connection dropped after sending) the key is looked up before creating again.
- When retries run out the operation is applied to the local store (or to the last known
  state of the ticket), the result is marked ``pending`` and the operation joins the durable
  outbox, in order. While the outbox is not empty, new operations queue behind it.
- :meth:`ResilientService.replay` sends the outbox in order, exactly once, mapping local ids
  to tracker ids in parents, dependencies and metadata; the local id keeps resolving.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from pydantic import JsonValue
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
)

from bridge.errors import BridgeError, TransientError
from bridge.feed import ChangeFeed
from bridge.models import (
    Comment,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
)
from bridge.outbox import Entry, Outbox
from bridge.retry import RetryPolicy, compute_wait
from bridge.service import Capabilities, TicketingService

__all__ = ["ReplayReport", "ResilientService", "compute_wait"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class ReplayReport:
    """What a replay sent, and where it stopped if it did."""

    sent: int = 0
    remaining: int = 0
    stopped_at: int | None = None
    error: str | None = None
    mapped: dict[str, str] = field(default_factory=dict)


class ResilientService(TicketingService):
    """Any :class:`TicketingService`, made to retry, fall back and catch up by itself."""

    adapter_name: ClassVar[str] = "resilient"

    def __init__(
        self,
        remote: TicketingService,
        *,
        policy: RetryPolicy | None = None,
        local: TicketingService | None = None,
        outbox: Outbox | None = None,
        sleep: Callable[[float], None] = time.sleep,
        probe_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if (local is None) != (outbox is None):
            raise ValueError("give both a local store and an outbox to fall back, or neither")
        self.remote = remote
        self.policy = policy or RetryPolicy()
        self.local = local
        self.outbox = outbox
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._probe_interval = probe_interval
        self._next_probe = 0.0
        self._ambiguous = False

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        return self.remote.capabilities

    @property
    def sync_scope(self) -> str:
        return self.remote.sync_scope

    @property
    def sync_overlap(self) -> timedelta:  # type: ignore[override]
        return self.remote.sync_overlap

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        """The tracker's feed, retried (a sync never falls back: it simply runs again)."""
        return self._retry(lambda: self.remote.changes_since(since, validators))

    def close(self) -> None:
        self.remote.close()
        if self.local is not None:
            self.local.close()
        if self.outbox is not None:
            self.outbox.close()

    def __repr__(self) -> str:
        return f"<ResilientService {self.remote!r}>"

    # ------------------------------------------------------------ retrying

    def _retry(
        self, fn: Callable[[], T], *, on_ambiguous: Callable[[], T | None] | None = None
    ) -> T:
        """Call ``fn``, retrying transient errors by the policy; permanent ones raise at once."""
        last: list[TransientError] = []

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return compute_wait(self.policy, state.attempt_number, exc, self._rng)

        retrying = Retrying(
            stop=stop_after_attempt(self.policy.attempts) | stop_before_delay(self.policy.deadline),
            wait=wait,
            retry=retry_if_exception_type(TransientError),
            sleep=self._sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                if on_ambiguous is not None and any(e.maybe_applied for e in last):
                    found = on_ambiguous()
                    if found is not None:
                        return found
                try:
                    return fn()
                except TransientError as exc:
                    last.append(exc)
                    self._ambiguous = self._ambiguous or exc.maybe_applied
                    log.warning("%s; attempt %d", exc, attempt.retry_state.attempt_number)
                    raise
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    # ------------------------------------------------------------ queueing decisions

    def _queueing(self) -> bool:
        """True while the outbox holds work; tries to drain it when the probe is due."""
        if self.outbox is None or len(self.outbox) == 0:
            return False
        if self._clock() < self._next_probe:
            return True
        report = self.replay(attempts=1)
        return report.remaining > 0

    def _fallback(self, exc: TransientError) -> None:
        if self.outbox is None:
            raise exc
        self._next_probe = self._clock() + self._probe_interval
        log.warning(
            "%s is unreachable (%s); working locally and queueing for replay",
            self.remote.adapter_name,
            exc,
        )

    def _resolve(self, ticket_id: str) -> str:
        if self.outbox is None:
            return ticket_id
        return self.outbox.remote_id(ticket_id) or ticket_id

    def _is_local(self, ticket_id: str) -> bool:
        return (
            self.outbox is not None
            and self.outbox.remote_id(ticket_id) is None
            and self.outbox.pending_for(ticket_id)
            and self.outbox.known(ticket_id) is None
        )

    # ------------------------------------------------------------ primitives

    def _create(self, draft: TicketDraft) -> Ticket:
        key = draft.idempotency_key or uuid.uuid4().hex
        draft = draft.model_copy(update={"idempotency_key": key})
        self._ambiguous = False
        if not self._queueing():
            try:
                ticket = self._send_create(draft)
            except TransientError as exc:
                self._fallback(exc)
            else:
                self._remember(ticket)
                return ticket
        return self._queue_create(draft)

    def _get(self, ticket_id: str) -> Ticket:
        if self._is_local(ticket_id):
            return self._local_view(ticket_id)
        target = self._resolve(ticket_id)
        try:
            ticket = self._retry(lambda: self.remote._get(target))
        except TransientError as exc:
            known = self.outbox.known(target) if self.outbox is not None else None
            if known is None:
                raise
            self._fallback(exc)
            return known.model_copy(update={"pending": self.outbox.pending_for(target)})  # type: ignore[union-attr]
        self._remember(ticket)
        return ticket

    def _update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        if not self._queueing() and not self._is_local(ticket_id):
            target = self._resolve(ticket_id)
            resolved = self._resolve_changes(changes)
            try:
                ticket = self._retry(lambda: self.remote._update(target, resolved))
            except TransientError as exc:
                if self.outbox is None or self.outbox.known(target) is None:
                    raise
                self._fallback(exc)
            else:
                self._remember(ticket)
                return ticket
        return self._queue_update(ticket_id, changes)

    def _add_comment(self, ticket_id: str, body: str, author: str) -> Comment:
        if not self._queueing() and not self._is_local(ticket_id):
            target = self._resolve(ticket_id)
            try:
                return self._retry(
                    lambda: self.remote._add_comment(target, body, author),
                    on_ambiguous=lambda: self._find_comment(target, body, author),
                )
            except TransientError as exc:
                self._fallback(exc)
        return self._queue_comment(ticket_id, body, author)

    def _list_comments(self, ticket_id: str) -> list[Comment]:
        if self._is_local(ticket_id):
            assert self.local is not None
            return self.local.list_comments(ticket_id)
        target = self._resolve(ticket_id)
        return self._retry(lambda: self.remote._list_comments(target))

    def _list(self, query: TicketQuery) -> TicketPage:
        return self._retry(lambda: self.remote._list(query))

    def find_by_idempotency_key(self, key: str) -> Ticket | None:
        return self._retry(lambda: self.remote.find_by_idempotency_key(key))

    # ------------------------------------------------------------ sending

    def _send_create(self, draft: TicketDraft) -> Ticket:
        resolved = self._resolve_draft(draft)
        return self._retry(
            lambda: self.remote._create(resolved),
            on_ambiguous=lambda: self._find_created(resolved),
        )

    def _find_created(self, draft: TicketDraft) -> Ticket | None:
        """The ticket an earlier attempt created, completed with what it did not get to."""
        ticket = self.remote.find_by_idempotency_key(draft.idempotency_key or "")
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
        return self.remote._update(ticket.id, TicketChanges(**changes)) if changes else ticket

    def _remember(self, ticket: Ticket) -> None:
        if self.outbox is not None:
            self.outbox.remember(ticket)

    def _map_value(self, value: JsonValue, idmap: dict[str, str]) -> JsonValue:
        if isinstance(value, str):
            return idmap.get(value, value)
        if isinstance(value, list):
            return [self._map_value(v, idmap) for v in value]
        if isinstance(value, dict):
            return {k: self._map_value(v, idmap) for k, v in value.items()}
        return value

    def _resolve_draft(self, draft: TicketDraft) -> TicketDraft:
        if self.outbox is None:
            return draft
        idmap = self.outbox.idmap()
        if not idmap:
            return draft
        return draft.model_copy(
            update={
                "parent_id": idmap.get(draft.parent_id or "", draft.parent_id),
                "dependencies": [idmap.get(d, d) for d in draft.dependencies],
                "metadata": self._map_value(draft.metadata, idmap),
            }
        )

    def _resolve_changes(self, changes: TicketChanges) -> TicketChanges:
        if self.outbox is None:
            return changes
        idmap = self.outbox.idmap()
        given = changes.given()
        if not idmap or not given.keys() & {"parent_id", "dependencies", "metadata"}:
            return changes
        mapped = dict(given)
        if mapped.get("parent_id") is not None:
            mapped["parent_id"] = idmap.get(mapped["parent_id"], mapped["parent_id"])
        if "dependencies" in mapped:
            mapped["dependencies"] = [idmap.get(d, d) for d in mapped["dependencies"]]
        if "metadata" in mapped:
            mapped["metadata"] = self._map_value(mapped["metadata"], idmap)
        return TicketChanges(**mapped)

    # ------------------------------------------------------------ queueing

    def _parts(self) -> tuple[TicketingService, Outbox]:
        if self.local is None or self.outbox is None:
            raise RuntimeError("no fallback store is configured")
        return self.local, self.outbox

    def _local_links_only(self, ids: list[str]) -> list[str]:
        return [i for i in ids if self._is_local(i)]

    def _queue_create(self, draft: TicketDraft) -> Ticket:
        local, outbox = self._parts()
        parent = draft.parent_id if draft.parent_id and self._is_local(draft.parent_id) else None
        local_draft = draft.model_copy(
            update={"parent_id": parent, "dependencies": self._local_links_only(draft.dependencies)}
        )
        created = local.create_from_draft(local_draft)
        # A create that may have reached the tracker is looked up by its key before replay.
        state = "sending" if self._ambiguous else "queued"
        outbox.append("create", created.id, draft.model_dump(mode="json"), state=state)
        return created.model_copy(
            update={
                "parent_id": draft.parent_id,
                "dependencies": draft.dependencies,
                "pending": True,
            }
        )

    def _queue_update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        local, outbox = self._parts()
        payload = changes.model_dump(mode="json", include=changes.model_fields_set)
        if self._is_local(ticket_id):
            given = changes.given()
            local_changes = dict(given)
            if local_changes.get("parent_id") and not self._is_local(local_changes["parent_id"]):
                local_changes.pop("parent_id")
            if "dependencies" in local_changes:
                local_changes["dependencies"] = self._local_links_only(
                    local_changes["dependencies"]
                )
            local.update_ticket(ticket_id, **local_changes)
            outbox.append("update", ticket_id, payload)
            return self._local_view(ticket_id)
        target = self._resolve(ticket_id)
        known = outbox.known(target)
        if known is None:
            raise TransientError(
                f"{self.remote.adapter_name} is unreachable and the ticket was never seen here",
                adapter=self.remote.adapter_name,
                ticket_id=ticket_id,
            )
        updated = changes.apply_to(known)
        outbox.remember(updated)
        outbox.append("update", target, payload)
        return updated.model_copy(update={"pending": True})

    def _queue_comment(self, ticket_id: str, body: str, author: str) -> Comment:
        local, outbox = self._parts()
        payload = {"body": body, "author": author}
        if self._is_local(ticket_id):
            comment = local.add_comment(ticket_id, body, author=author)
            outbox.append("comment", ticket_id, payload)
            return comment
        target = self._resolve(ticket_id)
        seq = outbox.append("comment", target, payload)
        return Comment(id=f"pending-{seq}", ticket_id=target, author=author, body=body)

    def _local_view(self, ticket_id: str) -> Ticket:
        """A pending local ticket, with the links it will have on the tracker."""
        local, outbox = self._parts()
        ticket = local.get_ticket(ticket_id)
        draft: dict[str, Any] = {}
        for entry in outbox.entries():
            if entry.ticket_id != ticket_id:
                continue
            if entry.op == "create":
                draft = {k: entry.payload.get(k) for k in ("parent_id", "dependencies")}
            elif entry.op == "update":
                for k in ("parent_id", "dependencies"):
                    if k in entry.payload:
                        draft[k] = entry.payload[k]
        return ticket.model_copy(update={**draft, "pending": True})

    # ------------------------------------------------------------ replay

    def replay(self, *, attempts: int | None = None) -> ReplayReport:
        """Send the outbox in order, exactly once; stop at the first entry that fails."""
        report = ReplayReport()
        if self.outbox is None:
            return report
        policy = self.policy
        if attempts is not None:
            self.policy = policy.model_copy(update={"attempts": attempts})
        try:
            for entry in self.outbox.entries():
                try:
                    self._replay_one(entry, report)
                except BridgeError as exc:
                    report.stopped_at = entry.seq
                    report.error = str(exc)
                    if not isinstance(exc, TransientError):
                        self.outbox.mark_failed(entry.seq, str(exc))
                    self._next_probe = self._clock() + self._probe_interval
                    break
                report.sent += 1
        finally:
            self.policy = policy
            report.remaining = len(self.outbox)
        return report

    def _replay_one(self, entry: Entry, report: ReplayReport) -> None:
        assert self.outbox is not None
        ambiguous = entry.state == "sending"
        self.outbox.mark_sending(entry.seq)
        if entry.op == "create":
            draft = TicketDraft.model_validate(entry.payload)
            resolved = self._resolve_draft(draft)
            found = self._retry(lambda: self._find_created(resolved)) if ambiguous else None
            ticket = found or self._send_create(draft)
            assert entry.ticket_id is not None
            self.outbox.remember(ticket)
            self.outbox.complete(entry.seq, mapped=(entry.ticket_id, ticket.id))
            report.mapped[entry.ticket_id] = ticket.id
            return
        assert entry.ticket_id is not None
        target = self._resolve(entry.ticket_id)
        if entry.op == "update":
            changes = self._resolve_changes(TicketChanges.model_validate(entry.payload))
            ticket = self._retry(lambda: self.remote._update(target, changes))
            self.outbox.remember(ticket)
        elif entry.op == "comment":
            body, author = str(entry.payload["body"]), str(entry.payload["author"])
            if not (ambiguous and self._comment_exists(target, body, author)):
                self._retry(lambda: self.remote._add_comment(target, body, author))
        self.outbox.complete(entry.seq)

    def _find_comment(self, ticket_id: str, body: str, author: str) -> Comment | None:
        """The newest comment with this author and text, if a sent one may have landed."""
        comments = self.remote._list_comments(ticket_id)
        return next((c for c in reversed(comments) if (c.body, c.author) == (body, author)), None)

    def _comment_exists(self, ticket_id: str, body: str, author: str) -> bool:
        return self._retry(lambda: self._find_comment(ticket_id, body, author)) is not None
