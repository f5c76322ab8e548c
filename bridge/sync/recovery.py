"""After a killed run: settle the writes it began, linking what landed and forgetting the rest.

Every write to the other side is preceded by an intent in the sync state (see
:mod:`bridge.sync.state`); the link recorded after the write clears it. An intent still there
at the start of a run is a write that may or may not have landed: a ticket is looked up by its
idempotency key, a comment by its author and text among the comments not linked yet.
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
        local = self.local.get_ticket(intent.ticket)
        self.writer.record(Link(intent.ticket, found.id, snapshot(local), convert.stamp(found)))
        return True

    def _comment(self, intent: CommentIntent) -> bool:
        pushed = intent.direction == "push"
        side = self.remote if pushed else self.local
        linked = self.state.comment_ids()[1 if pushed else 0]
        for comment in side.list_comments(intent.ticket):
            same = (comment.author, comment.body) == (intent.author, intent.body)
            if same and comment.id not in linked:
                local_cid, remote_cid = (
                    (intent.comment, comment.id) if pushed else (comment.id, intent.comment)
                )
                self.writer.record(CommentLink(local_cid, remote_cid, intent.ticket))
                return True
        return False
