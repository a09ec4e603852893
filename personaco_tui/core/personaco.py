"""PersonaCo: build the prompt, sample k answers, reflect on every (answer, signal) pair,
choose the answer with the highest row sum.

Choosing: candidates are ranked first by the number of signals the deterministic `rules`
reflector found satisfied, then by whether the answer says anything the question does not
(core/helpfulness.py, `says_nothing`: an echo of the question never wins while another
answer says something; nor does an answer stuck in a loop, `loops`), then by the sum of
P(yes) over the cells a language model scored, then by whether the answer finished (one cut
off at max_tokens ends mid-sentence), then by consensus (how much an answer says what the
other candidates say, see consensus.py), then by the lowest index. Rules are certain where
they apply, so a model's guess never outweighs them; with a model reflector alone this is
the paper's argmax of row sums. Scores are compared after rounding to 1e-9, so a pick is
always reproducible from the stored matrix and the stored answers.

With a learned preference model (core/learning, setting generation.learning = "learned"),
the order is: rule-satisfied signals; saying something; model-estimated signals *judged
satisfied* (P >= 0.5); the learned utility; then the estimated sum, finished and consensus
as before. So what the user asked for in words always ranks first, and what they showed by
their choices decides among the answers the signals leave equal; it replaces the fixed
tie-breakers (finished and consensus are features the model weighs). Without signals the
learned model alone picks among the k samples. The generation records what the model did
(`Generation.learning`)."""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass, replace
from typing import Any

from ..engines.base import (
    CancelToken,
    ChatMessage,
    Contrast,
    Engine,
    Progress,
    SampleOutput,
    SamplingParams,
    StopWhen,
    TurnProgressFn,
)
from ..errors import EngineError
from .consensus import consensus, similarity_to
from .helpfulness import AnswerReadings, addresses_scores, passed_over, query_pmi
from .learning import ChoiceSet, PreferenceModel, featurize
from .prompts import join_signals, personalization_prompt, reflection_prompt
from .reflectors.auto import AutoReflector
from .reflectors.base import ReflectionInput, Reflector
from .reflectors.persona import PersonaReflector
from .sampling import ENGINE_DEFAULT
from .signals.mood import is_wish
from .steer import SteerEvent, SteerPlan, build_plan
from .steer.contrast import finish_record, plan_contrast
from .steer.events import stored
from .types import Candidate, Generation, GenerationSettingsUsed, ReflectionCell


@dataclass
class RunConfig:
    method: str = "personaco"  # "personaco" | "baseline"
    k: int = 8
    temperature: float = 1.0
    # The truncation before the temperature (core/sampling.py; Runtime.run_config fills in
    # the model's measured values or the paper's); these defaults are the engine's.
    top_p: float = ENGINE_DEFAULT.top_p
    min_p: float = ENGINE_DEFAULT.min_p
    top_k: int = ENGINE_DEFAULT.top_k
    max_tokens: int = 256
    seed: int | None = None  # None: a fresh random seed, recorded with the generation
    ignore_eos: bool = False
    # Stop sampling as soon as one candidate satisfies every signal by rules (only when every
    # signal is rule-checkable and the reflector uses rules); the generation records it.
    early_stop: bool = False
    # Steer generation toward the signals (core/steer): masks, forced structure, SMC. False
    # is plain sampling, the paper's method. The baseline is never steered.
    steer: bool = True
    # Persona facts (core/steer/contrast.py): "off", or "contrast" (each answer drawn
    # against a twin without the facts, weight `persona_alpha`, where the engine can).
    persona_steer: str = "off"
    persona_alpha: float = 0.5


# No token of any model we know spells more than 64 characters (runs of spaces or "="): a
# text of c characters is at least c / 128 tokens, an estimate that never refuses a turn
# that fits, and costs nothing next to tokenizing a pasted file (minutes and gigabytes).
MAX_CHARS_PER_TOKEN = 128

