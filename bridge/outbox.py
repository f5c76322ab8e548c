"""The durable outbox: operations that could not reach the tracker, in order, until replayed.

An entry that the tracker refuses for good (a permanent error) moves to the dead-letter
list with its error, and so does every later entry that depends on it (the same ticket, or a
ticket it links to that was never created); the rest goes on. ``retry`` puts a dead entry
and its followers back in the queue, ``drop`` forgets them.

It lives in one SQLite file beside the fallback store and also holds the id map (local id ->
tracker id) and the last known state of every ticket the bridge has seen, so that an update
made while the tracker is down still returns a usable ticket. Each entry is marked *sending*
(committed) before it goes out, so a replay killed half-way knows which entry is ambiguous.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.models import Status, Ticket, TicketChanges, utcnow

__all__ = ["UNLESS_STATUS", "Entry", "Outbox", "queued_changes"]

UNLESS_STATUS = "unless_status"  # in an update's payload: the statuses it leaves alone


def queued_changes(payload: dict[str, Any]) -> TicketChanges:
    """The changes of a queued update, kept from the tickets it was to leave as they are (a
    close of a ticket that turns out closed already does nothing, on replay as live)."""
    data = dict(payload)
    kept = data.pop(UNLESS_STATUS, None) or []
    return TicketChanges.model_validate(data).unless_status(*(Status(s) for s in kept))


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, ticket_id TEXT,
    payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'queued', error TEXT,
    created_at TEXT NOT NULL, blocked_by INTEGER
);
CREATE TABLE IF NOT EXISTS idmap (local_id TEXT PRIMARY KEY, remote_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS known (ticket_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS comments (
    local_id TEXT PRIMARY KEY, remote_id TEXT NOT NULL, remote_ticket TEXT NOT NULL
);
"""


_COLUMNS = "seq, op, ticket_id, payload, state, error, created_at, blocked_by"
_LIVE = f"SELECT {_COLUMNS} FROM entries WHERE state != 'dead' ORDER BY seq"  # noqa: S608
_ONE = f"SELECT {_COLUMNS} FROM entries WHERE seq = ?"  # noqa: S608
_DEAD = f"SELECT {_COLUMNS} FROM entries WHERE state = 'dead' ORDER BY seq"  # noqa: S608


@dataclass(frozen=True)
class Entry:
    """One queued operation."""

    seq: int
    op: str
    ticket_id: str | None
    payload: dict[str, Any]
    state: str
    error: str | None
    created_at: str
    blocked_by: int | None = None

    @property
    def dead(self) -> bool:
        """True for an entry on the dead-letter list."""
        return self.state == "dead"

    def links(self) -> set[str]:
        """The ticket ids this entry's payload refers to (parent and dependencies)."""
        found = {str(self.payload["parent_id"])} if self.payload.get("parent_id") else set()
        deps = [*(self.payload.get("dependencies") or []), *(self.payload.get("add") or [])]
        return found | {str(d) for d in deps if isinstance(d, str)}


