"""The fallback adapter: when retries run out, work locally and queue for replay.

The operation is applied to the local store (or to the last known state of the ticket), the
result is marked ``pending`` and the operation joins the durable outbox, in order. While the
outbox holds work, new operations queue behind it; every ``probe_interval`` seconds a quick
replay tries to drain it.
"""

from __future__ import annotations

import builtins
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bridge.contract import Adapter
from bridge.errors import TransientError, UnsupportedError
from bridge.feed import ChangeFeed
from bridge.fields import FieldInfo
from bridge.models import (
    Comment,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
    TicketType,
)
from bridge.outbox import UNLESS_STATUS, Outbox
from bridge.resilience.replay import Replayer, ReplayReport
from bridge.resilience.retrying import RetryingAdapter, new_key

__all__ = ["FallbackAdapter"]

log = logging.getLogger(__name__)


class FallbackAdapter(Adapter):
    """``remote`` (retrying) while it answers; ``local`` and ``outbox`` when it does not."""

    def __init__(
        self,
        remote: RetryingAdapter,
        local: Adapter,
        outbox: Outbox,
        *,
        probe_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.remote, self.local, self.outbox = remote, local, outbox
        self.replayer = Replayer(remote, outbox)
        self.name = remote.name
        self.capabilities = remote.capabilities
        self.sync_overlap = remote.sync_overlap
        self._clock = clock
        self._probe_interval = probe_interval
        self._next_probe = 0.0

    @property
    def sync_scope(self) -> str:
        return self.remote.sync_scope

    def close(self) -> None:
        self.remote.close()
        self.local.close()
        self.outbox.close()

    def __repr__(self) -> str:
        return f"<FallbackAdapter {self.remote.inner!r}>"

    def replay(self, *, attempts: int | None = None) -> ReplayReport:
        """Send the outbox now (see :class:`Replayer`); a failure delays the next probe."""
        report = self.replayer.replay(attempts=attempts)
        if report.stopped_at is not None:
            self._next_probe = self._clock() + self._probe_interval
        return report

    # ------------------------------------------------------------ decisions

    def _queueing(self) -> bool:
        """True while the outbox holds work; tries to drain it when the probe is due."""
        if len(self.outbox) == 0:
            return False
        if self._clock() < self._next_probe:
            return True
        return self.replay(attempts=1).remaining > 0

    def _fall_back(self, exc: TransientError) -> None:
        self._next_probe = self._clock() + self._probe_interval
        log.warning(
            "%s is unreachable (%s); working locally and queueing for replay", self.name, exc
        )

    def _is_local(self, ticket_id: str) -> bool:
        """True for a ticket created here that has not reached the tracker yet."""
        return (
            self.outbox.remote_id(ticket_id) is None
            and self.outbox.pending_for(ticket_id)
            and self.outbox.known(ticket_id) is None
        )

    # ------------------------------------------------------------ the contract

    def create(self, draft: TicketDraft) -> Ticket:
        key = draft.idempotency_key or new_key()
        draft = draft.model_copy(update={"idempotency_key": key})
        ambiguous = False
        if not self._queueing():
            try:
                ticket = self.remote.create(self.replayer.resolve_draft(draft))
            except TransientError as exc:
                ambiguous = exc.maybe_applied
                self._fall_back(exc)
            else:
                self.outbox.remember(ticket)
                return ticket
        return self._queue_create(draft, ambiguous=ambiguous)

    def get(self, ticket_id: str) -> Ticket:
        if self._is_local(ticket_id):
            return self._local_view(ticket_id)
        target = self.replayer.resolve(ticket_id)
        queued = self.outbox.known(target) if self.outbox.queued_for(target) else None
        if queued is not None:  # read your own writes: the tracker has not seen them yet
            return queued.model_copy(update={"pending": True})
        try:
            ticket = self.remote.get(target)
        except TransientError as exc:
            known = self.outbox.known(target)
            if known is None:
                raise
            self._fall_back(exc)
            return known.model_copy(update={"pending": self.outbox.pending_for(target)})
        self.outbox.remember(ticket)
        return ticket

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        ambiguous = False
        if not self._queueing() and not self._is_local(ticket_id):
            target = self.replayer.resolve(ticket_id)
            try:
                ticket = self.remote.update(target, self.replayer.resolve_changes(changes))
            except TransientError as exc:
                if self.outbox.known(target) is None:
                    raise
                ambiguous = exc.maybe_applied
                self._fall_back(exc)
            else:
                self.outbox.remember(ticket)
                return ticket
        return self._queue_update(ticket_id, changes, ambiguous=ambiguous)

    def change_dependencies(
        self, ticket_id: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> Ticket:
        """Online, the tracker's own read-modify-write; queued, a delta applied in order."""
        ambiguous = False
        if not self._queueing() and not self._is_local(ticket_id):
            target = self.replayer.resolve(ticket_id)
            idmap = self.outbox.idmap()
            try:
                ticket = self.remote.change_dependencies(
                    target,
                    add=[idmap.get(d, d) for d in add],
                    remove=[idmap.get(d, d) for d in remove],
                )
            except TransientError as exc:
                if self.outbox.known(target) is None:
                    raise
                ambiguous = exc.maybe_applied
                self._fall_back(exc)
            else:
                self.outbox.remember(ticket)
                return ticket
        return self._queue_dependencies(ticket_id, list(add), list(remove), ambiguous=ambiguous)

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        key = key or new_key()
        ambiguous = False
        if not self._queueing() and not self._is_local(ticket_id):
            target = self.replayer.resolve(ticket_id)
            try:
                return self.remote.add_comment(target, body, author, key=key)
            except TransientError as exc:
                ambiguous = exc.maybe_applied
                self._fall_back(exc)
        return self._queue_comment(ticket_id, body, author, key, ambiguous=ambiguous)

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        if self._is_local(ticket_id):
            return self.local.list_comments(ticket_id)
        return self.remote.list_comments(self.replayer.resolve(ticket_id))

    def list(self, query: TicketQuery) -> TicketPage:
        return self.remote.list(query)

    def find_by_key(self, key: str) -> Ticket | None:
        return self.remote.find_by_key(key)

    def fields(self, issue_type: str | None = None) -> builtins.list[FieldInfo]:
        return self.remote.fields(issue_type)

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        """The tracker's feed, retried (a sync never falls back: it simply runs again)."""
        return self.remote.changes_since(since, validators)

    # ------------------------------------------------------------ queueing

    def _local_links_only(self, ids: builtins.list[str]) -> builtins.list[str]:
        return [i for i in ids if self._is_local(i)]

    def _queue_create(self, draft: TicketDraft, *, ambiguous: bool) -> Ticket:
        self._check_nesting(draft.parent_id)
        parent = draft.parent_id if draft.parent_id and self._is_local(draft.parent_id) else None
        local_draft = draft.model_copy(
            update={"parent_id": parent, "dependencies": self._local_links_only(draft.dependencies)}
        )
        created = self.local.create(local_draft)
        # A create that may have reached the tracker is looked up by its key before replay.
        state = "sending" if ambiguous else "queued"
        self.outbox.append("create", created.id, draft.model_dump(mode="json"), state=state)
        return created.model_copy(
            update={
                "parent_id": draft.parent_id,
                "dependencies": draft.dependencies,
                "pending": True,
            }
        )

    def _queue_update(
        self, ticket_id: str, changes: TicketChanges, *, ambiguous: bool = False
    ) -> Ticket:
        if "parent_id" in changes.model_fields_set:
            self._check_nesting(changes.parent_id)
        payload = changes.model_dump(mode="json", include=changes.model_fields_set)
        if changes.kept_at:  # a close or reopen that finds the ticket so already does nothing
            payload[UNLESS_STATUS] = sorted(s.value for s in changes.kept_at)
        if self._is_local(ticket_id):
            local_changes: dict[str, Any] = dict(changes.given())
            if local_changes.get("parent_id") and not self._is_local(local_changes["parent_id"]):
                local_changes.pop("parent_id")
            if "dependencies" in local_changes:
                local_changes["dependencies"] = self._local_links_only(
                    local_changes["dependencies"]
                )
            self.local.update(
                ticket_id, TicketChanges(**local_changes).unless_status(*changes.kept_at)
            )
            self.outbox.append("update", ticket_id, payload)
            return self._local_view(ticket_id)
        return self._queue_on_known(
            ticket_id, "update", payload, changes.apply_to, ambiguous=ambiguous
        )

    def _queue_dependencies(
        self,
        ticket_id: str,
        add: builtins.list[str],
        remove: builtins.list[str],
        *,
        ambiguous: bool = False,
    ) -> Ticket:
        payload: dict[str, Any] = {"add": add, "remove": remove}
        if self._is_local(ticket_id):
            self.local.change_dependencies(
                ticket_id, add=self._local_links_only(add), remove=remove
            )
            self.outbox.append("dependencies", ticket_id, payload)
            return self._local_view(ticket_id)
        return self._queue_on_known(
            ticket_id,
            "dependencies",
            payload,
            lambda t: t.model_copy(update={"dependencies": _apply(t.dependencies, payload)}),
            ambiguous=ambiguous,
        )

    def _queue_on_known(
        self,
        ticket_id: str,
        op: str,
        payload: dict[str, Any],
        apply: Callable[[Ticket], Ticket],
        *,
        ambiguous: bool = False,
    ) -> Ticket:
        """Queue ``op`` for a tracker ticket, applied to its last known state, which the
        caller gets back as pending (and later reads return until the replay). After a
        failure that may have let it through it is queued as being sent: the replay waits
        for such a write to land before it sends anything after it."""
        target = self.replayer.resolve(ticket_id)
        known = self.outbox.known(target)
        if known is None:
            raise TransientError(
                f"{self.name} is unreachable and the ticket was never seen here",
                adapter=self.name,
                ticket_id=ticket_id,
            )
        updated = apply(known)
        self.outbox.remember(updated)
        self.outbox.append(op, target, payload, state="sending" if ambiguous else "queued")
        return updated.model_copy(update={"pending": True})

    def _view(self, ticket_id: str) -> Ticket | None:
        """What is known here of a ticket, without asking the tracker."""
        if self._is_local(ticket_id):
            return self._local_view(ticket_id)
        return self.outbox.known(self.replayer.resolve(ticket_id))

    def _check_nesting(self, parent_id: str | None) -> None:
        """Refuse offline what the tracker refuses online: a subtask of a subtask."""
        if parent_id is None or self.capabilities.nested_subtasks:
            return
        parent = self._view(parent_id)
        if parent is None or parent.parent_id is None:
            return
        grandparent = self._view(parent.parent_id)
        if grandparent is not None and grandparent.type == TicketType.EPIC:
            return  # a story under an epic may have sub-tasks
        raise UnsupportedError(
            f"{parent_id} is a sub-task; {self.name} does not nest sub-tasks", adapter=self.name
        )

    def _queue_comment(
        self, ticket_id: str, body: str, author: str, key: str, *, ambiguous: bool = False
    ) -> Comment:
        payload = {"body": body, "author": author, "key": key}
        state = "sending" if ambiguous else "queued"
        if self._is_local(ticket_id):
            comment = self.local.add_comment(ticket_id, body, author, key=key)
            payload["local_comment"] = comment.id
            self.outbox.append("comment", ticket_id, payload, state=state)
            return comment
        target = self.replayer.resolve(ticket_id)
        seq = self.outbox.append("comment", target, payload, state=state)
        return Comment(id=f"pending-{seq}", ticket_id=target, author=author, body=body, key=key)

    def _local_view(self, ticket_id: str) -> Ticket:
        """A pending local ticket, with the links it will have on the tracker."""
        ticket = self.local.get(ticket_id)
        links: dict[str, Any] = {}
        for entry in self.outbox.entries():
            if entry.ticket_id != ticket_id:
                continue
            if entry.op == "create":
                links = {k: entry.payload.get(k) for k in ("parent_id", "dependencies")}
            elif entry.op == "update":
                links.update(
                    {
                        k: entry.payload[k]
                        for k in ("parent_id", "dependencies")
                        if k in entry.payload
                    }
                )
            elif entry.op == "dependencies":
                links["dependencies"] = _apply(links.get("dependencies") or [], entry.payload)
        return ticket.model_copy(update={**links, "pending": True})


def _apply(dependencies: builtins.list[str], delta: dict[str, Any]) -> builtins.list[str]:
    """``dependencies`` with a queued delta (``add``, ``remove``) applied."""
    remove = set(delta.get("remove") or [])
    kept = [d for d in dependencies if d not in remove]
    return kept + [d for d in delta.get("add") or [] if d not in kept and d not in remove]
