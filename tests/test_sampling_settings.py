"""Which sampling values a turn uses: the model's measured ones (generation.sampling = model,
the default), the paper's (= paper), and any value the user set explicitly, which wins; and
that those values reach llama.cpp's sampler and are stored with the generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from personaco_tui import chat
from personaco_tui import config as C
from personaco_tui.core.sampling import ENGINE_DEFAULT, PAPER, Sampling
from personaco_tui.engines import llama_backend
from personaco_tui.engines.base import SamplingParams
from personaco_tui.locations import Locations
from personaco_tui.runtime import Runtime
from personaco_tui.store import generations as G

MEASURED_135M = Sampling(temperature=0.7, top_p=1.0, min_p=0.1, top_k=40)


def _config(loc: Locations, text: str) -> None:
    path = C.config_path(loc)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _run_sampling(home: Path, model: str | None = None) -> Sampling:
    rt = Runtime.open(home)
    try:
        cfg = rt.run_config(model)
        return Sampling(cfg.temperature, cfg.top_p, cfg.min_p, cfg.top_k)
    finally:
        rt.close()


def test_by_default_a_turn_samples_with_the_models_measured_values(isolated_home: Path) -> None:
    assert _run_sampling(isolated_home) == MEASURED_135M
    assert _run_sampling(isolated_home, "llama-3.2-1b").temperature == 1.0
    # no manifest (a .gguf path or a registered file): the engine's chain as before
    assert _run_sampling(isolated_home, "/models/mine.gguf") == ENGINE_DEFAULT


def test_paper_sampling_is_one_setting_away(loc: Locations, isolated_home: Path) -> None:
    _config(loc, '[generation]\nsampling = "paper"\n')
    assert _run_sampling(isolated_home) == PAPER == Sampling(1.0, 1.0, 0.0, 0)


def test_an_explicit_value_wins_over_the_model_and_the_paper(
    loc: Locations, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(loc, "[generation]\ntemperature = 1.0\n")  # an old config's explicit value
    assert _run_sampling(isolated_home) == Sampling(1.0, 1.0, 0.1, 40)
    _config(loc, '[generation]\nsampling = "paper"\nmin_p = 0.05\n')
    assert _run_sampling(isolated_home) == Sampling(1.0, 1.0, 0.05, 0)
    monkeypatch.setenv("PERSONACO_GENERATION_TOP_K", "0")
    monkeypatch.setenv("PERSONACO_GENERATION_SAMPLING", "model")
    assert _run_sampling(isolated_home) == Sampling(0.7, 1.0, 0.05, 0)
    # -1 hands a value back to generation.sampling
    monkeypatch.setenv("PERSONACO_GENERATION_TOP_K", "-1")
    assert _run_sampling(isolated_home).top_k == 40


def test_the_measured_values_reach_the_sampler_and_are_stored(
    engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[SamplingParams] = []
    real = llama_backend.new_sampler

    def spy(p: SamplingParams, seed: int, banned: list[int], n_vocab: int):  # type: ignore[no-untyped-def]
        seen.append(p)
        return real(p, seed, banned, n_vocab)

    monkeypatch.setattr(llama_backend, "new_sampler", spy)
    rt = Runtime.open(engine=engine)
    try:
        result = chat.ask(rt, "Name a colour.", signals=[], max_tokens=4, seed=3)
        assert isinstance(result, chat.TurnResult)
        assert seen and all(
            (p.temperature, p.top_p, p.min_p, p.top_k) == (0.7, 1.0, 0.1, 40) for p in seen
        )
        gen = result.generation
        assert gen.id is not None
        s = G.load_generation(rt.store, gen.id).settings
        assert (s.temperature, s.top_p, s.min_p, s.top_k) == (0.7, 1.0, 0.1, 40)
        # an explicit override for one turn (CLI --temperature) reaches it too
        seen.clear()
        chat.ask(rt, "Name a colour.", signals=[], max_tokens=4, seed=3, temperature=0.0)
        assert seen and all(p.temperature == 0.0 and p.min_p == 0.1 for p in seen)
    finally:
        rt.close()