CERTAIN = frozenset({"rules"})  # reflectors whose cells are facts, not estimates
PERSONA_REFLECTORS = frozenset({"auto", "persona"})  # those handing unchecked signals to persona
# Where persona cells are estimated, how much "addresses the question" (core/helpfulness.py,
# the rank in [0, 1] of how much the question raises the answer's likelihood) weighs beside
# them: half a signal's cell. With the user's two replies for every fact, weights 0.5, 1 and
# 2 gave adherence 0.59, 0.67 and 0.64 on 69 persona facts, correctness on factual questions
# with a persona fact 0.63, 0.57 and 0.53 (a plain answer 0.57). Since facts that rule
# something out are read by "doesn't work for me" alone (reflectors/polarity.py) the cells
# rank better, and on the stored candidates of the three persona dev sets (101 facts) 0.5
# fits 68 (1.0: 65; the replies for every fact at 1.0: 68), persona_guard correct 20 of 30
# (19), the wish sets 9 and 16 of 24 at either weight (end to end: README).
ADDRESSES_WEIGHT = 0.5


def choose(
    cells: list[ReflectionCell],
    n_candidates: int,
    eligible: list[bool] | None = None,
    finished: list[bool] | None = None,
    texts: list[str] | None = None,
    learned: list[float] | None = None,
    anchor: str | None = None,
    addresses: list[float] | None = None,
    query: str | None = None,
    signals: list[str] | None = None,
) -> tuple[int, list[float]]:
    """Index of the best candidate and each candidate's row score (the sum of its cells).
    Candidates marked not `eligible` (cut short by an early stop) are never picked; among
    equal scores a `finished` answer beats one cut off at the token limit, then the answer
    closest to the other candidates' `texts` (and, as much again, to the plain `anchor`
    answer where there is one) beats the rest. `learned`: each candidate's
    utility under the user's learned preference model (the module docstring says where it
    ranks). `addresses`: each candidate's helpfulness term in [0, 1], added to the estimates
    where persona cells are estimated. With the `query`, an answer that only restates it
    (core/helpfulness.py, `says_nothing`), or that is stuck repeating itself (`loops`), never
    beats one that says something, short of the rules' verdicts."""
    certain = [0.0] * n_candidates
    estimated = [0.0] * n_candidates
    judged = [0] * n_candidates
    for c in cells:
        if c.score is not None:
            (certain if c.reflector in CERTAIN else estimated)[c.candidate] += c.score
            judged[c.candidate] += c.reflector not in CERTAIN and c.score >= 0.5
    if addresses is not None and _has_persona_cells(cells):
        # a persona estimate is half the story: the answer must also answer the question
        for i, h in enumerate(addresses):
            estimated[i] += ADDRESSES_WEIGHT * h
    rows = [a + b for a, b in zip(certain, estimated, strict=True)]
    if not rows:
        return 0, rows
    ok = eligible or [True] * n_candidates
    done = finished or [True] * n_candidates
    if texts is None:
        agree = [0.0] * n_candidates
    elif anchor is None:  # closeness to the other candidates
        agree = consensus(texts)
    else:  # half closeness to a plain answer, half to the other candidates: one plain sample
        # can be wrong where most candidates agree (guard sets: 0.70 and 0.675 correct, 0.65
        # and 0.65 with the plain answer alone, 0.45 and 0.55 with the candidates alone)
        agree = [
            (a + c) / 2 for a, c in zip(similarity_to(anchor, texts), consensus(texts), strict=True)
        ]
    says = [True] * n_candidates
    if query is not None and texts is not None:
        says = [not passed_over(t, query, signals or ()) for t in texts]
    u = learned

    def rank(i: int) -> tuple[object, ...]:
        # the learned utility sits after the signals' facts and verdicts, before estimates
        taste = (judged[i], round(u[i], 9)) if u is not None else ()
        return (ok[i], round(certain[i], 9), says[i], *taste, round(estimated[i], 9), done[i],
                round(agree[i], 9), -i)  # fmt: skip

    best = max(range(n_candidates), key=rank)
    return best, rows


