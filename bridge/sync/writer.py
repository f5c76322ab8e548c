"""Where a sync's writes go: to both sides and the sync state, or only into the plan.

The :class:`~bridge.sync.engine.Syncer` picks one writer when it is built and sends every
write through it: the ticket and comment writes to either side, the crash intents and links
that record them, the conflicts and the cursor. A :class:`LiveWriter` does all of that; a
:class:`DryRunWriter` only lists the writes in ``report.plan`` and records nothing, so a dry
run leaves both sides and the sync state as it found them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TypeVar

from bridge.sync.merge import FieldConflict
from bridge.sync.report import SyncReport
from bridge.sync.state import CommentLink, Intent, Link, SyncState

__all__ = ["DryRunWriter", "LiveWriter", "Record", "Writer"]

T = TypeVar("T")
Record = Link | CommentLink
"""What a write leaves to remember: the ticket or comment pair it made or moved on."""


class Writer(ABC):
    """Performs (or only plans) a sync's writes; counts them and lists them in the plan."""

    def __init__(self, report: SyncReport) -> None:
        self.report = report
        self.writes = 0  # the writes done (or planned) so far in this run

    def _plan(self, what: str) -> None:
        self.report.plan.append(what)
        self.writes += 1

    @abstractmethod
    def write(
        self,
        what: str,
        action: Callable[[], T],
        *,
        intent: Intent | None = None,
        link: Callable[[T], Record] | None = None,
    ) -> None:
        """Write ``what`` by calling ``action``: first ``intent`` is recorded, so that a run
        killed half-way can tell whether the write landed; then the ``link`` made from what
        ``action`` returned. Errors from ``action`` propagate (the intent stays)."""

    @abstractmethod
    def record(self, link: Record) -> None:
        """Remember a ticket or comment pair (and clear the intents that made it)."""

    @abstractmethod
    def forget(self, intent: Intent) -> None:
        """Drop an intent whose write did not land."""

    @abstractmethod
    def record_conflict(
        self, local_id: str, remote_id: str, conflict: FieldConflict, policy: str
    ) -> None:
        """Remember a field both sides changed, and which value was kept."""

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None:
        """Move the cursor, validators or local mark on."""

    @abstractmethod
    def follow_up(self, step: Callable[[], None]) -> None:
        """Run ``step``, a part of the run that builds on what was recorded: settling a
        killed run's intents, fetching the tickets new links point to, reading back the
        run's own writes to move the cursor past them."""


class LiveWriter(Writer):
    """Writes to both sides and records every write in the sync state."""

    def __init__(self, state: SyncState, report: SyncReport) -> None:
        super().__init__(report)
        self.state = state

    def write(
        self,
        what: str,
        action: Callable[[], T],
        *,
        intent: Intent | None = None,
        link: Callable[[T], Record] | None = None,
    ) -> None:
        if intent is not None:
            self.state.begin(intent)
        self._plan(what)
        made = action()
        if link is not None:
            self.record(link(made))

    def record(self, link: Record) -> None:
        if isinstance(link, Link):
            self.state.put_link(link.local_id, link.remote_id, link.base, link.remote_updated)
        else:
            self.state.put_comment_link(link.local_id, link.remote_id, link.ticket)

    def forget(self, intent: Intent) -> None:
        self.state.drop_intent(intent)

    def record_conflict(
        self, local_id: str, remote_id: str, conflict: FieldConflict, policy: str
    ) -> None:
        self.state.record_conflict(local_id, remote_id, conflict, policy)

    def set_meta(self, key: str, value: str) -> None:
        self.state.set_meta(key, value)

    def follow_up(self, step: Callable[[], None]) -> None:
        step()


class DryRunWriter(Writer):
    """Lists the writes a run would make and makes none; it has no sync state to write to.

    Follow-up steps are skipped: they would read back links and intents that a dry run
    never recorded (and so plan the same writes twice).
    """

    def write(
        self,
        what: str,
        action: Callable[[], T],
        *,
        intent: Intent | None = None,
        link: Callable[[T], Record] | None = None,
    ) -> None:
        self._plan(what)

    def record(self, link: Record) -> None:
        pass

    def forget(self, intent: Intent) -> None:
        pass

    def record_conflict(
        self, local_id: str, remote_id: str, conflict: FieldConflict, policy: str
    ) -> None:
        pass

    def set_meta(self, key: str, value: str) -> None:
        pass

    def follow_up(self, step: Callable[[], None]) -> None:
        pass
