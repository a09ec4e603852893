"""What a failing SQLite file or machine means to the person: each error a person can act
on (a damaged file, a full disk, a lock held by another program, a read-only file) becomes a
one-line `StoreError` that says what to do. Kept apart from the connection handling in
db.py, which raises these."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import StoreError
from . import recovery

BUSY_TIMEOUT_MS = 10_000
# Less free space than this and SQLite cannot even make its -shm file (32 KiB) or a journal:
# any I/O error there is the full disk, and saying "disk I/O error" hides what to do.
FULL_BELOW_BYTES = 256 * 1024


def error_code(e: sqlite3.Error) -> int:
    """SQLite's primary result code of `e` (SQLITE_BUSY is 5), 0 where unknown."""
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF
    text = str(e).lower()  # older drivers: fall back on SQLite's fixed messages
    for needle, c in (
        ("not a database", 26),
        ("malformed", 11),
        ("disk is full", 13),
        ("locked", 5),
        ("readonly", 8),
        ("unable to open", 14),
        ("disk i/o", 10),
        ("too big", 18),
    ):
        if needle in text:
            return c
    return 0


def free_bytes(path: Path) -> int | None:
    """Free space for an ordinary user on the disk that holds `path`, or None if unknown."""
    for where in (path.parent, path):
        try:
            st = os.statvfs(where)
        except (OSError, AttributeError):  # no statvfs on Windows
            continue
        return st.f_bavail * st.f_frsize
    return None


def disk_full(path: Path) -> bool:
    free = free_bytes(path)
    return free is not None and free < FULL_BELOW_BYTES


def full_disk_error(path: Path, what: str = "") -> StoreError:
    free = free_bytes(path)
    left = f" ({free // 1024} KiB free)" if free is not None else ""
    return StoreError(
        f"The disk holding {path} is full{left}{what}.",
        "Free some space and try again; nothing stored was lost.",
    )


def translate(
    e: sqlite3.Error, path: Path, backups_dir: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> StoreError | None:
    """The user-facing error for a failure of the file or the machine; None for other
    errors (constraint violations, SQL bugs), which callers handle or let surface."""
    code = error_code(e)
    if code in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return damaged(path, backups_dir)
    if code in (10, 13, 14) and disk_full(path):  # SQLITE_IOERR, SQLITE_FULL, CANTOPEN
        return full_disk_error(path)
    if code == 13:  # SQLITE_FULL where free space shows none missing (a quota, a size limit)
        return StoreError(
            f"Disk full while writing {path}.",
            "Free some space and try again; nothing stored was lost.",
        )
    if code in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return StoreError(
            f"{path} is locked by another program (waited {busy_timeout_ms / 1000:g} s).",
            "Close other PersonaCo windows or commands and try again.",
        )
    if code == 8:  # SQLITE_READONLY
        return StoreError(f"{path} is read-only.", "Make it writable, or use another --home.")
    if code in (3, 14, 23):  # SQLITE_PERM, SQLITE_CANTOPEN, SQLITE_AUTH
        return StoreError(
            f"Cannot open {path} ({e}).",
            "Check the permissions of the file and its folder, or use another --home.",
        )
    if code == 18:  # SQLITE_TOOBIG
        return StoreError(
            f"A value is too big for {path} ({e}).", "Shorten it; nothing was stored."
        )
    if code == 10:  # SQLITE_IOERR
        return StoreError(f"Could not read or write {path} ({e}).", "Check the disk and try again.")
    return None


def damaged(path: Path, backups_dir: Path) -> StoreError:
    return StoreError(
        f"{path} is not a PersonaCo database or is damaged.",
        recovery.restore_hint(path, backups_dir),
    )


def stray_wal(path: Path) -> StoreError:
    wal = recovery.sidecar(path, "-wal")
    return StoreError(
        f"{wal} does not belong to {path}: it was left there by another database file "
        "(for example after a backup was copied over it).",
        f"Move {wal.name} and {path.name}-shm aside, then open again; {path} is untouched.",
    )


def emptied(path: Path, newest: Path) -> StoreError:
    return StoreError(
        f"{path} is empty, yet PersonaCo has backed it up before: its data may have been lost.",
        f"To restore the newest backup, copy {newest} to {path}; to start afresh, delete {path}.",
    )
