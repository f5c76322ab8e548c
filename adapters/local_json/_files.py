"""Crash-safe file writes for the local store.

A file is written to a temporary name beside it and renamed over the old one, so a reader (or
a writer killed at any moment) sees either the old or the new content, never a torn file.
With ``durable`` the data and the directory entry are also flushed to disk.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["TMP_PREFIX", "atomic_write", "remove_stale_temps"]

TMP_PREFIX = ".tmp-"


def atomic_write(path: Path, data: bytes, *, durable: bool = False) -> os.stat_result:
    """Replace ``path`` with ``data`` atomically and return the new file's stat."""
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if durable:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return os.stat(path)


def remove_stale_temps(directory: Path) -> int:
    """Delete temporary files left by a writer that was killed; call only under the lock."""
    removed = 0
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith(TMP_PREFIX):
                try:
                    os.unlink(entry.path)
                    removed += 1
                except FileNotFoundError:
                    pass
    return removed
