"""`persona`: scoring for facts a person states about themselves ("I'm vegetarian.", "I live
in Germany.", "I'm 8 years old."), which no rule can check.

A small model judging its own answer ("Does your answer address ...? 0 or 1") scores nearly
every cell alike. Instead the model plays the user, who replies to each answer either
"Thanks, that suits me perfectly because I'm vegetarian." or "Hmm, that doesn't work for me
because I'm vegetarian.": the cell weighs the first against the second, log P(suits) −
log P(doesn't work), read after the question alone (the signals unseen, so the answer is
judged by what it says, not by the prompt that made it). Contrasting the two replies
cancels what the answer does to the fact sentence itself: an answer that repeats the fact
or talks about meat makes "... because I'm vegetarian." likelier after both, and the single
reply rewarded exactly that (on 30 factual questions with one persona fact each its pick was
correct 0.27 with no helpfulness term, the contrast's 0.43). The ratio is compared across
the k answers of one signal only: the cell is the logistic of the answer's ratio above the
median of the k, in nats, so the middle answer scores 0.5 and row sums stay comparable
across signals. Each cell keeps the ratio and the margin as its evidence.

Measured on the same candidates (k = 8, 192 tokens, seed 0, the model's own sampling): AUC
0.641 on implicit/dev (the single reply after the prompt and after the query, summed, as
before: 0.528), 0.486 on the project's own set of 15 other kinds (0.490): the cells alone
are weak, and the pick leans on the helpfulness term beside them (core/helpfulness.py).

The answers are decoded once after the question (core/helpfulness.py leaves them in the
engine's cache), then each reply decodes only its few tokens. A remote server scores with its
own tokenizer and log-probabilities: vLLM's prompt log-probabilities, llama-server's tokens
forced by a grammar (engines/remote_forced.py). One that has neither (llama-cpp-python's
server, hosted APIs) hands the signals to the fallback reflector, and the cells say why.
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
AGAINST = "Hmm, that doesn't work for me because"
LEADS = (LEAD, AGAINST)


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
    leads: tuple[str, str] = LEADS  # the user's two replies: for the answer, against it

    def reply(self, lead: str, sentence: str) -> str:
        """The user's reply naming one signal (scripts/persona_wording.py measures others)."""
        return f"{lead} {sentence}"

    def __init__(self, engine: Engine, fallback: Reflector | None = None) -> None:
        self.engine = engine
        self.fallback = fallback

    def _pairs(
        self, inp: ReflectionInput
    ) -> tuple[list[tuple[int, int, int]], list[list[int]], list[list[int]]]:
        """Each (answer, signal) with each of the two replies, after the query alone."""
        query_only: list[ChatMessage] = [*inp.messages[:-1], {"role": "user", "content": inp.query}]
        sentences = [join_signals([s]) for s in inp.signals]
        keys, convs = [], []  # (answer, side, signal or -1 for the lead alone)
        for i, answer in enumerate(inp.candidates):
            base: list[ChatMessage] = [*query_only, {"role": "assistant", "content": answer}]
            for side, lead in enumerate(self.leads):
                replies = ((j, self.reply(lead, s)) for j, s in enumerate(sentences))
                for j, text in [(-1, lead), *replies]:
                    keys.append((i, side, j))
                    convs.append([*base, {"role": "user", "content": text}])
        ids = dict(zip(keys, self.engine.prompt_tokens_batch(convs), strict=True))
        pairs, prefixes, conts = [], [], []
        for i, side, j in keys:
            if j >= 0:
                prefix, cont = split_continuation(ids[(i, side, j)], ids[(i, side, -1)])
                pairs.append((i, j, side))
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
        try:  # a remote server may lack its tokenizer or prompt log-probabilities
            pairs, prefixes, conts = self._pairs(inp)
            logprobs = self.engine.continuation_logprobs(prefixes, conts, cancel=cancel)
        except EngineError as e:
            if self.fallback is None:
                raise
            return self._fall_back(inp, e.message, on_progress, cancel)
        total: dict[tuple[int, int], float] = {}
        for (i, j, side), lp in zip(pairs, logprobs, strict=True):  # suits minus doesn't
            total[(i, j)] = total.get((i, j), 0.0) + (sum(lp) if side == 0 else -sum(lp))
        cells = []
        k = len(inp.candidates)
        for j, signal in enumerate(inp.signals):
            column = [total[(i, j)] for i in range(k)]
            for i, (score, margin) in enumerate(margin_score(column)):
                fact = join_signals([signal])
                raw = (
                    f"as the user, “{LEAD} {fact}” against “{AGAINST} {fact}”: "
                    f"{_times(margin)} the odds after the median of the {k} answers "
                    f"(log-odds {column[i]:+.2f} after the question alone, "
                    f"{margin:+.2f} nats above the median)"
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