class Outbox:
    """Queued operations, the id map and the last known tickets, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._mutex = threading.RLock()
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(entries)")}
        if "blocked_by" not in columns:  # an outbox written before dead letters existed
            self._db.execute("ALTER TABLE entries ADD COLUMN blocked_by INTEGER")

    def close(self) -> None:
        with self._mutex:
            self._db.close()

    # ------------------------------------------------------------ entries

    def append(
        self, op: str, ticket_id: str | None, payload: dict[str, Any], *, state: str = "queued"
    ) -> int:
        """Queue an operation at the end; returns its sequence number.

        ``state="sending"`` marks it ambiguous from the start (it may already have been
        applied), so replay checks the tracker before sending it.
        """
        with self._mutex:
            cur = self._db.execute(
                "INSERT INTO entries (op, ticket_id, payload, state, created_at) "
                "VALUES (?,?,?,?,?)",
                (op, ticket_id, json.dumps(payload), state, utcnow().isoformat()),
            )
            return int(cur.lastrowid or 0)

    def entries(self, *, dead: bool = False) -> list[Entry]:
        """The queued operations, oldest first (``dead=True``: the dead-letter list)."""
        with self._mutex:
            rows = self._db.execute(_DEAD if dead else _LIVE).fetchall()
        return [_entry(row) for row in rows]

    def entry(self, seq: int) -> Entry | None:
        """One entry, queued or dead."""
        with self._mutex:
            row = self._db.execute(_ONE, (seq,)).fetchone()
        return None if row is None else _entry(row)

    def __len__(self) -> int:
        """How many entries wait to be sent (dead ones not counted)."""
        with self._mutex:
            sql = "SELECT count(*) FROM entries WHERE state != 'dead'"
            return int(self._db.execute(sql).fetchone()[0])

    def dead_count(self) -> int:
        """How many entries are on the dead-letter list."""
        with self._mutex:
            sql = "SELECT count(*) FROM entries WHERE state = 'dead'"
            return int(self._db.execute(sql).fetchone()[0])

    def queued_for(self, ticket_id: str) -> bool:
        """True if an operation on ``ticket_id`` still waits to be sent (dead ones aside)."""
        with self._mutex:
            sql = "SELECT 1 FROM entries WHERE ticket_id = ? AND state != 'dead' LIMIT 1"
            return self._db.execute(sql, (ticket_id,)).fetchone() is not None

    def pending_for(self, ticket_id: str) -> bool:
        """True if an operation on ``ticket_id`` is still queued."""
        with self._mutex:
            sql = "SELECT 1 FROM entries WHERE ticket_id = ? LIMIT 1"
            return self._db.execute(sql, (ticket_id,)).fetchone() is not None

    def mark_sending(self, seq: int) -> None:
        """Record that the entry is about to be sent (so a crash leaves it ambiguous)."""
        with self._mutex:
            self._db.execute("UPDATE entries SET state = 'sending' WHERE seq = ?", (seq,))

    def mark_dead(self, seq: int, error: str, *, blocked_by: int | None = None) -> None:
        """Move an entry to the dead-letter list with the reason (or the entry it follows)."""
        with self._mutex:
            self._db.execute(
                "UPDATE entries SET state = 'dead', error = ?, blocked_by = ? WHERE seq = ?",
                (error, blocked_by, seq),
            )

    def retry(self, seq: int) -> list[int]:
        """Queue a dead entry again, with the entries that died because of it, in order."""
        with self._mutex:
            seqs = self._family(seq)
            self._db.executemany(
                "UPDATE entries SET state = 'queued', error = NULL, blocked_by = NULL "
                "WHERE seq = ? AND state = 'dead'",
                [(s,) for s in seqs],
            )
        return seqs

    def drop(self, seq: int) -> list[int]:
        """Forget an entry and the dead entries that follow it; the sequence numbers dropped."""
        with self._mutex:
            seqs = self._family(seq)
            self._db.executemany("DELETE FROM entries WHERE seq = ?", [(s,) for s in seqs])
        return seqs

    def _family(self, seq: int) -> list[int]:
        if self.entry(seq) is None:
            return []
        family, frontier = [seq], [seq]
        while frontier:
            rows = [
                self._db.execute("SELECT seq FROM entries WHERE blocked_by = ?", (s,)).fetchall()
                for s in frontier
            ]
            frontier = [int(r[0]) for found in rows for r in found if int(r[0]) not in family]
            family.extend(frontier)
        return sorted(family)

    def complete(
        self,
        seq: int,
        *,
        mapped: tuple[str, str] | None = None,
        comment: tuple[str, str, str] | None = None,
    ) -> None:
        """Drop a sent entry and, atomically with it, record what it made: for a create the
        local id -> tracker id, for a comment on a local ticket the local comment id -> the
        tracker comment id and ticket."""
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if mapped is not None:
                    self._db.execute("INSERT OR REPLACE INTO idmap VALUES (?, ?)", mapped)
                if comment is not None:
                    self._db.execute("INSERT OR REPLACE INTO comments VALUES (?, ?, ?)", comment)
                self._db.execute("DELETE FROM entries WHERE seq = ?", (seq,))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ------------------------------------------------------------ ids and known tickets

    def remote_id(self, ticket_id: str) -> str | None:
        """The tracker id a local id was replayed as, if it was."""
        with self._mutex:
            sql = "SELECT remote_id FROM idmap WHERE local_id = ?"
            row = self._db.execute(sql, (ticket_id,)).fetchone()
        return None if row is None else str(row[0])

    def comment_map(self) -> dict[str, tuple[str, str]]:
        """Local comment id -> (tracker comment id, tracker ticket id), for replayed comments."""
        with self._mutex:
            rows = self._db.execute("SELECT local_id, remote_id, remote_ticket FROM comments")
            return {r[0]: (r[1], r[2]) for r in rows.fetchall()}

    def idmap(self) -> dict[str, str]:
        with self._mutex:
            return dict(self._db.execute("SELECT local_id, remote_id FROM idmap").fetchall())

    def remember(self, ticket: Ticket) -> None:
        """Keep the latest state of a ticket seen on the tracker."""
        with self._mutex:
            self._db.execute(
                "INSERT OR REPLACE INTO known VALUES (?, ?)", (ticket.id, ticket.model_dump_json())
            )

    def known(self, ticket_id: str) -> Ticket | None:
        with self._mutex:
            sql = "SELECT doc FROM known WHERE ticket_id = ?"
            row = self._db.execute(sql, (ticket_id,)).fetchone()
        return None if row is None else Ticket.model_validate_json(row[0])


def _entry(row: tuple[Any, ...]) -> Entry:
    return Entry(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6], row[7])
