"""Conversations, their messages, and full-text search over every message.

Text is stored exactly as given (emoji, right-to-left scripts, NUL characters). Text that
cannot be encoded as UTF-8 (lone surrogates) is refused with a message, never replaced.
"""

from __future__ import annotations

import string
from typing import Any

import sqlite_utils

from ..core.types import Conversation, Message
from ..errors import NotFoundError
from . import generations as G
from .db import InvalidInputError, Store, check_text, guarded, insert_row, utc_now

ROLES = ("system", "user", "assistant")
SNIPPET_OPEN, SNIPPET_CLOSE, ELLIPSIS = "[", "]", "…"
_SNIPPET_WORDS = 12


def _conversation(row: dict[str, Any]) -> Conversation:
    return Conversation(
        row["id"], row["profile_id"], row["title"], row["created_at"], row["updated_at"]
    )


def _message(row: dict[str, Any]) -> Message:
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        role=row["role"],
        content=row["content"],
        generation_id=row["generation_id"],
        created_at=row["created_at"],
    )


def _row(db: sqlite_utils.Database, table: str, row_id: int) -> dict[str, Any] | None:
    return next(iter(db[table].rows_where("id = ?", [row_id], limit=1)), None)


def _conversation_row(db: sqlite_utils.Database, conversation_id: int) -> dict[str, Any]:
    row = _row(db, "conversations", conversation_id)
    if row is None:
        raise NotFoundError(
            f"Unknown conversation #{conversation_id}.", "It may have been deleted."
        )
    return row


@guarded
def create_conversation(store: Store, profile_id: int | None, title: str = "") -> Conversation:
    check_text(title)
    with store.transaction() as db:
        if profile_id is not None and _row(db, "profiles", profile_id) is None:
            raise NotFoundError(f"Unknown profile #{profile_id}.", "See: personaco profile list")
        pk = insert_row(db.table("conversations"), {"profile_id": profile_id, "title": title})
        return _conversation(_conversation_row(db, pk))


@guarded
def list_conversations(store: Store, profile_id: int | None = None) -> list[Conversation]:
    """Most recently active first; every profile's when profile_id is None."""
    table = store.db.table("conversations")
    order = "updated_at DESC, id DESC"
    if profile_id is None:
        rows = table.rows_where(order_by=order)
    else:
        rows = table.rows_where("profile_id = ?", [profile_id], order_by=order)
    return [_conversation(r) for r in rows]


@guarded
def get_conversation(store: Store, conversation_id: int) -> Conversation:
    return _conversation(_conversation_row(store.db, conversation_id))


@guarded
def rename_conversation(store: Store, conversation_id: int, title: str) -> Conversation:
    check_text(title)
    with store.transaction() as db:
        _conversation_row(db, conversation_id)
        db.table("conversations").update(conversation_id, {"title": title, "updated_at": utc_now()})
        return _conversation(_conversation_row(db, conversation_id))


@guarded
def delete_conversation(store: Store, conversation_id: int) -> None:
    """Delete a conversation and its messages (the generations behind them are kept)."""
    with store.transaction() as db:
        db.table("conversations").delete(_conversation_row(db, conversation_id)["id"])


@guarded
def add_message(
    store: Store,
    conversation_id: int,
    role: str,
    content: str,
    generation_id: int | None = None,
) -> Message:
    if role not in ROLES:
        raise InvalidInputError(
            f"Unknown message role {role!r}.", f"Use one of: {', '.join(ROLES)}."
        )
    check_text(content)
    with store.transaction() as db:
        _conversation_row(db, conversation_id)
        if generation_id is not None and _row(db, "generations", generation_id) is None:
            raise NotFoundError(f"Unknown generation #{generation_id}.", "Save it first.")
        record = {
            "conversation_id": conversation_id,
            "role": role,
            "content": content,
            "generation_id": generation_id,
        }
        pk = insert_row(db.table("messages"), record)
        db.table("conversations").update(conversation_id, {"updated_at": utc_now()})
        row = _row(db, "messages", pk)
        assert row is not None
        return _message(row)


@guarded
def list_messages(store: Store, conversation_id: int) -> list[Message]:
    db = store.db
    found = db.table("messages").rows_where("conversation_id = ?", [conversation_id], order_by="id")
    rows = [_message(r) for r in found]
    if not rows:
        _conversation_row(db, conversation_id)  # unknown id: say so instead of "no messages"
    return rows


@guarded
def update_message_content(store: Store, message_id: int, content: str) -> Message:
    """Replace a message's text (the full-text index follows through the schema's trigger)."""
    check_text(content)
    with store.transaction() as db:
        row = _row(db, "messages", message_id)
        if row is None:
            raise NotFoundError(f"Unknown message #{message_id}.", "It may have been deleted.")
        db.table("messages").update(message_id, {"content": content})
        db.table("conversations").update(row["conversation_id"], {"updated_at": utc_now()})
        return _message(db.table("messages").get(message_id))


