"""Fixtures for the store tests: a real database file under the isolated home, and a way to
build a migrations folder with extra migrations beside the shipped ones."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from personaco_tui.locations import Locations, package_data_dir
from personaco_tui.store.db import Store


@pytest.fixture
def store(loc: Locations) -> Iterator[Store]:
    s = Store.open(loc)
    yield s
    s.close()


@pytest.fixture
def migrations_with(tmp_path: Path) -> Callable[..., Path]:
    """migrations_with(**{"0002_x.sql": sql}) -> a folder with the shipped migrations plus
    those files."""

    def build(**extra: str) -> Path:
        folder = tmp_path / "migrations"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(package_data_dir("migrations"), folder)
        for name, sql in extra.items():
            (folder / name).write_text(sql, encoding="utf-8")
        return folder

    return build
