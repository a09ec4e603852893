"""Atomic file writes: a file is either the old one or the complete new one, never half.

Everything is written to a temporary file in the target's own folder (so the final
`os.replace` is a rename within one file system, atomic on POSIX and Windows) and moved
over the target only once complete. On any failure the temporary file is removed and the
error propagates unchanged: callers turn it into their own one-line message.

The target is the file the user named: a symlink is followed and its target replaced (a
dotfiles link stays a link, the temporary file goes beside the resolved file so the rename
stays on one file system), an existing file keeps its permission bits, and a new one gets
the usual 0666 less the umask. A device, FIFO or socket (`/dev/stdout`, a named pipe) is
refused with `NotARegularFile`: renaming over it would swap the device node for a file, or
block forever on a pipe. A hard link cannot survive an atomic rename; it is replaced.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

StrPath = str | os.PathLike[str]
TextWriter = Callable[[TextIO], object]
BinaryWriter = Callable[[BinaryIO], object]


class NotARegularFile(OSError):
    """The target exists and is a device, FIFO, socket or folder, not a file to replace."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(errno.EINVAL, f"it is {kind}, not a regular file", str(path))
        self.path = path
        self.kind = kind


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def resolve_target(path: StrPath) -> tuple[Path, int | None]:
    """(the file a write to `path` must replace, its permission bits or None if new).
    Symlinks are followed, a dangling one to where it points; NotARegularFile for anything
    that exists and is not a regular file."""
    try:
        # stat the name itself first: /dev/stdout's link to a pipe has no path to resolve
        st = os.stat(path)
    except FileNotFoundError:
        return Path(os.path.realpath(path)), None
    if not stat.S_ISREG(st.st_mode):
        raise NotARegularFile(Path(path), _kind(st.st_mode))
    return Path(os.path.realpath(path)), stat.S_IMODE(st.st_mode)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _temp_beside(target: Path, keep_mode: int | None) -> tuple[int, Path]:
    """An open new file beside `target`. Created with 0666 so the umask applies as it would
    to any file the user creates (mkstemp's 0600 would make every rewrite private), then
    given the old file's bits when there was one."""
    folder = target.parent
    for _ in range(100):
        tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, _CREATE, 0o666)
        except FileExistsError:
            continue
        if keep_mode is not None:
            try:
                os.fchmod(fd, keep_mode)
            except BaseException:
                os.close(fd)
                tmp.unlink()
                raise
        return fd, tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


@contextlib.contextmanager
def atomic_path(path: StrPath) -> Iterator[Path]:
    """A fresh temporary path beside `path` for a writer that needs a file name (llama.cpp's
    quantizer); moved over `path` when the block ends without an exception, removed if
    it raises. Not fsynced: the callers are caches that check what they load."""
    target, keep_mode = resolve_target(path)
    fd, tmp = _temp_beside(target, keep_mode)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@overload
def atomic_write(
    path: StrPath, data: str | TextWriter, mode: Literal["w"] = "w", *, newline: str | None = None
) -> Path: ...
@overload
def atomic_write(
    path: StrPath, data: bytes | BinaryWriter, mode: Literal["wb"], *, newline: None = None
) -> Path: ...
@overload
def atomic_write(
    path: StrPath,
    data: str | bytes | Callable[[IO[Any]], object],
    mode: Literal["w", "wb"],
    *,
    newline: str | None = None,
) -> Path: ...
def atomic_write(
    path: StrPath,
    data: str | bytes | Callable[[Any], object],
    mode: Literal["w", "wb"] = "w",
    *,
    newline: str | None = None,
) -> Path:
    """Write `data` (text for mode "w", UTF-8; bytes for "wb"), or whatever the callable
    `data` writes to the open file, to `path` atomically, flushed to disk before the rename
    so a crash right after cannot leave an empty file in its place. Returns `path`."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', not {mode!r}")
    binary = mode == "wb"
    write: Callable[[Any], object]
    if callable(data):
        write = data
    elif isinstance(data, bytes) == binary:
        write = lambda f: f.write(data)  # noqa: E731
    else:
        kind = "bytes" if binary else "str"
        raise TypeError(f"atomic_write mode {mode!r} takes {kind}, not {type(data).__name__}")
    tmp, target = _staged(path, write, binary, newline)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return Path(path)


def _staged(
    path: StrPath, write: Callable[[Any], object], binary: bool, newline: str | None
) -> tuple[Path, Path]:
    """(temporary file, target): what `write` wrote, complete and flushed to disk beside the
    file `path` names, ready to be moved over it; nothing is left behind if it fails."""
    target, keep_mode = resolve_target(path)
    fd, tmp = _temp_beside(target, keep_mode)
    try:
        with (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        ) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp, target


def atomic_write_all(files: Sequence[tuple[StrPath, bytes]]) -> None:
    """Write several files so that none is replaced unless every one could be written: each
    goes to its temporary file first (flushed to disk), and only then are all moved into
    place. On a failure while writing, every temporary file is removed and the error
    propagates with `filename` set to the path that failed."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            try:
                staged.append(_staged(path, functools.partial(_put, data), True, None))
            except OSError as e:
                e.filename = str(path)
                raise
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


def _put(data: bytes, f: BinaryIO) -> object:
    return f.write(data)
