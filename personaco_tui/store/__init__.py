"""Local storage: one SQLite file (see `db.Store`), migrated on open, with small repository
modules (`profiles`, `conversations`, `generations`) that return the core dataclasses."""

from __future__ import annotations

from .db import DuplicateNameError, InvalidInputError, Store

__all__ = ["DuplicateNameError", "InvalidInputError", "Store"]
