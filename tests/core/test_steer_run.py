"""A PersonaCo turn with steering on the deterministic fake engine: the plan reaches the
engine, the generation records what was steered (and where the engine could not), the pick
still runs, and the record survives the store."""

from __future__ import annotations

from support.fake_engine import FakeEngine

from personaco_tui import config as config_mod
from personaco_tui.core import personaco
from personaco_tui.core.reflectors.rules.reflector import RulesReflector
from personaco_tui.store import generations as G
from personaco_tui.store.db import Store

SIGNALS = ["Never use commas.", "Wrap your whole reply in double quotation marks."]
ANSWERS = ["Sea, rock, light and more.", "A lamp, a tower."]


def _run(engine: FakeEngine, **cfg: object) -> personaco.Generation:
    return personaco.run(
        engine,
        "What is a lighthouse?",
        SIGNALS,
        personaco.RunConfig(**{"k": 2, "max_tokens": 32, "seed": 0, **cfg}),  # type: ignore[arg-type]
        RulesReflector(),
    )


def test_steered_candidates_meet_the_signals_and_the_pick_runs() -> None:
    engine = FakeEngine(ANSWERS, steers=True)
    gen = _run(engine)
    assert engine.steer_plans[0] is None  # the plain answer, sampled first
    assert engine.steer_plans[1] is not None and engine.steer_plans[1].active
    for c in gen.candidates:
        assert "," not in c.text and c.text.startswith('"') and c.text.endswith('"'), c.text
    assert all(c.score == 2.0 for c in gen.candidates)  # the rules reflected on both
    st = gen.steering
    assert st is not None and st["applied"] and st["engine"] == "word masks"
    assert [e["how"] for e in st["signals"]] == ["mask", "forced text"]
    assert st["forced"][0][0] == '"'


def test_steer_off_is_plain_sampling_and_recorded() -> None:
    engine = FakeEngine(ANSWERS, steers=True)
    gen = _run(engine, steer=False)
    assert engine.steer_plans == [None]
    assert gen.steering == {"enabled": False}
    assert gen.candidates[0].text == ANSWERS[0]


def test_an_engine_without_masks_says_so() -> None:
    gen = _run(FakeEngine(ANSWERS))
    st = gen.steering
    assert st is not None and st["enabled"] and not st["applied"]
    assert st["note"] == "not steered: this engine lacks token masks"


def test_the_baseline_is_never_steered() -> None:
    engine = FakeEngine(ANSWERS, steers=True)
    gen = _run(engine, method="baseline")
    assert engine.steer_plans == [None] and gen.steering is None


def test_steering_survives_the_store(loc) -> None:
    store = Store.open(loc)
    gen = _run(FakeEngine(ANSWERS, steers=True))
    gen_id = G.save_generation(store, gen)
    back = G.load_generation(store, gen_id)
    assert back.steering == gen.steering and back.signals == SIGNALS
    plain = _run(FakeEngine(ANSWERS), method="baseline")
    assert G.load_generation(store, G.save_generation(store, plain)).steering is None


def test_generation_steer_setting(loc) -> None:
    settings = config_mod.load(loc)
    assert settings.generation.steer == "on"


def test_a_steered_pick_prefers_what_a_plain_answer_says() -> None:
    # the plain answer (one more sample, no signals, no steering) is the fake's first answer
    answers = ["A lamp on a tower.", "Sea rock light.", "A lamp on a tower by the sea rock."]
    steered = _run(FakeEngine(answers, steers=True), k=3)
    assert steered.steering is not None and steered.steering["anchor"] == "A lamp on a tower."
    assert steered.chosen_index == 0  # every candidate meets both signals: closest to plain
    plain = _run(FakeEngine(answers, steers=True), k=3, steer=False)
    assert "anchor" not in (plain.steering or {})
    assert plain.chosen_index == 2  # without the anchor, consensus among the candidates
