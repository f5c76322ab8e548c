"""The durable outbox: operations that could not reach the tracker, in order, until replayed.

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

from bridge.models import Ticket, utcnow

__all__ = ["Entry", "Outbox"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, ticket_id TEXT,
    payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'queued', error TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idmap (local_id TEXT PRIMARY KEY, remote_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS known (ticket_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
"""


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

    def entries(self) -> list[Entry]:
        """Every queued operation, oldest first."""
        with self._mutex:
            rows = self._db.execute(
                "SELECT seq, op, ticket_id, payload, state, error, created_at "
                "FROM entries ORDER BY seq"
            ).fetchall()
        return [Entry(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6]) for r in rows]

    def __len__(self) -> int:
        with self._mutex:
            return int(self._db.execute("SELECT count(*) FROM entries").fetchone()[0])

    def pending_for(self, ticket_id: str) -> bool:
        """True if an operation on ``ticket_id`` is still queued."""
        with self._mutex:
            sql = "SELECT 1 FROM entries WHERE ticket_id = ? LIMIT 1"
            return self._db.execute(sql, (ticket_id,)).fetchone() is not None

    def mark_sending(self, seq: int) -> None:
        """Record that the entry is about to be sent (so a crash leaves it ambiguous)."""
        with self._mutex:
            self._db.execute("UPDATE entries SET state = 'sending' WHERE seq = ?", (seq,))

    def mark_failed(self, seq: int, error: str) -> None:
        with self._mutex:
            self._db.execute(
                "UPDATE entries SET state = 'failed', error = ? WHERE seq = ?", (error, seq)
            )

    def complete(self, seq: int, *, mapped: tuple[str, str] | None = None) -> None:
        """Drop a sent entry and, for a create, record local id -> tracker id, atomically."""
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if mapped is not None:
                    self._db.execute("INSERT OR REPLACE INTO idmap VALUES (?, ?)", mapped)
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
