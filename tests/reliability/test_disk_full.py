"""A disk that filled up while PersonaCo was closed: every command, read-only ones too, said
"disk I/O error" (SQLite could not create the -shm file), and `doctor` did not say the disk
was full. Now reads and exports work (the file is opened only to read), writes say the disk
is full, and `doctor` reports it. Real processes on a real 2 MB tmpfs."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from personaco_tui.store import failures as D


def _cli(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PERSONACO_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "personaco_tui", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); see the simulated test below")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(where: Path) -> None:
    fd = os.open(where / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 512, 1):  # to the last byte
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def test_a_disk_that_filled_while_closed_still_reads_and_says_full(
    small_disk: Path, tmp_path: Path
) -> None:
    home = small_disk / "home"
    assert _cli(home, "profile", "create", "work", "--use").returncode == 0
    assert _cli(home, "profile", "add-signal", "work", "Be brief.").returncode == 0
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "q1", "query": "Hi?", "signals": ["Be brief."]}) + "\n")
    r = _cli(
        home, "eval", "create", "s", "--items", str(items), "--a", "baseline", "--b", "personaco"
    )
    assert r.returncode == 0, r.stderr
    _fill(small_disk)
    assert D.disk_full(home / "data" / "personaco.db")

    r = _cli(home, "profile", "list")
    assert r.returncode == 0 and "work" in r.stdout, r.stderr
    r = _cli(home, "profile", "show", "work")
    assert r.returncode == 0 and "Be brief." in r.stdout, r.stderr
    out = tmp_path / "out.jsonl"  # on a disk with room
    r = _cli(home, "export", "s", "--jsonl", str(out))
    assert r.returncode == 0 and out.exists(), r.stderr

    r = _cli(home, "profile", "create", "other")
    lines = r.stderr.strip().splitlines()
    assert r.returncode != 0 and len(lines) == 1, r.stderr
    assert "is full" in lines[0] and "disk I/O error" not in lines[0]

    r = _cli(home, "doctor")
    assert r.returncode != 0
    (disk,) = [line for line in r.stdout.splitlines() if "disk space" in line]
    assert disk.startswith("FAIL") and "is full" in disk
    assert "All good" not in r.stdout


def test_an_io_error_on_a_full_disk_is_called_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no tmpfs can be mounted: SQLite's error as it comes, with free space faked."""
    path = tmp_path / "personaco.db"
    err = sqlite3.OperationalError("disk I/O error")
    err.sqlite_errorcode = 10  # type: ignore[attr-defined]
    plenty = D.translate(err, path, tmp_path)
    assert plenty is not None and "disk I/O error" in plenty.message

    class Full:
        f_bavail, f_frsize = 3, 4096

    monkeypatch.setattr(D.os, "statvfs", lambda _p: Full())
    full = D.translate(err, path, tmp_path)
    assert full is not None and "is full (12 KiB free)" in full.message
