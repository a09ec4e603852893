"""Checks made on the database's files before SQLite opens them, and how to restore a backup.

SQLite trusts a `-wal` file beside a database blindly: its frames carry no identity of the
database they belong to, so a `-wal` left over from another file (a backup copied over the
database after a crash, a file copied from another machine) is replayed into the database
and, at the next checkpoint, written over it. `stray_wal` spots the cases that can be told
from the files alone, so they are refused before anything is written.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_MAGICS = (0x377F0682, 0x377F0683)
_WAL_HEADER = 32
_FRAME_HEADER = 24
_NO_ID = b"\x00\x00\x00\x00"


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _page_size(header: bytes) -> int:
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def stray_wal(path: Path) -> bool:
    """True if `path`-wal holds committed frames that cannot belong to `path`.

    Judged from the bytes only: the database file is in rollback-journal mode (PersonaCo's
    files are always WAL; a backup is a rollback-journal file), the page sizes differ, or the
    WAL's copy of page 1 names another database (`application_id`, which `Store` sets to a
    random value per file). A WAL whose header is not valid is ignored by SQLite itself, and
    so here too; the frames SQLite would replay are those whose salts match the header.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(100)
        with open(sidecar(path, "-wal"), "rb") as w:
            header = w.read(_WAL_HEADER)
            if len(head) < 100 or len(header) < _WAL_HEADER:
                return False
            magic, _fmt, wal_page, _seq, salt1, salt2 = struct.unpack(">6I", header[:24])
            if magic not in WAL_MAGICS or wal_page < 512 or wal_page & (wal_page - 1):
                return False
            size = os.fstat(w.fileno()).st_size
            frames, page1 = 0, None
            at = _WAL_HEADER
            while at + _FRAME_HEADER + wal_page <= size:
                w.seek(at)
                pgno, _commit, s1, s2 = struct.unpack(">4I", w.read(16))
                if (s1, s2) != (salt1, salt2):
                    break  # where SQLite stops reading too
                frames += 1
                if pgno == 1:
                    w.seek(at + _FRAME_HEADER)
                    data = w.read(100)
                    if data.startswith(SQLITE_MAGIC):
                        page1 = data
                at += _FRAME_HEADER + wal_page
    except OSError:
        return False
    if frames == 0 or not head.startswith(SQLITE_MAGIC):
        return False
    if head[18:20] == b"\x01\x01" or wal_page != _page_size(head):
        return True
    ours = head[68:72]
    return ours != _NO_ID and page1 is not None and page1[68:72] != ours


def newest_backup(backups_dir: Path) -> Path | None:
    """The most recent backup PersonaCo wrote into `backups_dir`, if any."""
    try:
        found = [p for p in backups_dir.glob("personaco-v*.db") if p.is_file()]
    except OSError:
        return None
    if not found:
        return None
    return max(found, key=lambda p: (p.stat().st_mtime, p.name))


def restore_hint(path: Path, backups_dir: Path) -> str:
    """What to do about an unusable database file: how to restore the newest backup, or
    where backups would be when there is none."""
    aside = f"move it aside (with any {path.name}-wal and -shm beside it)"
    newest = newest_backup(backups_dir)
    if newest is None:
        return f"To start afresh, {aside}; there is no backup in {backups_dir} yet."
    return f"To restore the newest backup, {aside} and copy {newest} to {path}."
