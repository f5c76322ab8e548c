"""The store's index: a SQLite cache of every ticket, rebuilt from the JSON files at will.

The JSON files are the truth; the index lets list and filter run without re-reading them.
Writers update it under the store lock, one transaction per write, which also records the
``tickets/`` directory's sealed mtime (see :mod:`._files`): an index whose recorded mtime is
the directory's own knows every file there. A writer killed between its file and its
transaction leaves the directory with another mtime, and the next process re-reads what
changed. Files changed by hand (or by ``git pull``) are found the same way, and by comparing
size and mtime of the files a page returns.

Every filter the API offers has a composite index ending in ``(created_at, id)``, the order
of a list, so a page is a range of one index read from the cursor's key on: it costs the
page, not the store. Labels have their own table, keyed the same way.
"""

from __future__ import annotations

import heapq
import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from bridge.models import Ticket, TicketQuery

__all__ = ["SCHEMA_VERSION", "Index", "Row", "stamp"]

SCHEMA_VERSION = "3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, status TEXT NOT NULL, priority TEXT NOT NULL, type TEXT NOT NULL,
    assignee TEXT, parent_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    search TEXT NOT NULL, idem TEXT, doc TEXT NOT NULL, mtime_ns INTEGER, size INTEGER
);
CREATE INDEX IF NOT EXISTS ix_order ON tickets (created_at, id);
CREATE INDEX IF NOT EXISTS ix_status ON tickets (status, created_at, id);
CREATE INDEX IF NOT EXISTS ix_status_priority ON tickets (status, priority, created_at, id);
CREATE INDEX IF NOT EXISTS ix_status_assignee ON tickets (status, assignee, created_at, id);
CREATE INDEX IF NOT EXISTS ix_status_type ON tickets (status, type, created_at, id);
CREATE INDEX IF NOT EXISTS ix_priority ON tickets (priority, created_at, id);
CREATE INDEX IF NOT EXISTS ix_assignee ON tickets (assignee, created_at, id);
CREATE INDEX IF NOT EXISTS ix_type ON tickets (type, created_at, id);
CREATE INDEX IF NOT EXISTS ix_parent ON tickets (parent_id, created_at, id);
CREATE INDEX IF NOT EXISTS ix_idem ON tickets (idem) WHERE idem IS NOT NULL;
CREATE TABLE IF NOT EXISTS labels (
    id TEXT, label TEXT, created_at TEXT, PRIMARY KEY (id, label)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_label ON labels (label, created_at, id);
CREATE TABLE IF NOT EXISTS deps (id TEXT, dep TEXT, PRIMARY KEY (id, dep)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_dep ON deps (dep);
CREATE TABLE IF NOT EXISTS problems (
    id TEXT PRIMARY KEY, error TEXT, mtime_ns INTEGER, size INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""

_INSERT = "INSERT OR REPLACE INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
_MAX_COMBOS = 24  # multi-valued filters up to this many combinations are merged per value


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
    """A SQLite index of the tickets of one store (``:memory:`` where no file can be used)."""

    def __init__(self, target: str) -> None:
        self.db = sqlite3.connect(target, timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA synchronous=NORMAL")
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
        """Store the ticket's row and ``meta``, clear its problem, in one transaction.

        ``new`` says the ticket was just created, so there are no old rows to clear.
        """
        created, updated = stamp(ticket)
        search = f"{ticket.title}\n{ticket.description}".lower()
        row: tuple[object, ...] = (
            ticket.id, ticket.status.value, ticket.priority.value, ticket.type.value,
            ticket.assignee, ticket.parent_id, created, updated, search, idem, doc,
            mtime_ns, size,
        )  # fmt: skip
        db = self.db
        with self.batch():
            db.execute(_INSERT, row)
            if not new:
                db.execute("DELETE FROM problems WHERE id = ?", (ticket.id,))
                self._clear_links(ticket.id)
            if ticket.labels:
                db.executemany(
                    "INSERT OR IGNORE INTO labels VALUES (?, ?, ?)",
                    [(ticket.id, label, created) for label in ticket.labels],
                )
            if ticket.dependencies:
                db.executemany(
                    "INSERT OR IGNORE INTO deps VALUES (?, ?)",
                    [(ticket.id, dep) for dep in ticket.dependencies],
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

    def stamps(self) -> dict[str, tuple[int | None, int | None]]:
        """(mtime_ns, size) of every indexed file, problems included, by ticket id."""
        found = {
            r[0]: (r[1], r[2]) for r in self.db.execute("SELECT id, mtime_ns, size FROM tickets")
        }
        for r in self.db.execute("SELECT id, mtime_ns, size FROM problems"):
            found[r[0]] = (r[1], r[2])
        return found

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

    def query(
        self, query: TicketQuery, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, str, str, Row]]:
        """Id, created, ``doc`` and file stamp of the first ``limit`` matches after ``after``,
        oldest first. A filter with several values (two statuses, say) reads each
        combination's own index range and merges them, so it too costs only the page."""
        choices = {
            "status": [s.value for s in query.status],
            "priority": [p.value for p in query.priority],
            "type": [t.value for t in query.type],
        }
        multi = [name for name, values in choices.items() if len(values) > 1]
        combos = 1
        for name in multi:
            combos *= len(choices[name])
        if not multi or combos > _MAX_COMBOS:
            return list(itertools.islice(self._select(query, choices, after, limit), limit))
        streams = []
        for values in itertools.product(*(choices[name] for name in multi)):
            one = {**choices, **{name: [v] for name, v in zip(multi, values, strict=True)}}
            streams.append(self._select(query, one, after, limit))
        merged = heapq.merge(*streams, key=lambda r: (r[1], r[0]))
        return list(itertools.islice(merged, limit))

    def _select(
        self,
        query: TicketQuery,
        choices: dict[str, list[str]],
        after: tuple[str, str] | None,
        limit: int,
    ) -> Iterator[tuple[str, str, str, Row]]:
        where, args = _conditions(query, choices)
        if query.labels:  # the first label's index range drives; the others are probed
            source = "labels l CROSS JOIN tickets t ON t.id = l.id"
            where.insert(0, "l.label = ?")
            args.insert(0, query.labels[0])
            key = "l.created_at, l.id"
        else:
            source, key = "tickets t", "t.created_at, t.id"
        if after is not None:
            where.append(f"({key}) > (?, ?)")
            args.extend(after)
        sql = " ".join(
            [
                "SELECT t.id, t.created_at, t.doc, t.mtime_ns, t.size FROM",
                source,
                ("WHERE " + " AND ".join(where)) if where else "",
                f"ORDER BY {key} LIMIT ?",  # every piece is a constant of this module
            ]
        )
        args.append(limit)
        for ticket_id, created, doc, mtime_ns, size in self.db.execute(sql, args):
            yield ticket_id, created, doc, Row(mtime_ns, size)


def _conditions(
    query: TicketQuery, choices: dict[str, list[str]]
) -> tuple[list[str], list[object]]:
    where: list[str] = []
    args: list[object] = []
    for column, values in choices.items():
        if len(values) == 1:
            where.append(f"t.{column} = ?")
        elif values:
            where.append(f"t.{column} IN ({','.join('?' * len(values))})")
        args.extend(values)
    for column, value in (("assignee", query.assignee), ("parent_id", query.parent_id)):
        if value is not None:
            where.append(f"t.{column} = ?")
            args.append(value)
    if query.updated_since is not None:
        where.append("t.updated_at >= ?")
        args.append(query.updated_since.isoformat(timespec="microseconds"))
    if query.text:
        where.append("instr(t.search, ?) > 0")
        args.append(query.text.lower())
    for label in query.labels[1:]:
        where.append("EXISTS (SELECT 1 FROM labels x WHERE x.id = t.id AND x.label = ?)")
        args.append(label)
    return where, args


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
