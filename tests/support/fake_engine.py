"""A deterministic engine for logic tests: the whole Engine interface, no model.

Answers come from a script (the i-th candidate of a call gets `answers[i % len(answers)]`)
or, without one, from a seeded rule (words drawn with `random.Random(seed + i)`, so a seed
gives the same answers every time, like the real engine). A token is a whitespace-separated
word. Candidates grow one token a step, all together, so `stop_when` and `cancel` act at the
same points as in the real engine. P(yes) of a reflection comes from `p_yes`, a function of
the reflected answer and the question asked about it.

    engine = FakeEngine(["Short answer.", "A much longer answer here."],
                        p_yes=lambda answer, question: 1.0 if len(answer) < 20 else 0.0)
"""

from __future__ import annotations

import math
import random
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from personaco_tui.core.steer import SteerPlan, act_event
from personaco_tui.engines.base import (
    CancelToken,
    Capabilities,
    ChatMessage,
    Contrast,
    Progress,
    SampleOutput,
    SamplingParams,
    StopWhen,
    TurnProgressFn,
    YesNo,
)
from personaco_tui.engines.llama_plan import check_budget
from personaco_tui.errors import Cancelled, EngineError

from .steer_sim import simulate

PYes = Callable[[str, str], float]  # (the answer reflected on, the question) -> P(yes)
WORDS = ("the", "sea", "light", "tower", "ship", "rock", "night", "keeper", "lamp", "coast")


def half(answer: str, question: str) -> float:
    return 0.5


@dataclass
class SampleCall:
    """One `sample` call, as the engine saw it."""

    messages: list[ChatMessage]
    n: int
    params: SamplingParams


