"""Keeping the index true to the files, without reading them all when nothing changed.

The index records the ``tickets/`` directory's mtime as of its last transaction, sealed (see
:mod:`._files`): set to a moment a second ago, a value no later change can give it. Anything that
adds, removes or renames a file there (a person, ``git pull``, an editor saving through a
rename, a writer killed before its index transaction) gives the directory a new mtime, so

* mtime as recorded: the index knows every file; one ``fstat`` and one query decide it;
* another mtime: every file is compared with the index by size and mtime, and those that
  differ are read again (the *reconcile*, after which the mtime is recorded again);
* as recorded but not sealed (a directory whose mtime this process may not set): a change in
  the same clock tick as the last write could hide, so the names on disk are compared with
  the index's before the index is trusted.

An edit in place (a file rewritten under its own name) leaves the directory alone; it is found
when that ticket is read, updated or listed, since each page compares its files' size and
mtime with the index's, and whenever the directory changes next.
"""

from __future__ import annotations

import contextlib
import logging
import stat
import time
from collections.abc import Callable, Iterable
from typing import Any

from adapters.local_json._files import Folder, UnsafeEntry
from adapters.local_json._index import Index, Row
from adapters.local_json._layout import Layout
from adapters.local_json._records import parse_ticket, ticket_doc
from bridge.errors import CorruptDataError, InvalidError
from bridge.models import check_ticket_id

__all__ = ["Freshness"]

log = logging.getLogger(__name__)

_SETTLED_NS = 100_000_000  # an unsealed mtime this old has seen its clock tick pass
_SUFFIX = ".json"


