"""Opening a store: its directories, ``.gitignore``, lock and index, whatever state they are in.

Everything is opened relative to the root's descriptor and never through a link. Damage is
either an error naming the path and the problem (the store path or ``tickets/`` is not a
directory) or a warning while the rest works: a ``.lock`` that is not a file leaves the store
readable but not writable, an ``index.sqlite3`` that is not a database is rebuilt, one that is
a link (or anything but a plain file) is replaced by an index in memory for the process, and
a store this process cannot write is read with an index in memory.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import stat
from pathlib import Path

from adapters.local_json._files import Folder, UnsafeEntry, describe, open_dir
from adapters.local_json._index import Index
from adapters.local_json._journal import Journal
from adapters.local_json._lock import StoreLock
from bridge.errors import CorruptDataError, PermanentError

__all__ = ["GITIGNORE", "INDEX", "Layout"]

log = logging.getLogger(__name__)

INDEX = "index.sqlite3"
GITIGNORE = "index.sqlite3*\n.lock\n.tmp-*\n.spare\n"
_OLD_GITIGNORES = ("index.sqlite3*\n.lock\n.tmp-*\n",)
_SIDE_FILES = ("", "-wal", "-shm", "-journal")
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


class Layout:
    """The open parts of one store; ``adapter`` names it in errors."""

    def __init__(self, root: Path, *, durable: bool, lock_timeout: float, adapter: str) -> None:
        self.root = root
        self.adapter = adapter
        self.durable = durable
        self._root_fd = self._open(None, root)
        self.top = Folder(root, self._root_fd, durable=durable)
        self.tickets = Folder(
            root / "tickets", self._open(self._root_fd, root / "tickets"), durable=durable
        )
        self._comments: Folder | None = None
        self.lock = StoreLock(root / ".lock", lock_timeout, dir_fd=self._root_fd)
        with self.lock.hold(exclusive=True):  # one process at a time sets up the index
            if self.writable:
                self._gitignore()
            self.index = self.open_index()
            self.journal = Journal.open(self._root_fd, root) if self.writable else None
        try:
            self.comments  # noqa: B018 - made beside tickets/ now; damage is named on use
        except CorruptDataError as exc:
            log.warning("%s", exc)

    @property
    def writable(self) -> bool:
        return self.lock.problem is None

    def refuse_writes(self) -> None:
        """Raise the clear error for a write to a store this process cannot write."""
        if self.lock.problem is not None:
            raise PermanentError(
                f"cannot write to the store {self.root}: {self.lock.problem}", adapter=self.adapter
            )

    def _open(self, parent: int | None, path: Path) -> int:
        try:
            return open_dir(parent, path, create=True)
        except UnsafeEntry as exc:
            raise CorruptDataError(
                f"cannot open the store: {exc}", path=str(path), adapter=self.adapter
            ) from None
        except OSError as exc:
            raise CorruptDataError(
                f"cannot open the store: {path}: {exc.strerror}",
                path=str(path),
                adapter=self.adapter,
            ) from None

    @property
    def comments(self) -> Folder:
        """``comments/``, opened on first use; ``CorruptDataError`` if it is not a directory."""
        if self._comments is None:
            path = self.root / "comments"
            self._comments = Folder(path, self._open(self._root_fd, path), durable=self.durable)
        return self._comments

    def close(self) -> None:
        self.index.close()
        if self.journal is not None:
            self.journal.close()
        self.lock.close()
        for folder in (self._comments, self.tickets, self.top):
            if folder is not None:
                folder.close()

    # ------------------------------------------------------------ .gitignore

    def _gitignore(self) -> None:
        """Write the store's ``.gitignore``, or bring one this library wrote up to date."""
        try:
            current, _ = self.top.read(".gitignore")
        except FileNotFoundError:
            current = None
        except OSError as exc:  # someone's own: leave it
            log.warning("leaving %s as it is: %s", self.root / ".gitignore", exc)
            return
        if current is None or current.decode(errors="replace") in _OLD_GITIGNORES:
            try:
                self.top.write(".gitignore", GITIGNORE.encode(), new=True)
            except OSError as exc:
                log.warning("cannot write %s: %s", self.root / ".gitignore", exc)

    # ------------------------------------------------------------ the index

    def open_index(self) -> Index:
        """The index file, rebuilt if damaged; an index in memory where none can be used."""
        path = self.root / INDEX
        if not self.writable:
            log.info("%s cannot be written here: indexing it in memory", self.root)
            return Index(":memory:")
        for suffix in _SIDE_FILES:
            st = self.top.lstat(INDEX + suffix)
            if st is not None and (not stat.S_ISREG(st.st_mode) or st.st_nlink != 1):
                what = describe(st.st_mode) if not stat.S_ISREG(st.st_mode) else "has hard links"
                log.warning(
                    "%s %s: not using it; indexing in memory (remove it to get the index back)",
                    self.root / (INDEX + suffix),
                    what,
                )
                return Index(":memory:")
        try:
            return Index(str(path), durable=self.durable)
        except sqlite3.DatabaseError as exc:
            if exc.sqlite_errorcode & 0xFF not in _DAMAGED:
                log.warning("cannot use the index %s (%s): indexing in memory", path, exc)
                return Index(":memory:")
            log.warning("the index %s is damaged (%s); rebuilding it from the files", path, exc)
        return self.rebuild_index()

    def rebuild_index(self) -> Index:
        """Remove the index files and start a new, empty index (the next list fills it)."""
        for suffix in _SIDE_FILES:
            try:
                os.unlink(INDEX + suffix, dir_fd=self._root_fd)
            except FileNotFoundError:
                pass
            except OSError as exc:
                if exc.errno not in (errno.EISDIR, errno.EPERM):
                    raise
        try:
            return Index(str(self.root / INDEX), durable=self.durable)
        except sqlite3.Error as exc:
            log.warning("cannot rebuild the index %s (%s): indexing in memory", self.root, exc)
            return Index(":memory:")
