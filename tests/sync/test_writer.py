"""The sync's writers, its typed intents and conflicts, without a tracker fake.

The "tracker" here is a second local store: enough for the engine, which uses only the
public ticketing API.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.models import Ticket
from bridge.sync import Syncer
from bridge.sync.merge import FieldConflict, merge
from bridge.sync.report import SyncReport
from bridge.sync.state import (
    CommentIntent,
    CommentLink,
    Link,
    PushIntent,
    SyncState,
    UnknownIntent,
)
from bridge.sync.writer import DryRunWriter, LiveWriter

BASE = {"title": "a", "priority": "low"}
CONFLICT = FieldConflict("priority", "high", "critical", "low", "local")


@pytest.fixture
def state(tmp_path: Path) -> Iterator[SyncState]:
    made = SyncState(tmp_path / "sync.sqlite3", "scope")
    yield made
    made.close()


def _empty(state: SyncState) -> bool:
    return (
        not state.links()
        and not state.intents()
        and not state.conflicts()
        and state.comment_ids() == (set(), set())
        and state.get_meta("since") is None
    )


# ------------------------------------------------------------ the dry-run writer


def test_dry_run_writer_plans_and_performs_nothing(state: SyncState) -> None:
    report = SyncReport(tracker="t", dry_run=True)
    writer = DryRunWriter(report)
    called: list[str] = []

    def action() -> Ticket:
        called.append("write")
        raise AssertionError("a dry run performed a write")

    writer.write(
        "create X",
        action,
        intent=PushIntent("L-1", "sync:L-1"),
        link=lambda made: Link("L-1", made.id, BASE, None),
    )
    writer.record(Link("L-2", "R-2", BASE, None))
    writer.record(CommentLink("c1", "c2", "L-2"))
    writer.record_conflict("L-2", "R-2", CONFLICT, "newer")
    writer.forget(PushIntent("L-3", "sync:L-3"))
    writer.set_meta("since", "2024-01-01T00:00:00+00:00")
    writer.follow_up(lambda: called.append("follow-up"))
    assert called == []
    assert report.plan == ["create X"]
    assert writer.writes == 1
    assert _empty(state)


# ------------------------------------------------------------ the live writer


def test_live_writer_records_the_intent_before_the_write(state: SyncState) -> None:
    report = SyncReport(tracker="t")
    writer = LiveWriter(state, report)
    intent = PushIntent("L-1", "sync:L-1")
    seen: list[object] = []

    def action() -> str:
        seen.append(state.intents())
        seen.append(state.by_local("L-1"))
        return "R-1"

    writer.write("create L-1", action, intent=intent, link=lambda rid: Link("L-1", rid, BASE, "t"))
    assert seen == [[intent], None]
    assert state.by_local("L-1") == Link("L-1", "R-1", BASE, "t")
    assert state.intents() == []  # the link clears the intent that made it
    assert report.plan == ["create L-1"]
    assert writer.writes == 1


def test_live_writer_keeps_the_intent_when_the_write_fails(state: SyncState) -> None:
    report = SyncReport(tracker="t")
    writer = LiveWriter(state, report)
    intent = CommentIntent("push", "c1", "R-1", "alice", "hi")

    def action() -> str:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        writer.write("add c1", action, intent=intent, link=lambda cid: CommentLink("c1", cid, "R"))
    assert state.intents() == [intent]
    assert state.comment_ids() == (set(), set())
    assert report.plan == ["add c1"]
    writer.forget(intent)
    assert state.intents() == []


def test_live_writer_records_links_conflicts_meta_and_runs_follow_ups(state: SyncState) -> None:
    writer = LiveWriter(state, SyncReport(tracker="t"))
    state.begin(CommentIntent("pull", "rc", "L-1", "bob", "yo"))
    writer.record(CommentLink("lc", "rc", "L-1"))
    assert state.comment_ids() == ({"lc"}, {"rc"})
    assert state.intents() == []
    writer.record_conflict("L-1", "R-1", CONFLICT, "newer")
    [recorded] = state.conflicts()
    assert (recorded.field, recorded.local_value, recorded.remote_value) == (
        "priority",
        "high",
        "critical",
    )
    assert (recorded.base_value, recorded.kept, recorded.policy) == ("low", "local", "newer")
    writer.set_meta("since", "x")
    assert state.get_meta("since") == "x"
    ran: list[int] = []
    writer.follow_up(lambda: ran.append(1))
    assert ran == [1]


# ------------------------------------------------------------ intents and conflicts


def test_intents_round_trip_in_the_stored_format(state: SyncState) -> None:
    push = PushIntent("L-1", "sync:L-1")
    pushed = CommentIntent("push", "lc", "R-1", "alice", "hi")
    pulled = CommentIntent("pull", "rc", "L-1", "bob", "yo")
    for intent in (push, pushed, pulled):
        state.begin(intent)
    assert sorted(state.intents(), key=repr) == sorted([push, pushed, pulled], key=repr)
    db = sqlite3.connect(state.path, isolation_level=None)
    try:
        rows = sorted(db.execute("SELECT kind, key, payload FROM intents").fetchall())
        assert [(k, key, json.loads(p)) for k, key, p in rows] == [
            ("pull-comment", "rc", {"ticket": "L-1", "author": "bob", "body": "yo"}),
            ("push", "L-1", {"key": "sync:L-1"}),
            ("push-comment", "lc", {"ticket": "R-1", "author": "alice", "body": "hi"}),
        ]
        db.execute("INSERT INTO intents VALUES ('pull', 'R-9', '{}')")
    finally:
        db.close()
    unknown = UnknownIntent("pull", "R-9", {})
    assert unknown in state.intents()
    state.drop_intent(unknown)
    assert len(state.intents()) == 3


def test_merge_returns_named_conflicts() -> None:
    base = {"priority": "low", "title": "a"}
    result = merge(
        base,
        {"priority": "high", "title": "a"},
        {"priority": "critical", "title": "b"},
        policy="newer",
        local_is_newer=False,
    )
    assert result.conflicts == [FieldConflict("priority", "high", "critical", "low", "remote")]
    assert result.to_local == {"priority": "critical", "title": "b"}


# ------------------------------------------------------------ the engine with each writer


@pytest.fixture
def sides(tmp_path: Path) -> Iterator[tuple[LocalJsonService, LocalJsonService]]:
    local = LocalJsonService(tmp_path / "local", id_prefix="L")
    remote = LocalJsonService(tmp_path / "remote", id_prefix="R")
    yield local, remote
    local.close()
    remote.close()


def _seed(local: LocalJsonService, remote: LocalJsonService) -> None:
    mine = local.create_ticket("here")
    local.add_comment(mine.id, "note here", author="agent")
    theirs = remote.create_ticket("there")
    remote.add_comment(theirs.id, "note there", author="alice")


def test_dry_run_sync_writes_nothing_anywhere(
    sides: tuple[LocalJsonService, LocalJsonService], state: SyncState
) -> None:
    local, remote = sides
    _seed(local, remote)
    state.begin(PushIntent("L-gone", "sync:L-gone"))  # a dry run does not settle it
    syncer = Syncer(local, remote, state, name="other", dry_run=True)
    assert isinstance(syncer.writer, DryRunWriter)
    report = syncer.run()
    assert report.dry_run
    assert len(report.plan) == 2
    assert (len(report.created_local), len(report.created_remote)) == (1, 1)
    assert [t.title for t in local.iter_tickets()] == ["here"]
    assert [t.title for t in remote.iter_tickets()] == ["there"]
    assert not state.links()
    assert state.intents() == [PushIntent("L-gone", "sync:L-gone")]
    assert state.get_meta("since") is None
    assert state.get_meta("local_mark") is None


def test_live_sync_links_both_sides_then_is_quiet(
    sides: tuple[LocalJsonService, LocalJsonService], state: SyncState
) -> None:
    local, remote = sides
    _seed(local, remote)
    state.begin(PushIntent("L-gone", "sync:L-gone"))  # never landed: forgotten
    syncer = Syncer(local, remote, state, name="other")
    assert isinstance(syncer.writer, LiveWriter)
    report = syncer.run()
    assert (len(report.created_local), len(report.created_remote)) == (1, 1)
    assert sorted(t.title for t in local.iter_tickets()) == ["here", "there"]
    assert sorted(t.title for t in remote.iter_tickets()) == ["here", "there"]
    assert len(state.links()) == 2
    assert state.intents() == []
    for side in (local, remote):
        notes = [c.body for t in side.iter_tickets() for c in side.list_comments(t.id)]
        assert sorted(notes) == ["note here", "note there"]
    assert state.get_meta("since") is not None
    again = Syncer(local, remote, state, name="other").run()
    assert again.plan == []
