"""The replayer: sends the outbox to the tracker in order, exactly once.

Local ids are mapped to tracker ids in parents, dependencies and metadata as their creates
land; the local id keeps resolving. An entry is marked *sending* before it goes out, so a
replay killed half-way looks the ambiguous entry up instead of sending it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import JsonValue

from bridge.errors import BridgeError, TransientError
from bridge.lockfile import Busy, ProcessLock
from bridge.models import TicketChanges, TicketDraft
from bridge.outbox import Entry, Outbox, queued_changes
from bridge.resilience.retrying import RetryingAdapter

__all__ = ["ReplayReport", "Replayer", "map_ids"]


@dataclass
class ReplayReport:
    """What a replay sent, and where it stopped if it did."""

    sent: int = 0
    remaining: int = 0
    stopped_at: int | None = None
    error: str | None = None
    mapped: dict[str, str] = field(default_factory=dict)
    dead: list[int] = field(default_factory=list)
    """Entries moved to the dead-letter list by this replay (refused for good, or following
    one that was)."""


def map_ids(value: JsonValue, idmap: dict[str, str]) -> JsonValue:
    """``value`` with every string that is a local id replaced by its tracker id."""
    if isinstance(value, str):
        return idmap.get(value, value)
    if isinstance(value, list):
        return [map_ids(v, idmap) for v in value]
    if isinstance(value, dict):
        return {k: map_ids(v, idmap) for k, v in value.items()}
    return value


@dataclass
class _Blocked:
    """What dead entries hold back: later entries about the same ticket, and entries that
    link to a ticket whose create is dead (it will never exist on the tracker)."""

    tickets: dict[str, int] = field(default_factory=dict)
    never_created: dict[str, int] = field(default_factory=dict)

    def add(self, entry: Entry, cause: int) -> None:
        if entry.ticket_id is None:
            return
        self.tickets.setdefault(entry.ticket_id, cause)
        if entry.op == "create":
            self.never_created.setdefault(entry.ticket_id, cause)

    def cause(self, entry: Entry) -> int | None:
        """The dead entry that ``entry`` must follow, if any."""
        causes = [self.tickets[entry.ticket_id]] if entry.ticket_id in self.tickets else []
        if entry.op in ("create", "update", "dependencies"):
            causes += [self.never_created[t] for t in entry.links() if t in self.never_created]
        return min(causes) if causes else None


class Replayer:
    """Replays ``outbox`` to ``remote`` (a retrying adapter over the tracker)."""

    def __init__(self, remote: RetryingAdapter, outbox: Outbox) -> None:
        self.remote = remote
        self.outbox = outbox

    def resolve(self, ticket_id: str) -> str:
        """The tracker id of ``ticket_id`` (itself when it is not a replayed local id)."""
        return self.outbox.remote_id(ticket_id) or ticket_id

    def resolve_draft(self, draft: TicketDraft) -> TicketDraft:
        """``draft`` with local ids replaced by tracker ids."""
        idmap = self.outbox.idmap()
        if not idmap:
            return draft
        return draft.model_copy(
            update={
                "parent_id": idmap.get(draft.parent_id or "", draft.parent_id),
                "dependencies": [idmap.get(d, d) for d in draft.dependencies],
                "metadata": map_ids(draft.metadata, idmap),
            }
        )

    def resolve_changes(self, changes: TicketChanges) -> TicketChanges:
        """``changes`` with local ids replaced by tracker ids."""
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
            mapped["metadata"] = map_ids(mapped["metadata"], idmap)
        return TicketChanges(**mapped).unless_status(*changes.kept_at)

    def replay(self, *, attempts: int | None = None) -> ReplayReport:
        """Send the outbox in order, exactly once.

        A transient failure stops the replay (the tracker is down: the rest waits). A
        permanent one moves the entry to the dead-letter list, with every later entry that
        depends on it, and the replay goes on with the others.
        """
        report = ReplayReport()
        lock = ProcessLock(
            self.outbox.path.with_name(self.outbox.path.name + ".lock"), what="replay"
        )
        try:
            with lock:
                self._send_all(report, attempts)
        except Busy as exc:  # another process is sending this outbox right now
            report.error = str(exc)
            report.remaining = len(self.outbox)
        return report

    def _send_all(self, report: ReplayReport, attempts: int | None) -> None:
        remote = self.remote if attempts is None else self.remote.with_attempts(attempts)
        blocked = self._dead_tickets()
        entries = self.outbox.entries()
        if any(entry.state == "sending" for entry in entries):
            remote.settle()  # a send cut short may still land: wait before looking it up
        try:
            for entry in entries:
                cause = blocked.cause(entry)
                if cause is not None:
                    self.outbox.mark_dead(
                        entry.seq, f"follows dead entry {cause}", blocked_by=cause
                    )
                    report.dead.append(entry.seq)
                    blocked.add(entry, cause)
                    continue
                try:
                    self._replay_one(remote, entry, report)
                except TransientError as exc:
                    report.stopped_at, report.error = entry.seq, str(exc)
                    break
                except BridgeError as exc:
                    self.outbox.mark_dead(entry.seq, str(exc))
                    report.dead.append(entry.seq)
                    report.error = str(exc)
                    blocked.add(entry, entry.seq)
                    continue
                report.sent += 1
        finally:
            report.remaining = len(self.outbox)

    def _dead_tickets(self) -> _Blocked:
        blocked = _Blocked()
        for entry in self.outbox.entries(dead=True):
            blocked.add(entry, entry.blocked_by or entry.seq)
        return blocked

    def _replay_one(self, remote: RetryingAdapter, entry: Entry, report: ReplayReport) -> None:
        ambiguous = entry.state == "sending"
        self.outbox.mark_sending(entry.seq)
        assert entry.ticket_id is not None
        if entry.op == "create":
            draft = self.resolve_draft(TicketDraft.model_validate(entry.payload))
            found = remote.call(lambda: remote.find_created(draft)) if ambiguous else None
            ticket = found or remote.create(draft)
            self.outbox.remember(ticket)
            self.outbox.complete(entry.seq, mapped=(entry.ticket_id, ticket.id))
            report.mapped[entry.ticket_id] = ticket.id
            return
        target = self.resolve(entry.ticket_id)
        if entry.op == "update":
            changes = self.resolve_changes(queued_changes(entry.payload))
            self.outbox.remember(remote.update(target, changes))
        elif entry.op == "dependencies":
            idmap = self.outbox.idmap()
            add = [idmap.get(d, d) for d in entry.payload.get("add") or []]
            remove = [idmap.get(d, d) for d in entry.payload.get("remove") or []]
            self.outbox.remember(remote.change_dependencies(target, add=add, remove=remove))
        elif entry.op == "comment":
            self._replay_comment(remote, entry, target, ambiguous=ambiguous)
            return
        self.outbox.complete(entry.seq)

    def _replay_comment(
        self, remote: RetryingAdapter, entry: Entry, target: str, *, ambiguous: bool
    ) -> None:
        """Post a queued comment once: one that may have landed is looked up by its key."""
        body, author = str(entry.payload["body"]), str(entry.payload["author"])
        key = entry.payload.get("key") or f"outbox-{entry.seq}"
        found = remote.call(lambda: remote.find_comment(target, key)) if ambiguous else None
        if found is None and ambiguous and "key" not in entry.payload:  # queued before keys
            comments = remote.list_comments(target)
            found = next((c for c in comments if (c.body, c.author) == (body, author)), None)
        posted = found or remote.add_comment(target, body, author, key=key)
        local = entry.payload.get("local_comment")
        mapped = (str(local), posted.id, target) if local else None
        self.outbox.complete(entry.seq, comment=mapped)
