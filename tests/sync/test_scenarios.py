"""Two-way sync scenarios, each on the GitHub fake and on the Jira fake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.models import Ticket
from tests.sync.rig import TRACKERS, Rig, rig, same_fields

pytestmark = pytest.mark.parametrize("tracker", TRACKERS)


@pytest.fixture
def r(tracker: str, tmp_path: Path) -> Iterator[Rig]:
    with rig(tracker, tmp_path) as made:
        yield made


def _by_title(tickets: list[Ticket]) -> dict[str, Ticket]:
    titles = [t.title for t in tickets]
    assert len(titles) == len(set(titles)), "a title appears twice: a duplicate ticket"
    return {t.title: t for t in tickets}


def _comments(service: object, ticket_id: str) -> list[tuple[str, str]]:
    return sorted((c.author, c.body) for c in service.list_comments(ticket_id))  # type: ignore[attr-defined]


def _seed(remote: object, count: int) -> list[Ticket]:
    """``count`` tickets with every field used, some parents, dependencies and comments."""
    svc = remote
    made: list[Ticket] = []
    priorities = ["low", "medium", "high", "critical"]
    statuses = ["open", "in_progress", "blocked", "resolved", "closed"]
    for i in range(count):
        parent = made[i - 1].id if i % 50 == 1 and made else None
        deps = [made[i - 2].id] if i % 97 == 5 and len(made) > 2 else []
        ticket = svc.create_ticket(  # type: ignore[attr-defined]
            f"Issue {i}",
            f"Description {i}\nwith two lines",
            priority=priorities[i % 4],
            status=statuses[i % 5] if i % 5 != 4 else "open",
            type="bug" if i % 7 == 0 else "task",
            labels=["area-sync"] if i % 3 == 0 else [],
            assignee="qa" if i % 11 == 0 else None,
            parent_id=parent,
            dependencies=deps,
            metadata={"n": i, "nested": {"k": [1, 2]}} if i % 13 == 0 else None,
        )
        if i % 20 == 0:
            svc.add_comment(ticket.id, f"note on {i}", author="alice")  # type: ignore[attr-defined]
        made.append(ticket)
    return made


def test_pull_into_empty_store_then_nothing_then_ten_changes(r: Rig) -> None:
    """1,000 tracker tickets arrive identical (fields, comments, links); a second sync
    writes nothing (GitHub: 304s only); 10 remote edits update exactly those 10 here."""
    seeded = _seed(r.remote, 1000)
    report = r.sync()
    assert len(report.created_local) == 1000
    assert not report.created_remote
    assert not report.problems
    assert not report.conflicts
    pairs = r.pairs()
    assert len(pairs) == 1000
    to_local = r.remote_to_local()
    assert [
        (t.id, same_fields(a, t, to_local)) for a, t in pairs if same_fields(a, t, to_local)
    ] == []
    for ticket in seeded[::20]:
        local_id = to_local[ticket.id]
        assert _comments(r.local, local_id) == _comments(r.remote, ticket.id) != []
    assert sum(1 for a, _ in pairs if a.parent_id) == sum(1 for t in seeded if t.parent_id)
    assert sum(1 for a, _ in pairs if a.dependencies) == sum(1 for t in seeded if t.dependencies)

    before = {t.id: t.updated_at for t in r.local.iter_tickets()}
    r.clear()
    quiet = r.sync()
    assert r.writes() == []
    assert {t.id: t.updated_at for t in r.local.iter_tickets()} == before
    assert not (quiet.updated_local)
    assert not (quiet.created_local)
    assert not (quiet.comments_pulled)
    if r.tracker == "github":
        assert [e.status for e in r.server.log] == [304, 304]
    else:
        assert len(r.server.log) <= 2

    changed = seeded[100:110]
    for ticket in changed:
        r.remote.update_ticket(ticket.id, priority="critical", title=ticket.title + " (edited)")
    report = r.sync()
    assert sorted(report.updated_local) == sorted(to_local[t.id] for t in changed)
    after = {t.id: t.updated_at for t in r.local.iter_tickets()}
    moved = {k for k in after if after[k] != before[k]}
    assert moved == {to_local[t.id] for t in changed}
    assert r.local.get_ticket(to_local[changed[0].id]).title == "Issue 100 (edited)"


def test_local_edits_and_offline_creations_pushed_parents_first(r: Rig) -> None:
    """Offline creations reach the tracker parents first; local edits follow them."""
    existing = r.remote.create_ticket("On the tracker already")
    r.sync()
    to_local = r.remote_to_local()
    epic = r.local.create_ticket("Epic made offline", type="epic")
    story = r.local.create_ticket("Story made offline", parent_id=epic.id)
    dep = r.local.create_ticket("Needed first")
    r.local.update_ticket(story.id, dependencies=[dep.id])
    r.local.add_comment(story.id, "planned offline", author="planner")
    r.local.update_ticket(to_local[existing.id], status="in_progress", priority="high")
    r.clear()
    report = r.sync()
    assert not report.problems, report.problems
    remote = _by_title(list(r.remote.iter_tickets()))
    assert remote["Story made offline"].parent_id == remote["Epic made offline"].id
    assert remote["Story made offline"].dependencies == [remote["Needed first"].id]
    assert remote["On the tracker already"].status == "in_progress"
    assert remote["On the tracker already"].priority == "high"
    assert _comments(r.remote, remote["Story made offline"].id) == [("planner", "planned offline")]
    creates = [
        e for e in r.server.log if e.method == "POST" and e.path.endswith(("/issues", "/issue"))
    ]
    titles = [
        (e.body or {}).get("title") or (e.body or {}).get("fields", {}).get("summary")
        for e in creates
    ]
    assert titles.index("Epic made offline") < titles.index("Story made offline")
    r.clear()
    r.sync()
    assert r.writes() == []


def test_field_level_merge_and_conflicts(r: Rig) -> None:
    """Different fields edited on each side are both kept; the same field goes by the
    policy and is recorded as a conflict."""
    a = r.remote.create_ticket("Merge me", priority="low")
    b = r.remote.create_ticket("Fight over me", priority="low")
    r.sync()
    to_local = r.remote_to_local()
    r.local.update_ticket(to_local[a.id], priority="high")
    r.remote.update_ticket(a.id, status="blocked")
    r.remote.update_ticket(b.id, priority="critical")
    r.local.update_ticket(to_local[b.id], priority="medium")  # the newer edit
    report = r.sync()
    assert len(report.conflicts) == 1
    assert "priority" in report.conflicts[0]
    for side, ids in ((r.local, to_local), (r.remote, {k: k for k in to_local})):
        got_a, got_b = side.get_ticket(ids[a.id]), side.get_ticket(ids[b.id])
        assert (got_a.priority, got_a.status) == ("high", "blocked")
        assert got_b.priority == "medium"
    r.remote.update_ticket(b.id, priority="critical")
    r.local.update_ticket(to_local[b.id], priority="low")
    report = r.sync(policy="remote-wins")
    assert r.local.get_ticket(to_local[b.id]).priority == "critical"
    assert r.remote.get_ticket(b.id).priority == "critical"
    with __import__("bridge.sync", fromlist=["open_sync"]).open_sync(
        r.config, r.tracker, dry_run=True
    ) as session:
        recorded = session.state.conflicts()
    assert [(c.field, c.kept, c.policy) for c in recorded] == [
        ("priority", "local", "newer"),
        ("priority", "remote", "remote-wins"),
    ]


def test_comments_on_both_sides_over_three_round_trips(r: Rig) -> None:
    """Each comment appears exactly once on each side."""
    ticket = r.remote.create_ticket("Talk")
    r.sync()
    local_id = r.remote_to_local()[ticket.id]
    expected = []
    for round_ in range(3):
        r.local.add_comment(local_id, f"local {round_}", author="agent-1")
        r.remote.add_comment(ticket.id, f"remote {round_}", author="alice")
        expected += [("agent-1", f"local {round_}"), ("alice", f"remote {round_}")]
        r.sync()
    assert _comments(r.local, local_id) == sorted(expected)
    assert _comments(r.remote, ticket.id) == sorted(expected)
    r.clear()
    r.sync()
    assert r.writes() == []


def test_deleted_or_moved_remote_ticket_is_reported_and_kept(r: Rig) -> None:
    gone = r.remote.create_ticket("Will be deleted")
    moved = r.remote.create_ticket("Will move away")
    r.sync()
    to_local = r.remote_to_local()
    if r.tracker == "github":
        r.app.delete_issue(int(gone.id))  # type: ignore[attr-defined]
        r.app.transfer_issue(int(moved.id), "elsewhere")  # type: ignore[attr-defined]
    else:
        r.app.issues.pop(gone.id)  # type: ignore[attr-defined]
        r.app.move_issue(moved.id, "OPS")  # type: ignore[attr-defined]
    report = r.sync(full=True)
    text = "\n".join(report.problems)
    assert to_local[gone.id] in text
    assert to_local[moved.id] in text
    assert "transferred" in text or "moved" in text
    r.local.update_ticket(to_local[gone.id], priority="high")
    report = r.sync()
    assert any(to_local[gone.id] in p for p in report.problems)
    assert r.local.get_ticket(to_local[gone.id]).title == "Will be deleted"
    assert r.local.get_ticket(to_local[moved.id]).title == "Will move away"


def test_dry_run_writes_nothing(r: Rig) -> None:
    r.remote.create_ticket("Remote one")
    r.local.create_ticket("Local one")
    r.clear()
    report = r.sync(dry_run=True)
    assert r.writes() == []
    assert [t.title for t in r.local.iter_tickets()] == ["Local one"]
    assert len(report.plan) == 2
    assert report.dry_run
    assert not (r.root / "store" / f"sync-{r.tracker}.sqlite3").exists() or not r.pairs()
    real = r.sync()
    assert len(real.created_local) == len(real.created_remote) == 1
