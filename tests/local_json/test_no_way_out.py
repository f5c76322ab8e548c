"""No write leaves the store: links and shared files are never followed or written through.

One test per write path (ticket, comment, spare, temporary file, index, lock, .gitignore):
whatever sits at the path, the file outside keeps its bytes and the store goes on working.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.errors import CorruptDataError, PermanentError

OUTSIDE = b"precious, outside the store\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside.txt"
    path.write_bytes(OUTSIDE)
    return path


def _ids(service: LocalJsonService) -> list[str]:
    return [t.id for t in service.iter_tickets()]


def test_a_linked_ticket_file_is_skipped_and_never_written(
    populated: tuple[LocalJsonService, list[str]], outside: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The reported escape: update the link, then another ticket; the outside file holds
    neither, the link is named as a problem, everything else works."""
    service, ids = populated
    evil = service.root / "tickets" / "EVIL-2.json"
    evil.symlink_to(outside)
    fresh = LocalJsonService(service.root)
    with caplog.at_level(logging.WARNING):
        page = fresh.list_tickets()
    assert [t.id for t in page] == ids
    assert any("EVIL-2.json" in p and "symbolic link" in p for p in page.problems)
    assert "EVIL-2.json" in caplog.text
    with pytest.raises(CorruptDataError, match="symbolic link") as info:
        fresh.update_ticket("EVIL-2", title="pwned")
    assert info.value.path == str(evil)
    for i in range(3):
        fresh.update_ticket(ids[1], title=f"T3 v{i}")
    assert outside.read_bytes() == OUTSIDE
    assert evil.is_symlink()
    with pytest.raises(CorruptDataError, match="symbolic link"):
        fresh.get_ticket("EVIL-2")


def test_a_linked_comments_file_is_refused(
    populated: tuple[LocalJsonService, list[str]], outside: Path
) -> None:
    service, ids = populated
    link = service.root / "comments" / f"{ids[1]}.json"
    link.symlink_to(outside)
    with pytest.raises(CorruptDataError, match="symbolic link"):
        service.add_comment(ids[1], "through the link?")
    with pytest.raises(CorruptDataError, match="symbolic link"):
        service.list_comments(ids[1])
    service.add_comment(ids[0], "elsewhere works")
    assert outside.read_bytes() == OUTSIDE
    assert _ids(service) == ids


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_a_planted_spare_is_replaced_not_written_through(
    populated: tuple[LocalJsonService, list[str]],
    outside: Path,
    kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service, ids = populated
    spare = service.root / "tickets" / ".spare"
    spare.unlink(missing_ok=True)
    if kind == "symlink":
        spare.symlink_to(outside)
    else:
        os.link(outside, spare)
    with caplog.at_level(logging.WARNING):
        service.update_ticket(ids[2], title="updated")
        service.update_ticket(ids[3], title="updated too")
    assert outside.read_bytes() == OUTSIDE
    assert ".spare" in caplog.text
    assert service.get_ticket(ids[2]).title == "updated"
    assert not spare.is_symlink()


def test_a_hard_linked_ticket_file_never_reaches_the_other_name(
    populated: tuple[LocalJsonService, list[str]], tmp_path: Path
) -> None:
    """Replacing a ticket file with two names swaps the name, and the old inode (still the
    other name's) is never used as the spare."""
    service, ids = populated
    other = tmp_path / "other.json"
    path = service.root / "tickets" / f"{ids[0]}.json"
    os.link(path, other)
    before = other.read_bytes()
    for i in range(3):
        service.update_ticket(ids[0], title=f"v{i}")
        service.update_ticket(ids[1], title=f"w{i}")
    assert other.read_bytes() == before


def test_a_planted_temporary_file_is_replaced(
    populated: tuple[LocalJsonService, list[str]],
    outside: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A link where a new ticket's or a new comments file's temporary file goes."""
    service, ids = populated
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr("adapters.local_json._adapter.utcnow", lambda: when)
    (service.root / "tickets" / ".tmp-CLAUDE-20300102030405.json").symlink_to(outside)
    (service.root / "comments" / f".tmp-{ids[3]}.json").symlink_to(outside)
    created = service.create_ticket("at a known second")
    assert created.id == "CLAUDE-20300102030405"
    service.add_comment(ids[3], "first comment")
    assert outside.read_bytes() == OUTSIDE
    assert [c.body for c in service.list_comments(ids[3])] == ["first comment"]
    assert _ids(service) == [*ids, created.id]


@pytest.mark.parametrize("name", ["index.sqlite3", "index.sqlite3-wal", "index.sqlite3-shm"])
def test_a_linked_index_is_not_used(
    populated: tuple[LocalJsonService, list[str]],
    outside: Path,
    name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service, ids = populated
    service.close()
    for suffix in ("", "-wal", "-shm"):
        (service.root / f"index.sqlite3{suffix}").unlink(missing_ok=True)
    (service.root / name).symlink_to(outside)
    with caplog.at_level(logging.WARNING):
        fresh = LocalJsonService(service.root)
    assert name in caplog.text
    fresh.create_ticket("new")
    assert len(_ids(fresh)) == len(ids) + 1
    assert outside.read_bytes() == OUTSIDE


@pytest.mark.parametrize("kind", ["symlink", "dangling"])
def test_a_linked_lock_leaves_the_store_readable_only(
    populated: tuple[LocalJsonService, list[str]], outside: Path, kind: str
) -> None:
    service, ids = populated
    service.close()
    lock = service.root / ".lock"
    lock.unlink()
    lock.symlink_to(outside if kind == "symlink" else service.root / "nowhere")
    fresh = LocalJsonService(service.root)
    assert _ids(fresh) == ids
    with pytest.raises(PermanentError, match=r"\.lock is a symbolic link"):
        fresh.create_ticket("refused")
    assert outside.read_bytes() == OUTSIDE
    assert not (service.root / "nowhere").exists()


def test_a_linked_gitignore_is_left_alone(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (root / ".gitignore").symlink_to(outside)
    LocalJsonService(root).create_ticket("x")
    assert outside.read_bytes() == OUTSIDE


@pytest.mark.parametrize("name", ["tickets", "comments"])
def test_a_linked_directory_is_refused(tmp_path: Path, name: str) -> None:
    """tickets/ or comments/ pointing elsewhere: named, never followed."""
    root = tmp_path / "store"
    root.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / name).symlink_to(elsewhere)
    if name == "tickets":
        with pytest.raises(CorruptDataError, match="tickets is a symbolic link"):
            LocalJsonService(root)
    else:
        service = LocalJsonService(root)
        ticket = service.create_ticket("lists and reads still work")
        assert _ids(service) == [ticket.id]
        with pytest.raises(CorruptDataError, match="comments is a symbolic link"):
            service.add_comment(ticket.id, "no")
    assert list(elsewhere.iterdir()) == []


def test_a_linked_journal_is_not_used(
    populated: tuple[LocalJsonService, list[str]],
    outside: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The index's journal is one more write path: a link there is named and skipped, and
    the index is written directly."""
    service, ids = populated
    service.list_tickets()
    service.close()
    journal = service.root / "index.sqlite3.log"
    journal.unlink()
    journal.symlink_to(outside)
    with caplog.at_level(logging.WARNING):
        fresh = LocalJsonService(service.root)
        created = fresh.create_ticket("indexed directly")
    assert "index.sqlite3.log" in caplog.text
    assert outside.read_bytes() == OUTSIDE
    assert _ids(LocalJsonService(service.root)) == [*ids, created.id]
