"""A path that exists, is not a folder, and that even root cannot open: a UNIX socket.

Tests run as root in CI, and root reads a file whatever its mode bits say, so `chmod 0` proves
nothing there. open() on a socket fails with ENXIO for every user."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def unopenable_file(path: Path) -> Iterator[Path]:
    """A socket bound at `path` (replacing any file there) while the block runs."""
    path.unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # bound by its name from its own folder: AF_UNIX paths are limited to ~108 bytes
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        sock.bind(path.name)
    finally:
        os.chdir(here)
    try:
        yield path
    finally:
        sock.close()
        path.unlink(missing_ok=True)
