"""Steered sampling for the llama.cpp engine (issue 13): the k sequences of one turn decode
together as in `LlamaEngine._sample_locked`, but before each token the sequence's
`core.steer.Controller` says what it may be. Banned tokens get -inf in a writable numpy view
of the sequence's logits (`llama_get_logits_ith`) before `llama_sampler_sample`; boosts are
added there too; forced text is tokenized and fed one token a step in the same batched
decode as the other sequences.

Sequential Monte Carlo (on when the plan has counts or presences to reach, and
PERSONACO_STEER_SMC is not 0): every `SMC_EVERY` steps each live particle is weighed by its
controller's potential(text) times the probability mass its masks left (the product since
the last resampling); when the effective sample size falls under half the particles they are
resampled (systematic). A particle picked keeps its slot; the slot of one not picked gets a
copy of an extra pick: the source's KV cells (`llama_memory_seq_rm` + `llama_memory_seq_cp`,
which works across KV streams), text, controller state and pending token, and a fresh
sampler seeded from its own seed and the round (a clone of the source's chain would draw
the very same continuation).

What steering does is reported through `on_progress` as it happens (core/steer/events.py):
the controllers' forced text and early closes, and each resampling round with the slots
replaced and why.

With persona contrast (llama_contrast.py) each answer has a twin sequence that reads the
prompt without the persona facts; the contrast replaces the answer's logits after the masks
and before the boosts, the twin is fed every token its answer takes, and follows its answer
when SMC copies a particle. A turn with contrast and no plan runs here with an empty plan.
"""

from __future__ import annotations

import codecs
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import llama_cpp
import numpy as np
import numpy.typing as npt

from ..core.steer import (
    Controller,
    Directive,
    SteerEvent,
    SteerPlan,
    act_event,
    held_back,
    recased,
    resample_event,
    starts_word,
    token_classes,
)
from ..errors import Cancelled
from . import llama_backend as backend
from .base import CancelToken, Progress, SampleOutput, SamplingParams, TurnProgressFn
from .llama_contrast import Twins

if TYPE_CHECKING:
    from .llama import LlamaEngine

STEERING = "token masks, forced text, SMC"
SMC_ENV = "PERSONACO_STEER_SMC"
SMC_EVERY = 16
Mask = npt.NDArray[np.bool_]


class VocabTable:
    """Each token's text and steering classes, computed once per engine; masks for a
    directive's bans are built on first use and cached."""

    def __init__(self, pieces: Sequence[str], eog: Sequence[int]) -> None:
        self.pieces = list(pieces)
        n = len(self.pieces)
        self.n = n
        self.eog = np.array(sorted(eog), dtype=np.int64)
        classes = [token_classes(p) for p in self.pieces]
        self.classes: dict[str, Mask] = {}
        for name in {c for cs in classes for c in cs}:
            self.classes[name] = np.array([name in cs for cs in classes], dtype=np.bool_)
        self._chars: dict[str, Mask] = {}
        self._words: dict[str, Mask] = {}
        self._masks: dict[tuple[str, frozenset[str], tuple[str, ...]], Mask] = {}

    def chars(self, chars: str) -> Mask:
        key = "".join(sorted(set(chars)))
        m = self._chars.get(key)
        if m is None:
            m = np.array([any(c in p for c in key) for p in self.pieces], dtype=np.bool_)
            self._chars[key] = m
        return m

    def word(self, word: str) -> Mask:
        key = word.strip().lower()
        m = self._words.get(key)
        if m is None:
            m = np.array([starts_word(p, key) for p in self.pieces], dtype=np.bool_)
            self._words[key] = m
        return m

    def banned(self, d: Directive) -> Mask | None:
        """The tokens `d` bans (None: none)."""
        if not d.ban_chars and not d.ban_classes and not d.ban_words:
            return None
        key = (d.ban_chars, d.ban_classes, d.ban_words)
        m = self._masks.get(key)
        if m is None:
            m = np.zeros(self.n, dtype=np.bool_)
            if d.ban_chars:
                m |= self.chars(d.ban_chars)
            for c in d.ban_classes:
                if c in self.classes:
                    m |= self.classes[c]
            for w in d.ban_words:
                m |= self.word(w)
            self._masks[key] = m
        return m


def vocab_table(engine: LlamaEngine) -> VocabTable:
    table: VocabTable | None = getattr(engine, "_steer_vocab", None)
    if table is None:
        pieces = [engine._piece(t) for t in range(engine.n_vocab)]
        table = VocabTable(pieces, engine.eog_tokens)
        engine._steer_vocab = table  # type: ignore[attr-defined]
    return table


@dataclass
class SteerStats:
    """What steering did in one `sample` call, for the stored generation."""

    resamples: int = 0  # SMC resampling rounds
    forced: list[list[str]] = field(default_factory=list)  # per candidate, the forced texts
    closed_early: list[str] = field(default_factory=list)  # per candidate, why ("" if not)
    eog_banned: list[int] = field(default_factory=list)
    smc: bool = False
    contrast: bool = False