def learned_pick(
    gen: Generation, model: PreferenceModel, eligible: list[bool] | None = None
) -> tuple[int, int, list[float]]:
    """The pick with `model` and the one without it (the signals and the fixed
    tie-breakers alone), with each candidate's learned utility."""
    k = len(gen.candidates)
    finished = [c.finish_reason != "length" for c in gen.candidates]
    texts = [c.text for c in gen.candidates]
    utilities = model.utilities(featurize(ChoiceSet.of(gen)))
    anchor = (gen.steering or {}).get("anchor")
    addresses = (gen.steering or {}).get("addresses")
    q, said = gen.query, gen.signals
    without, _ = choose(gen.cells, k, eligible, finished, texts, None, anchor, addresses, q, said)
    with_model, _ = choose(
        gen.cells, k, eligible, finished, texts, utilities, anchor, addresses, q, said
    )
    return with_model, without, utilities


def _persona_signals(signals: list[str], reflector: Reflector | None) -> list[str]:
    """The signals that go to the persona scorer: no rule reads them, and the reflector is
    one that hands such signals to `persona` (auto) or is `persona` itself."""
    if reflector is None or reflector.name not in PERSONA_REFLECTORS:
        return []
    from .signals import understood_check  # the rules reflector's reading of the signals

    return [s for s in signals if understood_check(s) is None]


def _read_facts_first(
    reflector: Reflector | None, engine: Engine, facts: list[str], cancel: CancelToken | None
) -> None:
    """The persona reflector's reading of which facts rule something out decodes prompts of
    its own: read before the answers (and kept), it leaves them in the engine's cache for the
    user's replies, which would otherwise decode every answer again (2.0 s against 4.3 s of
    replies on one thread, 5 facts)."""
    persona = reflector if isinstance(reflector, PersonaReflector) else None
    if persona is None and isinstance(reflector, AutoReflector):
        persona = reflector.fallback if isinstance(reflector.fallback, PersonaReflector) else None
    if facts and persona is not None and persona.engine is engine:
        with contextlib.suppress(EngineError):  # the reflector meets it again and falls back
            persona.rules_out(facts, cancel)


def _wishes(signals: list[str]) -> str | None:
    """The persona signals that are wishes about the answers, as one sentence, or None."""
    wishes = [s for s in signals if is_wish(s)]
    return join_signals(wishes) if wishes else None


def _has_persona_cells(cells: list[ReflectionCell]) -> bool:
    return any(c.reflector == "persona" for c in cells)


def _early_stop(signals: list[str], reflector: Reflector | None) -> StopWhen | None:
    if reflector is None or reflector.name not in ("rules", "auto"):
        return None
    from .signals import understood_check  # the rules reflector's reading of the signals

    checks = [understood_check(s) for s in signals]
    if not checks or any(c is None for c in checks):
        return None
    return lambda _i, text: all(c.check(text) for c in checks if c is not None)


def _refuse_what_cannot_fit(
    engine: Engine,
    messages: list[ChatMessage],
    signals: list[str],
    k: int,
    max_tokens: int,
    baseline: bool,
) -> int | None:
    """Refuse, before any work, a turn the engine's context cannot hold: the k samples
    together, and the longest single reflection prompt (reflection runs in waves). An engine
    that cannot count tokens (a remote server) is left to refuse the request itself. Returns
    the prompt's tokens (None: not counted)."""
    if not engine.capabilities.counts_tokens:
        return None
    chars = sum(len(m["content"]) for m in messages)
    at_least = chars // MAX_CHARS_PER_TOKEN
    try:
        engine.check_budget(at_least, 1, 0)
    except EngineError:
        raise EngineError(
            f"This turn is {chars:,} characters, at least {at_least:,} tokens: more than the "
            "model's context holds.",
            "Shorten the question or the signals, or raise model.n_ctx.",
        ) from None
    prompt_len = len(engine.prompt_tokens(messages))
    engine.check_budget(prompt_len, k, max_tokens)
    if not baseline and signals:
        longest = max(len(engine.tokenize(reflection_prompt(s), special=False)) for s in signals)
        engine.check_budget(prompt_len, 1, max_tokens, longest + 16)  # + turn markers
    return prompt_len


