"""Atomic writes: the target is the old file or the whole new one, and no temp file stays."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import pytest

from personaco_tui.fileio import atomic_path, atomic_write


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_text_bytes_and_writer(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    assert atomic_write(target, "é\n") == target
    assert target.read_bytes() == "é\n".encode()
    atomic_write(target, b"\x00\xff", "wb")
    assert target.read_bytes() == b"\x00\xff"
    atomic_write(target, lambda f: f.write("a\nb\n"), newline="\r\n")
    assert target.read_bytes() == b"a\r\nb\r\n"
    assert leftovers(tmp_path) == []


def test_a_failing_writer_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old", encoding="utf-8")

    def half(f: IO[Any]) -> None:
        f.write("new, but only half")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError, match="disk gone"):
        atomic_write(target, half)
    with pytest.raises(UnicodeEncodeError):
        atomic_write(target, "\ud800")  # a lone surrogate cannot be UTF-8
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_data_of_the_wrong_kind_for_the_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="takes bytes"):
        atomic_write(tmp_path / "x", "text", "wb")  # type: ignore[call-overload]
    assert not (tmp_path / "x").exists()


def test_a_missing_folder_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        atomic_write(tmp_path / "no" / "such" / "file", "x")


def test_atomic_path_moves_on_success_and_cleans_up_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "w.gguf"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_bytes(b"GGUF")
    assert target.read_bytes() == b"GGUF"
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.write_bytes(b"broken")
        raise ValueError("check failed")
    assert target.read_bytes() == b"GGUF"
    assert leftovers(tmp_path) == []
