"""One chat turn, as both front ends run it: the profile's enabled signals, the engine, the
chosen reflector, then the generation and both messages stored in one transaction. A
cancelled or failed turn stores nothing, so the user's text is never half-saved."""

from __future__ import annotations

from dataclasses import dataclass

from .core import personaco
from .core.types import Generation, Message
from .engines.base import CancelToken, ChatMessage, TurnProgressFn
from .errors import PersonacoError
from .runtime import Runtime
from .store import conversations as C
from .store import generations as G
from .store import profiles as P


@dataclass
class TurnResult:
    generation: Generation
    conversation_id: int
    user_message: Message
    answer: Message


def history(rt: Runtime, conversation_id: int | None) -> list[ChatMessage]:
    """Earlier turns as chat messages: the user's own words and the chosen answers."""
    if conversation_id is None:
        return []
    return [
        {"role": m.role, "content": m.content} for m in C.list_messages(rt.store, conversation_id)
    ]


def ask(
    rt: Runtime,
    query: str,
    *,
    profile_id: int | None = None,
    conversation_id: int | None = None,
    signals: list[str] | None = None,
    on_progress: TurnProgressFn | None = None,
    cancel: CancelToken | None = None,
    save: bool = True,
    **overrides: object,
) -> TurnResult | Generation:
    if not query.strip():
        raise PersonacoError("The question is empty.", "Type a question first.")
    profile = (
        P.get_profile(rt.store, profile_id) if profile_id else P.ensure_default_profile(rt.store)
    )
    if signals is None:
        signals = [s.as_text for s in P.list_signals(rt.store, profile.id, enabled_only=True)]
    engine = rt.engine or rt.load_engine()
    cfg = rt.run_config(**overrides)
    reflector = rt.reflector(engine, rt.settings.generation.reflector)
    gen = personaco.run(
        engine,
        query,
        signals,
        cfg,
        reflector,
        history=history(rt, conversation_id),
        on_progress=on_progress,
        cancel=cancel,
    )
    if not save:
        return gen
    with rt.store.transaction():
        if conversation_id is None:
            conversation_id = C.create_conversation(rt.store, profile.id, title=_title(query)).id
        gen_id = G.save_generation(rt.store, gen, profile_id=profile.id)
        user = C.add_message(rt.store, conversation_id, "user", query)
        answer = C.add_message(
            rt.store, conversation_id, "assistant", gen.response, generation_id=gen_id
        )
    return TurnResult(gen, conversation_id, user, answer)


def _title(query: str) -> str:
    line = " ".join(query.split())
    return line[:60] + ("…" if len(line) > 60 else "")
