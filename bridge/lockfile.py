"""An inter-process lock that names its holder: one sync (or replay) at a time per scope.

``flock`` on a file beside the state it guards; the holder writes its pid into the file so
that a second process can say who holds it. The kernel drops the lock when the holder dies,
so a killed run never leaves it stuck.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from bridge.errors import TransientError

__all__ = ["Busy", "ProcessLock"]


class Busy(TransientError):
    """Another process holds the lock; ``pid`` is who, when it said."""

    def __init__(self, message: str, *, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid


class ProcessLock:
    """``with ProcessLock(path, what="sync"):`` holds the lock or raises :class:`Busy`.

    ``wait=True`` blocks until the other holder is done instead.
    """

    def __init__(self, path: Path, *, what: str, wait: bool = False) -> None:
        self.path, self.what, self.wait = path, what, wait
        self._fd = -1

    def __enter__(self) -> ProcessLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if self.wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            os.close(fd)
            who = f" (pid {pid})" if pid else ""
            raise Busy(
                f"another {self.what} is running{who}; wait for it, or use --wait", pid=pid
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd >= 0:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1


def _holder(fd: int) -> int | None:
    raw = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(raw) if raw.isdigit() else None
