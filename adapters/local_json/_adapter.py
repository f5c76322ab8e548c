"""``LocalJsonService``: a complete tracker in a directory of JSON files.

Layout of a store::

    .tickets/
      tickets/<ID>.json     one ticket per file, pretty JSON (git-friendly)
      comments/<ID>.json    its comments, kept apart so no ticket update can touch them
      index.sqlite3         a rebuildable index for list and filter (git-ignored)
      .lock                 the inter-process write lock (git-ignored)

Every write happens under the lock and replaces its file atomically; ids are allocated under
the lock, so several processes can share one store.
"""

from __future__ import annotations

import builtins
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from adapters._paging import Cursor, fill_page
from adapters.local_json._config import LocalJsonConfig
from adapters.local_json._files import atomic_write, file_stamps, remove_stale_temps
from adapters.local_json._index import Index, Row, stamp
from adapters.local_json._links import check_links
from adapters.local_json._lock import LockTimeout, StoreLock
from adapters.local_json._records import (
    encode_comments,
    encode_ticket,
    parse_comments,
    parse_ticket,
)
from bridge.contract import Adapter, Capabilities
from bridge.defaults import ID_PREFIX
from bridge.errors import CorruptDataError, InvalidError, NotFoundError, UnavailableError
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

_GITIGNORE = "index.sqlite3*\n.lock\n.tmp-*\n"


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
        self._tickets = self.root / "tickets"
        self._comments = self.root / "comments"
        for directory in (self._tickets, self._comments):
            directory.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text(_GITIGNORE)
        self._lock = StoreLock(self.root / ".lock", timeout=lock_timeout)
        self._mutex = threading.RLock()
        self._index = Index(self.root / "index.sqlite3")
        self._checked = False
        self._warned: set[str] = set()

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
            self._index.close()
            self._lock.close()

    def __repr__(self) -> str:
        return f"<LocalJsonAdapter {str(self.root)!r}>"

    # ------------------------------------------------------------ primitives

    def create(self, draft: TicketDraft) -> Ticket:
        with self._writing():
            if draft.idempotency_key:
                existing = self._index.by_idempotency_key(draft.idempotency_key)
                if existing is not None:
                    return self._read(existing)[0]
            ticket_id, seq_meta = self._index.next_id(self.id_prefix, utcnow(), self._exists)
            self._check_links(ticket_id, draft.parent_id, draft.dependencies)
            now = utcnow()
            fields = draft.model_dump(exclude={"idempotency_key"})
            ticket = Ticket(id=ticket_id, created_at=now, updated_at=now, **fields)
            self._store(ticket, draft.idempotency_key, seq_meta, new=True)
            return ticket

    def get(self, ticket_id: str) -> Ticket:
        return self._read(ticket_id)[0]

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        with self._writing():
            current, idem = self._read(ticket_id)
            given = changes.given()
            if "parent_id" in given or "dependencies" in given:
                self._check_links(
                    ticket_id,
                    given.get("parent_id", current.parent_id),
                    given.get("dependencies", []),
                )
            updated = changes.apply_to(current)
            if updated is not current:
                self._store(updated, idem)
            return updated

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        with self._writing():
            if not self._ticket_path(ticket_id).exists():
                raise self._not_found(ticket_id)
            comments = self._read_comments(ticket_id)
            comment = Comment(
                id=f"{ticket_id}.c{len(comments) + 1}",
                ticket_id=ticket_id,
                author=author,
                body=body,
                key=key,
            )
            comments.append(comment)
            data = encode_comments(comments)
            atomic_write(self._comment_path(ticket_id), data, durable=self.durable)
            return comment

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        if not self._ticket_path(ticket_id).exists():
            raise self._not_found(ticket_id)
        return self._read_comments(ticket_id)

    def list(self, query: TicketQuery) -> TicketPage:
        """Tickets oldest first, filtered by the index; a cursor's position is the last
        ticket's ``created|id``."""
        start = Cursor.parse(query.cursor, valid=_is_key)
        problems: builtins.list[tuple[str, str]] = []

        def fetch(position: str) -> tuple[builtins.list[Ticket], str | None]:
            rows, unreadable = self._rows(query, _key(position))
            problems[:] = unreadable
            docs = [doc for _, doc, _ in rows]
            items = [Ticket.model_validate_json(doc) for doc in docs[: query.limit]]
            if len(docs) <= query.limit:
                return items, None
            created, _ = stamp(items[-1])
            return items, f"{created}|{items[-1].id}"

        page = fill_page(fetch, start, query.limit)
        page.problems = [f"{self._ticket_path(tid)}: {error}" for tid, error in problems]
        for tid, error in problems:
            if tid not in self._warned:
                self._warned.add(tid)
                log.warning("skipping unreadable ticket file %s: %s", self._ticket_path(tid), error)
        return page

    def _rows(
        self, query: TicketQuery, after: tuple[str, str] | None
    ) -> tuple[builtins.list[tuple[str, str, Row]], builtins.list[tuple[str, str]]]:
        """The index's rows for a page (at most ``limit + 1``), files changed since they were
        indexed read again first; and the files that cannot be read."""
        with self._mutex:
            self._refresh()
            rows = list(self._index.query(query, after))
            stale = [tid for tid, _, row in rows if not self._same_file(tid, row)]
            stale += [tid for tid, _ in self._index.problems() if not self._same_problem(tid)]
            if stale:
                with self._writing():
                    self._repair(stale)
                rows = list(self._index.query(query, after))
            return rows, self._index.problems()

    def find_by_key(self, key: str) -> Ticket | None:
        """The ticket created with ``key``, or ``None``."""
        with self._mutex:
            self._refresh()
            found = self._index.by_idempotency_key(key)
        return None if found is None else self.get(found)

    # ------------------------------------------------------------ files

    def _ticket_path(self, ticket_id: str) -> Path:
        check_ticket_id(ticket_id, adapter=self.name)
        return self._tickets / f"{ticket_id}.json"

    def _comment_path(self, ticket_id: str) -> Path:
        check_ticket_id(ticket_id, adapter=self.name)
        return self._comments / f"{ticket_id}.json"

    def _read(self, ticket_id: str) -> tuple[Ticket, str | None]:
        path = self._ticket_path(ticket_id)
        try:
            with self._held(exclusive=False):
                raw = path.read_bytes()
        except FileNotFoundError:
            raise self._not_found(ticket_id) from None
        return parse_ticket(ticket_id, path, raw, adapter=self.name)

    def _read_comments(self, ticket_id: str) -> builtins.list[Comment]:
        path = self._comment_path(ticket_id)
        try:
            with self._held(exclusive=False):
                raw = path.read_bytes()
        except FileNotFoundError:
            return []
        return parse_comments(ticket_id, path, raw, adapter=self.name)

    def _store(
        self,
        ticket: Ticket,
        idem: str | None,
        extra_meta: dict[str, str] | None = None,
        *,
        new: bool = False,
    ) -> None:
        data = encode_ticket(ticket, idem)
        self._index.mark_pending(ticket.id)
        st = atomic_write(self._ticket_path(ticket.id), data, durable=self.durable)
        self._put(ticket, idem, st, extra_meta, new=new)

    def _put(
        self,
        ticket: Ticket,
        idem: str | None,
        st: os.stat_result,
        extra_meta: dict[str, str] | None = None,
        *,
        new: bool = False,
    ) -> None:
        """Index the ticket as its file now stands (size and mtime from ``st``)."""
        self._index.put(
            ticket,
            ticket.model_dump_json(),
            idem=idem,
            mtime_ns=st.st_mtime_ns,
            size=st.st_size,
            dir_mtime=os.stat(self._tickets).st_mtime_ns,
            extra_meta=extra_meta,
            new=new,
        )

    # ------------------------------------------------------------ locking and the index

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._mutex, self._held(exclusive=True):
            if self._index.has_pending():  # a writer died mid-write: repair, sweep its temps
                self._repair(self._index.pending())
                remove_stale_temps(self._tickets)
                remove_stale_temps(self._comments)
            yield

    @contextmanager
    def _held(self, *, exclusive: bool) -> Iterator[None]:
        try:
            with self._lock.hold(exclusive=exclusive):
                yield
        except LockTimeout:
            raise UnavailableError(
                f"the store {self.root} is locked by another process", adapter=self.name
            ) from None

    def _same_file(self, ticket_id: str, row: Row) -> bool:
        """True if the file still has the size and mtime it had when it was indexed."""
        try:
            st = os.stat(self._tickets / f"{ticket_id}.json")
        except FileNotFoundError:
            return False
        return (st.st_mtime_ns, st.st_size) == (row.mtime_ns, row.size)

    def _same_problem(self, ticket_id: str) -> bool:
        return self._same_file(ticket_id, self._index.problem_stamp(ticket_id))

    def _refresh(self) -> None:
        """Bring the index up to date with the files; cheap when nothing changed."""
        if self._checked:
            dir_mtime = str(os.stat(self._tickets).st_mtime_ns)
            if dir_mtime == self._index.get_meta("dir_mtime") and not self._index.has_pending():
                return
        with self._writing():
            if not self._checked or str(os.stat(self._tickets).st_mtime_ns) != self._index.get_meta(
                "dir_mtime"
            ):
                self._reconcile()
            self._checked = True

    def _reconcile(self) -> None:
        """Compare every file with the index by size and mtime; re-read what differs."""
        known = self._index.stamps()
        on_disk = file_stamps(self._tickets)
        changed = [tid for tid, st in on_disk.items() if known.get(tid) != st]
        gone = [tid for tid in known if tid not in on_disk]
        if changed or gone:
            log.info("reindexing %d changed and %d removed ticket files", len(changed), len(gone))
        with self._index.batch():
            self._repair(changed)
            for ticket_id in gone:
                self._index.forget(ticket_id)
            if changed or gone:  # a writer may have died: sweep its temporary files
                remove_stale_temps(self._tickets)
                remove_stale_temps(self._comments)
            self._index.set_meta("dir_mtime", str(os.stat(self._tickets).st_mtime_ns))

    def _repair(self, ticket_ids: builtins.list[str]) -> None:
        """Re-read the given files into the index (after a crash or a change by hand)."""
        for ticket_id in ticket_ids:
            try:
                path = self._ticket_path(ticket_id)
            except InvalidError:
                self._index.forget(ticket_id)
                continue
            try:
                raw = path.read_bytes()
                st = os.stat(path)
            except FileNotFoundError:
                self._index.forget(ticket_id)
                continue
            try:
                ticket, idem = parse_ticket(ticket_id, path, raw, adapter=self.name)
            except CorruptDataError as exc:
                self._index.put_problem(ticket_id, exc.message, st.st_mtime_ns, st.st_size)
                continue
            self._put(ticket, idem, st)

    # ------------------------------------------------------------ ids and links

    def _exists(self, ticket_id: str) -> bool:
        return self._ticket_path(ticket_id).exists()

    def _check_links(self, ticket_id: str, parent_id: str | None, deps: builtins.list[str]) -> None:
        check_links(self._index, self._exists, ticket_id, parent_id, deps, adapter=self.name)

    def _not_found(self, ticket_id: str) -> NotFoundError:
        return NotFoundError(
            f"no ticket {ticket_id} in {self.root}", adapter=self.name, ticket_id=ticket_id
        )


def _is_key(position: str) -> bool:
    created, sep, ticket_id = position.rpartition("|")
    return bool(sep and created and ticket_id)


def _key(position: str) -> tuple[str, str] | None:
    """The (created, id) a page starts after; ``None`` for the first page."""
    if not position:
        return None
    created, _, ticket_id = position.rpartition("|")
    return created, ticket_id
