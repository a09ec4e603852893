"""Atomic file writes: a file is either the old one or the complete new one, never half.

Everything is written to a temporary file in the target's own folder (so the final
`os.replace` is a rename within one file system, atomic on POSIX and Windows) and moved
over the target only once complete. On any failure the temporary file is removed and the
error propagates unchanged: callers turn it into their own one-line message.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

StrPath = str | os.PathLike[str]
TextWriter = Callable[[TextIO], object]
BinaryWriter = Callable[[BinaryIO], object]


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


@contextlib.contextmanager
def atomic_path(path: StrPath) -> Iterator[Path]:
    """A fresh temporary path beside `path` for a writer that needs a file name (llama.cpp's
    quantizer); moved over `path` when the block ends without an exception, removed if
    it raises. Not fsynced: the callers are caches that check what they load."""
    target = Path(path)
    fd, name = tempfile.mkstemp(dir=_folder(target), prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
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
    target = Path(path)
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
    fd, name = tempfile.mkstemp(dir=_folder(target), prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        ) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target
