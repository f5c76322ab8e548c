"""The two-way sync of the local store with one tracker.

One run: finish what a killed run left ambiguous; pull what changed on the tracker since the
cursor and merge it field by field; push local edits and creations (parents first) and
comments; read the tracker once more from the new cursor, so that the bridge's own writes
are recognised as echoes and the next run can ask "anything new?" with a conditional request;
then, only then, move the cursor.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from typing import Any

from bridge.errors import NotFoundError
from bridge.feed import ChangeFeed
from bridge.models import Comment, Ticket, utcnow
from bridge.service import TicketingService
from bridge.sync import convert
from bridge.sync.merge import LINK_FIELDS, FieldConflict, Merge, Policy, merge, snapshot
from bridge.sync.recovery import Recovery
from bridge.sync.report import SyncReport
from bridge.sync.state import CommentIntent, CommentLink, Link, PushIntent, SyncState
from bridge.sync.writer import DryRunWriter, LiveWriter, Writer

__all__ = ["PushOutcome", "Syncer"]

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


class PushOutcome(Enum):
    """What became of a local edit sent to the tracker."""

    PUSHED = "pushed"  # written (in a dry run: planned)
    UNRESOLVED = "unresolved"  # it links to a ticket not on the tracker yet: left for later
    GONE = "gone"  # the tracker ticket is no longer there


class Syncer:
    """Syncs ``local`` (a local store) with ``remote`` (a tracker), remembering in ``state``.

    Every write goes through ``writer``, chosen here once: for a dry run a
    :class:`~bridge.sync.writer.DryRunWriter` (nothing is written; the report's plan lists
    what would be), otherwise a :class:`~bridge.sync.writer.LiveWriter`.
    """

    def __init__(
        self,
        local: TicketingService,
        remote: TicketingService,
        state: SyncState,
        *,
        name: str,
        policy: Policy = "newer",
        overlap: timedelta = timedelta(seconds=5),
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.local, self.remote, self.state = local, remote, state
        self.policy, self.overlap = policy, overlap
        self.report = SyncReport(tracker=name, dry_run=dry_run)
        self.writer: Writer = (
            DryRunWriter(self.report) if dry_run else LiveWriter(state, self.report)
        )
        self._progress = progress
        self._done: set[str] = set()  # local ids merged in this run

    # ------------------------------------------------------------ the run

    def run(self, *, pull: bool = True, push: bool = True, full: bool = False) -> SyncReport:
        started = utcnow()
        since = None if full else convert.when(self.state.get_meta("since"))
        validators = {} if full else json.loads(self.state.get_meta("validators") or "{}")
        local_mark = None if full else convert.when(self.state.get_meta("local_mark"))
        self.writer.follow_up(Recovery(self.local, self.remote, self.state, self.writer).run)
        feed = self._pull(since, validators, full=full) if pull else None
        if push:
            self._push(local_mark)
        self.writer.follow_up(partial(self._finish, feed, since, started, pushed=push))
        return self.report

    def _pull(
        self, since: datetime | None, validators: dict[str, str], *, full: bool
    ) -> ChangeFeed:
        feed = self.remote.changes_since(since, validators)
        self.report.not_modified = feed.not_modified
        if not feed.not_modified:
            self._apply(feed)
            if full:
                self._check_missing(feed)
        return feed

    def _finish(
        self, feed: ChangeFeed | None, since: datetime | None, started: datetime, *, pushed: bool
    ) -> None:
        """Move the cursor (past the run's own writes) and the mark of pushed local edits."""
        if feed is not None and (self.writer.writes or not feed.not_modified):
            self._advance(feed, since)
        if pushed:  # local edits are looked at from here on only once they were pushed
            self.writer.set_meta("local_mark", started.isoformat())

    def _advance(self, feed: ChangeFeed, since: datetime | None) -> None:
        """Read once more from the new cursor until nothing new comes; keep its validators."""
        new_since = since if feed.not_modified and since else feed.watermark - self.overlap
        validators = feed.validators
        if validators and (new_since != since or self.writer.writes):
            for _ in range(3):
                before = self.writer.writes
                again = self.remote.changes_since(new_since, {})
                self._apply(again)
                validators = again.validators
                if self.writer.writes == before:
                    break
                new_since = again.watermark - self.overlap
        self.writer.set_meta("since", new_since.isoformat())
        self.writer.set_meta("validators", json.dumps(validators))

    def _tick(self, stage: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(stage, done, total)

    def adopt_comments(self, pairs: dict[str, tuple[str, str]]) -> None:
        """Link comments that the outbox replayed, so that they are not pushed again."""
        linked_local, linked_remote = self.state.comment_ids()
        for local_id, (remote_id, ticket) in pairs.items():
            if local_id not in linked_local and remote_id not in linked_remote:
                self.writer.record(CommentLink(local_id, remote_id, ticket))

    def adopt(self, idmap: dict[str, str]) -> None:
        """Link tickets that the outbox replayed (created here while the tracker was down)."""
        for local_id, remote_id in idmap.items():
            if self.state.by_local(local_id) or self.state.by_remote(remote_id):
                continue
            try:
                ticket = self.local.get_ticket(local_id)
            except NotFoundError:
                continue
            self.writer.record(Link(local_id, remote_id, snapshot(ticket), None))

    # ------------------------------------------------------------ pull

    def _apply(self, feed: ChangeFeed) -> None:
        latest: dict[str, Ticket] = {}
        for ticket in feed.tickets:
            latest.setdefault(ticket.id, ticket)  # newest first: keep the first seen
        tickets = list(latest.values())
        for index, ticket in enumerate(tickets):  # every ticket exists locally before links
            self._ensure_local(ticket)
            self._tick("pull", index + 1, len(tickets))
        self.writer.follow_up(partial(self._import_missing_links, tickets))
        for ticket in tickets:
            self._merge_pulled(ticket)
        self._pull_comments(feed.comments)

    def _ensure_local(self, remote: Ticket) -> None:
        if self.state.by_remote(remote.id) is not None:
            return
        draft = convert.draft(remote, f"sync:{self.remote.sync_scope}:{remote.id}")

        def link(made: Ticket) -> Link:
            base = snapshot(made)
            base.update(parent_id=None, dependencies=[])
            return Link(made.id, remote.id, base, None)

        self.writer.write(
            f"create a local ticket for {remote.id} ({remote.title!r})",
            partial(self.local.create_from_draft, draft),
            link=link,
        )
        self.report.created_local.append(remote.id)

    def _import_missing_links(self, tickets: list[Ticket]) -> None:
        """Bring in a parent or dependency the feed did not carry (it changed long ago)."""
        for remote in tickets:
            wanted = [remote.parent_id, *remote.dependencies]
            for ref in (r for r in wanted if r is not None):
                if self.state.by_remote(ref) is not None:
                    continue
                try:
                    found = self.remote.get_ticket(ref)
                except NotFoundError as exc:
                    self.report.problems.append(f"{remote.id} links to {ref}: {exc}")
                    continue
                self._ensure_local(found)
                self._merge_pulled(found)

    def _to_local(self, remote_id: str) -> str | None:
        link = self.state.by_remote(remote_id)
        return None if link is None else link.local_id

    def _merge_pulled(self, remote: Ticket) -> None:
        link = self.state.by_remote(remote.id)
        if link is None:  # not linked: its creation here was only planned
            return
        if link.local_id in self._done and link.remote_updated == convert.stamp(remote):
            return
        theirs = snapshot(remote, self._to_local)
        try:
            local = self.local.get_ticket(link.local_id)
        except NotFoundError:
            self.report.problems.append(
                f"{link.local_id} (synced with {remote.id}) is no longer in the local store"
            )
            return
        mine = snapshot(local)
        result = merge(
            link.base,
            mine,
            theirs,
            policy=self.policy,
            local_is_newer=local.updated_at > remote.updated_at,
        )
        self._settle(link.local_id, remote.id, result, remote)

    def _settle(self, local_id: str, remote_id: str, result: Merge, remote: Ticket | None) -> None:
        """Write a merge's outcome to both sides and record the new base."""
        self._conflicts(local_id, remote_id, result.conflicts)
        self._update_local(local_id, result.to_local)
        if result.to_remote:
            outcome = self._push_update(local_id, remote_id, result.to_remote, result.merged)
            if outcome is not PushOutcome.PUSHED:
                return
        else:
            stamp = None if remote is None else convert.stamp(remote)
            self.writer.record(Link(local_id, remote_id, result.merged, stamp))
        self._done.add(local_id)

    def _conflicts(self, local_id: str, remote_id: str, conflicts: list[FieldConflict]) -> None:
        for c in conflicts:
            self.report.conflicts.append(
                f"{local_id} / {remote_id} {c.field}: here {c.local!r}, there {c.remote!r}; "
                f"kept {c.kept}"
            )
            self.writer.record_conflict(local_id, remote_id, c, self.policy)

    def _update_local(self, local_id: str, fields: dict[str, Any]) -> None:
        to_local = {k: v for k, v in fields.items() if not convert.unresolved(v)}
        if not to_local:
            return
        self.writer.write(
            f"update {local_id} here: {', '.join(sorted(to_local))}",
            partial(self.local.update_ticket, local_id, **(convert.changes(to_local) or {})),
        )
        self.report.updated_local.append(local_id)
        self.report.linked += sum(1 for k in to_local if k in LINK_FIELDS)

    def _pull_comments(self, comments: list[Comment]) -> None:
        _, linked_remote = self.state.comment_ids()
        for comment in comments:
            link = self.state.by_remote(comment.ticket_id)
            if comment.id in linked_remote or link is None:
                continue  # already here, or on something that is not a synced ticket
            self._pull_comment(comment, link.local_id)

    def _pull_comment(self, comment: Comment, local_id: str) -> None:
        self.writer.write(
            f"add {comment.author}'s comment {comment.id} to {local_id} here",
            partial(
                self.local.add_comment,
                local_id,
                comment.body,
                comment.author,
                idempotency_key=f"sync:{comment.id}",
            ),
            intent=CommentIntent("pull", comment.id, local_id, comment.author, comment.body),
            link=lambda made: CommentLink(made.id, comment.id, local_id),
        )
        self.report.comments_pulled += 1

    def _check_missing(self, feed: ChangeFeed) -> None:
        """After a full read: a synced ticket the tracker no longer lists is looked up."""
        seen = {t.id for t in feed.tickets}
        for link in self.state.links():
            if link.remote_id in seen:
                continue
            try:
                self.remote.get_ticket(link.remote_id)
            except NotFoundError as exc:
                self.report.problems.append(
                    f"{link.local_id}: {exc} (the local ticket is kept as it is)"
                )

    # ------------------------------------------------------------ push

    def _push(self, local_mark: datetime | None) -> None:
        filters: dict[str, Any] = {} if local_mark is None else {"updated_since": local_mark}
        changed = [t for t in self.local.iter_tickets(**filters) if t.id not in self._done]
        to_remote = self._remote_id_of
        new = [t for t in changed if self.state.by_local(t.id) is None]
        for ticket in changed:
            link = self.state.by_local(ticket.id)
            if link is None:
                continue
            mine = snapshot(ticket)
            result = merge(link.base, mine, link.base, policy=self.policy, local_is_newer=True)
            if result.to_remote:
                self._settle(ticket.id, link.remote_id, result, None)
        for index, ticket in enumerate(convert.parents_first(new)):
            self._create_remote(ticket, to_remote)
            self._tick("push", index + 1, len(new))
        for ticket in new:  # dependencies on tickets that were created after them
            link = self.state.by_local(ticket.id)
            if link is not None and link.base["dependencies"] != snapshot(ticket)["dependencies"]:
                result = merge(
                    link.base,
                    snapshot(ticket),
                    link.base,
                    policy=self.policy,
                    local_is_newer=True,
                )
                self._settle(ticket.id, link.remote_id, result, None)
        self._push_comments()

    def _remote_id_of(self, local_id: str) -> str | None:
        link = self.state.by_local(local_id)
        return None if link is None else link.remote_id

    def _push_update(
        self, local_id: str, remote_id: str, fields: dict[str, Any], merged: dict[str, Any]
    ) -> PushOutcome:
        """Send ``fields`` to the tracker; once written, ``merged`` is the pair's new base."""
        changes = convert.changes(fields, self._remote_id_of)
        if changes is None:
            self.report.skipped.append(f"{local_id}: links to a ticket not on the tracker yet")
            return PushOutcome.UNRESOLVED
        try:
            self.writer.write(
                f"update {remote_id} on {self.report.tracker}: {', '.join(sorted(fields))}",
                partial(self.remote.update_ticket, remote_id, **changes),
                link=lambda updated: Link(local_id, remote_id, merged, convert.stamp(updated)),
            )
        except NotFoundError as exc:
            self.report.problems.append(f"{local_id}: {exc} (the local ticket is kept as it is)")
            return PushOutcome.GONE
        self.report.updated_remote.append(remote_id)
        self.report.linked += sum(1 for k in fields if k in LINK_FIELDS)
        return PushOutcome.PUSHED

    def _create_remote(self, ticket: Ticket, to_remote: Callable[[str], str | None]) -> None:
        parent = None if ticket.parent_id is None else to_remote(ticket.parent_id)
        deps = [d for d in (to_remote(x) for x in ticket.dependencies) if d is not None]
        key = f"sync:{ticket.id}"

        def link(made: Ticket) -> Link:
            base = snapshot(ticket)
            if len(deps) < len(ticket.dependencies):  # the rest go out once they exist
                base["dependencies"] = sorted(d for d in ticket.dependencies if to_remote(d))
            return Link(ticket.id, made.id, base, convert.stamp(made))

        self.writer.write(
            f"create {ticket.id} ({ticket.title!r}) on {self.report.tracker}",
            partial(self.remote.create_from_draft, convert.draft(ticket, key, parent, deps)),
            intent=PushIntent(ticket.id, key),
            link=link,
        )
        self.report.created_remote.append(ticket.id)

    def _push_comments(self) -> None:
        linked_local, _ = self.state.comment_ids()
        links = self.state.links()
        for index, link in enumerate(links):
            for comment in self.local.list_comments(link.local_id):
                if comment.id not in linked_local:
                    self._push_comment(comment, link)
            self._tick("comments", index + 1, len(links))

    def _push_comment(self, comment: Comment, link: Link) -> None:
        remote_id = link.remote_id
        try:
            self.writer.write(
                f"add {comment.author}'s comment {comment.id} to {remote_id} on "
                f"{self.report.tracker}",
                partial(
                    self.remote.add_comment,
                    remote_id,
                    comment.body,
                    comment.author,
                    idempotency_key=f"sync:{comment.id}",
                ),
                intent=CommentIntent("push", comment.id, remote_id, comment.author, comment.body),
                link=lambda made: CommentLink(comment.id, made.id, remote_id),
            )
        except NotFoundError as exc:
            self.report.problems.append(f"{link.local_id}: {exc}")
            return
        self.report.comments_pushed += 1
