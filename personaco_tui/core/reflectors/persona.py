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

A wish about the answers ("Use a cooking analogy.", "Talk to me like a pirate.";
core/signals/mood.py tells them from facts) is read another way: how much reading the wish
before the question raises the answer's whole log-likelihood, log P(answer | wish, question) −
log P(answer | question), compared across the k answers the same way. A wish names what a
fitting answer contains, and the answer that holds it is the one the wish makes likely; a
fact rarely does (a fitting answer to "I'm vegetarian." leaves the meat out, which raises
nothing). On the same candidates (48 wishes of 13 kinds, two sets of 24 written apart): the
replies' AUC 0.415 / 0.475, this reading's 0.707 / 0.678; on the 101 facts of the three
persona sets it helped one set and hurt another (pick 0.683 -> 0.663), so facts keep the
replies. A wish costs one more reading of the k answers (after "WISH QUESTION").

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
from ..helpfulness import AnswerReadings
from ..prompts import join_signals
from ..signals.mood import is_wish
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
        wishes = [j for j, s in enumerate(inp.signals) if is_wish(s)]
        facts = [j for j in range(len(inp.signals)) if j not in wishes]
        try:  # a remote server may lack its tokenizer or prompt log-probabilities
            columns = self._fact_columns(inp, facts, cancel) if facts else {}
            gains = self._wish_gains(inp, wishes, cancel) if wishes else {}
        except EngineError as e:
            if self.fallback is None:
                raise
            return self._fall_back(inp, e.message, on_progress, cancel)
        cells = []
        k = len(inp.candidates)
        for j, signal in enumerate(inp.signals):
            column = columns[j] if j in columns else gains[j]
            for i, (score, margin) in enumerate(margin_score(column)):
                text = join_signals([signal])
                if j in columns:
                    raw = (
                        f"as the user, “{LEAD} {text}” against “{AGAINST} {text}”: "
                        f"{_times(margin)} the odds after the median of the {k} answers "
                        f"(log-odds {column[i]:+.2f} after the question alone, "
                        f"{margin:+.2f} nats above the median)"
                    )
                else:
                    raw = (
                        f"a wish: read after “{text}” and the question, the answer's "
                        f"log-likelihood changes by {column[i]:+.1f} nats from the question "
                        f"alone, {margin:+.1f} against the median of the {k} answers"
                    )
                cells.append(ReflectionCell(i, j, score, self.name, raw))
        if on_progress is not None:
            on_progress(Progress("reflect", done=k * len(inp.signals), total=k * len(inp.signals)))
        return sorted(cells, key=lambda c: (c.candidate, c.signal))

    def _fact_columns(
        self, inp: ReflectionInput, facts: list[int], cancel: CancelToken | None
    ) -> dict[int, list[float]]:
        """Per fact (its index in `inp.signals`), each answer's log-odds of the two replies."""
        sub = ReflectionInput(
            inp.messages, inp.query, inp.candidates, [inp.signals[j] for j in facts]
        )
        pairs, prefixes, conts = self._pairs(sub)
        logprobs = self.engine.continuation_logprobs(prefixes, conts, cancel=cancel)
        total: dict[tuple[int, int], float] = {}
        for (i, j, side), lp in zip(pairs, logprobs, strict=True):  # suits minus doesn't
            total[(i, j)] = total.get((i, j), 0.0) + (sum(lp) if side == 0 else -sum(lp))
        k = len(inp.candidates)
        return {j: [total[(i, n)] for i in range(k)] for n, j in enumerate(facts)}

    def _wish_gains(
        self, inp: ReflectionInput, wishes: list[int], cancel: CancelToken | None
    ) -> dict[int, list[float]]:
        """Per wish, each answer's log-likelihood after "WISH QUESTION" minus after the
        question alone, in nats (the readings not taken yet this turn in one batch)."""
        asks = [inp.query] + [f"{join_signals([inp.signals[j]])} {inp.query}" for j in wishes]
        readings = inp.readings
        if readings is None or readings.engine is not self.engine:
            readings = AnswerReadings(self.engine, inp.messages[:-1], inp.candidates)
        alone, *afters = readings.read(asks, cancel)
        gains = {}
        for j, after in zip(wishes, afters, strict=True):
            gains[j] = [sum(a) - sum(b[: len(a)]) for a, b in zip(after, alone, strict=True)]
        return gains

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
