"""Every file operation of the local store, relative to directory descriptors held open.

A :class:`Folder` is one directory of the store (``tickets/``, ``comments/``), opened once
with ``O_NOFOLLOW`` under the store's root descriptor. Each file in it is opened by name
relative to that descriptor, with ``O_NOFOLLOW``, and checked to be a regular file with one
link before a byte is read or written: a symbolic link, a directory, a device or a hard link
to some other file is named in an :class:`UnsafeEntry` and never followed or written through.

A new file is written under a temporary name and renamed into place. An existing file is
replaced without allocating an inode: the new content goes into the directory's spare file,
which is then atomically *exchanged* with the target (``renameat2(RENAME_EXCHANGE)`` relative
to the directory's descriptor on Linux), so the spare now holds the old content and is reused
next time. Either way a reader, or a writer killed at any moment, sees the old or the new file
whole, never a torn one.

After each write the directory's mtime is *sealed*: set to a moment a second ago, a value that
no later change can give it (a change stamps the current time), so "the directory's mtime is
the one the index recorded" proves nothing was added, removed or renamed since.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import stat
import time
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_FILE",
    "SPARE",
    "TMP_PREFIX",
    "Folder",
    "UnsafeEntry",
    "describe",
    "open_dir",
]

log = logging.getLogger(__name__)

TMP_PREFIX = ".tmp-"
SPARE = ".spare"
MAX_FILE = 32 * 1024 * 1024
_RENAME_EXCHANGE = 2
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_WRITE = os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


class UnsafeEntry(OSError):
    """A store entry that is not what it must be (a link, a directory, unreadable...)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.path} {self.problem}"


def describe(mode: int) -> str:
    """What a non-regular entry is, as the rest of a sentence about it."""
    if stat.S_ISLNK(mode):
        return "is a symbolic link; the store never follows links"
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    return "is not a regular file"


def _load_renameat2() -> Any:
    """libc's ``renameat2``, from the C library already loaded (``ctypes.util.find_library``
    would run ``ldconfig``, a process costing more than a whole command of ours)."""
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _load_renameat2()
_tmpfile = hasattr(os, "O_TMPFILE")


def open_dir(parent: int | None, path: Path, *, create: bool) -> int:
    """A descriptor of directory ``path`` (``path.name`` under ``parent``, never through a
    link); ``UnsafeEntry`` if it is anything else; created when missing if ``create``."""
    name: str | Path = path if parent is None else path.name
    flags = _DIR if parent is not None else os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
    if create:
        try:
            if parent is None:
                path.mkdir(parents=True, exist_ok=True)
            else:
                os.mkdir(name, 0o755, dir_fd=parent)
        except NotADirectoryError:
            raise UnsafeEntry(path, "is inside a file, not a directory") from None
        except OSError:
            pass  # there already, or cannot be made: opening it says which
    try:
        return os.open(name, flags, dir_fd=parent)
    except OSError as exc:
        if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
            raise
    try:
        mode = os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode
    except OSError:
        raise UnsafeEntry(path, "is inside a file, not a directory") from None
    if stat.S_ISREG(mode):
        raise UnsafeEntry(path, "is a file, not a directory")
    raise UnsafeEntry(path, describe(mode))


