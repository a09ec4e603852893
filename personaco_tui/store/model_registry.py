"""Local GGUF files registered under a name (`personaco models add`): table
`registered_models`. Which names are allowed and what a file must be is
`catalog.registry`'s business; this only reads and writes the rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from .db import DuplicateNameError
from .names import clash, clean_name

# What the catalog's functions are handed: the store's database (`Store.db`) or a plain
# sqlite3 connection (tools and tests that open the file themselves).
Database = sqlite_utils.Database | sqlite3.Connection


def _conn(db: Database) -> sqlite3.Connection:
    return db if isinstance(db, sqlite3.Connection) else db.conn


def registered_models(db: Database) -> dict[str, Path]:
    """Every registered name and its file, by name."""
    rows = _conn(db).execute("SELECT name, path FROM registered_models ORDER BY name").fetchall()
    return {str(name): Path(path) for name, path in rows}


def register_model(db: Database, name: str, path: Path) -> None:
    """Register `name`; a name that differs from a registered one only in case or
    composition is a DuplicateNameError (the catalog allows lowercase ASCII only, so this
    guards other callers)."""
    name = clean_name(name, "model")
    taken = clash(name, registered_models(db))
    if taken is not None:
        raise DuplicateNameError(
            f"A model named {taken!r} is already registered.", "Choose another name."
        )
    conn = _conn(db)
    with conn:
        conn.execute("INSERT INTO registered_models (name, path) VALUES (?, ?)", (name, str(path)))


def forget_model(db: Database, name: str) -> None:
    conn = _conn(db)
    with conn:
        conn.execute("DELETE FROM registered_models WHERE name = ?", (name,))