class Freshness:
    """Decides when the index can be trusted, and brings it up to date when it cannot."""

    def __init__(self, layout: Layout, adapter: str) -> None:
        self.layout = layout
        self.adapter = adapter
        self.known: int | None = None
        """The directory mtime this process last saw the index match."""

    @property
    def index(self) -> Index:
        return self.layout.index

    @property
    def tickets(self) -> Folder:
        return self.layout.tickets

    def trusted(self) -> bool:
        """True if the index knows every file of ``tickets/`` now (no lock needed)."""
        journal = self.layout.journal
        if journal is not None and not journal.empty():
            return False
        current = self.tickets.mtime()
        if current == self.known:
            return True
        stored, ok = self.index.metas("dir_mtime", "dir_ok")
        if stored == str(current) and ok == "1":
            self.known = current
            return True
        return False

    def bring_up_to_date(self) -> None:
        """Under the store lock: apply the journal; then reconcile, or just compare names, as
        the stamp calls for."""
        self.apply_journal()
        current = self.tickets.mtime()
        stored, ok = self.index.metas("dir_mtime", "dir_ok")
        if stored == str(current) and ok == "1":
            self.known = current
            return
        if stored == str(current) and self.tickets.names(_SUFFIX) == self.index.ids():
            settled = time.time_ns() - current > _SETTLED_NS
            self.record(current, sealed=settled)
            return
        self.reconcile()

    def apply_journal(self) -> None:
        """Put the journal's rows into the index in one transaction, and empty it (under
        the store's lock). A row whose file changed since is read from the file instead."""
        journal = self.layout.journal
        if journal is None or journal.empty():
            return
        entries, whole = journal.entries()
        latest = {entry[0]: entry for entry in entries}  # a ticket written twice: its last
        meta: dict[str, str] = {}
        for entry in entries:
            meta.update(entry[15])
        with self.index.batch():
            fresh: list[list[Any]] = []
            stale: list[list[Any]] = []
            for tid, entry in latest.items():
                st = self.tickets.lstat(f"{tid}{_SUFFIX}")
                ok = st is not None and [st.st_mtime_ns, st.st_size] == entry[11:13]
                (fresh if ok else stale).append(entry)
            self.index.put_rows(fresh, meta)
            self.repair(str(entry[0]) for entry in stale)
            if not whole:
                log.warning("%s has a torn line; comparing every file", journal.path)
                self.index.set_meta("dir_ok", "0")
                self.index.set_meta("dir_mtime", "")
        journal.clear()

    def reconcile(self) -> None:
        """Compare every file with the index by size and mtime; re-read what differs."""
        on_disk, bad = self.tickets.scan(_SUFFIX)
        changed: list[str] = []
        gone: list[str] = []
        recorded: dict[str, tuple[int | None, int | None]] = {}
        for tid, mtime_ns, size in self.index.iter_stamps():  # read, not held: 100k rows
            if tid in bad:
                recorded[tid] = (mtime_ns, size)
            st = on_disk.pop(tid, None)
            if st is None:
                if tid not in bad:
                    gone.append(tid)
            elif st != (mtime_ns, size):
                changed.append(tid)
        changed.extend(on_disk)  # files the index has never seen
        if changed or gone:
            log.info("reindexing %d changed and %d removed ticket files", len(changed), len(gone))
        with self.index.batch():
            self.repair(changed)
            for ticket_id in gone:
                self.index.forget(ticket_id)
            for ticket_id, problem in bad.items():
                if recorded.get(ticket_id) != (0, 0):
                    self.index.put_problem(ticket_id, problem, 0, 0)
            if (changed or gone) and self.layout.writable:
                self.tickets.sweep_temps()  # a writer may have died: sweep its temporary files
                with contextlib.suppress(CorruptDataError):  # named when comments are used
                    self.layout.comments.sweep_temps()
            self.seal_and_record()

    def seal_and_record(self, extra: dict[str, str] | None = None) -> None:
        """After a change to ``tickets/``: seal its mtime and record it (in the transaction
        already open, if any)."""
        if self.layout.writable:
            mtime, sealed = self.tickets.seal()
        else:
            mtime, sealed = self.tickets.mtime(), False
        self.record(mtime, sealed=sealed, extra=extra)

    def stamp_meta(self) -> tuple[int, dict[str, str]]:
        """Seal ``tickets/`` and return its mtime with the meta that records it."""
        mtime, sealed = self.tickets.seal()
        return mtime, {"dir_mtime": str(mtime), "dir_ok": "1" if sealed else "0"}

    def record(self, mtime: int, *, sealed: bool, extra: dict[str, str] | None = None) -> None:
        with self.index.batch():
            self.index.set_meta("dir_mtime", str(mtime))
            self.index.set_meta("dir_ok", "1" if sealed else "0")
            for key, value in (extra or {}).items():
                self.index.set_meta(key, value)
        self.known = mtime

    def repair(self, ticket_ids: Iterable[str]) -> None:
        """Re-read the given files into the index (after a crash or a change by hand)."""
        for ticket_id in ticket_ids:
            try:
                check_ticket_id(ticket_id)
            except InvalidError:
                self.index.forget(ticket_id)
                continue
            path = self.tickets.path / f"{ticket_id}{_SUFFIX}"
            try:
                raw, st = self.tickets.read(f"{ticket_id}{_SUFFIX}")
            except FileNotFoundError:
                self.index.forget(ticket_id)
                continue
            except OSError as exc:
                lst = self.tickets.lstat(f"{ticket_id}{_SUFFIX}")
                regular = lst is not None and stat.S_ISREG(lst.st_mode)
                mtime, size = (lst.st_mtime_ns, lst.st_size) if lst and regular else (0, 0)
                self.index.put_problem(ticket_id, _reason(exc), mtime, size)
                continue
            try:
                ticket, idem = parse_ticket(ticket_id, path, raw, adapter=self.adapter)
            except CorruptDataError as exc:
                self.index.put_problem(ticket_id, exc.message, st.st_mtime_ns, st.st_size)
                continue
            self.index.put(
                ticket,
                ticket_doc(ticket),
                idem=idem,
                mtime_ns=st.st_mtime_ns,
                size=st.st_size,
                meta={},
            )

    def stale(self, rows: Iterable[tuple[str, Row]]) -> list[str]:
        """The ids among ``rows`` whose file no longer has the size and mtime indexed, and
        the known problems whose file changed."""
        same: Callable[[str, Row], bool] = self._same_file
        found = [tid for tid, row in rows if not same(tid, row)]
        for tid, _ in self.index.problems():
            if not same(tid, self.index.problem_stamp(tid)):
                found.append(tid)
        return found

    def _same_file(self, ticket_id: str, row: Row) -> bool:
        st = self.tickets.lstat(f"{ticket_id}{_SUFFIX}")
        if st is None:
            return False
        if row.mtime_ns == 0 and row.size == 0:  # a problem entry that is not a file
            return not stat.S_ISREG(st.st_mode)
        return (st.st_mtime_ns, st.st_size) == (row.mtime_ns, row.size)


def _reason(exc: OSError) -> str:
    if isinstance(exc, UnsafeEntry):
        return str(exc)
    return f"{exc.filename or ''}: {exc.strerror or exc}".strip(": ")