def _anchor(
    engine: Engine,
    query: str,
    history: list[ChatMessage] | None,
    params: SamplingParams,
    cancel: CancelToken | None,
) -> str:
    """One plain answer to the query, with no signals and no steering, sampled before the
    steered candidates. Masks and forced text pull a small model off its facts (on
    guard_dev, steered candidates were correct 0.43 of the time, plain answers 0.59), so one
    particle starts from it (core/steer/guide.py), and among answers the signals leave equal
    the pick prefers the one that says what it says."""
    plain: list[ChatMessage] = [*(history or []), {"role": "user", "content": query}]
    out = engine.sample(plain, 1, replace(params, grammar=None), cancel=cancel)
    return out[0].text if out else ""


def _steering_args(plan: SteerPlan | None, contrast: Contrast | None) -> dict[str, Any]:
    """The steering keywords of `sample`, only those in use (an engine that knows neither
    keeps working)."""
    out: dict[str, Any] = {}
    if plan is not None:
        out["steer"] = plan
    if contrast is not None:
        out["contrast"] = contrast
    return out


def _recording(events: list[SteerEvent], on_progress: TurnProgressFn | None) -> TurnProgressFn:
    """`on_progress`, keeping the steering events on the way (the stored record is what the
    live view saw)."""

    def relay(p: Progress) -> None:
        if p.steer is not None:
            events.append(p.steer)
        if on_progress is not None:
            on_progress(p)

    return relay


def steering_record(
    plan: SteerPlan | None,
    engine: Engine,
    outs: list[SampleOutput],
    events: list[SteerEvent] | None = None,
) -> dict[str, Any]:
    """What the stored generation says about steering (see Generation.steering)."""
    if plan is None:
        return {"enabled": False}
    notes = sorted({o.steer_note for o in outs if o.steer_note})
    steered = any(o.steered for o in outs)
    if plan.active and not steered and not notes:
        notes = ["not steered: the engine ignored the plan"]
    kept, left_out = stored(events or [])
    return {
        "enabled": True,
        "engine": engine.capabilities.steering,
        "applied": steered,
        "signals": plan.to_json(),
        "conflicts": list(plan.conflicts),
        "resamples": max((o.resamples for o in outs), default=0),
        "forced": [list(o.forced) for o in outs],
        "closed_early": [o.closed_early for o in outs],
        "guided": next((i for i, o in enumerate(outs) if o.guided), None),
        "events": kept,
        "events_left_out": left_out,
        "note": "; ".join(notes),
    }