def _smc_wanted(plan: SteerPlan) -> bool:
    return os.environ.get(SMC_ENV, "1") != "0" and any(
        lim.lo is not None and lim.lo > 0 for lim in plan.limits
    )


def _systematic(weights: list[float], rng: np.random.Generator) -> list[int]:
    n = len(weights)
    total = sum(weights)
    cum = np.cumsum(np.array(weights) / total)
    u = (rng.random() + np.arange(n)) / n
    return [int(min(np.searchsorted(cum, x), n - 1)) for x in u]


def _slots(free: list[int], picks: list[int]) -> dict[int, int]:
    """{slot: source} for a resampling round: a particle picked keeps its own slot, and each
    extra pick takes the slot of a particle not picked (a dropped one), in order."""
    chosen = [free[i] for i in picks]
    extra = list(chosen)
    for s in set(chosen):
        extra.remove(s)
    dropped = [s for s in free if s not in set(chosen)]
    return dict(zip(dropped, extra, strict=True))


def sample_steered(
    engine: LlamaEngine,
    tokens: list[int],
    params: SamplingParams,
    samplers: list[llama_cpp.llama_sampler_p],
    plan: SteerPlan,
    on_progress: TurnProgressFn | None,
    cancel: CancelToken | None,
    twins: Twins | None = None,
) -> tuple[list[SampleOutput], SteerStats]:
    """k steered samples after the prompt `tokens` (engine lock held, cache cleared);
    `twins`: drawn against them (persona contrast)."""
    table = vocab_table(engine)
    n = len(samplers)
    seqs = list(range(n))
    if twins is None:
        idx_of = dict.fromkeys(seqs, engine._prefill(tokens, seqs))
    else:
        idx_of = twins.prefill(tokens, seqs)
    resident = {s: list(tokens) for s in seqs}

    def measure(text: str) -> int:
        return len(engine.tokenize(text, special=False, add_bos=False))

    # the first sequence starts from the plan's guide, a plain answer, where it has one
    ctrls = [Controller(plan, params.max_tokens, measure, guided=s == 0) for s in seqs]
    decoders = [codecs.getincrementaldecoder("utf-8")(errors="replace") for _ in seqs]
    texts = [""] * n
    counts = [0] * n
    finish = ["length"] * n
    queues: list[list[int]] = [[] for _ in seqs]
    kept = [0.0] * n  # log of the probability mass the masks left, since the last resampling
    smc = _smc_wanted(plan) and n > 1
    stats = SteerStats(smc=smc, contrast=twins is not None)
    rng = np.random.default_rng(params.seed)
    live = list(seqs)
    pos = len(tokens)
    ctx = engine._context.ctx
    step = 0

    def report(ev: SteerEvent) -> None:
        if on_progress is not None:
            on_progress(Progress("steer", candidate=ev.candidate, text=ev.text, steer=ev))

    def logits_of(s: int) -> npt.NDArray[np.float32]:
        ptr = llama_cpp.llama_get_logits_ith(ctx, idx_of[s])
        return np.ctypeslib.as_array(ptr, shape=(engine.n_vocab,))

    def draw(s: int, d: Directive) -> int:
        logits = logits_of(s)
        mask = table.banned(d)
        if smc and mask is not None:
            z = logits - logits.max()
            p = np.exp(z)
            kept[s] += math.log(max(float(p[~mask].sum() / p.sum()), 1e-12))
        if mask is not None:
            logits[mask] = -np.inf
        if d.ban_eog and len(table.eog):
            logits[table.eog] = -np.inf
        if twins is not None:
            twins.steer(s, logits, idx_of)
        for w in d.boost_words:
            logits[table.word(w)] += d.boost
        tok: int = llama_cpp.llama_sampler_sample(samplers[s], ctx, idx_of[s])
        return tok

    def next_token(s: int) -> int | None:
        """The next token of `s` (None: it is complete)."""
        if queues[s]:
            return queues[s].pop(0)
        left = params.max_tokens - counts[s]
        d = ctrls[s].next(texts[s], left)
        for _ in range(8):
            if d.stop:
                return None
            if d.force:
                queues[s] = engine.tokenize(d.force, special=False, add_bos=False)
                if queues[s]:
                    return queues[s].pop(0)
                d = ctrls[s].next(texts[s], left)
                continue
            tok = draw(s, d)
            if llama_cpp.llama_vocab_is_eog(engine._vocab, tok):
                d = ctrls[s].eog(texts[s], left)
                continue
            piece = table.pieces[tok]
            if d.recase and recased(piece, d.recase) != piece:
                queues[s] = engine.tokenize(recased(piece, d.recase), special=False, add_bos=False)
                if queues[s]:
                    return queues[s].pop(0)
            return tok
        return None

    while live:
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        nxt: dict[int, int] = {}
        still = []
        for s in live:
            tok = next_token(s) if counts[s] < params.max_tokens else None
            for act in ctrls[s].take_acts():
                report(act_event(s, act))
            if tok is None:
                finish[s] = "stop" if counts[s] < params.max_tokens else "length"
                continue
            counts[s] += 1
            piece = decoders[s].decode(engine._piece_bytes(tok))
            texts[s] += piece
            if on_progress is not None and piece:
                on_progress(Progress("token", candidate=s, n_tokens=counts[s], text=piece))
            nxt[s] = tok
            still.append(s)
        step += 1
        if smc and len(still) > 1 and step % SMC_EVERY == 0:
            ev = _resample(
                engine,
                still,
                ctrls,
                texts,
                kept,
                nxt,
                rng,
                params,
                samplers,
                decoders,
                queues,
                counts,
                resident,
                step,
                twins,
            )
            if ev is not None:
                stats.resamples += 1
                report(ev)
        if still:
            entries: list[backend.DecodeEntry] = [(nxt[s], pos, (s,), True) for s in still]
            if twins is not None:
                entries += twins.entries(nxt, still, pos - len(tokens))
            engine._decode(entries)
            idx_of = {int(e[2][0]): i for i, e in enumerate(entries)}
            for s in still:
                resident[s].append(nxt[s])
        live = [s for s in still if counts[s] < params.max_tokens or queues[s]]
        for s in still:
            if s not in live:
                finish[s] = "length"
        pos += 1
    engine._resident = dict(resident)
    if twins is not None:
        engine._resident.update(twins.resident(resident, len(tokens)))
    outs = []
    stops = engine.template.stop_strings
    for s in seqs:
        text = texts[s] + decoders[s].decode(b"", final=True)
        for st in stops:
            cut = text.find(st)
            if cut >= 0:
                text = text[:cut]
        out = SampleOutput(text=text.strip(), n_tokens=counts[s], finish_reason=finish[s])
        out.guided = ctrls[s].record.guided
        outs.append(out)
        stats.forced.append(ctrls[s].record.forced)
        stats.closed_early.append(ctrls[s].record.closed_early)
        stats.eog_banned.append(ctrls[s].record.eog_banned)
    return outs, stats


