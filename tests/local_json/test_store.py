"""The local store's own promises: safe ids, corrupt files, an index that stays correct."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.cli import main
from bridge.errors import ConflictError, CorruptDataError, InvalidError, NotFoundError


@pytest.fixture
def store(tmp_path: Path) -> LocalJsonService:
    return LocalJsonService(tmp_path / "store")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("bad_id", ["../x", "/etc/passwd", "a/b", "", "x" * 10_000, "..", "a..b"])
def test_bad_ids_touch_nothing(tmp_path: Path, store: LocalJsonService, bad_id: str) -> None:
    """Path-like, empty or huge ids are refused before any file outside the store is touched."""
    ticket = store.create_ticket("Existing")
    before = _snapshot(tmp_path)
    for call in (
        lambda: store.get_ticket(bad_id),
        lambda: store.update_ticket(bad_id, title="x"),
        lambda: store.add_comment(bad_id, "x"),
        lambda: store.list_comments(bad_id),
        lambda: store.link_parent(ticket.id, bad_id),
        lambda: store.create_ticket("y", parent_id=bad_id),
    ):
        with pytest.raises(InvalidError, match="ticket id"):
            call()
    assert _snapshot(tmp_path) == before


def test_corrupt_file_is_named_and_left_alone(
    tmp_path: Path, store: LocalJsonService, capsys: pytest.CaptureFixture[str]
) -> None:
    """list returns the others and names the bad file; show errors; nothing is rewritten."""
    good = [store.create_ticket(f"good {i}").id for i in range(3)]
    bad = store.create_ticket("to be broken").id
    path = store.root / "tickets" / f"{bad}.json"
    path.write_text('{"id": "' + bad + '", "title": ')  # a hand edit gone wrong
    broken = path.read_bytes()

    fresh = LocalJsonService(store.root)
    page = fresh.list_tickets()
    assert [t.id for t in page] == good
    assert len(page.problems) == 1
    assert str(path) in page.problems[0]
    with pytest.raises(CorruptDataError) as info:
        fresh.get_ticket(bad)
    assert info.value.path == str(path)
    with pytest.raises(CorruptDataError):
        fresh.update_ticket(bad, priority="high")
    assert path.read_bytes() == broken

    config = tmp_path / "tb.toml"
    config.write_text(f'[trackers.local]\ntype = "local_json"\npath = "{store.root}"\n')
    assert main(["--config", str(config), "list"]) == 0
    out, err = capsys.readouterr()
    assert all(i in out for i in good)
    assert str(path) in err
    assert main(["--config", str(config), "show", bad]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert path.read_bytes() == broken

    path.write_text(json.dumps({"id": bad, "title": "repaired"}))
    assert [t.title for t in fresh.list_tickets() if t.id == bad] == ["repaired"]


def _create_in_other_process(root: str) -> str:
    return LocalJsonService(root).create_ticket("from elsewhere", assignee="other").id


def test_index_sees_writes_of_other_processes(store: LocalJsonService) -> None:
    """A ticket created by another process shows up in this process's filtered list."""
    assert list(store.list_tickets(assignee="other")) == []
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        other_id = pool.apply(_create_in_other_process, (str(store.root),))
    assert [t.id for t in store.list_tickets(assignee="other")] == [other_id]


def test_index_follows_hand_edits_and_deletions(store: LocalJsonService) -> None:
    """Files edited in place or removed by hand are reflected by the next list."""
    a = store.create_ticket("A", assignee="x")
    b = store.create_ticket("B", assignee="x")
    path = store.root / "tickets" / f"{a.id}.json"
    data = json.loads(path.read_text())
    data["assignee"] = "y"
    data["status"] = "blocked"
    path.write_text(json.dumps(data, indent=2) + "\n      ")  # in place, size changes
    (store.root / "tickets" / f"{b.id}.json").unlink()
    fresh = LocalJsonService(store.root)
    assert [(t.id, t.status) for t in fresh.list_tickets(assignee="y")] == [(a.id, "blocked")]
    assert list(fresh.list_tickets(assignee="x")) == []
    with pytest.raises(NotFoundError):
        fresh.get_ticket(b.id)


def test_index_is_rebuilt_when_deleted(store: LocalJsonService) -> None:
    """The index is a cache: removing it loses nothing."""
    ids = [store.create_ticket(f"t{i}", labels=["k"]).id for i in range(5)]
    store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store.root / 'index.sqlite3'}{suffix}").unlink(missing_ok=True)
    fresh = LocalJsonService(store.root)
    assert [t.id for t in fresh.list_tickets(labels=["k"])] == ids


def test_ids_are_distinct_within_one_second(store: LocalJsonService) -> None:
    """200 tickets created in a burst get 200 distinct ids in the guide's format."""
    ids = [store.create_ticket(f"burst {i}").id for i in range(200)]
    assert len(set(ids)) == 200
    assert all(i.startswith("CLAUDE-2") for i in ids)


def test_parent_cycles_and_dependency_cycles_are_refused(store: LocalJsonService) -> None:
    """No ticket can end up its own ancestor or depend on itself through others."""
    a = store.create_ticket("A")
    b = store.create_ticket("B", parent_id=a.id)
    with pytest.raises(ConflictError):
        store.link_parent(a.id, b.id)
    with pytest.raises(ConflictError):
        store.link_parent(a.id, a.id)
    c = store.create_ticket("C", dependencies=[a.id])
    store.add_dependency(a.id, b.id)
    with pytest.raises(ConflictError):
        store.add_dependency(b.id, c.id)
    with pytest.raises(NotFoundError):
        store.add_dependency(c.id, "CLAUDE-19990101000000")
    assert store.get_ticket(b.id).dependencies == []


def test_store_files_are_readable_json(store: LocalJsonService) -> None:
    """Tickets are pretty JSON, one file each, and the index is git-ignored."""
    ticket = store.create_ticket("Readable", metadata={"é": [1]})
    text = (store.root / "tickets" / f"{ticket.id}.json").read_text(encoding="utf-8")
    assert text.startswith("{\n  ")
    assert "é" in text
    ignored = (store.root / ".gitignore").read_text()
    assert "index.sqlite3" in ignored
    assert os.access(store.root / "tickets", os.W_OK)


def test_idempotency_key_makes_create_idempotent(store: LocalJsonService) -> None:
    """Creating twice with one key returns the first ticket."""
    first = store.create_ticket("Once", idempotency_key="k-1")
    second = store.create_ticket("Once", idempotency_key="k-1")
    assert first.id == second.id
    assert len(list(store.list_tickets())) == 1


def test_a_created_ticket_is_what_model_construct_would_build(store: LocalJsonService) -> None:
    """The adapter's own construction of a new ticket equals pydantic's, field for field."""
    from bridge.models import Ticket

    created = store.create_ticket("t", labels=["a"], metadata={"k": [1]}, assignee="ana")
    rebuilt = Ticket.model_construct(**created.model_dump())
    assert created == rebuilt
    assert created.model_dump_json() == rebuilt.model_dump_json()
    assert list(created.model_dump()) == list(Ticket.model_fields)
    assert created.model_fields_set == rebuilt.model_fields_set
    assert store.get_ticket(created.id) == created
