"""The index trusts the sealed directory mtime, and still notices every change by hand."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from adapters.local_json._files import Folder


def _write_by_hand(path: Path, ticket: dict[str, object], *, rename: bool) -> None:
    data = json.dumps(ticket, indent=2)
    if rename:  # as git and most editors do: a new file renamed over the old
        tmp = path.with_name("edit.tmp")
        tmp.write_text(data)
        tmp.replace(path)
    else:  # an edit in place: the directory does not change
        path.write_text(data)


def _doc(service: LocalJsonService, ticket_id: str) -> dict[str, object]:
    path = service.root / "tickets" / f"{ticket_id}.json"
    doc: dict[str, object] = json.loads(path.read_text())
    return doc


def test_nothing_changed_means_no_file_is_statted(
    populated: tuple[LocalJsonService, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new process lists from the index: no scan of tickets/, only the page's own files."""
    service, ids = populated
    service.list_tickets()
    scanned: list[str] = []
    original = Folder.scan
    monkeypatch.setattr(Folder, "scan", lambda self, s: scanned.append(s) or original(self, s))
    assert [t.id for t in LocalJsonService(service.root).list_tickets()] == ids
    assert scanned == []


@pytest.mark.parametrize("rename", [True, False])
def test_an_edit_by_hand_is_seen_by_a_new_process(
    populated: tuple[LocalJsonService, list[str]], rename: bool
) -> None:
    service, ids = populated
    doc = _doc(service, ids[2])
    doc["title"] = "edited by hand"
    _write_by_hand(service.root / "tickets" / f"{ids[2]}.json", doc, rename=rename)
    fresh = LocalJsonService(service.root)
    assert [t.title for t in fresh.list_tickets() if t.id == ids[2]] == ["edited by hand"]
    assert fresh.get_ticket(ids[2]).title == "edited by hand"


def test_a_filter_sees_a_status_changed_by_git(
    populated: tuple[LocalJsonService, list[str]],
) -> None:
    """A file replaced (as ``git pull`` does) with another status: the filter for the new
    status finds it, the one for the old does not."""
    service, ids = populated
    service.list_tickets()
    doc = _doc(service, ids[3])
    doc["status"] = "blocked"
    _write_by_hand(service.root / "tickets" / f"{ids[3]}.json", doc, rename=True)
    fresh = LocalJsonService(service.root)
    assert [t.id for t in fresh.list_tickets(status="blocked")] == [ids[3]]
    assert ids[3] not in [t.id for t in fresh.list_tickets(status="open")]


def test_files_added_and_removed_by_hand(populated: tuple[LocalJsonService, list[str]]) -> None:
    service, ids = populated
    service.list_tickets()
    added = service.root / "tickets" / "HAND-1.json"
    added.write_text(json.dumps({"id": "HAND-1", "title": "by hand", "status": "blocked"}))
    (service.root / "tickets" / f"{ids[0]}.json").unlink()
    fresh = LocalJsonService(service.root)
    assert [t.id for t in fresh.list_tickets()] == [*ids[1:], "HAND-1"]
    assert [t.id for t in fresh.list_tickets(status="blocked")] == ["HAND-1"]
    assert [t.id for t in service.list_tickets()] == [*ids[1:], "HAND-1"]


def test_a_change_right_after_a_write_is_seen(
    populated: tuple[LocalJsonService, list[str]],
) -> None:
    """In the same clock tick as the store's own write: the seal makes it show."""
    service, ids = populated
    ticket = service.create_ticket("ours")
    (service.root / "tickets" / "HAND-2.json").write_text('{"id": "HAND-2", "title": "t"}')
    assert [t.id for t in LocalJsonService(service.root).list_tickets()] == [
        *ids,
        ticket.id,
        "HAND-2",
    ]


def test_a_directory_that_cannot_be_sealed_is_compared_by_names(
    populated: tuple[LocalJsonService, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the mtime cannot be set (someone else's directory), a new process compares the
    names on disk with the index's: a file added in the last tick still shows."""
    service, _ = populated

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("not the owner")

    monkeypatch.setattr(os, "utime", refuse)
    ticket = service.create_ticket("unsealed")
    monkeypatch.undo()
    tickets = service.root / "tickets"
    mtime = tickets.stat()
    (tickets / "HAND-3.json").write_text('{"id": "HAND-3", "title": "t"}')
    os.utime(tickets, ns=(mtime.st_atime_ns, mtime.st_mtime_ns))  # as if in the same tick
    fresh = LocalJsonService(service.root)
    assert [t.id for t in fresh.list_tickets()][-2:] == [ticket.id, "HAND-3"]


def test_a_writer_killed_before_its_index_transaction(
    populated: tuple[LocalJsonService, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is written, the index never hears of it: the next process finds it, and a
    retry with the same idempotency key does not create a second ticket."""
    service, ids = populated

    def die(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    store = service.adapter._store
    monkeypatch.setattr(store.journal or store.index, "append" if store.journal else "put", die)
    with pytest.raises(KeyboardInterrupt):
        service.create_ticket("half done", idempotency_key="k-1")
    monkeypatch.undo()
    fresh = LocalJsonService(service.root)
    again = fresh.create_ticket("half done", idempotency_key="k-1")
    listed = [t.id for t in fresh.list_tickets()]
    assert listed == [*ids, again.id]


def test_a_torn_journal_line_makes_the_index_compare_every_file(
    populated: tuple[LocalJsonService, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    """A journal cut short (power lost mid-append): what it holds whole is applied, and every
    file is compared with the disk, so nothing is lost."""
    service, ids = populated
    service.list_tickets()
    extra = [service.create_ticket(f"journalled {i}").id for i in range(3)]
    journal = service.root / "index.sqlite3.log"
    raw = journal.read_bytes()
    journal.write_bytes(raw[: len(raw) - 40])
    with caplog.at_level("WARNING"):
        listed = [t.id for t in LocalJsonService(service.root).list_tickets()]
    assert listed == [*ids, *extra]
    assert "torn" in caplog.text


def test_a_journal_applied_twice_changes_nothing(
    populated: tuple[LocalJsonService, list[str]],
) -> None:
    """Killed between the index's commit and emptying the journal: applied again, a line
    whose file changed since is read from the file, not taken."""
    service, ids = populated
    service.list_tickets()
    service.update_ticket(ids[0], title="first")
    journal = service.root / "index.sqlite3.log"
    kept = journal.read_bytes()
    service.list_tickets()  # applies and empties it
    service.update_ticket(ids[0], title="second")
    service.list_tickets()
    journal.write_bytes(kept)  # the old line again, as if never emptied
    fresh = LocalJsonService(service.root)
    assert [t.title for t in fresh.list_tickets() if t.id == ids[0]] == ["second"]
