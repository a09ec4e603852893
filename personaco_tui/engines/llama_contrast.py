"""Contrastive persona decoding for the llama.cpp engine (issue 17): k "twin" sequences read
the conversation without the persona facts, in the same batch as the k answers, and each
answer token is drawn from

    (1 + alpha) * logits_with - alpha * logits_without

over the tokens the with-facts distribution finds plausible (p >= PLAUSIBLE * max p, the
adaptive plausibility constraint of contrastive decoding, arXiv 2210.15097), so the contrast
reweighs what the model would say anyway and cannot promote a junk token that is merely
less likely without the facts (context-aware decoding, arXiv 2305.14739; context steering,
arXiv 2405.01768). Twin `s` is sequence `n + s`; it is fed the token its answer takes
(sampled or forced), so both always read the same answer prefix. The sampler chain then
samples the combined row as it would the plain one (top-k, top-p, min-p, temperature).

`combine` and `plausible` are pure numpy; `Twins` does the KV side: prefill of the second
prompt, the twins' decode entries, copies when SMC resamples (llama_steer.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import llama_cpp
import numpy as np
import numpy.typing as npt

from ..errors import EngineError
from .base import Contrast, SamplingParams
from .llama_backend import DecodeEntry

if TYPE_CHECKING:
    from .llama import LlamaEngine

PLAUSIBLE = 0.1  # tokens under this fraction of the most likely one are never drawn
Logits = npt.NDArray[np.float32]


def plausible(logits: Logits, beta: float = PLAUSIBLE) -> npt.NDArray[np.bool_]:
    """The tokens whose probability is at least `beta` times the most likely token's."""
    top = float(np.max(logits))
    if not math.isfinite(top):
        return np.isfinite(logits)
    return np.asarray(logits >= top + math.log(beta))


def combine(with_: Logits, without: Logits, alpha: float, beta: float = PLAUSIBLE) -> Logits:
    """(1 + alpha) * with_ - alpha * without on the plausible tokens of `with_`, -inf on the
    rest (a new array; float32 like llama.cpp's rows). alpha = 0 gives `with_` cut to its
    plausible tokens."""
    keep = plausible(with_, beta)
    out = np.full(with_.shape, -np.inf, dtype=np.float32)
    w = with_[keep].astype(np.float64)
    wo = without[keep].astype(np.float64)
    # a token the twin finds impossible (-inf, e.g. masked) must not become +inf
    wo = np.where(np.isfinite(wo), wo, np.min(wo[np.isfinite(wo)], initial=0.0))
    out[keep] = ((1.0 + alpha) * w - alpha * wo).astype(np.float32)
    return out


def check_budget(
    with_len: int, without_len: int, n: int, max_tokens: int, *, n_ctx: int, n_seq_max: int
) -> None:
    """Refuse a contrastive turn whose 2n sequences (answers and twins) the context cannot
    hold: the sequence limit, or both prompts plus 2n answers of `max_tokens`."""
    todo = "Lower k or max tokens, raise model.n_ctx, or set generation.persona_steer = off."
    if 2 * n > n_seq_max:
        raise EngineError(
            f"Persona contrast decodes 2k = {2 * n} sequences (k answers and their twins "
            f"without the persona facts); this context holds {n_seq_max}.",
            todo,
        )
    need = with_len + without_len + 2 * n * max_tokens
    if need > n_ctx:
        raise EngineError(
            f"Persona contrast needs about {need} tokens of context (prompts {with_len} + "
            f"{without_len}, 2 x {n} x {max_tokens} new) but the model's context holds "
            f"{n_ctx}.",
            todo,
        )


class Twins:
    """The k twin sequences of one contrastive `sample` call (engine lock held)."""

    def __init__(
        self,
        engine: LlamaEngine,
        contrast: Contrast,
        n: int,
        prompt: Sequence[int],
        params: SamplingParams,
    ) -> None:
        """Twins of `n` answers to `prompt`; refuses (EngineError) what cannot fit."""
        self.engine = engine
        self.alpha = contrast.alpha
        self.tokens = engine.prompt_tokens(contrast.without)
        self.n = n
        check_budget(
            len(prompt),
            len(self.tokens),
            n,
            params.max_tokens,
            n_ctx=engine.n_ctx,
            n_seq_max=engine.options.n_seq_max,
        )
        # the layout the turn needs: 2n sequences, as long as the longer prompt
        self.shape = (2 * n, max(len(prompt), len(self.tokens)))

    def seq(self, s: int) -> int:
        return self.n + s

    def prefill(self, tokens: list[int], seqs: Sequence[int]) -> dict[int, int]:
        """Decode the answers' prompt `tokens` for `seqs` and the twins' prompt for their
        twins; the last token of each prompt is decoded for every sequence in one batch,
        whose rows are returned ({sequence: batch index}, twins included)."""
        eng = self.engine
        twins = [self.seq(s) for s in seqs]
        eng._prefill(tokens[:-1], list(seqs))
        eng._prefill(self.tokens[:-1], twins)
        entries: list[DecodeEntry] = [(tokens[-1], len(tokens) - 1, (s,), True) for s in seqs]
        last = self.tokens[-1]
        entries += [(last, len(self.tokens) - 1, (t,), True) for t in twins]
        eng._decode(entries)
        return {int(e[2][0]): i for i, e in enumerate(entries)}

    def entries(self, nxt: dict[int, int], live: Sequence[int], step: int) -> list[DecodeEntry]:
        """The twins of `live` answers, each fed its answer's token, at answer step `step`."""
        pos = len(self.tokens) + step
        return [(nxt[s], pos, (self.seq(s),), True) for s in live]

    def steer(self, s: int, row: Logits, idx_of: dict[int, int]) -> None:
        """Replace answer `s`'s logits `row` (a writable view) with the contrast."""
        ptr = llama_cpp.llama_get_logits_ith(self.engine._context.ctx, idx_of[self.seq(s)])
        twin = np.ctypeslib.as_array(ptr, shape=(self.engine.n_vocab,))
        row[:] = combine(row, twin, self.alpha)

    def copy(self, dst: int, src: int) -> None:
        """SMC gave answer slot `dst` a copy of `src`: the twin follows."""
        mem = self.engine._mem
        llama_cpp.llama_memory_seq_rm(mem, self.seq(dst), -1, -1)
        llama_cpp.llama_memory_seq_cp(mem, self.seq(src), self.seq(dst), -1, -1)

    def resident(self, answers: dict[int, list[int]], prompt_len: int) -> dict[int, list[int]]:
        """What the twins hold once sampling ends: their prompt and their answer's tokens."""
        return {self.seq(s): self.tokens + toks[prompt_len:] for s, toks in answers.items()}