@guarded
def pick_candidate(store: Store, message_id: int, candidate_index: int) -> Message:
    """The user prefers another candidate of the generation behind an answer: record the
    choice and make that candidate the answer's text, both or neither."""
    with store.transaction() as db:
        row = _row(db, "messages", message_id)
        if row is None:
            raise NotFoundError(f"Unknown message #{message_id}.", "It may have been deleted.")
        if row["generation_id"] is None:
            raise InvalidInputError(
                f"Message #{message_id} has no generation behind it.", "Pick an answer."
            )
        gen = G.load_generation(store, row["generation_id"])
        G.set_user_choice(store, row["generation_id"], candidate_index)
        return update_message_content(store, message_id, gen.candidates[candidate_index].text)


# -- search -----------------------------------------------------------------------------------


def _has_token(term: str) -> bool:
    # unicode61 indexes letters and digits only; a term of just punctuation or emoji would
    # be an empty FTS phrase, which matches nothing, so such terms are matched as substrings.
    return any(ch.isalnum() for ch in term)


def fts_query(text: str) -> str:
    """The user's words as an FTS5 query that cannot be a syntax error: each
    whitespace-separated term becomes a quoted string (inner quotes doubled), so operators
    like AND, OR, NEAR, *, ( and " are searched for as plain words. A NUL splits terms, as
    it splits words in the index: FTS5 reads the query as a C string and would stop at it,
    leaving an unterminated quote."""
    terms = text.replace("\x00", " ").split()
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms if _has_token(t))


def _plain_snippet(content: str, needle: str, width: int = 40) -> str:
    at = content.find(needle)
    if at < 0:
        return content[: 2 * width]
    start, end = max(0, at - width), min(len(content), at + len(needle) + width)
    return (
        (ELLIPSIS if start else "")
        + content[start:at]
        + SNIPPET_OPEN
        + needle
        + SNIPPET_CLOSE
        + content[at + len(needle) : end]
        + (ELLIPSIS if end < len(content) else "")
    )


_ASCII_PUNCT = frozenset(string.punctuation)
_COLUMNS = "m.id, m.conversation_id, m.role, m.content, m.generation_id, m.created_at"


@guarded
def search_messages(store: Store, query: str, limit: int = 50) -> list[tuple[Message, str]]:
    """Messages matching every term of `query`, best first, each with a snippet in which
    the matches are [bracketed]. Any input is safe; an empty query finds nothing."""
    check_text(query)
    terms = query.split()
    if not terms or limit <= 0:
        return []
    match = fts_query(query)
    substrings = [t for t in terms if not _has_token(t)]
    if match:
        # Next to real words, bare ASCII punctuation is most likely query syntax ("a AND (",
        # "-x", "*"), not something to require in the text; emoji and other symbols stay.
        substrings = [t for t in substrings if not all(ch in _ASCII_PUNCT for ch in t)]
    filters = "".join(" AND instr(m.content, ?) > 0" for _ in substrings)
    if match:
        sql = (
            f"SELECT {_COLUMNS}, snippet(messages_fts, 0, ?, ?, ?, {_SNIPPET_WORDS}) AS snip "
            "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
            f"WHERE messages_fts MATCH ?{filters} ORDER BY messages_fts.rank, m.id DESC LIMIT ?"
        )
        params = [SNIPPET_OPEN, SNIPPET_CLOSE, ELLIPSIS, match, *substrings, limit]
        return [(_message(r), r["snip"]) for r in store.db.query(sql, params)]
    sql = f"SELECT {_COLUMNS} FROM messages m WHERE 1{filters} ORDER BY m.id DESC LIMIT ?"
    rows = store.db.query(sql, [*substrings, limit])
    return [(_message(r), _plain_snippet(r["content"], substrings[0])) for r in rows]


@guarded
def user_questions(store: Store, profile_id: int, last: int | None = None) -> list[Message]:
    """The user's own messages in the profile's conversations, oldest first: the newest
    `last` of them when given."""
    if last is not None and last < 1:
        raise InvalidInputError(f"--last must be 1 or more, not {last}.")
    sql = (
        "SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "WHERE c.profile_id = ? AND m.role = 'user' ORDER BY m.id DESC"
    )
    args: list[Any] = [profile_id]
    if last is not None:
        sql += " LIMIT ?"
        args.append(last)
    cur = store.db.execute(sql, args)
    cols = [d[0] for d in cur.description]
    return [_message(dict(zip(cols, row, strict=True))) for row in reversed(cur.fetchall())]