def _resample(
    engine: LlamaEngine,
    live: list[int],
    ctrls: list[Controller],
    texts: list[str],
    kept: list[float],
    nxt: dict[int, int],
    rng: np.random.Generator,
    params: SamplingParams,
    samplers: list[llama_cpp.llama_sampler_p],
    decoders: Sequence[codecs.IncrementalDecoder],
    queues: list[list[int]],
    counts: list[int],
    resident: dict[int, list[int]],
    step: int,
    twins: Twins | None = None,
) -> SteerEvent | None:
    """Reweigh the live particles; resample when the effective sample size is too low (the
    round, as an event; None: no round). Particles in the middle of forced text are neither
    copied nor replaced."""
    free = [s for s in live if not queues[s] and ctrls[s].phase == "body"]
    if len(free) < 2:
        return None
    mass = {s: math.exp(kept[s]) for s in free}
    weights = {s: ctrls[s].potential(texts[s]) * mass[s] for s in free}
    w = list(weights.values())
    total = sum(w)
    for s in free:
        kept[s] = 0.0
    if total <= 0:
        return None
    ess = total**2 / sum(x * x for x in w)
    if ess >= len(free) / 2:
        return None
    slots = _slots(free, _systematic(w, rng))
    reasons = {s: held_back(ctrls[s].shortfall(texts[s]), mass[s]) for s in slots}
    # a source is never a slot replaced (it was picked), so no copy overwrites a source
    for dst, src in slots.items():
        llama_cpp.llama_memory_seq_rm(engine._mem, dst, -1, -1)
        llama_cpp.llama_memory_seq_cp(engine._mem, src, dst, -1, -1)
        if twins is not None:
            twins.copy(dst, src)
        texts[dst], ctrls[dst] = texts[src], ctrls[src].clone()
        nxt[dst], counts[dst] = nxt[src], counts[src]
        decoders[dst].setstate(decoders[src].getstate())
        resident[dst] = list(resident[src])
        llama_cpp.llama_sampler_free(samplers[dst])
        samplers[dst] = backend.new_sampler(
            params, params.seed + dst + 7919 * step, engine._eog, engine.n_vocab
        )
    return resample_event(step, weights, reasons, slots)


def sample(
    engine: LlamaEngine,
    tokens: list[int],
    params: SamplingParams,
    samplers: list[llama_cpp.llama_sampler_p],
    plan: SteerPlan,
    on_progress: TurnProgressFn | None,
    cancel: CancelToken | None,
    twins: Twins | None = None,
) -> list[SampleOutput]:
    """`sample_steered`, with what steering did written into each SampleOutput."""
    outs, stats = sample_steered(engine, tokens, params, samplers, plan, on_progress, cancel, twins)
    for o, forced, why in zip(outs, stats.forced, stats.closed_early, strict=True):
        o.contrasted = stats.contrast
        o.steered = plan.active
        o.forced = tuple(forced)
        o.closed_early = why
        o.resamples = stats.resamples
    return outs
