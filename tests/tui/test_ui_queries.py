"""store/ui_queries.py: the TUI's own store updates."""

from __future__ import annotations

import pytest

from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed
from personaco_tui.errors import PersonacoError
from personaco_tui.runtime import Runtime
from personaco_tui.store import conversations as C
from personaco_tui.store import generations as G
from personaco_tui.store import ui_queries as UQ


def _turn(store):
    settings = GenerationSettingsUsed("personaco", "m", 2, 1.0, 1, 8)
    gen = Generation(settings, "q", ["No commas."], "p")
    gen.candidates = [Candidate(0, "apple pie"), Candidate(1, "banana bread")]
    gen_id = G.save_generation(store, gen)
    conv = C.create_conversation(store, None, "t")
    C.add_message(store, conv.id, "user", "q")
    return gen_id, C.add_message(store, conv.id, "assistant", "apple pie", generation_id=gen_id)


def test_pick_candidate_stores_the_choice_and_the_text_and_reindexes():
    rt = Runtime.open()
    gen_id, answer = _turn(rt.store)
    msg = UQ.pick_candidate(rt.store, answer.id, 1)
    assert msg.content == "banana bread"
    assert G.get_user_choice(rt.store, gen_id) == 1
    assert [m.id for m, _ in C.search_messages(rt.store, "banana")] == [answer.id]
    assert C.search_messages(rt.store, "apple") == []
    # a bad index changes neither the choice nor the text
    with pytest.raises(PersonacoError):
        UQ.pick_candidate(rt.store, answer.id, 5)
    assert G.get_user_choice(rt.store, gen_id) == 1
    assert C.list_messages(rt.store, answer.conversation_id)[-1].content == "banana bread"
    with pytest.raises(PersonacoError):
        UQ.update_message_content(rt.store, 9999, "x")
    rt.close()
