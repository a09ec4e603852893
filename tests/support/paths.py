"""Where the shared evaluation data is: `../shared` beside the repository root, the place the
CLI's defaults point at (`personaco adherence --dev-set ../shared/eval/dev_set.jsonl`). Tests
read it only through here, so no machine's absolute path is written into a test."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    return REPO_ROOT.parent / "shared"


def shared_file(relative: str) -> Path:
    """`relative` under the shared folder; skips the calling test, saying what is missing,
    when this checkout has no such file (a clone without the shared data beside it)."""
    path = shared_dir() / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared evaluation data is not beside this checkout")
    return path
