"""Generations with their candidates and matrix: stored whole, loaded back equal."""

from __future__ import annotations

import pytest

from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed, ReflectionCell
from personaco_tui.errors import NotFoundError
from personaco_tui.store import conversations as C
from personaco_tui.store import generations as G
from personaco_tui.store import profiles as P
from personaco_tui.store.db import InvalidInputError, Store


def _generation(k: int = 3, signals: tuple[str, ...] = ("Be brief", "No lists 🚫")) -> Generation:
    return Generation(
        settings=GenerationSettingsUsed(
            method="personaco",
            model="smollm2-135m",
            k=k,
            temperature=0.8,
            seed=7,
            max_tokens=64,
            reflector="self",
        ),
        query="What is a prime?",
        signals=list(signals),
        prompt="You answer briefly.",
        candidates=[
            Candidate(
                index=i,
                text=f"answer {i} — ünïcödé",
                n_tokens=10 + i,
                finish_reason="stop" if i else "length",
                score=None if i == 1 else i / 10,
            )
            for i in range(k)
        ],
        cells=[
            ReflectionCell(
                candidate=c,
                signal=s,
                score=None if (c, s) == (2, 1) else (c + s) / 4,
                reflector="self" if s == 0 else "rules",
                raw=f"raw {c},{s}",
            )
            for c in range(k)
            for s in range(len(signals))
        ],
        chosen_index=2,
        early_stopped=True,
        status="done",
        prompt_tokens=42,
        sample_s=1.25,
        reflect_s=0.5,
        total_s=1.75,
    )


def test_round_trip_of_a_3x2_matrix(store: Store) -> None:
    p = P.create_profile(store, "p")
    gen = _generation()
    gen_id = G.save_generation(store, gen, profile_id=p.id)
    assert gen.id == gen_id
    loaded = G.load_generation(store, gen_id)
    assert loaded == gen
    assert loaded.matrix() == [[0.0, 0.25], [0.25, 0.5], [0.5, None]]
    assert loaded.response == gen.candidates[2].text
    row = store.db["generations"].get(gen_id)
    assert row["profile_id"] == p.id and row["user_choice"] is None


def test_baseline_without_signals_or_cells(store: Store) -> None:
    gen = _generation(k=1, signals=())
    gen.settings.method, gen.settings.reflector, gen.settings.seed = "baseline", None, None
    gen.chosen_index, gen.early_stopped, gen.prompt = 0, False, ""
    assert G.load_generation(store, G.save_generation(store, gen)) == gen


def test_save_is_all_or_nothing(store: Store) -> None:
    gen = _generation()
    gen.cells.append(ReflectionCell(candidate=9, signal=0, score=0.5, reflector="self"))
    with pytest.raises(Exception, match="FOREIGN KEY"):
        G.save_generation(store, gen)
    counts = [store.db[t].count for t in ("generations", "candidates", "reflection_cells")]
    assert counts == [0, 0, 0]
    assert not store.in_transaction


def test_save_inside_an_outer_transaction_rolls_back_with_it(store: Store) -> None:
    conv = C.create_conversation(store, None, "c")
    with pytest.raises(RuntimeError), store.transaction():
        gen_id = G.save_generation(store, _generation())
        C.add_message(store, conv.id, "assistant", "answer", generation_id=gen_id)
        raise RuntimeError("cancelled after saving")
    assert store.db["generations"].count == 0 and C.list_messages(store, conv.id) == []


def test_user_choice(store: Store) -> None:
    gen_id = G.save_generation(store, _generation())
    assert G.get_user_choice(store, gen_id) is None
    G.set_user_choice(store, gen_id, 1)
    assert G.get_user_choice(store, gen_id) == 1
    for bad in (3, -1):
        with pytest.raises(
            InvalidInputError, match=f"has no candidate {bad}. Pick one from 0 to 2"
        ):
            G.set_user_choice(store, gen_id, bad)
    G.set_user_choice(store, gen_id, None)
    assert G.get_user_choice(store, gen_id) is None
    with pytest.raises(NotFoundError, match="Unknown generation #99"):
        G.set_user_choice(store, 99, 0)
    with pytest.raises(NotFoundError, match="Unknown generation #99"):
        G.load_generation(store, 99)


def test_text_with_a_lone_surrogate_is_refused_before_anything_is_written(store: Store) -> None:
    gen = _generation()
    gen.candidates[1].text = "broken \ud83d"
    with pytest.raises(InvalidInputError, match="lone surrogate"):
        G.save_generation(store, gen)
    assert store.db["generations"].count == 0 and gen.id is None
