"""Small queries and updates the TUI needs that the other repositories do not offer."""

from __future__ import annotations

from ..core.types import Message
from ..errors import NotFoundError
from . import generations as G
from .conversations import _message
from .db import InvalidInputError, Store, check_text, guarded, utc_now


@guarded
def update_message_content(store: Store, message_id: int, content: str) -> Message:
    """Replace a message's text (the full-text index follows through the schema's trigger)."""
    check_text(content)
    with store.transaction() as db:
        row = next(iter(db["messages"].rows_where("id = ?", [message_id], limit=1)), None)
        if row is None:
            raise NotFoundError(f"Unknown message #{message_id}.", "It may have been deleted.")
        db["messages"].update(message_id, {"content": content})
        db["conversations"].update(row["conversation_id"], {"updated_at": utc_now()})
        return _message(db["messages"].get(message_id))


@guarded
def pick_candidate(store: Store, message_id: int, candidate_index: int) -> Message:
    """The user prefers another candidate of the generation behind an answer: record the
    choice and make that candidate the answer's text, both or neither."""
    with store.transaction() as db:
        row = next(iter(db["messages"].rows_where("id = ?", [message_id], limit=1)), None)
        if row is None:
            raise NotFoundError(f"Unknown message #{message_id}.", "It may have been deleted.")
        if row["generation_id"] is None:
            raise InvalidInputError(
                f"Message #{message_id} has no generation behind it.", "Pick an answer."
            )
        gen = G.load_generation(store, row["generation_id"])
        G.set_user_choice(store, row["generation_id"], candidate_index)
        return update_message_content(store, message_id, gen.candidates[candidate_index].text)