class Folder:
    """One directory of the store, held open; every name is relative to its descriptor."""

    def __init__(self, path: Path, fd: int, *, durable: bool) -> None:
        self.path = path
        self.fd = fd
        self.durable = durable
        self._sealable: bool | None = None

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # ------------------------------------------------------------ reading

    def read(self, name: str) -> tuple[bytes, os.stat_result]:
        """The bytes of regular file ``name`` and its stat; ``FileNotFoundError`` if there is
        none, ``UnsafeEntry`` for anything that is not a readable regular file."""
        try:
            fd = os.open(name, _READ, dir_fd=self.fd)
        except FileNotFoundError:
            raise
        except PermissionError:
            raise UnsafeEntry(self.path / name, "cannot be read: permission denied") from None
        except OSError as exc:
            raise self._unsafe(name, exc) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise UnsafeEntry(self.path / name, describe(st.st_mode))
            if st.st_size > MAX_FILE:
                raise UnsafeEntry(
                    self.path / name, f"is {st.st_size} bytes long; the limit is {MAX_FILE}"
                )
            chunks = []
            while chunk := os.read(fd, max(st.st_size, 4096) + 1):
                chunks.append(chunk)
        except IsADirectoryError:
            raise UnsafeEntry(self.path / name, "is a directory, not a file") from None
        finally:
            os.close(fd)
        return b"".join(chunks), st

    def lstat(self, name: str) -> os.stat_result | None:
        """The entry's own stat (a link's, not its target's), or ``None`` if there is none."""
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        """True if anything (a file, a link, a directory) is called ``name`` here."""
        return self.lstat(name) is not None

    def mtime(self) -> int:
        return os.fstat(self.fd).st_mtime_ns

    def scan(self, suffix: str) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
        """(mtime_ns, size) of each regular ``<stem><suffix>`` file but hidden ones, by stem,
        and the problem of each entry of that name that is not a regular file."""
        found: dict[str, tuple[int, int]] = {}
        bad: dict[str, str] = {}
        with os.scandir(self.fd) as entries:
            for entry in entries:
                name = entry.name
                if name[0] == "." or not name.endswith(suffix):
                    continue
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    found[name[: -len(suffix)]] = (st.st_mtime_ns, st.st_size)
                else:
                    bad[name[: -len(suffix)]] = f"{self.path / name} {describe(st.st_mode)}"
        return found, bad

    def names(self, suffix: str) -> set[str]:
        """The stem of every ``<stem><suffix>`` entry but hidden ones, of any kind, unstatted."""
        with os.scandir(self.fd) as entries:
            return {
                e.name[: -len(suffix)]
                for e in entries
                if e.name[0] != "." and e.name.endswith(suffix)
            }

    # ------------------------------------------------------------ writing

    def write(self, name: str, data: bytes, *, new: bool) -> os.stat_result:
        """Replace (or, ``new``, create) regular file ``name`` with ``data`` atomically; the
        new file's stat. ``UnsafeEntry`` if ``name`` is there and is not a regular file."""
        if not new:
            st = self.lstat(name)
            if st is not None and not stat.S_ISREG(st.st_mode):
                raise UnsafeEntry(self.path / name, describe(st.st_mode))
            if st is not None and _renameat2 is not None:
                done = self._exchange(name, data)
                if done is not None:
                    return done
        return self._rename_in(name, data)

    def _exchange(self, name: str, data: bytes) -> os.stat_result | None:
        """Write into the spare and swap it with ``name``; ``None`` where that cannot be done."""
        global _renameat2  # noqa: PLW0603 - switched off once for the process if unsupported
        fd = self._open_spare()
        if fd is None:
            return None
        try:
            st = self._fill(fd, data)
            if _renameat2(self.fd, SPARE.encode(), self.fd, name.encode(), _RENAME_EXCHANGE):
                err = ctypes.get_errno()
                if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
                    _renameat2 = None
                    return None
                if err == errno.ENOENT:
                    return None
                raise OSError(err, os.strerror(err), str(self.path / name))
        finally:
            os.close(fd)
        self._sync()
        return st

    def _open_spare(self) -> int | None:
        """The spare file, opened for writing; ``None`` (after a warning, with anything unsafe
        at its name removed) if it is not a plain file of ours."""
        try:
            fd = os.open(SPARE, _WRITE | os.O_CREAT, 0o644, dir_fd=self.fd)
        except OSError as exc:
            problem = str(self._unsafe(SPARE, exc))
        else:
            st = os.fstat(fd)
            if _plain(st):
                return fd
            os.close(fd)
            problem = f"{self.path / SPARE} {_problem(st)}"
        log.warning("not writing through %s; replacing it", problem)
        self._discard(SPARE)
        return None

    def _rename_in(self, name: str, data: bytes) -> os.stat_result:
        """Write a file that has no name yet, then give it ``name``: an ``O_TMPFILE`` linked
        in where the name is free (one change to the directory, nothing left by a crash),
        else a temporary file renamed over it."""
        global _tmpfile  # noqa: PLW0603 - switched off once for the process if unsupported
        if _tmpfile:
            try:
                fd = os.open(".", os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o644, dir_fd=self.fd)
            except OSError:
                _tmpfile = False
            else:
                try:
                    st = self._fill(fd, data, fresh=True)
                    os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=self.fd, follow_symlinks=True)
                except FileExistsError:
                    pass  # a file to replace: renamed over below
                except OSError as exc:
                    if exc.errno not in (errno.ENOENT, errno.EPERM, errno.EXDEV):
                        raise
                    _tmpfile = False  # no /proc here
                else:
                    self._sync()
                    return st
                finally:
                    os.close(fd)
        tmp = f"{TMP_PREFIX}{name}"
        try:
            fd = os.open(tmp, _WRITE | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=self.fd)
        except FileExistsError:  # left by a killed writer (we hold the lock): start afresh
            self._discard(tmp)
            fd = os.open(tmp, _WRITE | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=self.fd)
        try:
            st = self._fill(fd, data, fresh=True)
        finally:
            os.close(fd)
        os.rename(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        self._sync()
        return st

    def _fill(self, fd: int, data: bytes, *, fresh: bool = False) -> os.stat_result:
        view = memoryview(data)
        offset = 0
        while offset < len(view):
            offset += os.pwrite(fd, view[offset:], offset)
        if not fresh:
            os.ftruncate(fd, len(data))
        if self.durable:
            os.fsync(fd)
        return os.fstat(fd)

    def _sync(self) -> None:
        if self.durable:
            os.fsync(self.fd)

    def _discard(self, name: str) -> None:
        """Remove entry ``name`` (a link is removed itself, its target is never touched)."""
        try:
            os.unlink(name, dir_fd=self.fd)
        except IsADirectoryError:
            log.warning("%s is a directory; leaving it", self.path / name)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if exc.errno != errno.EPERM:  # EPERM: a directory, on Linux
                raise
            log.warning("%s is a directory; leaving it", self.path / name)

    def seal(self) -> tuple[int, bool]:
        """Set the directory's mtime to a moment a second ago, which no later change can
        give it (a change stamps the current time), so that any later change shows; its
        mtime now, and whether it is sealed (else a later change in the same clock tick
        could leave it unchanged)."""
        sealed = time.time_ns() - 1_000_000_000
        if self._sealable is not False:
            try:
                os.utime(self.fd, ns=(sealed, sealed))
            except OSError:
                self._sealable = False
        if self._sealable is False:
            return os.fstat(self.fd).st_mtime_ns, False
        if self._sealable is None:  # the first time: does this filesystem keep nanoseconds?
            after = os.fstat(self.fd).st_mtime_ns
            self._sealable = after == sealed
            return after, self._sealable
        return sealed, True

    def sweep_temps(self) -> int:
        """Delete temporary files left by a writer that was killed; call only under the lock."""
        removed = 0
        with os.scandir(self.fd) as entries:
            names = [e.name for e in entries if e.name.startswith(TMP_PREFIX)]
        for name in names:
            self._discard(name)
            removed += 1
        return removed

    def _unsafe(self, name: str, exc: OSError) -> OSError:
        if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EMLINK):
            st = self.lstat(name)
            return UnsafeEntry(self.path / name, describe(st.st_mode if st else stat.S_IFLNK))
        return exc


def _plain(st: os.stat_result) -> bool:
    return stat.S_ISREG(st.st_mode) and st.st_nlink == 1


def _problem(st: os.stat_result) -> str:
    if stat.S_ISREG(st.st_mode):
        return f"has {st.st_nlink} hard links; the store never writes through a shared file"
    return describe(st.st_mode)
