"""The store's index: a SQLite cache of every ticket, rebuilt from the JSON files at will.

The JSON files are the truth; the index lets list and filter run without re-reading them.
Writers update it under the store lock, one transaction per write, which also records the
``tickets/`` directory's sealed mtime (see :mod:`._files`): an index whose recorded mtime is
the directory's own knows every file there. A writer killed between its file and its
transaction leaves the directory with another mtime, and the next process re-reads what
changed. Files changed by hand (or by ``git pull``) are found the same way, and by comparing
size and mtime of the files a page returns.

Every index ends in ``(created_at, id)``, the order of a list (the id is the table's key,
which each index of a ``WITHOUT ROWID`` table ends with): status, priority and type together,
the assignee with the status, the parent, and labels in a table of their own keyed the same
way. :mod:`._query` reads them so that a page costs the page, not the store. The assignee's and
the parent's indexes hold only the tickets that have one, so a create pays for the indexes
it is in, not for every filter there is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, NamedTuple

from adapters.local_json._query import page_keys
from bridge.models import Ticket, TicketQuery

__all__ = ["SCHEMA_VERSION", "Index", "Row", "stamp"]

SCHEMA_VERSION = "4"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, status TEXT NOT NULL, priority TEXT NOT NULL, type TEXT NOT NULL,
    assignee TEXT, parent_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    search TEXT NOT NULL, idem TEXT, doc TEXT NOT NULL, mtime_ns INTEGER, size INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_order ON tickets (created_at);
CREATE INDEX IF NOT EXISTS ix_spt ON tickets (status, priority, type, created_at);
CREATE INDEX IF NOT EXISTS ix_assignee ON tickets (assignee, status, created_at)
    WHERE assignee IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_parent ON tickets (parent_id, created_at)
    WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_idem ON tickets (idem) WHERE idem IS NOT NULL;
CREATE TABLE IF NOT EXISTS labels (
    label TEXT, created_at TEXT, id TEXT, PRIMARY KEY (label, created_at, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_label_id ON labels (id, label);
CREATE TABLE IF NOT EXISTS deps (id TEXT, dep TEXT, PRIMARY KEY (id, dep)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_dep ON deps (dep);
CREATE TABLE IF NOT EXISTS problems (
    id TEXT PRIMARY KEY, error TEXT, mtime_ns INTEGER, size INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
"""

_INSERT = "INSERT OR REPLACE INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"


def stamp(ticket: Ticket) -> tuple[str, str]:
    """The sortable (created, updated) strings stored for a ticket."""
    return (
        ticket.created_at.isoformat(timespec="microseconds"),
        ticket.updated_at.isoformat(timespec="microseconds"),
    )


class Row(NamedTuple):
    """What the index knows of one file: its size and mtime when it was indexed."""

    mtime_ns: int | None
    size: int | None


