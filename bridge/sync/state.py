"""What a sync remembers between runs, in one SQLite file beside the local store.

- ``links``: local ticket id <-> tracker ticket id, with the *base*: the value of every synced
  field as both sides last agreed on it (the common ancestor of a three-way merge).
- ``comment_links``: local comment id <-> tracker comment id, so each comment crosses once.
- ``intents``: a write to the other side that was started; after a crash the sync checks
  whether it landed before doing it again.
- ``meta``: the scope (tracker instance and project), the cursor and validators.
- ``conflicts``: fields changed on both sides, and which value was kept.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from bridge.errors import ConfigError
from bridge.models import utcnow
from bridge.sync.merge import FieldConflict

__all__ = [
    "CommentIntent",
    "CommentLink",
    "Conflict",
    "Intent",
    "Link",
    "PushIntent",
    "SyncState",
    "UnknownIntent",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    local_id TEXT PRIMARY KEY, remote_id TEXT NOT NULL UNIQUE, base TEXT NOT NULL,
    remote_updated TEXT
);
CREATE TABLE IF NOT EXISTS comment_links (
    local_id TEXT PRIMARY KEY, remote_id TEXT NOT NULL UNIQUE, ticket TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS intents (
    kind TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conflicts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, local_id TEXT NOT NULL,
    remote_id TEXT NOT NULL, field TEXT NOT NULL, local_value TEXT, remote_value TEXT,
    base_value TEXT, kept TEXT NOT NULL, policy TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Link:
    """A local ticket and the tracker ticket it is synced with."""

    local_id: str
    remote_id: str
    base: dict[str, Any]
    remote_updated: str | None


@dataclass(frozen=True)
class CommentLink:
    """A local comment and the tracker comment it was copied to or from, on ``ticket``."""

    local_id: str
    remote_id: str
    ticket: str


@dataclass(frozen=True)
class PushIntent:
    """Local ticket ``ticket`` is being created on the tracker under ``idempotency_key``."""

    kind: ClassVar[str] = "push"
    ticket: str
    idempotency_key: str

    @property
    def key(self) -> str:
        return self.ticket

    def payload(self) -> dict[str, Any]:
        return {"key": self.idempotency_key}


@dataclass(frozen=True)
class CommentIntent:
    """Comment ``comment`` is being copied to ``ticket`` on the other side.

    ``direction`` "push": a local comment goes to the tracker (``ticket`` is a tracker id);
    "pull": a tracker comment comes here (``ticket`` is a local id).
    """

    direction: Literal["push", "pull"]
    comment: str
    ticket: str
    author: str
    body: str

    @property
    def kind(self) -> str:
        return f"{self.direction}-comment"

    @property
    def key(self) -> str:
        return self.comment

    def payload(self) -> dict[str, Any]:
        return {"ticket": self.ticket, "author": self.author, "body": self.body}


@dataclass(frozen=True)
class UnknownIntent:
    """An intent of a kind this version does not begin: recovery only forgets it."""

    kind: str
    key: str
    raw: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        return dict(self.raw)


Intent = PushIntent | CommentIntent | UnknownIntent
"""A write to the other side that was begun and whose link is not recorded yet."""


def _intent(kind: str, key: str, payload: dict[str, Any]) -> Intent:
    if kind == PushIntent.kind:
        return PushIntent(key, payload["key"])
    if kind in ("push-comment", "pull-comment"):
        direction: Literal["push", "pull"] = "push" if kind == "push-comment" else "pull"
        return CommentIntent(direction, key, payload["ticket"], payload["author"], payload["body"])
    return UnknownIntent(kind, key, payload)


@dataclass(frozen=True)
class Conflict:
    """One field edited on both sides since the last sync."""

    seq: int
    at: str
    local_id: str
    remote_id: str
    field: str
    local_value: Any
    remote_value: Any
    base_value: Any
    kept: str
    policy: str


class SyncState:
    """The id maps, bases, cursor and conflicts of one tracker's sync."""

    def __init__(self, path: Path, scope: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        owner = self.get_meta("scope")
        if owner is None:
            self.set_meta("scope", scope)
        elif owner != scope:
            raise ConfigError(
                f"{path} holds the sync state of {owner}, not of {scope}: the tracker's "
                "repository or project changed; move that file away to start a new sync"
            )

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ------------------------------------------------------------ meta

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------ ticket links

    def _link(self, row: tuple[Any, ...] | None) -> Link | None:
        return None if row is None else Link(row[0], row[1], json.loads(row[2]), row[3])

    def by_local(self, local_id: str) -> Link | None:
        sql = "SELECT * FROM links WHERE local_id = ?"
        return self._link(self._db.execute(sql, (local_id,)).fetchone())

    def by_remote(self, remote_id: str) -> Link | None:
        sql = "SELECT * FROM links WHERE remote_id = ?"
        return self._link(self._db.execute(sql, (remote_id,)).fetchone())

    def links(self) -> list[Link]:
        rows = self._db.execute("SELECT * FROM links").fetchall()
        return [Link(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def id_maps(self) -> tuple[dict[str, str], dict[str, str]]:
        """(local -> remote, remote -> local)."""
        rows = self._db.execute("SELECT local_id, remote_id FROM links").fetchall()
        return {r[0]: r[1] for r in rows}, {r[1]: r[0] for r in rows}

    def put_link(
        self, local_id: str, remote_id: str, base: dict[str, Any], remote_updated: str | None
    ) -> None:
        """Record (or move on) a link and its base; clears the intents that made it."""
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?)",
                (local_id, remote_id, json.dumps(base, sort_keys=True), remote_updated),
            )
            self._db.execute(
                "DELETE FROM intents WHERE kind IN ('push', 'pull') AND key IN (?, ?)",
                (local_id, remote_id),
            )

    # ------------------------------------------------------------ comment links

    def comment_ids(self) -> tuple[set[str], set[str]]:
        """(linked local comment ids, linked tracker comment ids)."""
        rows = self._db.execute("SELECT local_id, remote_id FROM comment_links").fetchall()
        return {r[0] for r in rows}, {r[1] for r in rows}

    def put_comment_link(self, local_id: str, remote_id: str, ticket: str) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO comment_links VALUES (?, ?, ?)",
                (local_id, remote_id, ticket),
            )
            self._db.execute(
                "DELETE FROM intents WHERE kind IN ('push-comment', 'pull-comment') "
                "AND key IN (?, ?)",
                (local_id, remote_id),
            )

    # ------------------------------------------------------------ intents

    def begin(self, intent: Intent) -> None:
        """Record that a write is about to go out (kept until its link is recorded)."""
        row = (intent.kind, intent.key, json.dumps(intent.payload()))
        self._db.execute("INSERT OR REPLACE INTO intents VALUES (?, ?, ?)", row)

    def intents(self) -> list[Intent]:
        """Every write begun and not yet recorded."""
        rows = self._db.execute("SELECT kind, key, payload FROM intents").fetchall()
        return [_intent(r[0], r[1], dict(json.loads(r[2]))) for r in rows]

    def drop_intent(self, intent: Intent) -> None:
        sql = "DELETE FROM intents WHERE kind = ? AND key = ?"
        self._db.execute(sql, (intent.kind, intent.key))

    # ------------------------------------------------------------ conflicts

    def record_conflict(
        self, local_id: str, remote_id: str, conflict: FieldConflict, policy: str
    ) -> None:
        values = (json.dumps(v) for v in (conflict.local, conflict.remote, conflict.base))
        self._db.execute(
            "INSERT INTO conflicts (at, local_id, remote_id, field, local_value, remote_value, "
            "base_value, kept, policy) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                utcnow().isoformat(),
                local_id,
                remote_id,
                conflict.field,
                *values,
                conflict.kept,
                policy,
            ),
        )

    def conflicts(self) -> list[Conflict]:
        rows = self._db.execute("SELECT * FROM conflicts ORDER BY seq").fetchall()
        return [
            Conflict(
                seq=r[0],
                at=r[1],
                local_id=r[2],
                remote_id=r[3],
                field=r[4],
                local_value=json.loads(r[5]),
                remote_value=json.loads(r[6]),
                base_value=json.loads(r[7]),
                kept=r[8],
                policy=r[9],
            )
            for r in rows
        ]
