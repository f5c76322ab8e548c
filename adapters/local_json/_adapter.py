"""``LocalJsonService``: a complete tracker in a directory of JSON files.

Layout of a store::

    .tickets/
      tickets/<ID>.json     one ticket per file, pretty JSON (git-friendly)
      comments/<ID>.json    its comments, kept apart so no ticket update can touch them
      index.sqlite3         a rebuildable index for list and filter (git-ignored)
      index.sqlite3.log     index rows written since the index last read them (git-ignored)
      .lock                 the inter-process write lock (git-ignored)

Every write happens under the lock and replaces its file atomically, through descriptors of
the store's own directories, never through a link; ids are allocated under the lock, so
several processes can share one store. :mod:`._fresh` tells how the index stays true to the
files, :mod:`._layout` what a damaged store does.
"""

from __future__ import annotations

import builtins
import errno
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from adapters._paging import Cursor, fill_page
from adapters.local_json._config import LocalJsonConfig
from adapters.local_json._fields import neutral_fields
from adapters.local_json._files import UnsafeEntry
from adapters.local_json._fresh import Freshness
from adapters.local_json._ids import Ids
from adapters.local_json._index import Row
from adapters.local_json._journal import LIMIT as JOURNAL_LIMIT
from adapters.local_json._layout import Layout
from adapters.local_json._links import check_links
from adapters.local_json._lock import LockTimeout
from adapters.local_json._query import is_key, key_of
from adapters.local_json._records import (
    encode_comments,
    encode_ticket,
    from_draft,
    parse_comments,
    parse_ticket,
)
from bridge.contract import Adapter, Capabilities
from bridge.defaults import ID_PREFIX
from bridge.errors import (
    CorruptDataError,
    NotFoundError,
    PermanentError,
    UnavailableError,
)
from bridge.fields import FieldInfo
from bridge.models import (
    Comment,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
    check_ticket_id,
    utcnow,
)

__all__ = ["LocalJsonAdapter"]

log = logging.getLogger(__name__)

_STREAM_PAGE = 1000


