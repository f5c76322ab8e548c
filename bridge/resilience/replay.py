"""The replayer: sends the outbox to the tracker in order, exactly once.

Local ids are mapped to tracker ids in parents, dependencies and metadata as their creates
land; the local id keeps resolving. An entry is marked *sending* before it goes out, so a
replay killed half-way looks the ambiguous entry up instead of sending it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import JsonValue

from bridge.errors import BridgeError, TransientError
from bridge.models import TicketChanges, TicketDraft
from bridge.outbox import Entry, Outbox
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


def map_ids(value: JsonValue, idmap: dict[str, str]) -> JsonValue:
    """``value`` with every string that is a local id replaced by its tracker id."""
    if isinstance(value, str):
        return idmap.get(value, value)
    if isinstance(value, list):
        return [map_ids(v, idmap) for v in value]
    if isinstance(value, dict):
        return {k: map_ids(v, idmap) for k, v in value.items()}
    return value


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
        return TicketChanges(**mapped)

    def replay(self, *, attempts: int | None = None) -> ReplayReport:
        """Send the outbox in order, exactly once; stop at the first entry that fails."""
        report = ReplayReport()
        remote = self.remote if attempts is None else self.remote.with_attempts(attempts)
        try:
            for entry in self.outbox.entries():
                try:
                    self._replay_one(remote, entry, report)
                except BridgeError as exc:
                    report.stopped_at = entry.seq
                    report.error = str(exc)
                    if not isinstance(exc, TransientError):
                        self.outbox.mark_failed(entry.seq, str(exc))
                    break
                report.sent += 1
        finally:
            report.remaining = len(self.outbox)
        return report

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
            changes = self.resolve_changes(TicketChanges.model_validate(entry.payload))
            self.outbox.remember(remote.update(target, changes))
        elif entry.op == "comment":
            body, author = str(entry.payload["body"]), str(entry.payload["author"])
            exists = ambiguous and remote.call(lambda: remote.find_comment(target, body, author))
            if not exists:
                remote.call(lambda: remote.inner.add_comment(target, body, author))
        self.outbox.complete(entry.seq)
