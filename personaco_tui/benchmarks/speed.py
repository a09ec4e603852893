"""`personaco bench`: speed of one PersonaCo turn against its parts and a naive version,
measured side by side in one run (ratios, not absolute times, are what to compare: the
machines are shared and noisy). Every sample generates exactly `n_tokens` tokens, end of
sequence ignored, as llama-batched-bench does."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..core import personaco
from ..core.prompts import personalization_prompt
from ..core.reflectors import SelfReflector
from ..core.reflectors.auto import AutoReflector
from ..core.reflectors.persona import PersonaReflector
from ..core.reflectors.self_reflector import reflection_conversation
from ..engines.base import SamplingParams
from ..engines.llama import LlamaEngine

QUERY = "Explain how the tides work and why there are two of them each day."
SIGNALS = [
    "Keep it under 120 words.",
    "Never use commas.",
    "I have a PhD in oceanography.",
    "End with a question.",
    "Write in lowercase only.",
]
# Facts no rule checks: `auto` hands all five to the persona reflector.
PERSONA_SIGNALS = [
    "I'm vegetarian.",
    "I live in Germany.",
    "I'm 8 years old.",
    "I'm reading this on my smartwatch.",
    "I write all my code in Python.",
]
# Wishes no rule checks: each costs the persona reflector one more reading of the k answers.
WISH_SIGNALS = [
    "Use a cooking analogy.",
    "Talk to me like a pirate.",
    "Mention the pros and cons.",
    "Recommend a book on the topic.",
    "Add a fun fact.",
]


@dataclass
class SpeedReport:
    model: str
    n_tokens: int
    k: int
    n_signals: int
    repeats: int
    single_s: float
    turn_s: float
    batched_s: float
    naive_s: float | None
    turn_auto_s: float | None = None
    turn_persona_s: float | None = None  # an auto turn with PERSONA_SIGNALS
    turn_wishes_s: float | None = None  # an auto turn with WISH_SIGNALS
    turn_one_wish_s: float | None = None  # an auto turn with the first of them alone
    weights: str = "native"
    single_native_s: float | None = None  # the same, on the model file's own weights
    turn_native_s: float | None = None
    # the auto turn steered toward the signals (core/steer): plain sampling is the others
    turn_steered_s: float | None = None
    steered_tokens: int | None = None  # tokens the steered turn's k answers took in all

    def as_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "model": self.model,
            "n_tokens": self.n_tokens,
            "k": self.k,
            "signals": self.n_signals,
            "repeats": self.repeats,
            "weights": self.weights,
            "single_s": round(self.single_s, 3),
            "turn_s": round(self.turn_s, 3),
            "turn_over_single": round(self.turn_s / self.single_s, 2),
            "single_tok_s": round(self.n_tokens / self.single_s, 1),
            "batched_tok_s": round(self.k * self.n_tokens / self.batched_s, 1),
            "batched_over_single": round(self.single_s * self.k / self.batched_s, 2),
        }
        for name in ("turn_auto", "turn_persona", "turn_wishes", "turn_one_wish"):
            seconds = getattr(self, name + "_s")
            if seconds is not None:  # each kind of turn, beside one single answer
                d[name + "_s"] = round(seconds, 3)
                d[name + "_over_single"] = round(seconds / self.single_s, 2)
        if self.turn_steered_s is not None and self.turn_auto_s is not None:
            d["turn_steered_s"] = round(self.turn_steered_s, 3)
            d["turn_steered_over_auto"] = round(self.turn_steered_s / self.turn_auto_s, 2)
            d["steered_tokens"] = self.steered_tokens
        if self.naive_s is not None:
            d["naive_s"] = round(self.naive_s, 3)
            d["naive_over_turn"] = round(self.naive_s / self.turn_s, 2)
        if self.single_native_s is not None and self.turn_native_s is not None:
            # a derived copy slows one sequence and speeds a turn: compare against the best
            # single answer either file gives, and show what the copy buys a turn
            d["single_native_s"] = round(self.single_native_s, 3)
            d["turn_native_s"] = round(self.turn_native_s, 3)
            best = min(self.single_s, self.single_native_s)
            d["turn_over_best_single"] = round(self.turn_s / best, 2)
            d["turn_native_over_turn"] = round(self.turn_native_s / self.turn_s, 2)
        return d


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def naive_turn(llm, engine: LlamaEngine, k: int, n_tokens: int, seed: int) -> None:
    """The same work through llama-cpp-python's high-level API: k sequential completions,
    then one completion call per reflection cell."""
    messages = [{"role": "user", "content": personalization_prompt(QUERY, SIGNALS)}]
    ban = {t: -1e9 for t in engine.eog_tokens}
    answers = []
    for i in range(k):
        r = llm.create_chat_completion(
            messages, max_tokens=n_tokens, temperature=1.0, seed=seed + i, logit_bias=ban
        )
        answers.append(r["choices"][0]["message"]["content"] or "")
    for a in answers:
        for s in SIGNALS:
            llm.create_chat_completion(
                reflection_conversation(messages, a, s), max_tokens=1, temperature=0.0
            )


def run_speed(
    engine: LlamaEngine,
    *,
    n_tokens: int = 128,
    k: int = 8,
    repeats: int = 1,
    naive: bool = True,
    native: LlamaEngine | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> SpeedReport:
    """Time every measure in turn, `repeats` times, and report medians. The naive version
    loads the file `engine` runs. `native`, when given, is the same model on its file's own
    weights, for an engine that runs a derived copy."""
    messages = [{"role": "user", "content": personalization_prompt(QUERY, SIGNALS)}]
    one = SamplingParams(max_tokens=n_tokens, seed=1, ignore_eos=True)
    cfg = personaco.RunConfig(k=k, max_tokens=n_tokens, seed=1, ignore_eos=True, steer=False)
    steer_cfg = personaco.RunConfig(k=k, max_tokens=n_tokens, seed=1, ignore_eos=True)
    steered_tokens: list[int] = []

    def steered_turn() -> None:
        gen = personaco.run(engine, QUERY, SIGNALS, steer_cfg, auto)
        steered_tokens.append(sum(c.n_tokens for c in gen.candidates))

    reflector = SelfReflector(engine)
    # the default: rules, then the persona reflector for the rest
    auto = AutoReflector(PersonaReflector(engine, fallback=SelfReflector(engine)))
    llm = None
    if naive:
        from llama_cpp import Llama

        llm = Llama(
            str(engine.path),
            n_ctx=2048,
            n_threads=engine.n_threads,
            n_gpu_layers=engine.n_gpu_layers,
            n_threads_batch=engine.n_threads,
            verbose=False,
        )
    singles, turns, batches, naives, autos, personas, steereds = [], [], [], [], [], [], []
    wishes: list[float] = []
    one_wish: list[float] = []
    native_singles, native_turns = [], []
    native_reflector = SelfReflector(native) if native is not None else None
    engine.sample(messages, 1, SamplingParams(max_tokens=8, seed=0))  # warm-up
    if native is not None:
        native.sample(messages, 1, SamplingParams(max_tokens=8, seed=0))
    for r in range(repeats):
        # interleaved, so drift in machine load hits every measure alike
        singles.append(_timed(lambda: engine.sample(messages, 1, one)))
        log(f"[{r + 1}/{repeats}] single {singles[-1]:.2f}s")
        batches.append(_timed(lambda: engine.sample(messages, k, one)))
        log(f"[{r + 1}/{repeats}] batched k={k} {batches[-1]:.2f}s")
        turns.append(_timed(lambda: personaco.run(engine, QUERY, SIGNALS, cfg, reflector)))
        log(f"[{r + 1}/{repeats}] PersonaCo turn {turns[-1]:.2f}s")
        autos.append(_timed(lambda: personaco.run(engine, QUERY, SIGNALS, cfg, auto)))
        log(f"[{r + 1}/{repeats}] PersonaCo turn, auto reflector {autos[-1]:.2f}s")
        personas.append(_timed(lambda: personaco.run(engine, QUERY, PERSONA_SIGNALS, cfg, auto)))
        log(f"[{r + 1}/{repeats}] auto turn, persona facts {personas[-1]:.2f}s")
        wishes.append(_timed(lambda: personaco.run(engine, QUERY, WISH_SIGNALS, cfg, auto)))
        log(f"[{r + 1}/{repeats}] auto turn, wishes {wishes[-1]:.2f}s")
        one_wish.append(_timed(lambda: personaco.run(engine, QUERY, WISH_SIGNALS[:1], cfg, auto)))
        log(f"[{r + 1}/{repeats}] auto turn, one wish {one_wish[-1]:.2f}s")
        steereds.append(_timed(steered_turn))
        log(f"[{r + 1}/{repeats}] PersonaCo turn, auto reflector, steered {steereds[-1]:.2f}s")
        if llm is not None:
            naives.append(_timed(lambda: naive_turn(llm, engine, k, n_tokens, seed=1)))
            log(f"[{r + 1}/{repeats}] naive turn {naives[-1]:.2f}s")
        if native is not None:
            native_singles.append(_timed(lambda: native.sample(messages, 1, one)))
            log(f"[{r + 1}/{repeats}] single, native weights {native_singles[-1]:.2f}s")
            native_turns.append(
                _timed(lambda: personaco.run(native, QUERY, SIGNALS, cfg, native_reflector))
            )
            log(f"[{r + 1}/{repeats}] PersonaCo turn, native weights {native_turns[-1]:.2f}s")
    if llm is not None:
        llm.close()
    med = statistics.median
    return SpeedReport(
        model=engine.name,
        n_tokens=n_tokens,
        k=k,
        n_signals=len(SIGNALS),
        repeats=repeats,
        single_s=med(singles),
        turn_s=med(turns),
        batched_s=med(batches),
        naive_s=med(naives) if naives else None,
        turn_auto_s=med(autos),
        turn_persona_s=med(personas),
        turn_wishes_s=med(wishes),
        turn_one_wish_s=med(one_wish),
        weights=engine.weights,
        single_native_s=med(native_singles) if native_singles else None,
        turn_native_s=med(native_turns) if native_turns else None,
        turn_steered_s=med(steereds),
        steered_tokens=steered_tokens[-1] if steered_tokens else None,
    )