class LocalJsonAdapter(Adapter):
    """The local JSON store; safe for several processes and threads at once."""

    name = "local_json"
    capabilities = Capabilities()
    Config: ClassVar[type[LocalJsonConfig]] = LocalJsonConfig

    def __init__(
        self,
        path: str | os.PathLike[str] = ".tickets",
        *,
        id_prefix: str = ID_PREFIX,
        durable: bool = False,
        lock_timeout: float = 30.0,
    ) -> None:
        config = LocalJsonConfig(path=Path(path), id_prefix=id_prefix, durable=durable)
        self.root = config.path
        self.id_prefix = config.id_prefix
        self.durable = durable
        try:
            self._store = Layout(
                self.root, durable=durable, lock_timeout=lock_timeout, adapter=self.name
            )
        except LockTimeout:
            raise self._locked() from None
        self._fresh = Freshness(self._store, self.name)
        if self._store.index.metas("dir_mtime") == [None]:  # a new index: fill it now
            with self._held(exclusive=self._store.writable):
                self._fresh.bring_up_to_date()
        self._mutex = threading.RLock()
        self._warned: set[str] = set()
        self._trusted_write = self._untouched = False
        self._own_mtime: int | None = None
        self._ids = Ids(self.id_prefix, self._store)

    @classmethod
    def from_config(cls, config: LocalJsonConfig) -> LocalJsonAdapter:
        """Build the store a validated ``[trackers.<name>]`` section describes."""
        return cls(
            config.path,
            id_prefix=config.id_prefix,
            durable=config.durable,
            lock_timeout=config.lock_timeout,
        )

    def close(self) -> None:
        with self._mutex:
            self._store.close()

    def __repr__(self) -> str:
        return f"<LocalJsonAdapter {str(self.root)!r}>"

    # ------------------------------------------------------------ primitives

    def create(self, draft: TicketDraft) -> Ticket:
        linked = bool(draft.idempotency_key or draft.parent_id or draft.dependencies)
        with self._writing(index_needed=linked):
            if draft.idempotency_key:
                existing = self._store.index.by_idempotency_key(draft.idempotency_key)
                if existing is not None:
                    return self._read(existing)[0]
            now = utcnow()
            ticket_id, seq_meta = self._ids.next(
                now.strftime("%Y%m%d%H%M%S"), remembered=self._untouched
            )
            self._check_links(ticket_id, draft.parent_id, draft.dependencies)
            ticket = from_draft(draft, ticket_id, now)
            self._store_ticket(ticket, draft.idempotency_key, seq_meta, new=True)
            return ticket

    def get(self, ticket_id: str) -> Ticket:
        with self._mutex, self._held(exclusive=False):
            return self._read(ticket_id)[0]

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        given = changes.given()
        with self._writing(index_needed="parent_id" in given or "dependencies" in given):
            current, idem = self._read(ticket_id)
            if "parent_id" in given or "dependencies" in given:
                self._check_links(
                    ticket_id,
                    given.get("parent_id", current.parent_id),
                    given.get("dependencies", []),
                )
            updated = changes.apply_to(current)
            if updated is not current:
                self._store_ticket(updated, idem, {})
            return updated

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        with self._writing(index_needed=False):
            self._read(ticket_id)
            comments = self._read_comments(ticket_id)
            comment = Comment(
                id=f"{ticket_id}.c{len(comments) + 1}",
                ticket_id=ticket_id,
                author=author,
                body=body,
                key=key,
            )
            comments.append(comment)
            self._store.comments.write(
                f"{ticket_id}.json", encode_comments(comments), new=len(comments) == 1
            )
            return comment

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        with self._mutex, self._held(exclusive=False):
            self._read(ticket_id)
            return self._read_comments(ticket_id)

    def list(self, query: TicketQuery) -> TicketPage:
        """Tickets oldest first, filtered by the index; a cursor's position is the last
        ticket's ``created|id``, so each page starts in the index where the last one ended."""
        start = Cursor.parse(query.cursor, valid=is_key)

        def fetch(position: str) -> tuple[builtins.list[Ticket], str | None]:
            rows = self._rows(query, key_of(position), query.limit + 1)
            items = [Ticket.model_validate_json(doc) for _, _, doc, _ in rows[: query.limit]]
            if len(rows) <= query.limit:
                return items, None
            return items, f"{rows[query.limit - 1][1]}|{rows[query.limit - 1][0]}"

        page = fill_page(fetch, start, query.limit)
        page.problems = self.problems()
        return page

    def iter_docs(self, query: TicketQuery) -> Iterator[str]:
        """The stored JSON of every ticket matching ``query`` (its limit and cursor aside),
        oldest first, read a page at a time: for streaming a whole store out."""
        after: tuple[str, str] | None = None
        while True:
            rows = self._rows(query, after, _STREAM_PAGE)
            for _, _, doc, _ in rows:
                yield doc
            if len(rows) < _STREAM_PAGE:
                return
            after = (rows[-1][1], rows[-1][0])

    def count(self, query: TicketQuery) -> int:
        """How many tickets match ``query`` (its limit and cursor aside), from the index."""
        with self._mutex:
            self._ensure_fresh()
            return self._store.index.count(query)

    def problems(self) -> builtins.list[str]:
        """The files that cannot be read, each with its problem; each is logged once."""
        with self._mutex:
            found = self._store.index.problems()
        for tid, error in found:
            if tid not in self._warned:
                self._warned.add(tid)
                log.warning("skipping unreadable ticket file: %s", error)
        return [error for _, error in found]

    def _rows(
        self, query: TicketQuery, after: tuple[str, str] | None, limit: int
    ) -> builtins.list[tuple[str, str, str, Row]]:
        """The index's rows for a page, files changed since they were indexed read first."""
        with self._mutex:
            self._ensure_fresh()
            rows = self._store.index.query(query, after, limit)
            stale = self._fresh.stale((tid, row) for tid, _, _, row in rows)
            if stale:
                with self._writing(repairing=True):
                    self._fresh.repair(stale)
                rows = self._store.index.query(query, after, limit)
            return rows

    def fields(self, issue_type: str | None = None) -> builtins.list[FieldInfo]:
        """The neutral model's fields, with the allowed values of the enums."""
        return neutral_fields(issue_type)

    def find_by_key(self, key: str) -> Ticket | None:
        """The ticket created with ``key``, or ``None``."""
        with self._mutex:
            self._ensure_fresh()
            found = self._store.index.by_idempotency_key(key)
        return None if found is None else self.get(found)

    # ------------------------------------------------------------ files

    def _read(self, ticket_id: str) -> tuple[Ticket, str | None]:
        name = f"{check_ticket_id(ticket_id, adapter=self.name)}.json"
        path = self._store.tickets.path / name
        try:
            raw, _ = self._store.tickets.read(name)
        except FileNotFoundError:
            raise self._not_found(ticket_id) from None
        except OSError as exc:
            raise self._unreadable(path, exc, ticket_id) from None
        return parse_ticket(ticket_id, path, raw, adapter=self.name)

    def _read_comments(self, ticket_id: str) -> builtins.list[Comment]:
        folder = self._store.comments
        path = folder.path / f"{ticket_id}.json"
        try:
            raw, _ = folder.read(path.name)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise self._unreadable(path, exc, ticket_id) from None
        return parse_comments(ticket_id, path, raw, adapter=self.name)

    def _store_ticket(
        self, ticket: Ticket, idem: str | None, meta: dict[str, str], *, new: bool = False
    ) -> None:
        """Write the ticket's file, then index it with the directory's new stamp in one
        transaction."""
        data, doc = encode_ticket(ticket, idem)
        st = self._store.tickets.write(f"{ticket.id}.json", data, new=new)
        trusted = self._trusted_write
        mtime, stamp = self._fresh.stamp_meta() if trusted else (0, {})
        index, journal = self._store.index, self._store.journal
        row = index.row_of(ticket, doc, idem=idem, mtime_ns=st.st_mtime_ns, size=st.st_size)
        if journal is not None:  # the next read puts it into the index, with others
            entry = [*row[:10], *row[11:], ticket.labels, ticket.dependencies, {**stamp, **meta}]
            if journal.append(entry, doc) > JOURNAL_LIMIT:
                self._fresh.apply_journal()
        else:
            index.put_row(row, ticket.labels, ticket.dependencies, {**stamp, **meta}, new=new)
        if trusted:
            self._fresh.known = self._own_mtime = mtime
            self._ids.remember(meta)

    # ------------------------------------------------------------ locking and the index

    @contextmanager
    def _writing(self, *, repairing: bool = False, index_needed: bool = True) -> Iterator[None]:
        """The store locked for writing, the index up to date; write errors made clear.

        A write that does not consult the index (no idempotency key, no links) does not
        bring it up to date first: it then records no directory stamp, so the next reader
        still compares the files. ``repairing`` (re-indexing for a reader) is allowed where
        writing files is not: the index of a read-only store lives in memory."""
        with self._mutex:
            lock = self._store.lock
            try:
                held = lock.acquire(exclusive=self._store.writable)
            except LockTimeout:
                raise self._locked() from None
            try:
                self._prepare_write(repairing=repairing, index_needed=index_needed)
                yield
            except UnsafeEntry as exc:
                raise CorruptDataError(
                    f"cannot write {exc}", path=str(exc.path), adapter=self.name
                ) from None
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC):
                    raise
                raise PermanentError(
                    f"cannot write to the store {self.root}: {exc.strerror} ({exc.filename})",
                    adapter=self.name,
                ) from None
            finally:
                lock.release(held)

    def _prepare_write(self, *, repairing: bool, index_needed: bool) -> None:
        """Under the lock, before a write: refuse it if the store cannot be written, bring
        the index up to date if the write consults it, and decide whether it may record the
        directory's stamp."""
        if not repairing:
            self._store.refuse_writes()
        if index_needed:
            self._ensure_fresh()
        # as this process's last write left it: nobody else has written since
        self._untouched = self._store.tickets.mtime() == self._own_mtime
        if not self._untouched and not index_needed:
            self._fresh.apply_journal()  # others' rows first: then the stamp can tell
        self._trusted_write = index_needed or self._untouched or self._fresh.trusted()

    @contextmanager
    def _held(self, *, exclusive: bool) -> Iterator[None]:
        try:
            with self._store.lock.hold(exclusive=exclusive):
                yield
        except LockTimeout:
            raise self._locked() from None

    def _ensure_fresh(self) -> None:
        """Bring the index up to date with the files; one ``fstat`` when nothing changed."""
        import sqlite3

        try:
            if self._fresh.trusted():
                return
            with self._held(exclusive=self._store.writable):
                self._fresh.bring_up_to_date()
        except sqlite3.DatabaseError as exc:
            if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                raise
            log.warning("the index of %s is damaged (%s); rebuilding it", self.root, exc)
            with self._held(exclusive=self._store.writable):
                self._store.index.close()
                self._store.index = self._store.rebuild_index()
                self._fresh.known = None
                self._fresh.reconcile()

    # ------------------------------------------------------------ ids and links

    def _exists(self, ticket_id: str) -> bool:
        return self._store.tickets.exists(f"{check_ticket_id(ticket_id, adapter=self.name)}.json")

    def _check_links(self, ticket_id: str, parent_id: str | None, deps: builtins.list[str]) -> None:
        check_links(self._store.index, self._exists, ticket_id, parent_id, deps, adapter=self.name)

    def _not_found(self, ticket_id: str) -> NotFoundError:
        return NotFoundError(
            f"no ticket {ticket_id} in {self.root}", adapter=self.name, ticket_id=ticket_id
        )

    def _unreadable(self, path: Path, exc: OSError, ticket_id: str) -> CorruptDataError:
        reason = str(exc) if isinstance(exc, UnsafeEntry) else f"{path}: {exc.strerror}"
        return CorruptDataError(
            f"cannot read {reason}", path=str(path), adapter=self.name, ticket_id=ticket_id
        )

    def _locked(self) -> UnavailableError:
        return UnavailableError(
            f"the store {self.root} is locked by another process", adapter=self.name
        )
