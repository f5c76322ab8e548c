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
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from pydantic import ValidationError

from adapters.local_json._config import LocalJsonConfig
from adapters.local_json._files import atomic_write, remove_stale_temps
from adapters.local_json._index import Index, Row, stamp
from adapters.local_json._lock import LockTimeout, StoreLock
from bridge.contract import Adapter, Capabilities
from bridge.defaults import ID_PREFIX
from bridge.errors import (
    ConflictError,
    CorruptDataError,
    InvalidError,
    NotFoundError,
    UnavailableError,
)
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
_IDEM = "idempotency_key"


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
            ticket_id, seq_meta = self._next_id()
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

    def add_comment(self, ticket_id: str, body: str, author: str) -> Comment:
        with self._writing():
            if not self._ticket_path(ticket_id).exists():
                raise self._not_found(ticket_id)
            comments = self._read_comments(ticket_id)
            comment = Comment(
                id=f"{ticket_id}.c{len(comments) + 1}",
                ticket_id=ticket_id,
                author=author,
                body=body,
            )
            comments.append(comment)
            payload = [c.model_dump(mode="json") for c in comments]
            data = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
            atomic_write(self._comment_path(ticket_id), data.encode(), durable=self.durable)
            return comment

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        if not self._ticket_path(ticket_id).exists():
            raise self._not_found(ticket_id)
        return self._read_comments(ticket_id)

    def list(self, query: TicketQuery) -> TicketPage:
        after = _parse_cursor(query.cursor)
        with self._mutex:
            self._refresh()
            rows = list(self._index.query(query, after))
            stale = [tid for tid, _, row in rows if not self._same_file(tid, row)]
            stale += [tid for tid, _ in self._index.problems() if not self._same_problem(tid)]
            if stale:
                with self._writing():
                    self._repair(stale)
                rows = list(self._index.query(query, after))
            problems = self._index.problems()
        docs = [doc for _, doc, _ in rows]
        items = [Ticket.model_validate_json(doc) for doc in docs[: query.limit]]
        next_cursor = None
        if len(docs) > query.limit:
            created, _ = stamp(items[-1])
            next_cursor = f"{created}|{items[-1].id}"
        named = [f"{self._ticket_path(tid)}: {error}" for tid, error in problems]
        for tid, error in problems:
            if tid not in self._warned:
                self._warned.add(tid)
                log.warning("skipping unreadable ticket file %s: %s", self._ticket_path(tid), error)
        return TicketPage(items, next_cursor=next_cursor, problems=named)

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
        return self._parse(ticket_id, path, raw)

    def _parse(self, ticket_id: str, path: Path, raw: bytes) -> tuple[Ticket, str | None]:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("the file does not hold a JSON object")
            idem = data.pop(_IDEM, None)
            ticket = Ticket.model_validate(data)
            if ticket.id != ticket_id:
                raise ValueError(f"the file holds ticket {ticket.id!r}, not {ticket_id!r}")
        except (ValueError, ValidationError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CorruptDataError(
                f"cannot read {path}: {reason}",
                path=str(path),
                adapter=self.name,
                ticket_id=ticket_id,
            ) from None
        return ticket, idem if isinstance(idem, str) else None

    def _read_comments(self, ticket_id: str) -> builtins.list[Comment]:
        path = self._comment_path(ticket_id)
        try:
            with self._held(exclusive=False):
                raw = path.read_bytes()
        except FileNotFoundError:
            return []
        try:
            return [Comment.model_validate(item) for item in json.loads(raw)]
        except (ValueError, TypeError, ValidationError) as exc:
            raise CorruptDataError(
                f"cannot read {path}: {str(exc).splitlines()[0]}",
                path=str(path),
                adapter=self.name,
                ticket_id=ticket_id,
            ) from None

    def _store(
        self,
        ticket: Ticket,
        idem: str | None,
        extra_meta: dict[str, str] | None = None,
        *,
        new: bool = False,
    ) -> None:
        pretty = ticket.model_dump_json(indent=2)
        if idem:  # one more key, after the ticket's own, without re-encoding the rest
            pretty = f"{pretty[:-2]},\n  {json.dumps(_IDEM)}: {json.dumps(idem)}\n}}"
        pretty += "\n"
        self._index.mark_pending(ticket.id)
        st = atomic_write(self._ticket_path(ticket.id), pretty.encode(), durable=self.durable)
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
        changed: builtins.list[str] = []
        seen: set[str] = set()
        with os.scandir(self._tickets) as entries:
            for entry in entries:
                name = entry.name
                if name[0] == "." or not name.endswith(".json"):
                    continue
                ticket_id = name[:-5]
                seen.add(ticket_id)
                st = entry.stat()
                if known.get(ticket_id) != (st.st_mtime_ns, st.st_size):
                    changed.append(ticket_id)
        gone = [tid for tid in known if tid not in seen]
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
                ticket, idem = self._parse(ticket_id, path, raw)
            except CorruptDataError as exc:
                self._index.put_problem(ticket_id, exc.message, st.st_mtime_ns, st.st_size)
                continue
            self._put(ticket, idem, st)

    # ------------------------------------------------------------ ids and links

    def _next_id(self) -> tuple[str, dict[str, str]]:
        """``PREFIX-YYYYMMDDHHMMSS``, with ``-2``, ``-3``... within the same second."""
        base = f"{self.id_prefix}-{utcnow().strftime('%Y%m%d%H%M%S')}"
        n = 1
        if self._index.get_meta("id_base") == base:
            n = int(self._index.get_meta("id_seq") or "1") + 1
        while True:
            candidate = base if n == 1 else f"{base}-{n}"
            if not self._ticket_path(candidate).exists():
                return candidate, {"id_base": base, "id_seq": str(n)}
            n += 1

    def _exists(self, ticket_id: str) -> bool:
        return self._ticket_path(ticket_id).exists()

    def _check_links(self, ticket_id: str, parent_id: str | None, deps: builtins.list[str]) -> None:
        if parent_id is not None:
            if parent_id == ticket_id:
                raise ConflictError("a ticket cannot be its own parent", ticket_id=ticket_id)
            if not self._exists(parent_id):
                raise NotFoundError(
                    f"parent ticket {parent_id} does not exist",
                    adapter=self.name,
                    ticket_id=ticket_id,
                )
            ancestor: str | None = parent_id
            while ancestor is not None:
                if ancestor == ticket_id:
                    raise ConflictError(
                        f"making {parent_id} the parent would create a cycle",
                        adapter=self.name,
                        ticket_id=ticket_id,
                    )
                ancestor = self._index.parent_of(ancestor)
        for dep in deps:
            if dep == ticket_id:
                raise ConflictError("a ticket cannot depend on itself", ticket_id=ticket_id)
            if not self._exists(dep):
                raise NotFoundError(
                    f"dependency {dep} does not exist",
                    adapter=self.name,
                    ticket_id=ticket_id,
                )
            if self._reaches(dep, ticket_id):
                raise ConflictError(
                    f"depending on {dep} would create a cycle ({dep} already depends on "
                    f"{ticket_id})",
                    adapter=self.name,
                    ticket_id=ticket_id,
                )

    def _reaches(self, start: str, target: str) -> bool:
        stack, seen = [start], {start}
        while stack:
            for dep in self._index.deps_of(stack.pop()):
                if dep == target:
                    return True
                if dep not in seen:
                    seen.add(dep)
                    stack.append(dep)
        return False

    def _not_found(self, ticket_id: str) -> NotFoundError:
        return NotFoundError(
            f"no ticket {ticket_id} in {self.root}", adapter=self.name, ticket_id=ticket_id
        )


def _parse_cursor(cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    created, sep, ticket_id = cursor.rpartition("|")
    if not sep or not created or not ticket_id:
        raise InvalidError(f"invalid cursor {cursor!r}: pass a page's next_cursor back as it is")
    return created, ticket_id
