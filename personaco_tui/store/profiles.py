"""Profiles, their personalization signals, and which profile is active (table app_state)."""

from __future__ import annotations

import json
import logging
import shlex
import unicodedata
from typing import Any

import sqlite_utils

from ..core.types import Profile, Reading, Signal
from ..errors import NotFoundError
from .db import (
    DuplicateNameError,
    InvalidInputError,
    Store,
    check_finite,
    check_text,
    guarded,
    insert_row,
    utc_now,
)
from .names import clash, clean_name, find_name

log = logging.getLogger(__name__)

DEFAULT_PROFILE = "default"
ACTIVE_KEY = "active_profile_id"

ProfileRef = int | str  # an id, or a name as typed on the command line


def _profile(row: dict[str, Any]) -> Profile:
    return Profile(row["id"], row["name"], row["created_at"], row["updated_at"])


def _signal(row: dict[str, Any]) -> Signal:
    return Signal(
        id=row["id"],
        profile_id=row["profile_id"],
        text=row["text"],
        enabled=bool(row["enabled"]),
        weight=row["weight"],
        position=row["position"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        reading=_reading(row.get("reading_json")),
    )


def _reading(raw: str | None) -> Reading | None:
    if raw is None:
        return None
    try:
        return Reading.from_json(json.loads(raw))
    except ValueError as e:  # hand-edited: the signal is read automatically instead
        log.warning("ignoring a stored signal reading %r: %s", raw[:80], e)
        return None


def _reading_json(reading: Reading | None) -> str | None:
    if reading is None:
        return None
    if not isinstance(reading, Reading):
        raise TypeError(f"a signal reading must be a Reading, not {reading!r}")
    return json.dumps(reading.to_json(), ensure_ascii=False, sort_keys=True)


def _clean_name(name: str) -> str:
    if not name.strip():
        raise InvalidInputError(
            "A profile name cannot be empty.", "Give it a name, e.g. personaco profile create work"
        )
    return clean_name(name, "profile")


def _clean_signal_text(text: str) -> str:
    text = check_text(text).strip()
    if not text:
        raise InvalidInputError(
            "A signal cannot be empty.",
            'Write what answers should do, e.g. "Keep it under 80 words."',
        )
    if "\x00" in text:
        # Signals end up in prompts handed to C code, and SQLite's length() (used by the
        # schema's CHECK) stops at a NUL: refuse it here with a message instead.
        raise InvalidInputError("A signal cannot contain NUL characters.", "Remove them.")
    return text


def _row_by_name(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    """The profile `name` means: its exact spelling, else the one that differs only in case
    or composition ("work" finds "Work")."""
    row = next(iter(db.table("profiles").rows_where("name = ?", [name], limit=1)), None)
    if row is not None:
        return row
    meant = find_name(name, _names(db))
    if meant is None:
        return None
    return next(iter(db.table("profiles").rows_where("name = ?", [meant], limit=1)), None)


def _names(db: sqlite_utils.Database) -> list[str]:
    return [r["name"] for r in db.table("profiles").rows_where(select="name")]


def _row_by_id(db: sqlite_utils.Database, profile_id: int) -> dict[str, Any] | None:
    return next(iter(db.table("profiles").rows_where("id = ?", [profile_id], limit=1)), None)


def _find(db: sqlite_utils.Database, ref: ProfileRef) -> dict[str, Any]:
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise TypeError(f"profile reference must be an id or a name, not {ref!r}")
    if isinstance(ref, int):
        row = _row_by_id(db, ref)
        if row is None:
            raise NotFoundError(f"Unknown profile #{ref}.", "See: personaco profile list")
        return row
    name = unicodedata.normalize("NFC", check_text(ref)).strip()
    row = _row_by_name(db, name)
    # `--profile 3` from a script that knows ids; "²" is a digit but no number, and an id
    # past SQLite's 64-bit integers cannot exist
    if row is None and name.isascii() and name.isdigit() and int(name) < 2**63:
        row = _row_by_id(db, int(name))
    if row is None:
        raise NotFoundError(
            f"Unknown profile {name!r}.", f"Create it with: personaco profile create {name}"
        )
    return row


def _refuse_duplicate(db: sqlite_utils.Database, name: str, except_id: int | None = None) -> None:
    others = [
        r["name"]
        for r in db.table("profiles").rows_where(select="id, name")
        if r["id"] != except_id
    ]
    taken = clash(name, others)
    if taken is not None:
        same = "" if taken == name else f" (as {taken!r}: names ignore case)"
        raise DuplicateNameError(
            f"A profile named {name!r} already exists{same}.",
            f"Pick another name, or switch to it with: personaco profile use {shlex.quote(taken)}",
        )


# -- profiles ---------------------------------------------------------------------------------


@guarded
def create_profile(store: Store, name: str) -> Profile:
    name = _clean_name(name)
    with store.transaction() as db:
        _refuse_duplicate(db, name)
        pk = insert_row(db.table("profiles"), {"name": name})
        return _profile(db.table("profiles").get(pk))


@guarded
def list_profiles(store: Store) -> list[Profile]:
    rows = store.db.table("profiles").rows_where(order_by="name COLLATE NOCASE, id")
    return [_profile(r) for r in rows]


@guarded
def get_profile(store: Store, name_or_id: ProfileRef) -> Profile:
    return _profile(_find(store.db, name_or_id))


@guarded
def rename_profile(store: Store, profile: ProfileRef, new_name: str) -> Profile:
    new_name = _clean_name(new_name)
    with store.transaction() as db:
        row = _find(db, profile)
        _refuse_duplicate(db, new_name, except_id=row["id"])
        db.table("profiles").update(row["id"], {"name": new_name, "updated_at": utc_now()})
        return _profile(db.table("profiles").get(row["id"]))


@guarded
def delete_profile(store: Store, profile: ProfileRef) -> None:
    """Delete a profile and its signals; its conversations and generations are kept."""
    with store.transaction() as db:
        row = _find(db, profile)
        db.table("profiles").delete(row["id"])
        if _active_id(db) == row["id"]:
            db.table("app_state").delete_where("key = ?", [ACTIVE_KEY])


def _active_id(db: sqlite_utils.Database) -> int | None:
    row = next(iter(db.table("app_state").rows_where("key = ?", [ACTIVE_KEY], limit=1)), None)
    try:
        return int(row["value"]) if row is not None else None
    except (TypeError, ValueError):
        return None  # a hand-edited value; treated as "none chosen"


@guarded
def get_active_profile(store: Store) -> Profile | None:
    """The active profile, or None if none was chosen (or it was deleted)."""
    db = store.db
    pid = _active_id(db)
    row = _row_by_id(db, pid) if pid is not None else None
    return _profile(row) if row is not None else None


@guarded
def set_active_profile(store: Store, profile: ProfileRef) -> Profile:
    with store.transaction() as db:
        row = _find(db, profile)
        db.table("app_state").upsert({"key": ACTIVE_KEY, "value": str(row["id"])}, pk="key")
        return _profile(row)


@guarded
def ensure_default_profile(store: Store) -> Profile:
    """The active profile. With no profiles at all, "default" is created; with no valid
    active one, the first profile by name becomes active."""
    with store.transaction() as db:
        pid = _active_id(db)
        row = _row_by_id(db, pid) if pid is not None else None
        if row is None:
            first = db.table("profiles").rows_where(order_by="name COLLATE NOCASE, id", limit=1)
            row = next(iter(first), None)
            if row is None:
                row = db.table("profiles").get(
                    insert_row(db.table("profiles"), {"name": DEFAULT_PROFILE})
                )
            db.table("app_state").upsert({"key": ACTIVE_KEY, "value": str(row["id"])}, pk="key")
        return _profile(row)


# -- signals ----------------------------------------------------------------------------------


def _touch_profile(db: sqlite_utils.Database, profile_id: int) -> None:
    # A profile's signals are part of it: changing them changes the profile.
    db.execute("UPDATE profiles SET updated_at = ? WHERE id = ?", [utc_now(), profile_id])


def _signal_row(db: sqlite_utils.Database, signal_id: int) -> dict[str, Any]:
    row = next(iter(db.table("signals").rows_where("id = ?", [signal_id], limit=1)), None)
    if row is None:
        raise NotFoundError(
            f"Unknown signal #{signal_id}.", "See the ids with: personaco profile show"
        )
    return row


@guarded
def add_signal(
    store: Store,
    profile_id: int,
    text: str,
    weight: float | None = None,
    reading: Reading | None = None,
    enabled: bool = True,
) -> Signal:
    """Append a signal at the end of the profile's list; `reading` is the user's correction of
    how it is read (validate it with core.signals.make_reading first), None: automatic."""
    text = _clean_signal_text(text)
    check_finite(weight, "signal weight")
    with store.transaction() as db:
        pid = _find(db, profile_id)["id"]
        position = db.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM signals WHERE profile_id = ?", [pid]
        ).fetchone()[0]
        record = {
            "profile_id": pid,
            "text": text,
            "weight": weight,
            "position": position,
            "reading_json": _reading_json(reading),
            "enabled": 1 if enabled else 0,
        }
        pk = insert_row(db.table("signals"), record)
        _touch_profile(db, pid)
        return _signal(db.table("signals").get(pk))


@guarded
def list_signals(store: Store, profile_id: int, enabled_only: bool = False) -> list[Signal]:
    where = "profile_id = ?" + (" AND enabled = 1" if enabled_only else "")
    rows = store.db.table("signals").rows_where(where, [profile_id], order_by="position, id")
    return [_signal(r) for r in rows]


@guarded
def get_signal(store: Store, signal_id: int) -> Signal:
    return _signal(_signal_row(store.db, signal_id))


@guarded
def remove_signal(store: Store, signal_id: int) -> None:
    with store.transaction() as db:
        row = _signal_row(db, signal_id)
        db.table("signals").delete(row["id"])
        _touch_profile(db, row["profile_id"])


def _update_signal(store: Store, signal_id: int, changes: dict[str, Any]) -> Signal:
    with store.transaction() as db:
        row = _signal_row(db, signal_id)
        db.table("signals").update(row["id"], {**changes, "updated_at": utc_now()})
        _touch_profile(db, row["profile_id"])
        return _signal(_signal_row(db, row["id"]))


@guarded
def set_signal_enabled(store: Store, signal_id: int, enabled: bool) -> Signal:
    return _update_signal(store, signal_id, {"enabled": 1 if enabled else 0})


@guarded
def toggle_signal(store: Store, signal_id: int) -> Signal:
    with store.transaction() as db:
        enabled = bool(_signal_row(db, signal_id)["enabled"])
        return _update_signal(store, signal_id, {"enabled": 0 if enabled else 1})


@guarded
def edit_signal(store: Store, signal_id: int, text: str) -> Signal:
    return _update_signal(store, signal_id, {"text": _clean_signal_text(text)})


@guarded
def set_signal_reading(store: Store, signal_id: int, reading: Reading | None) -> Signal:
    """Store the user's reading of a signal; None clears it (read automatically again)."""
    return _update_signal(store, signal_id, {"reading_json": _reading_json(reading)})
