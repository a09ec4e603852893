"""Small file helpers several test folders share (conftest modules are not importable by name:
two folders' `conftest` would shadow each other)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(path: Path) -> list[str]:
    """The -wal/-shm/-journal files SQLite left beside `path`."""
    return sorted(p.name for p in path.parent.glob(path.name + "-*"))