def run(
    engine: Engine,
    query: str,
    signals: list[str],
    config: RunConfig,
    reflector: Reflector | None = None,
    *,
    history: list[ChatMessage] | None = None,
    on_progress: TurnProgressFn | None = None,
    cancel: CancelToken | None = None,
    preference: PreferenceModel | None = None,
) -> Generation:
    """One turn. `preference`: the user's learned model, used in the pick when given (the
    caller decides whether learning is on and enough choices exist)."""
    signals = [s for s in signals if s.strip()]
    prompt = personalization_prompt(query, signals)
    messages: list[ChatMessage] = [*(history or []), {"role": "user", "content": prompt}]
    baseline = config.method == "baseline" or not signals
    k = 1 if config.method == "baseline" else config.k
    seed = config.seed if config.seed is not None and config.seed >= 0 else random.randrange(2**31)
    params = SamplingParams(
        temperature=config.temperature,
        top_p=config.top_p,
        min_p=config.min_p,
        top_k=config.top_k,
        max_tokens=config.max_tokens,
        seed=seed,
        ignore_eos=config.ignore_eos,
    )
    gen = Generation(
        settings=GenerationSettingsUsed(
            method=config.method,
            model=engine.name,
            k=k,
            temperature=config.temperature,
            top_p=config.top_p,
            min_p=config.min_p,
            top_k=config.top_k,
            seed=seed,
            max_tokens=config.max_tokens,
            reflector=None if baseline or reflector is None else reflector.name,
        ),
        query=query,
        signals=signals,
        prompt=prompt,
    )
    prompt_len = _refuse_what_cannot_fit(engine, messages, signals, k, config.max_tokens, baseline)
    mode = "off" if baseline else config.persona_steer
    contrast, persona = plan_contrast(
        engine, query, signals, history, mode, config.persona_alpha, k, config.max_tokens,
        prompt_len,
    )  # fmt: skip
    t0 = time.perf_counter()
    if on_progress:
        on_progress(Progress("phase", text="sampling", total=k))
    stop_when = _early_stop(signals, reflector) if config.early_stop and not baseline else None
    plan = build_plan(signals) if config.steer and not baseline else None
    events: list[SteerEvent] = []
    anchor = None
    if plan is not None and plan.active and reflector is not None and k > 1:
        # the plain answer first: the pick's anchor and the body of the guided particle
        anchor = _anchor(engine, query, history, params, cancel)
        plan.guide = anchor
    outs = engine.sample(
        messages,
        k,
        params,
        on_progress=_recording(events, on_progress) if plan is not None else on_progress,
        cancel=cancel,
        stop_when=stop_when,
        **_steering_args(plan, contrast),
    )
    if not baseline:
        gen.steering = steering_record(plan, engine, outs, events)
        if persona is not None:
            gen.steering["persona"] = finish_record(persona, outs, k)
    gen.early_stopped = any(o.finish_reason == "early_stop" for o in outs)
    gen.candidates = [
        Candidate(index=i, text=o.text, n_tokens=o.n_tokens, finish_reason=o.finish_reason)
        for i, o in enumerate(outs)
    ]
    t1 = time.perf_counter()
    gen.sample_s = t1 - t0
    if not baseline and reflector is not None and k > 1:
        if on_progress:
            on_progress(Progress("phase", text="reflecting", total=k * len(signals)))
        texts = [c.text for c in gen.candidates]
        # before the reflector: it leaves the answers after the question in the cache (after
        # the wishes where there are any; the wish cells then read them after each wish)
        open_signals = _persona_signals(signals, reflector)
        wishes = _wishes(open_signals)
        _read_facts_first(reflector, engine, [s for s in open_signals if not is_wish(s)], cancel)
        readings = AnswerReadings(engine, history, texts)  # shared with the wish cells
        pmi = (
            query_pmi(engine, query, history, texts, cancel, wishes, readings)
            if open_signals
            else None
        )
        inp = ReflectionInput(messages, query, texts, signals, readings)
        gen.cells = reflector.score(inp, on_progress=on_progress, cancel=cancel)
        eligible = [c.finish_reason != "early_stop" for c in gen.candidates]
        finished = [c.finish_reason != "length" for c in gen.candidates]
        addresses = None
        if pmi is not None and _has_persona_cells(gen.cells):
            addresses = [round(h, 4) for h in addresses_scores(pmi)]
        if gen.steering is not None:
            if anchor is not None:
                gen.steering["anchor"] = anchor
            if addresses is not None and pmi is not None:
                gen.steering["addresses"] = addresses
                gen.steering["pmi"] = [round(v, 4) for v in pmi]
                if wishes:
                    gen.steering["addresses_after_wishes"] = wishes
        gen.chosen_index, rows = choose(
            gen.cells, k, eligible, finished, texts, anchor=anchor, addresses=addresses,
            query=query, signals=signals,
        )  # fmt: skip
        for c, r in zip(gen.candidates, rows, strict=True):
            c.score = r
        gen.reflect_s = time.perf_counter() - t1
    if preference is not None and config.method != "baseline" and k > 1:
        eligible = [c.finish_reason != "early_stop" for c in gen.candidates]
        picked, default, utilities = learned_pick(gen, preference, eligible)
        gen.chosen_index = picked
        gen.learning = {
            "n_choices": preference.n_choices,
            "default_index": default,
            "changed": picked != default,
            "utilities": [round(u, 6) for u in utilities],
        }
    gen.total_s = time.perf_counter() - t0
    return gen
