"""The store's inter-process lock: ``flock`` on one file descriptor kept open.

Writers take it exclusively, readers shared. It is re-entrant within a thread and, together
with a thread lock, safe across threads. Kept open rather than reopened per acquire, because
on the hot path of a 0.5 ms write an ``open`` per lock costs too much.

The lock file is opened relative to the store's root descriptor, never through a link. A
store whose lock cannot be opened for writing (a read-only store) is locked shared through a
read-only descriptor; one whose ``.lock`` is not a regular file (a directory, a link) is read
without the lock, and :attr:`StoreLock.problem` says why writes are refused.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["LockTimeout", "StoreLock"]


class LockTimeout(Exception):
    """The lock stayed held by another process for longer than the timeout."""


class StoreLock:
    """A re-entrant reader/writer lock over a lock file, shared by every process of a store."""

    def __init__(self, path: Path, timeout: float, *, dir_fd: int | None = None) -> None:
        self.path = path
        self.timeout = timeout
        self.problem: str | None = None
        """Why this process cannot write the store, if it cannot (read-only, no lock)."""
        self._fd = self._open(dir_fd)
        self._mutex = threading.RLock()
        self._depth = 0
        self._mode = 0

    def _open(self, dir_fd: int | None) -> int:
        flags = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        name = self.path.name if dir_fd is not None else str(self.path)
        try:
            fd = os.open(name, flags | os.O_RDWR | os.O_CREAT, 0o644, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                return self._unusable(name, dir_fd, exc)
            self.problem = f"the store is read-only ({exc.strerror} on {self.path})"
            try:
                fd = os.open(name, flags | os.O_RDONLY, dir_fd=dir_fd)
            except OSError as again:
                return self._unusable(name, dir_fd, again)
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            self.problem = f"{self.path} is not a regular file, so the store cannot be locked"
            return -1
        return fd

    def _unusable(self, name: str, dir_fd: int | None, exc: OSError) -> int:
        """No lock at all: reads go on without it, writes are refused with the reason."""
        try:
            mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
        except OSError:
            mode = 0
        if stat.S_ISDIR(mode):
            what = "is a directory, not a file"
        elif stat.S_ISLNK(mode):
            what = "is a symbolic link; the store never follows links"
        else:
            what = f"cannot be opened ({exc.strerror})"
        if self.problem is None:
            self.problem = f"{self.path} {what}, so the store cannot be locked"
        return -1

    @property
    def usable(self) -> bool:
        """False when there is no lock file to hold (reads then go on without it)."""
        return self._fd >= 0

    def close(self) -> None:
        with self._mutex:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def _flock(self, mode: int) -> None:
        try:
            fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        deadline = time.monotonic() + self.timeout
        delay = 0.0005
        while True:
            try:
                fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(str(self.path)) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.02)

    @contextmanager
    def hold(self, *, exclusive: bool) -> Iterator[None]:
        """Hold the lock; an exclusive hold inside a shared one upgrades it."""
        previous = self.acquire(exclusive=exclusive)
        try:
            yield
        finally:
            self.release(previous)

    def acquire(self, *, exclusive: bool) -> int:
        """Take the lock (see :meth:`hold`); returns what :meth:`release` takes back."""
        want = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        self._mutex.acquire()
        previous = self._mode
        if self._fd >= 0 and (
            self._depth == 0 or (want == fcntl.LOCK_EX and previous == fcntl.LOCK_SH)
        ):
            try:
                self._flock(want)
            except BaseException:
                self._mutex.release()
                raise
            self._mode = want
        self._depth += 1
        return previous

    def release(self, previous: int) -> None:
        """Give back one :meth:`acquire`, which returned ``previous``."""
        try:
            self._depth -= 1
            if self._fd < 0:
                return
            if self._depth == 0:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                self._mode = 0
            elif self._mode != previous:
                fcntl.flock(self._fd, previous)
                self._mode = previous
        finally:
            self._mutex.release()