class FakeEngine:
    def __init__(
        self,
        answers: Sequence[str] | None = None,
        *,
        p_yes: PYes = half,
        name: str = "fake",
        n_ctx: int = 4096,
        n_seq_max: int = 64,
        gpu_offload: bool = False,
        steers: bool = False,
        plain: str | None = None,
        contrasts: bool = False,
    ) -> None:
        self.name = name
        # what a plain sample (a prompt without the signals: the pick's anchor) answers;
        # None: the same answers as every other call
        self.plain = plain
        self.capabilities = Capabilities(
            gpu_offload=gpu_offload,
            counts_tokens=True,
            scores_text=True,
            steering="word masks" if steers else "",
            contrast=contrasts,
        )
        self.contrasts: list[Contrast | None] = []  # the contrast of every sample call
        self.steer_plans: list[SteerPlan | None] = []  # the plan of every sample call
        self.answers = list(answers) if answers is not None else None
        self.p_yes = p_yes
        self.n_ctx = n_ctx
        self.n_seq_max = n_seq_max
        self.samples: list[SampleCall] = []  # every sample call, in order
        self.asked: list[list[ChatMessage]] = []  # every reflection conversation, in order
        self.scored: list[tuple[list[int], list[int]]] = []  # every scored pair, in order
        self.closed = False
        self._lock = threading.Lock()

    # -- tokens ---------------------------------------------------------------------------

    def tokenize(
        self, text: str, *, special: bool = True, add_bos: bool | None = None
    ) -> list[int]:
        # a word's id is a hash of it: equal words, equal ids; BOS is id 0
        ids = [zlib.crc32(w.encode()) % 50_000 + 1 for w in text.split()]
        return [0, *ids] if add_bos is not False else ids

    def prompt_tokens(self, messages: list[ChatMessage]) -> list[int]:
        text = " ".join(f"<{m['role']}> {m['content']}" for m in messages)
        return self.tokenize(text + " <assistant>")

    def prompt_tokens_batch(self, conversations: list[list[ChatMessage]]) -> list[list[int]]:
        return [self.prompt_tokens(c) for c in conversations]

    def check_budget(self, prompt_len: int, n: int, max_tokens: int, extra: int = 0) -> None:
        check_budget(prompt_len, n, max_tokens, extra, n_ctx=self.n_ctx, n_seq_max=self.n_seq_max)

    # -- generating ---------------------------------------------------------------------------

    def _answer(self, i: int, seed: int, plain: bool = False) -> list[str]:
        if plain and self.plain is not None:
            return self.plain.split()
        if self.answers is not None:
            return self.answers[i % len(self.answers)].split()
        rng = random.Random(seed + i)
        return [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]

    def sample(
        self,
        messages: list[ChatMessage],
        n: int,
        params: SamplingParams,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
        stop_when: StopWhen | None = None,
        steer: SteerPlan | None = None,
        contrast: Contrast | None = None,
    ) -> list[SampleOutput]:
        """As the real engine; a `contrast` is only recorded (the answers say `contrasted`
        where the engine `contrasts`): a fake has no logits to contrast."""
        self.contrasts.append(contrast)
        outs = self._sample(messages, n, params, on_progress, cancel, stop_when, steer)
        for o in outs:
            o.contrasted = contrast is not None and self.capabilities.contrast
        return outs

    def _sample(
        self,
        messages: list[ChatMessage],
        n: int,
        params: SamplingParams,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
        stop_when: StopWhen | None = None,
        steer: SteerPlan | None = None,
    ) -> list[SampleOutput]:
        self._usable()
        self.steer_plans.append(steer)
        if steer is not None and steer.active and self.capabilities.steering:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            return self._steered(messages, n, params, steer, on_progress)
        if self.capabilities.counts_tokens:
            self.check_budget(len(self.prompt_tokens(messages)), n, params.max_tokens)
        with self._lock:
            self.samples.append(SampleCall(list(messages), n, params))
            plain = "personalizations:" not in messages[-1]["content"]
            words = [self._answer(i, params.seed, plain) for i in range(n)]
            limit = params.max_tokens
            if params.ignore_eos:  # every answer runs to the limit, as in benchmarks
                words = [(w * (limit // max(1, len(w)) + 1))[:limit] for w in words]
            got: list[list[str]] = [[] for _ in range(n)]
            finish = ["" for _ in range(n)]
            live = list(range(n))
            while live:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                done = []
                for c in live:
                    if len(got[c]) == len(words[c]):
                        finish[c] = "stop"
                        done.append(c)
                        continue
                    got[c].append(words[c][len(got[c])])
                    if on_progress is not None:
                        piece = (" " if len(got[c]) > 1 else "") + got[c][-1]
                        on_progress(
                            Progress("token", candidate=c, n_tokens=len(got[c]), text=piece)
                        )
                    if len(got[c]) >= limit:  # as llama.cpp: the limit wins over an end
                        finish[c] = "length"
                        done.append(c)
                live = [c for c in live if c not in done]
                if stop_when is not None and any(stop_when(c, " ".join(got[c])) for c in done):
                    for c in live:
                        finish[c] = "early_stop"
                    live = []
            note = "not steered: this engine lacks token masks" if steer and steer.active else ""
            return [
                SampleOutput(
                    text=" ".join(got[c]),
                    n_tokens=len(got[c]),
                    finish_reason=finish[c],
                    steer_note=note,
                )
                for c in range(n)
            ]

    def _steered(
        self,
        messages: list[ChatMessage],
        n: int,
        params: SamplingParams,
        plan: SteerPlan,
        on_progress: TurnProgressFn | None = None,
    ) -> list[SampleOutput]:
        """Each answer's words run through the plan's controller (tests/support/steer_sim):
        a banned word is skipped, forced text written, and what steering did reported as
        "steer" progress, one answer after another (no SMC). Without `steers`, plain answers
        and the note a maskless engine gives."""
        if not self.capabilities.steering:
            outs = self._sample(messages, n, params)
            for o in outs:
                o.steer_note = "not steered: this engine lacks token masks"
            return outs
        with self._lock:
            self.samples.append(SampleCall(list(messages), n, params))
            outs = []
            for i in range(n):
                script = [" " + w for w in self._answer(i, params.seed)]
                text, ctrl = simulate(plan, script, params.max_tokens, guided=i == 0)
                for act in ctrl.take_acts() if on_progress is not None else ():
                    ev = act_event(i, act)
                    on_progress(Progress("steer", candidate=i, text=ev.text, steer=ev))
                finish = "stop" if ctrl.phase == "done" else "length"
                outs.append(
                    SampleOutput(
                        text=text.strip(),
                        n_tokens=len(text.split()),
                        finish_reason=finish,
                        steered=True,
                        forced=tuple(ctrl.record.forced),
                        closed_early=ctrl.record.closed_early,
                        guided=ctrl.record.guided,
                    )
                )
            return outs

    def yes_no(
        self,
        conversations: list[list[ChatMessage]],
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[YesNo]:
        """The reflected answer is the conversation's last assistant turn, the question its
        last user turn."""
        self._usable()
        out: list[YesNo] = []
        for i, conv in enumerate(conversations):
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            self.asked.append(list(conv))
            answer = next((m["content"] for m in reversed(conv) if m["role"] == "assistant"), "")
            question = next((m["content"] for m in reversed(conv) if m["role"] == "user"), "")
            p = float(self.p_yes(answer, question))
            top = "1" if p >= 0.5 else "0"
            out.append(YesNo(p_yes=p, raw=f"fake P(1)={p:.4f}", text=top))
            if on_progress is not None:
                on_progress(Progress("reflect", done=i + 1, total=len(conversations)))
        return out

    def continuation_logprobs(
        self,
        prefixes: list[list[int]],
        continuations: list[list[int]],
        *,
        cancel: CancelToken | None = None,
    ) -> list[list[float]]:
        """A copying model: a continuation token seen c times before it (in the prefix or
        earlier in the continuation) has log P = log((1 + c) / (2 + c))."""
        self._usable()
        if not self.capabilities.scores_text:
            raise EngineError("This fake engine does not score text.", "Use one that does.")
        self.scored.extend(zip(prefixes, continuations, strict=True))
        out: list[list[float]] = []
        for prefix, cont in zip(prefixes, continuations, strict=True):
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            seen = list(prefix)
            row = []
            for tok in cont:
                c = seen.count(tok)
                row.append(math.log((1 + c) / (2 + c)))
                seen.append(tok)
            out.append(row)
        return out

    def _usable(self) -> None:
        if self.closed:
            raise EngineError("The fake engine was closed.", "Build a new FakeEngine.")

    def close(self) -> None:
        self.closed = True


class LikesWord(FakeEngine):
    """A fake user who likes answers with `word`: after such an answer a persona reply is
    likelier behind "that suits me" (the persona reflector's LEAD) than behind any other
    lead, after others the reverse; every other token as the copying model says (so the
    fact's own words, which both replies share, move both alike)."""

    def __init__(self, *args: Any, word: str = "beans", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.word = word

    def continuation_logprobs(self, prefixes, continuations, *, cancel=None):
        from personaco_tui.core.reflectors.persona import LEAD

        rows = super().continuation_logprobs(prefixes, continuations, cancel=cancel)
        liked = self.tokenize(self.word, add_bos=False)[0]
        suits = self.tokenize(LEAD, add_bos=False)
        out = []
        for prefix, row in zip(prefixes, rows, strict=True):
            if prefix[-len(suits) :] == suits:
                out.append([v + (0.0 if liked in prefix else -1.0) for v in row])
            else:
                out.append([v + (-1.0 if liked in prefix else 0.0) for v in row])
        return out
