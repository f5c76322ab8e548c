"""Crash-safe file writes for the local store.

A new file is written under a temporary name and renamed into place. An existing file is
replaced without allocating an inode: the new content goes into the directory's spare file,
which is then atomically *exchanged* with the target (``renameat2(RENAME_EXCHANGE)`` on Linux),
so the spare now holds the old content and is reused next time. Either way a reader, or a
writer killed at any moment, sees the old or the new file whole, never a torn one. Allocating
an inode is most of the cost of a write on common filesystems, so updates stay fast.

All writes happen under the store's exclusive lock, which is what makes one spare per
directory enough; readers in this library take the lock shared.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from pathlib import Path
from typing import Any

__all__ = ["SPARE", "TMP_PREFIX", "atomic_write", "file_stamps", "remove_stale_temps"]

TMP_PREFIX = ".tmp-"
SPARE = ".spare"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        func = ctypes.CDLL(name, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _load_renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the platform or filesystem cannot."""
    global _renameat2  # noqa: PLW0603 - switched off once for the process if unsupported
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        _renameat2 = None
        return False
    if err == errno.ENOENT:
        return False
    raise OSError(err, os.strerror(err), str(b))


def _write_fd(fd: int, data: bytes, *, durable: bool) -> None:
    view = memoryview(data)
    offset = 0
    while offset < len(view):
        offset += os.pwrite(fd, view[offset:], offset)
    os.ftruncate(fd, len(data))
    if durable:
        os.fsync(fd)


def _sync_dir(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def atomic_write(path: Path, data: bytes, *, durable: bool = False) -> os.stat_result:
    """Replace (or create) ``path`` with ``data`` atomically; returns the new file's stat."""
    spare = path.with_name(SPARE)
    if _renameat2 is not None and path.exists():
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            _write_fd(fd, data, durable=durable)
        finally:
            os.close(fd)
        if _exchange(spare, path):
            if durable:
                _sync_dir(path.parent)
            return os.stat(path)
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        _write_fd(fd, data, durable=durable)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if durable:
        _sync_dir(path.parent)
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


def file_stamps(directory: Path, suffix: str = ".json") -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of each ``<name><suffix>`` file in ``directory`` but hidden ones, by
    name, in the order the directory lists them."""
    found: dict[str, tuple[int, int]] = {}
    with os.scandir(directory) as entries:
        for entry in entries:
            name = entry.name
            if name[0] == "." or not name.endswith(suffix):
                continue
            st = entry.stat()
            found[name[: -len(suffix)]] = (st.st_mtime_ns, st.st_size)
    return found
