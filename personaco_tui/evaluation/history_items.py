"""Evaluation items from the user's own history: the questions they asked in a profile's
conversations, each with that profile's enabled signals (the same every turn used), so a
session compares two methods on what this user really asks."""

from __future__ import annotations

from ..errors import PersonacoError
from ..store import conversations as C
from ..store import profiles as P
from ..store.db import Store
from .sessions import EvalItem


def items_from_history(
    store: Store, profile_id: int, last: int | None = None, signals: list[str] | None = None
) -> list[EvalItem]:
    """One item per distinct past question (the latest `last` questions; repeats once, at
    their first asking), keyed h<message id>. `signals` default: the profile's enabled ones.
    PersonacoError when there is nothing to build from, saying what to do."""
    profile = P.get_profile(store, profile_id)
    if signals is None:
        signals = [s.text for s in P.list_signals(store, profile.id, enabled_only=True)]
    if not signals:
        raise PersonacoError(
            f"Profile {profile.name!r} has no signals switched on: items need signals.",
            f'Add one: personaco profile add-signal {profile.name} "Keep it under 80 words."',
        )
    seen: set[str] = set()
    items: list[EvalItem] = []
    for m in C.user_questions(store, profile.id, last):
        query = m.content.strip()
        folded = " ".join(query.casefold().split())
        if not query or folded in seen:
            continue
        seen.add(folded)
        items.append(EvalItem(f"h{m.id}", query, list(signals)))
    if not items:
        raise PersonacoError(
            f"Profile {profile.name!r} has no past questions yet.",
            "Chat with it first (personaco, or personaco ask), then build the session.",
        )
    return items
