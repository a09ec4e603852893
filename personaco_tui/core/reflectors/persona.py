"""`persona`: scoring for facts a person states about themselves ("I'm vegetarian.", "I live
in Germany.", "I'm 8 years old."), which no rule can check.

A small model judging its own answer ("Does your answer address ...? 0 or 1") scores nearly
every cell alike. Instead the model plays the user: after each answer, how likely is the user
to reply "Thanks, that suits me perfectly because I'm vegetarian."? An answer that fits the
person makes the fact a natural reason for the thanks; one that serves meat does not. The
log-likelihood of the persona sentence is compared across the k answers of one signal only
(the sentence is the same, so its own prior cancels). It is the sum of two readings: after the
conversation that produced the answers (the prompt naming the signals) and after the query
alone; on implicit/dev the sum ranked answers best of the variants measured (AUC 0.69 against
0.60 and 0.63 for each alone, 0.54 and 0.50 for the contrast with a neutral "By the way,"
reply, 0.57 and 0.58 with a "that answers my question" helpfulness term). The cell is the
logistic of the answer's log-likelihood above the median of the k answers, in nats, so the
middle answer scores 0.5 and the row sums of the pick stay comparable across signals. Each
cell keeps the log-likelihood and the margin as its evidence.

The answers are still in the engine's KV cache from sampling (the same conversation), so the
first reading decodes only the user's short reply; the second decodes each answer once after
the query, then the replies. An engine that cannot score text (a remote server) hands the
signals to the fallback reflector, and the cells say so.
"""

from __future__ import annotations

import math
import statistics

from ...engines.base import CancelToken, ChatMessage, Engine, Progress, TurnProgressFn
from ...errors import EngineError
from ..prompts import join_signals
from ..types import ReflectionCell
from .base import ReflectionInput, Reflector

LEAD = "Thanks, that suits me perfectly because"


def split_continuation(full: list[int], short: list[int]) -> tuple[list[int], list[int]]:
    """`full` is a conversation ending with a user turn "LEAD SENTENCE", `short` the same
    ending with "LEAD": the tokens before the sentence, and the sentence's own tokens (what
    lies between the common prefix and the common tail of turn markers)."""
    n = 0
    while n < min(len(full), len(short)) and full[n] == short[n]:
        n += 1
    m = 0
    while m < min(len(full), len(short)) - n and full[-1 - m] == short[-1 - m]:
        m += 1
    return full[:n], full[n : len(full) - m]


def margin_score(values: list[float]) -> list[tuple[float, float]]:
    """(cell score, margin) per answer: the margin is the log-likelihood above the median of
    the answers, the score its logistic."""
    mid = statistics.median(values)
    out = []
    for v in values:
        d = v - mid
        out.append((1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, d)))), d))
    return out


def _times(margin: float) -> str:
    ratio = math.exp(max(-50.0, min(50.0, margin)))
    return f"{ratio:.2g}×" if ratio < 10 else f"{ratio:.0f}×"


class PersonaReflector:
    name = "persona"

    def __init__(self, engine: Engine, fallback: Reflector | None = None) -> None:
        self.engine = engine
        self.fallback = fallback

    def _pairs(
        self, inp: ReflectionInput
    ) -> tuple[list[tuple[int, int]], list[list[int]], list[list[int]]]:
        """Each (answer, signal) twice: after the conversation that produced the answers
        (its cells are resident) and after the query alone (the signals unseen)."""
        query_only: list[ChatMessage] = [*inp.messages[:-1], {"role": "user", "content": inp.query}]
        pairs, prefixes, conts = [], [], []
        for context in (inp.messages, query_only):
            for i, answer in enumerate(inp.candidates):
                base: list[ChatMessage] = [*context, {"role": "assistant", "content": answer}]
                short = self.engine.prompt_tokens([*base, {"role": "user", "content": LEAD}])
                for j, signal in enumerate(inp.signals):
                    sentence = join_signals([signal])
                    full = self.engine.prompt_tokens(
                        [*base, {"role": "user", "content": f"{LEAD} {sentence}"}]
                    )
                    prefix, cont = split_continuation(full, short)
                    pairs.append((i, j))
                    prefixes.append(prefix)
                    conts.append(cont)
        return pairs, prefixes, conts

    def score(
        self,
        inp: ReflectionInput,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[ReflectionCell]:
        if not self.engine.capabilities.scores_text:
            return self._fall_back(inp, "this engine cannot score text", on_progress, cancel)
        pairs, prefixes, conts = self._pairs(inp)
        try:
            logprobs = self.engine.continuation_logprobs(prefixes, conts, cancel=cancel)
        except EngineError as e:
            if self.fallback is None:
                raise
            return self._fall_back(inp, e.message, on_progress, cancel)
        total: dict[tuple[int, int], float] = {}
        for p, lp in zip(pairs, logprobs, strict=True):  # both contexts, summed
            total[p] = total.get(p, 0.0) + sum(lp)
        cells = []
        k = len(inp.candidates)
        for j, signal in enumerate(inp.signals):
            column = [total[(i, j)] for i in range(k)]
            for i, (score, margin) in enumerate(margin_score(column)):
                raw = (
                    f"the reply “{LEAD} {join_signals([signal])}” is "
                    f"{_times(margin)} as likely after this answer as after the median of the "
                    f"{k} answers (log P {column[i]:.2f} summed after the prompt with the "
                    f"signals and after the query alone, {margin:+.2f} nats)"
                )
                cells.append(ReflectionCell(i, j, score, self.name, raw))
        if on_progress is not None:
            on_progress(Progress("reflect", done=len(total), total=len(total)))
        return sorted(cells, key=lambda c: (c.candidate, c.signal))

    def _fall_back(
        self,
        inp: ReflectionInput,
        why: str,
        on_progress: TurnProgressFn | None,
        cancel: CancelToken | None,
    ) -> list[ReflectionCell]:
        if self.fallback is None:
            raise EngineError(
                f"The persona reflector cannot run here: {why}.",
                "Use the `self` reflector with this engine.",
            )
        cells = self.fallback.score(inp, on_progress=on_progress, cancel=cancel)
        note = f"persona scoring unavailable ({why}); {self.fallback.name} reflection: "
        return [
            ReflectionCell(c.candidate, c.signal, c.score, c.reflector, note + c.raw) for c in cells
        ]
