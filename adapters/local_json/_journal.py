"""The index's journal: index rows appended by writers, put into the index in batches.

A write of a ticket appends one line to ``index.sqlite3.log`` (one ``write`` under the
store's lock) instead of committing a SQLite transaction of its own: the row it would have
stored, its labels and dependencies, and the meta it would have set. The next read of the
index, in any process, first applies every line in one transaction and empties the journal.
That is what lets a create cost a file and a line rather than a file and a commit.

Applying is idempotent: a line whose file no longer has the size and mtime the line names
(changed since, or re-applied after a crash between the commit and the emptying) is not
trusted, and the file is read again instead. A torn or unreadable line makes the index
compare every file with the disk, as after a crash.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from adapters.local_json._files import describe

__all__ = ["JOURNAL", "LIMIT", "Journal"]

log = logging.getLogger(__name__)

JOURNAL = "index.sqlite3.log"
LIMIT = 1 << 20
"""A writer that finds the journal this long applies it, so that it stays small."""
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_FLAGS = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


class Journal:
    """The journal file of one store, held open for appending."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path
        self.size = os.fstat(fd).st_size

    @classmethod
    def open(cls, root_fd: int, root: Path) -> Journal | None:
        """The journal, or ``None`` (after a warning) where its name holds anything but a
        plain file: the index is then written directly."""
        path = root / JOURNAL
        try:
            fd = os.open(JOURNAL, _FLAGS, 0o644, dir_fd=root_fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                st = os.stat(JOURNAL, dir_fd=root_fd, follow_symlinks=False)
                log.warning("%s %s: not using it", path, describe(st.st_mode))
                return None
            raise
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
            os.close(fd)
            log.warning("%s is not a plain file of the store's: not using it", path)
            return None
        return cls(fd, path)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def append(self, entry: list[Any], doc: str) -> int:
        """Add one entry, the row's ``doc`` (its 11th field) apart, after its JSON header,
        as it is: escaping a ticket's JSON once more would cost more than the rest (call
        under the store's write lock)."""
        body = doc.encode("utf-8")
        head = _encode([len(body), *entry])
        self.size += os.write(self.fd, b"%s\n%s\n" % (head.encode("utf-8"), body))
        return self.size  # this process's count: others' lines show when it is applied

    def empty(self) -> bool:
        return os.fstat(self.fd).st_size == 0

    def entries(self) -> tuple[list[list[Any]], bool]:
        """Every entry, in order, and whether every line could be read."""
        size = os.fstat(self.fd).st_size
        raw = os.pread(self.fd, size, 0) if size else b""
        found: list[list[Any]] = []
        at = 0
        while at < len(raw):
            end = raw.find(b"\n", at)
            try:
                head = json.loads(raw[at:end])
                length = int(head[0])
                doc = raw[end + 1 : end + 1 + length].decode("utf-8")
            except (ValueError, TypeError, IndexError):
                return found, False
            if end < 0 or len(head) != 16 or raw[end + 1 + length : end + 2 + length] != b"\n":
                return found, False
            found.append([*head[1:11], doc, *head[11:]])
            at = end + 2 + length
        return found, True

    def clear(self) -> None:
        os.ftruncate(self.fd, 0)
        self.size = 0
