"""After a killed run: settle the writes it began, linking what landed and forgetting the rest.

Every write to the other side is preceded by an intent in the sync state (see
:mod:`bridge.sync.state`); the link recorded after the write clears it. An intent still there
at the start of a run is a write that may or may not have landed: a ticket is looked up by its
idempotency key, a comment by the idempotency key it was posted with (``sync:<comment id>``).
"""

from __future__ import annotations

from bridge.service import TicketingService
from bridge.sync import convert
from bridge.sync.merge import snapshot
from bridge.sync.state import CommentIntent, CommentLink, Link, PushIntent, SyncState
from bridge.sync.writer import Writer

__all__ = ["Recovery"]


class Recovery:
    """Settles the intents in ``state``, recording through ``writer``."""

    def __init__(
        self,
        local: TicketingService,
        remote: TicketingService,
        state: SyncState,
        writer: Writer,
    ) -> None:
        self.local, self.remote, self.state, self.writer = local, remote, state, writer

    def run(self) -> None:
        for intent in self.state.intents():
            if isinstance(intent, PushIntent):
                landed = self._ticket(intent)
            elif isinstance(intent, CommentIntent):
                landed = self._comment(intent)
            else:
                landed = False  # a kind this version does not begin
            if not landed:
                self.writer.forget(intent)

    def _ticket(self, intent: PushIntent) -> bool:
        found = self.remote.find_by_idempotency_key(intent.idempotency_key)
        if found is None:
            return False
        # The base is what the tracker holds, not what was meant to be sent: a run killed
        # between the create and its links left the links out, and the merge must see the
        # local side as the one that has them, to push them now.
        base = snapshot(found, self._to_local)
        self.writer.record(Link(intent.ticket, found.id, base, convert.stamp(found)))
        return True

    def _to_local(self, remote_id: str) -> str | None:
        link = self.state.by_remote(remote_id)
        return None if link is None else link.local_id

    def _comment(self, intent: CommentIntent) -> bool:
        pushed = intent.direction == "push"
        side = self.remote if pushed else self.local
        linked = self.state.comment_ids()[1 if pushed else 0]
        key = f"sync:{intent.comment}"
        for comment in side.list_comments(intent.ticket):
            if comment.key == key and comment.id not in linked:
                local_cid, remote_cid = (
                    (intent.comment, comment.id) if pushed else (comment.id, intent.comment)
                )
                self.writer.record(CommentLink(local_cid, remote_cid, intent.ticket))
                return True
        return False