class Index:
    """A SQLite index of the tickets of one store (``:memory:`` where no file can be used)."""

    def __init__(self, target: str, *, durable: bool = False) -> None:
        self.db = sqlite3.connect(target, timeout=60, isolation_level=None, check_same_thread=False)
        # A killed process never harms a WAL database at any level; OFF only risks the index
        # on power loss, and a damaged index is rebuilt from the files. A durable store
        # keeps its index durable too.
        self.db.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.execute("PRAGMA journal_mode=WAL")
        stored = self._stored_version()
        if stored != SCHEMA_VERSION:
            if stored is not None:
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
        with self.batch():
            for table in tables:
                if not table.startswith("sqlite_"):
                    self.db.execute(f'DROP TABLE "{table}"')

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ meta

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def metas(self, *keys: str) -> list[str | None]:
        """The values of several meta keys in one statement."""
        marks = ",".join("?" * len(keys))
        sql = f"SELECT key, value FROM meta WHERE key IN ({marks})"  # noqa: S608 - only marks
        found = dict(self.db.execute(sql, keys).fetchall())
        return [found.get(key) for key in keys]

    # ------------------------------------------------------------ writes

    @staticmethod
    def row_of(
        ticket: Ticket, doc: str, *, idem: str | None, mtime_ns: int, size: int
    ) -> list[object]:
        """The ticket's row, as :meth:`put_row` takes it (and the journal keeps it)."""
        created = ticket.created_at.isoformat(timespec="microseconds")
        updated = (
            created
            if ticket.updated_at == ticket.created_at
            else ticket.updated_at.isoformat(timespec="microseconds")
        )
        search = f"{ticket.title}\n{ticket.description}".lower()
        return [
            ticket.id, ticket.status.value, ticket.priority.value, ticket.type.value,
            ticket.assignee, ticket.parent_id, created, updated, search, idem, doc,
            mtime_ns, size,
        ]  # fmt: skip

    def put(
        self,
        ticket: Ticket,
        doc: str,
        *,
        idem: str | None,
        mtime_ns: int,
        size: int,
        meta: dict[str, str],
        new: bool = False,
    ) -> None:
        """Store the ticket's row and ``meta``, clear its problem, in one transaction."""
        row = self.row_of(ticket, doc, idem=idem, mtime_ns=mtime_ns, size=size)
        self.put_row(row, ticket.labels, ticket.dependencies, meta, new=new)

    def put_row(
        self,
        row: list[object],
        labels: list[str],
        deps: list[str],
        meta: dict[str, str],
        *,
        new: bool = False,
    ) -> None:
        """Store a row with its labels, dependencies and ``meta`` in one transaction.

        ``new`` says the ticket was just created, so there are no old rows to clear.
        """
        ticket_id, created = row[0], row[6]
        db = self.db
        with self.batch():
            db.execute(_INSERT, row)
            if not new:
                db.execute("DELETE FROM problems WHERE id = ?", (ticket_id,))
                self._clear_links(str(ticket_id))
            if labels:
                db.executemany(
                    "INSERT OR IGNORE INTO labels VALUES (?, ?, ?)",
                    [(label, created, ticket_id) for label in labels],
                )
            if deps:
                db.executemany(
                    "INSERT OR IGNORE INTO deps VALUES (?, ?)", [(ticket_id, d) for d in deps]
                )
            if meta:
                marks = ",".join(["(?, ?)"] * len(meta))
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES " + marks,  # noqa: S608 - marks only
                    [part for item in meta.items() for part in item],
                )

    def put_rows(self, entries: list[list[Any]], meta: dict[str, str]) -> None:
        """Many journal entries (row, labels, dependencies, meta), one per ticket, at once."""
        db = self.db
        ids = [(entry[0],) for entry in entries]
        with self.batch():
            for table in ("problems", "labels", "deps"):
                db.executemany(f"DELETE FROM {table} WHERE id = ?", ids)  # noqa: S608
            db.executemany(_INSERT, [entry[:13] for entry in entries])
            db.executemany(
                "INSERT OR IGNORE INTO labels VALUES (?, ?, ?)",
                [(label, e[6], e[0]) for e in entries for label in e[13]],
            )
            db.executemany(
                "INSERT OR IGNORE INTO deps VALUES (?, ?)",
                [(e[0], dep) for e in entries for dep in e[14]],
            )
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())

    def put_problem(self, ticket_id: str, error: str, mtime_ns: int, size: int) -> None:
        with self.batch():
            self._drop(ticket_id)
            self.db.execute(
                "INSERT OR REPLACE INTO problems VALUES (?,?,?,?)",
                (ticket_id, error, mtime_ns, size),
            )

    def forget(self, ticket_id: str) -> None:
        with self.batch():
            self._drop(ticket_id)
            self.db.execute("DELETE FROM problems WHERE id = ?", (ticket_id,))

    def _drop(self, ticket_id: str) -> None:
        self.db.execute("DELETE FROM tickets WHERE id = ?", (ticket_id,))
        self._clear_links(ticket_id)

    def _clear_links(self, ticket_id: str) -> None:
        self.db.execute("DELETE FROM labels WHERE id = ?", (ticket_id,))
        self.db.execute("DELETE FROM deps WHERE id = ?", (ticket_id,))

    def batch(self) -> _Txn:
        """One transaction around many writes; inner ones join the transaction already open."""
        return _Txn(self.db)

    # ------------------------------------------------------------ reads

    def iter_stamps(self) -> Iterator[tuple[str, int | None, int | None]]:
        """Id, mtime_ns and size of every indexed file, problems included, one at a time."""
        yield from self.db.execute("SELECT id, mtime_ns, size FROM tickets")
        yield from self.db.execute("SELECT id, mtime_ns, size FROM problems")

    def ids(self) -> set[str]:
        """Every ticket id the index knows, problems included."""
        found = {r[0] for r in self.db.execute("SELECT id FROM tickets")}
        found.update(r[0] for r in self.db.execute("SELECT id FROM problems"))
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

    def count(self, query: TicketQuery) -> int:
        """How many tickets match the query's filters: its keys, read from the indexes."""
        return len(page_keys(self.db, query, None, 1 << 62))

    def query(
        self, query: TicketQuery, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, str, str, Row]]:
        """Id, created, ``doc`` and file stamp of the first ``limit`` matches after ``after``,
        oldest first: the page's keys from the indexes, then its rows."""
        keys = page_keys(self.db, query, after, limit)
        if not keys:
            return []
        found: dict[str, tuple[str, str, str, Row]] = {}
        for start in range(0, len(keys), 500):
            chunk = [ticket_id for _, ticket_id in keys[start : start + 500]]
            sql = "SELECT id, created_at, doc, mtime_ns, size FROM tickets WHERE id IN ({})"
            for tid, created, doc, mtime_ns, size in self.db.execute(
                sql.format(",".join("?" * len(chunk))), chunk
            ):
                found[tid] = (tid, created, doc, Row(mtime_ns, size))
        return [found[tid] for _, tid in keys if tid in found]


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
