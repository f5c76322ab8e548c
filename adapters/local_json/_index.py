"""The store's index: a SQLite cache of every ticket, rebuilt from the JSON files at will.

The JSON files are the truth; the index lets list and filter run without re-reading them.
Writers update it under the store lock, marking a ticket *pending* before its file changes
and clearing the mark after, so a writer killed in between leaves a trace the next process
repairs. Files changed by hand (or by ``git pull``) are found by comparing size and mtime.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bridge.models import Ticket, TicketQuery

__all__ = ["Index", "Row"]

SCHEMA_VERSION = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, status TEXT NOT NULL, priority TEXT NOT NULL, type TEXT NOT NULL,
    assignee TEXT, parent_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    search TEXT NOT NULL, idem TEXT, doc TEXT NOT NULL, mtime_ns INTEGER, size INTEGER
);
CREATE INDEX IF NOT EXISTS ix_order ON tickets (created_at, id);
CREATE INDEX IF NOT EXISTS ix_status ON tickets (status, assignee, created_at);
CREATE INDEX IF NOT EXISTS ix_assignee ON tickets (assignee, created_at);
CREATE INDEX IF NOT EXISTS ix_parent ON tickets (parent_id);
CREATE INDEX IF NOT EXISTS ix_idem ON tickets (idem) WHERE idem IS NOT NULL;
CREATE TABLE IF NOT EXISTS labels (id TEXT, label TEXT, PRIMARY KEY (id, label)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_label ON labels (label);
CREATE TABLE IF NOT EXISTS deps (id TEXT, dep TEXT, PRIMARY KEY (id, dep)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_dep ON deps (dep);
CREATE TABLE IF NOT EXISTS problems (
    id TEXT PRIMARY KEY, error TEXT, mtime_ns INTEGER, size INTEGER
);
CREATE TABLE IF NOT EXISTS pending (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def stamp(ticket: Ticket) -> tuple[str, str]:
    """The sortable (created, updated) strings stored for a ticket."""
    return (
        ticket.created_at.isoformat(timespec="microseconds"),
        ticket.updated_at.isoformat(timespec="microseconds"),
    )


@dataclass(frozen=True)
class Row:
    """What the index knows of one file: its size and mtime when it was indexed."""

    mtime_ns: int | None
    size: int | None


class Index:
    """A SQLite index of the tickets of one store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if self._stored_version() not in (None, SCHEMA_VERSION):
            self._drop_all()  # an index of another layout: it is a cache, rebuild it
        self.db.executescript(_SCHEMA)
        self.set_meta("schema", SCHEMA_VERSION)

    def _stored_version(self) -> str | None:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        if self.db.execute(sql).fetchone() is None:
            return None
        return self.get_meta("schema") or "0"

    def _drop_all(self) -> None:
        tables = [
            r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        with self._transaction():
            for table in tables:
                if not table.startswith("sqlite_"):
                    self.db.execute(f'DROP TABLE "{table}"')

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ meta and pending marks

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def mark_pending(self, ticket_id: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO pending (id) VALUES (?)", (ticket_id,))

    def pending(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM pending")]

    def has_pending(self) -> bool:
        return self.db.execute("SELECT 1 FROM pending LIMIT 1").fetchone() is not None

    def next_id(
        self, prefix: str, now: datetime, taken: Callable[[str], bool]
    ) -> tuple[str, dict[str, str]]:
        """A new id, ``PREFIX-YYYYMMDDHHMMSS``, with ``-2``, ``-3``... within the same second,
        and the meta to store with its ticket. Call under the store's write lock."""
        base = f"{prefix}-{now.strftime('%Y%m%d%H%M%S')}"
        n = 1
        if self.get_meta("id_base") == base:
            n = int(self.get_meta("id_seq") or "1") + 1
        while True:
            candidate = base if n == 1 else f"{base}-{n}"
            if not taken(candidate):
                return candidate, {"id_base": base, "id_seq": str(n)}
            n += 1

    # ------------------------------------------------------------ writes

    def put(
        self,
        ticket: Ticket,
        doc: str,
        *,
        idem: str | None,
        mtime_ns: int,
        size: int,
        dir_mtime: int,
        extra_meta: dict[str, str] | None = None,
        new: bool = False,
    ) -> None:
        """Store the ticket's row, clear its pending mark and problem, in one transaction.

        ``new`` says the ticket was just created, so there are no old links to clear.
        """
        created, updated = stamp(ticket)
        search = f"{ticket.title}\n{ticket.description}".lower()
        row: tuple[object, ...] = (
            ticket.id, ticket.status.value, ticket.priority.value, ticket.type.value,
            ticket.assignee, ticket.parent_id, created, updated, search, idem, doc,
        )  # fmt: skip
        meta = {"dir_mtime": str(dir_mtime), **(extra_meta or {})}
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*row, mtime_ns, size),
            )
            if not new:
                self.db.execute("DELETE FROM problems WHERE id = ?", (ticket.id,))
            self._replace_links(ticket.id, ticket.labels, ticket.dependencies, new=new)
            self.db.execute("DELETE FROM pending WHERE id = ?", (ticket.id,))
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())

    def put_problem(self, ticket_id: str, error: str, mtime_ns: int, size: int) -> None:
        with self._transaction():
            self._drop(ticket_id)
            self.db.execute(
                "INSERT OR REPLACE INTO problems VALUES (?,?,?,?)",
                (ticket_id, error, mtime_ns, size),
            )
            self.db.execute("DELETE FROM pending WHERE id = ?", (ticket_id,))

    def forget(self, ticket_id: str) -> None:
        with self._transaction():
            self._drop(ticket_id)
            self.db.execute("DELETE FROM problems WHERE id = ?", (ticket_id,))
            self.db.execute("DELETE FROM pending WHERE id = ?", (ticket_id,))

    def _drop(self, ticket_id: str) -> None:
        self.db.execute("DELETE FROM tickets WHERE id = ?", (ticket_id,))
        self._replace_links(ticket_id, (), ())

    def _replace_links(
        self, ticket_id: str, labels: Iterable[str], deps: Iterable[str], *, new: bool = False
    ) -> None:
        if not new:
            self.db.execute("DELETE FROM labels WHERE id = ?", (ticket_id,))
            self.db.execute("DELETE FROM deps WHERE id = ?", (ticket_id,))
        self.db.executemany(
            "INSERT OR IGNORE INTO labels VALUES (?, ?)", ((ticket_id, lb) for lb in labels)
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO deps VALUES (?, ?)", ((ticket_id, d) for d in deps)
        )

    def _transaction(self) -> _Txn:
        return _Txn(self.db)

    def batch(self) -> _Txn:
        """One transaction around many writes (a rebuild); inner transactions join it."""
        return _Txn(self.db)

    # ------------------------------------------------------------ reads

    def stamps(self) -> dict[str, tuple[int | None, int | None]]:
        """(mtime_ns, size) of every indexed file, problems included, by ticket id."""
        found = {
            r[0]: (r[1], r[2]) for r in self.db.execute("SELECT id, mtime_ns, size FROM tickets")
        }
        for r in self.db.execute("SELECT id, mtime_ns, size FROM problems"):
            found[r[0]] = (r[1], r[2])
        return found

    def exists(self, ticket_id: str) -> bool:
        sql = "SELECT 1 FROM tickets WHERE id = ?"
        return self.db.execute(sql, (ticket_id,)).fetchone() is not None

    def parent_of(self, ticket_id: str) -> str | None:
        row = self.db.execute("SELECT parent_id FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else row[0]

    def deps_of(self, ticket_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT dep FROM deps WHERE id = ?", (ticket_id,))]

    def by_idempotency_key(self, key: str) -> str | None:
        row = self.db.execute("SELECT id FROM tickets WHERE idem = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def problem_stamp(self, ticket_id: str) -> Row:
        sql = "SELECT mtime_ns, size FROM problems WHERE id = ?"
        row = self.db.execute(sql, (ticket_id,)).fetchone()
        return Row(None, None) if row is None else Row(row[0], row[1])

    def problems(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT id, error FROM problems ORDER BY id")]

    def query(
        self, query: TicketQuery, after: tuple[str, str] | None
    ) -> Iterator[tuple[str, str, Row]]:
        """Id, ``doc`` and file stamp of each match, oldest first, at most ``limit + 1``."""
        where: list[str] = []
        args: list[object] = []
        if query.status:
            where.append(f"status IN ({','.join('?' * len(query.status))})")
            args.extend(s.value for s in query.status)
        if query.priority:
            where.append(f"priority IN ({','.join('?' * len(query.priority))})")
            args.extend(p.value for p in query.priority)
        if query.type:
            where.append(f"type IN ({','.join('?' * len(query.type))})")
            args.extend(t.value for t in query.type)
        if query.assignee is not None:
            where.append("assignee = ?")
            args.append(query.assignee)
        if query.parent_id is not None:
            where.append("parent_id = ?")
            args.append(query.parent_id)
        if query.updated_since is not None:
            where.append("updated_at >= ?")
            args.append(query.updated_since.isoformat(timespec="microseconds"))
        if query.text:
            where.append("instr(search, ?) > 0")
            args.append(query.text.lower())
        for label in query.labels:
            where.append("id IN (SELECT id FROM labels WHERE label = ?)")
            args.append(label)
        if after is not None:
            where.append("(created_at, id) > (?, ?)")
            args.extend(after)
        sql = "SELECT id, doc, mtime_ns, size FROM tickets"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at, id LIMIT ?"
        args.append(query.limit + 1)
        for ticket_id, doc, mtime_ns, size in self.db.execute(sql, args):
            yield ticket_id, doc, Row(mtime_ns, size)


class _Txn:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; joins the transaction already open, if any."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.outer = False

    def __enter__(self) -> None:
        self.outer = not self.db.in_transaction
        if self.outer:
            self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.outer:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
