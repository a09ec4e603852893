"""One chat turn, as both front ends run it: the profile's enabled signals, the engine, the
chosen reflector, then the generation and both messages stored in one transaction. A
cancelled or failed turn stores nothing, so the user's text is never half-saved.

What could make the store refuse the turn and is known before generating (text it cannot
hold, a conversation that is gone) is checked before generating; what only saving can find
(a lock held too long, a full disk) raises TurnNotStored, which carries the answer, so a
finished answer is never thrown away unseen."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from . import learning
from .core import personaco
from .core.reflectors import polarity
from .core.signals.statements import propose
from .core.types import Generation, Message, Suggestion
from .engines.base import CancelToken, ChatMessage, Engine, TurnProgressFn
from .errors import Cancelled, EngineError, PersonacoError
from .runtime import Runtime
from .store import conversations as C
from .store import generations as G
from .store import profiles as P
from .store import suggestions as S
from .store.db import check_text

log = logging.getLogger(__name__)


@dataclass
class TurnResult:
    generation: Generation
    conversation_id: int
    user_message: Message
    answer: Message
    suggestions: list[Suggestion] = field(default_factory=list)  # proposed from the question


class TurnNotStored(PersonacoError):
    """The answer was generated but the store could not keep it; `generation` holds it."""

    def __init__(self, generation: Generation, cause: PersonacoError) -> None:
        super().__init__(f"The answer was not stored: {cause.what}", cause.todo)
        self.generation = generation


def check_turn(query: str, signals: list[str]) -> None:
    """Refuse, before any work, a question or signal the store could not keep."""
    if not query.strip():
        raise PersonacoError("The question is empty.", "Type a question first.")
    for n, signal in enumerate(signals, start=1):
        if not signal.strip():
            raise PersonacoError(f"Signal {n} is empty.", "Give each signal some text.")
    for text in (query, *signals):
        check_text(text)
        if "\x00" in text:  # as profile signals refuse it: no one types it, and it splits words
            raise PersonacoError(
                "The text holds a NUL character (\\x00).", "Remove it and try again."
            )


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
    check_turn(query, signals or [])
    profile = (
        P.get_profile(rt.store, profile_id) if profile_id else P.ensure_default_profile(rt.store)
    )
    if conversation_id is not None:
        C.get_conversation(rt.store, conversation_id)  # gone (deleted elsewhere): say so now
    if signals is None:
        signals = [s.as_text for s in P.list_signals(rt.store, profile.id, enabled_only=True)]
    engine = rt.engine or rt.load_engine()
    cfg = rt.run_config(engine.name, **overrides)
    if cfg.seed is not None and not -1 <= cfg.seed < 2**63:  # SQLite's INTEGER holds the seed
        raise PersonacoError(
            f"The seed {cfg.seed} is out of range.", "Use -1 or an integer from 0 to 2**63-1."
        )
    reflector = rt.reflector(engine, rt.settings.generation.reflector)
    preference = learning.for_turn(rt.store, profile.id, rt.settings.generation.learning)
    gen = personaco.run(
        engine,
        query,
        signals,
        cfg,
        reflector,
        history=history(rt, conversation_id),
        on_progress=on_progress,
        cancel=cancel,
        preference=preference,
    )
    if not save:
        return gen
    try:
        with rt.store.transaction():
            if conversation_id is None:
                title = _title(query)
                conversation_id = C.create_conversation(rt.store, profile.id, title=title).id
            gen_id = G.save_generation(rt.store, gen, profile_id=profile.id)
            user = C.add_message(rt.store, conversation_id, "user", query)
            answer = C.add_message(
                rt.store, conversation_id, "assistant", gen.response, generation_id=gen_id
            )
    except PersonacoError as e:
        gen.id = None  # rolled back: no stored row has this id
        raise TurnNotStored(gen, e) from e
    return TurnResult(gen, conversation_id, user, answer, suggest_from(rt, profile.id, user))


def suggest_from(rt: Runtime, profile_id: int, message: Message) -> list[Suggestion]:
    """Store, as open suggestions of the profile, the persona facts and standing instructions
    the user stated in `message`; the new ones (a text proposed before, or a signal the
    profile has, is not proposed again). A failure here never costs the stored turn."""
    made: list[Suggestion] = []
    try:
        for p in propose(message.content):
            s = S.add_suggestion(rt.store, profile_id, p.text, "message", p.evidence, message.id)
            if s is not None:
                made.append(s)
    except PersonacoError as e:
        log.warning("suggestions from message #%s not stored: %s", message.id, e)
    return made + suggest_from_behaviour(rt, profile_id)


def suggest_from_behaviour(rt: Runtime, profile_id: int) -> list[Suggestion]:
    """Store, as open suggestions, the signals the profile's choices point to ("You picked
    the shorter answer in 5 of your last 6 choices"); the new ones. Called after each turn
    and each pick; never adds a signal, and a failure never costs what is stored."""
    made: list[Suggestion] = []
    try:
        for p in learning.proposals(rt.store, profile_id):
            s = S.add_suggestion(rt.store, profile_id, p.text, "behaviour", p.evidence, None)
            if s is not None:
                made.append(s)
    except PersonacoError as e:
        log.warning("suggestions from the choices of profile #%s not stored: %s", profile_id, e)
    return made


def _title(query: str) -> str:
    line = " ".join(query.split())
    return line[:60] + ("…" if len(line) > 60 else "")


def _reads_facts(rt: Runtime) -> Engine | None:
    """The loaded engine, where the configured reflector hands facts to the persona scorer
    and the engine can score text (so it reads which facts rule something out)."""
    engine = rt.engine
    if engine is None or rt.settings.generation.reflector not in personaco.PERSONA_REFLECTORS:
        return None
    return engine if engine.capabilities.scores_text else None


def reads_facts(rt: Runtime) -> bool:
    """Whether a model is loaded that reads facts for the configured reflector."""
    return _reads_facts(rt) is not None


def facts_known(rt: Runtime, facts: list[str]) -> dict[str, bool]:
    """The loaded model's reading of the facts it has read (whether each rules something
    out, core/reflectors/polarity.py); reads nothing."""
    engine = _reads_facts(rt)
    return polarity.known(engine, facts) if engine is not None else {}


def read_facts(rt: Runtime, facts: list[str], lock: threading.Lock | None = None) -> bool:
    """Read the facts the loaded model has not read yet (about 0.15 s a fact on one thread;
    the next turn then reads none), if `lock` (the front end's hold on the model) is free:
    whether it was. A turn reads its facts itself, and a reading in the middle of one would
    push out the answers it keeps in the cache for the replies. A failure is left to the
    turn, which falls back."""
    if lock is not None and not lock.acquire(blocking=False):
        return False
    try:
        engine = _reads_facts(rt)
        if engine is not None and facts:
            polarity.of(engine).rules_out(facts)
    except (EngineError, Cancelled) as e:
        log.info("facts not read: %s", e)
    finally:
        if lock is not None:
            lock.release()
    return True
