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

The two replies pull opposite ways by the kind of fact. An answer that mentions meat makes
"... because I'm vegetarian." likelier behind "suits me" too, so for a fact that rules
something out the "suits me" reply ranks fitting answers under chance, and the complaint
alone ranks them well (on a held-out set of seven such kinds, tests/data/persona_holdout2:
0.260 and 0.813). So a fact the model reads as ruling something out (polarity.py) is scored
by the complaint alone: the cell is minus log P(doesn't work), compared across the k answers
the same way, and the "suits me" reply is not read. End to end on the same candidates (with
the helpfulness term at half weight) the cells' AUC went 0.636 -> 0.671 on implicit/dev,
0.508 -> 0.663 on persona_dev, 0.605 -> 0.623 on persona_holdout and 0.557 -> 0.774 on the
held-out set; the pick fits 71 of the dev sets' 101 facts (69 before), 16 of the held-out 21
(12), and is correct on 20 of persona_guard's 30 factual questions (18).

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
from collections.abc import Callable

from ...engines.base import CancelToken, ChatMessage, Engine, Progress, TurnProgressFn
from ...errors import EngineError
from ..helpfulness import AnswerReadings
from ..prompts import join_signals
from ..signals.mood import is_wish
from ..types import ReflectionCell
from . import polarity
from .base import ReflectionInput, Reflector, split_continuation

LEAD = "Thanks, that suits me perfectly because"
AGAINST = "Hmm, that doesn't work for me because"
LEADS = (LEAD, AGAINST)
RulesOut = Callable[[list[str], CancelToken | None], list[bool]]


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

    def __init__(
        self,
        engine: Engine,
        fallback: Reflector | None = None,
        rules_out: RulesOut | None = None,
    ) -> None:
        """`rules_out`: which facts rule something out (default: the engine's own reading,
        polarity.py)."""
        self.engine = engine
        self.fallback = fallback
        self.rules_out = rules_out or polarity.of(engine).rules_out

    def _pairs(
        self, inp: ReflectionInput, against_only: frozenset[int] = frozenset()
    ) -> tuple[list[tuple[int, int, int]], list[list[int]], list[list[int]]]:
        """Each (answer, signal) with each of the two replies, after the query alone; for the
        signals in `against_only`, the second reply alone."""
        query_only: list[ChatMessage] = [*inp.messages[:-1], {"role": "user", "content": inp.query}]
        sentences = [join_signals([s]) for s in inp.signals]
        keys, convs = [], []  # (answer, side, signal or -1 for the lead alone)
        for i, answer in enumerate(inp.candidates):
            base: list[ChatMessage] = [*query_only, {"role": "assistant", "content": answer}]
            for side, lead in enumerate(self.leads):
                wanted = [j for j in range(len(sentences)) if side == 1 or j not in against_only]
                if not wanted:
                    continue
                replies = ((j, self.reply(lead, sentences[j])) for j in wanted)
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
            said = [inp.signals[j] for j in facts]
            out = dict(zip(facts, self.rules_out(said, cancel), strict=True)) if facts else {}
            columns = self._fact_columns(inp, facts, out, cancel) if facts else {}
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
                if out.get(j):
                    raw = (
                        f"a fact that rules something out (the model's reading): as the user, "
                        f"“{AGAINST} {text}” is {_times(-margin)} as likely as after the "
                        f"median of the {k} answers (log-likelihood {-column[i]:+.2f} after the "
                        f"question alone, the answer scores {margin:+.2f} nats above the median)"
                    )
                elif j in columns:
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
        self,
        inp: ReflectionInput,
        facts: list[int],
        rules_out: dict[int, bool],
        cancel: CancelToken | None,
    ) -> dict[int, list[float]]:
        """Per fact (its index in `inp.signals`), each answer's log-odds of the two replies;
        for a fact that rules something out, minus the log-likelihood of "doesn't work" alone
        (the "suits me" reply is not read)."""
        sub = ReflectionInput(
            inp.messages, inp.query, inp.candidates, [inp.signals[j] for j in facts]
        )
        against_only = frozenset(n for n, j in enumerate(facts) if rules_out[j])
        pairs, prefixes, conts = self._pairs(sub, against_only)
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
