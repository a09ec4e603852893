"""Suggested signals: proposed from the user's own messages or behaviour, shown until the user
accepts (the signal is added to the profile) or dismisses them.

A text is proposed once per profile: a suggestion that is open, accepted or dismissed blocks
the same text (compared folded: case, spacing and final punctuation ignored), and so does a
signal the profile already has. Everything here stays in the local database.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlite_utils

from ..core.types import Suggestion
from ..errors import NotFoundError
from . import profiles as P
from .db import InvalidInputError, Store, check_text, guarded, insert_row, utc_now

SOURCES = ("message", "behaviour")
STATUSES = ("open", "accepted", "dismissed")
MAX_SUGGESTION_CHARS = 500


def fold(text: str) -> str:
    """The comparison form of a signal text: NFKC, case-folded, spaces collapsed, quotes
    straightened, trailing punctuation dropped ("I'm vegetarian." == "i’m  VEGETARIAN")."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    t = " ".join(t.split())
    return re.sub(r"[\s.!;,:]+$", "", t)


def _suggestion(row: dict[str, Any]) -> Suggestion:
    return Suggestion(
        id=row["id"],
        profile_id=row["profile_id"],
        text=row["text"],
        source=row["source"],
        evidence=row["evidence"],
        message_id=row["message_id"],
        status=row["status"],
        signal_id=row["signal_id"],
        created_at=row["created_at"],
    )


def _row(db: sqlite_utils.Database, suggestion_id: int) -> dict[str, Any]:
    row = next(iter(db["signal_suggestions"].rows_where("id = ?", [suggestion_id], limit=1)), None)
    if row is None:
        raise NotFoundError(
            f"Unknown suggestion #{suggestion_id}.",
            "See the open ones with: personaco profile suggestions",
        )
    return row


def _proposed_before(db: sqlite_utils.Database, profile_id: int, norm: str) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM signal_suggestions WHERE profile_id = ? AND norm = ?",
            [profile_id, norm],
        ).fetchone()
    )


def _blocked(db: sqlite_utils.Database, profile_id: int, norm: str) -> bool:
    if _proposed_before(db, profile_id, norm):
        return True
    texts = db.execute("SELECT text FROM signals WHERE profile_id = ?", [profile_id]).fetchall()
    return any(fold(t) == norm for (t,) in texts)


def _clean_text(text: str, evidence: str) -> str:
    text = " ".join(check_text(text).split())
    check_text(evidence)
    if not text or "\x00" in text or len(text) > MAX_SUGGESTION_CHARS:
        raise InvalidInputError(
            "A suggested signal must be one line of text (at most "
            f"{MAX_SUGGESTION_CHARS} characters, no NUL)."
        )
    return text


@guarded
def add_suggestion(
    store: Store,
    profile_id: int,
    text: str,
    source: str,
    evidence: str = "",
    message_id: int | None = None,
) -> Suggestion | None:
    """Store an open suggestion; None (nothing stored) when the profile already has that
    signal, or the text was proposed before (open, accepted or dismissed)."""
    if source not in SOURCES:
        raise InvalidInputError(f"Unknown suggestion source {source!r}; use one of {SOURCES}.")
    text = _clean_text(text, evidence)
    norm = fold(text)
    with store.transaction() as db:
        pid = P.get_profile(store, profile_id).id
        if (
            message_id is not None
            and not db.execute("SELECT 1 FROM messages WHERE id = ?", [message_id]).fetchone()
        ):
            message_id = None  # deleted meanwhile: the evidence text still says where it was
        if _blocked(db, pid, norm):
            return None
        return _insert(db, pid, text, source, evidence, message_id=message_id)


def _insert(
    db: sqlite_utils.Database, pid: int, text: str, source: str, evidence: str, **more: Any
) -> Suggestion:
    record = {"profile_id": pid, "text": text, "norm": fold(text), "source": source}
    pk = insert_row(db.table("signal_suggestions"), {**record, "evidence": evidence, **more})
    return _suggestion(_row(db, pk))


@guarded
def restore_suggestion(
    store: Store, profile_id: int, text: str, source: str, evidence: str, status: str
) -> Suggestion | None:
    """Store a suggestion as it was decided elsewhere (an imported profile): open, accepted
    (tied to the profile's signal of that text, if it has one) or dismissed. None when the
    profile already has a suggestion of that text."""
    if status not in STATUSES or source not in SOURCES:
        raise InvalidInputError(f"Not a suggestion to restore: {status!r} from {source!r}.")
    text = _clean_text(text, evidence)
    norm = fold(text)
    with store.transaction() as db:
        pid = P.get_profile(store, profile_id).id
        if _proposed_before(db, pid, norm):
            return None
        signal_id = None
        if status == "accepted":
            rows = db.execute("SELECT id, text FROM signals WHERE profile_id = ?", [pid])
            signal_id = next((i for i, t in rows.fetchall() if fold(t) == norm), None)
        decided = None if status == "open" else utc_now()
        return _insert(
            db, pid, text, source, evidence, status=status, signal_id=signal_id, decided_at=decided
        )


@guarded
def list_suggestions(
    store: Store, profile_id: int, status: str | None = "open"
) -> list[Suggestion]:
    """A profile's suggestions, oldest first; `status` None lists every one."""
    if status is not None and status not in STATUSES:
        raise InvalidInputError(f"Unknown suggestion status {status!r}; use one of {STATUSES}.")
    where, args = "profile_id = ?", list[Any]([profile_id])
    if status is not None:
        where += " AND status = ?"
        args.append(status)
    rows = store.db["signal_suggestions"].rows_where(where, args, order_by="id")
    return [_suggestion(r) for r in rows]


@guarded
def get_suggestion(store: Store, suggestion_id: int) -> Suggestion:
    return _suggestion(_row(store.db, suggestion_id))


def _open_row(db: sqlite_utils.Database, suggestion_id: int) -> dict[str, Any]:
    row = _row(db, suggestion_id)
    if row["status"] != "open":
        raise InvalidInputError(
            f"Suggestion #{suggestion_id} was already {row['status']}.",
            "See the open ones with: personaco profile suggestions",
        )
    return row


@guarded
def accept_suggestion(store: Store, suggestion_id: int) -> Suggestion:
    """Add the suggested text as a signal of its profile and mark the suggestion accepted,
    in one transaction."""
    with store.transaction() as db:
        row = _open_row(db, suggestion_id)
        signal = P.add_signal(store, row["profile_id"], row["text"])
        db.table("signal_suggestions").update(
            row["id"], {"status": "accepted", "signal_id": signal.id, "decided_at": utc_now()}
        )
        return _suggestion(_row(db, row["id"]))


@guarded
def dismiss_suggestion(store: Store, suggestion_id: int) -> Suggestion:
    """Mark the suggestion dismissed: the same text is never proposed again for its profile."""
    with store.transaction() as db:
        row = _open_row(db, suggestion_id)
        db.table("signal_suggestions").update(
            row["id"], {"status": "dismissed", "decided_at": utc_now()}
        )
        return _suggestion(_row(db, row["id"]))


@guarded
def reset_suggestions(store: Store, profile_id: int) -> int:
    """Forget every suggestion of the profile (open, accepted, dismissed): what was learned
    can be reset. Signals already added stay. Returns how many were removed."""
    with store.transaction() as db:
        cur = db.execute("DELETE FROM signal_suggestions WHERE profile_id = ?", [profile_id])
        return int(cur.rowcount)
