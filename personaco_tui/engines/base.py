"""The engine interface: what the PersonaCo core asks of a language model backend.

Two implementations: `LlamaEngine` (llama.cpp in-process, batched multi-sequence decoding)
and `OpenAICompatEngine` (any OpenAI-compatible server). Each declares the capabilities on which
the core or the UI decides something.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar, cast, runtime_checkable

from ..errors import EngineError

if TYPE_CHECKING:
    from ..core.steer import SteerEvent, SteerPlan

ChatMessage = dict[str, str]  # {"role": ..., "content": ...}


@dataclass(frozen=True)
class Capabilities:
    """What differs between engines where the core or the UI decides something."""

    gpu_offload: bool  # layers run on a GPU (the status bar says GPU or CPU)
    # tokenize, prompt_tokens and check_budget know the model's tokenizer and context, so a
    # turn that cannot fit is refused before any work; a remote server's are unknown here.
    counts_tokens: bool
    # continuation_logprobs and prompt_tokens may work: log P of given text after a prefix
    # (the persona reflector needs it; where False, or where a call raises EngineError, as
    # on a server without prompt log-probabilities, `auto` hands persona signals to the
    # model's self-reflection).
    scores_text: bool = False
    # How `sample(..., steer=plan)` is honoured (issue 13): "" (not at all: the plan is
    # recorded as not steered), or what the engine enforces, e.g. "token masks, forced text,
    # SMC" for llama.cpp in-process.
    steering: str = ""
    # `sample(..., contrast=...)` works: the k answers are drawn against k twins that read
    # the conversation without the persona facts, in the same batch (llama.cpp in-process).
    contrast: bool = False


@dataclass(frozen=True)
class Contrast:
    """Contrastive persona decoding (context-aware decoding, arXiv 2305.14739): each answer
    is drawn from (1 + alpha) * logits with the persona facts - alpha * logits of a twin
    sequence that reads `without` (the same conversation, the facts left out) and is fed the
    answer's own tokens, over the tokens the with-facts distribution finds plausible."""

    alpha: float
    without: list[ChatMessage]  # the conversation whose last turn lacks the persona facts
    facts: tuple[str, ...] = ()


@dataclass
class SamplingParams:
    temperature: float = 1.0
    max_tokens: int = 256
    seed: int = 0
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    ignore_eos: bool = False  # benchmarks: every sample runs to exactly max_tokens
    # A GBNF grammar the text must match (core/steer/gbnf.py): a remote llama-server masks its
    # tokens with it; None: free text.
    grammar: str | None = None


@dataclass
class SampleOutput:
    text: str
    n_tokens: int
    finish_reason: str  # "stop" | "length"
    # Steering (when `sample` got a plan): whether it was applied, the texts forced into this
    # answer, why its body was closed before the model ended it, the SMC resampling rounds
    # of the call, and a note where the engine could not steer.
    steered: bool = False
    forced: tuple[str, ...] = ()
    closed_early: str = ""
    resamples: int = 0
    steer_note: str = ""
    guided: bool = False  # its body started from the plan's guide, a plain answer
    contrasted: bool = False  # drawn against a twin without the persona facts (Contrast)


@dataclass
class YesNo:
    """The reflection answer for one (candidate, signal) pair."""

    p_yes: float  # P("1") / (P("1") + P("0"))
    raw: str  # what the model put first, with the two probabilities, for the "why" view
    text: str = ""  # the answer's first token as text (the greedy reply), for text-mode reflection


@dataclass
class Progress:
    """A progress event. `kind` is "token" (candidate grew), "reflect" (a cell was scored),
    "phase" (a new stage began, named in `text`), or "steer" (steering acted: text forced,
    an answer closed early, particles resampled; `steer` has the details, `text` the line
    for people). A steered sampler reports steering as it acts, never per token."""

    kind: str
    candidate: int = -1
    n_tokens: int = 0
    text: str = ""
    done: int = 0
    total: int = 0
    steer: SteerEvent | None = None


# Reports the Progress of one turn: tokens of each candidate, scored cells, phases.
TurnProgressFn = Callable[[Progress], None]
# Called with (candidate index, its final text) when a candidate finishes; True stops the rest.
StopWhen = Callable[[int, str], bool]


@dataclass
class CancelToken:
    """Shared between the UI (which sets it) and the engine (which polls it between steps)."""

    _event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@runtime_checkable
class Engine(Protocol):
    name: str  # the model name shown to the user and stored with each generation
    capabilities: Capabilities

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
        """Draw `n` independent answers to the same conversation. Engines that cannot stop
        early may ignore `stop_when`. With a `steer` plan (core/steer) an engine that can
        steers every answer toward the signals and says so in each SampleOutput; one that
        cannot samples plainly and says why in `steer_note`, never silently. `contrast` is
        only passed where `capabilities.contrast` (the answers say `contrasted`)."""
        ...

    def yes_no(
        self,
        conversations: list[list[ChatMessage]],
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[YesNo]:
        """For each conversation (ending with a yes/no question), P(answer is "1")."""
        ...

    def continuation_logprobs(
        self,
        prefixes: list[list[int]],
        continuations: list[list[int]],
        *,
        cancel: CancelToken | None = None,
    ) -> list[list[float]]:
        """For each (prefix, continuation) pair of token lists, log P(token | all before it)
        of every continuation token. Raises EngineError where `capabilities.scores_text` is
        False."""
        ...

    def tokenize(
        self, text: str, *, special: bool = True, add_bos: bool | None = None
    ) -> list[int]:
        """`text` as the model's token ids; `special` parses special-token markers,
        `add_bos` None adds the BOS token when the model wants one and `text` lacks it.
        Raises EngineError where `capabilities.counts_tokens` is False."""
        ...

    def prompt_tokens(self, messages: list[ChatMessage]) -> list[int]:
        """The token ids the model sees for `messages`, with the assistant turn opened.
        Raises EngineError where `capabilities.counts_tokens` is False."""
        ...

    def prompt_tokens_batch(self, conversations: list[list[ChatMessage]]) -> list[list[int]]:
        """`prompt_tokens` of each conversation, in order. A remote engine asks its server
        for them side by side, not one round trip after another."""
        ...

    def check_budget(self, prompt_len: int, n: int, max_tokens: int, extra: int = 0) -> None:
        """Raise EngineError if `n` answers of `max_tokens` after a prompt of `prompt_len`
        tokens, plus `extra` tokens of reflection, cannot fit the context. Does nothing
        where `capabilities.counts_tokens` is False (the budget is unknown)."""
        ...

    def close(self) -> None: ...


def check_scoring_items(prefixes: list[list[int]], continuations: list[list[int]]) -> None:
    """What `continuation_logprobs` accepts: one non-empty continuation per non-empty prefix."""
    if len(prefixes) != len(continuations):
        raise EngineError(
            "Scoring needs one continuation per prefix.", "Pass lists of equal length."
        )
    if any(not p or not c for p, c in zip(prefixes, continuations, strict=True)):
        raise EngineError(
            "Scoring needs a non-empty prefix and continuation.", "Check the texts scored."
        )


T = TypeVar("T")


def gather(futures: Sequence[Future[T]]) -> list[T]:
    """Each future's result, in order. At the first failure the futures not yet started are
    cancelled and the running ones waited for, then that failure is raised: no request of a
    batch reaches a server after the call has raised, where it would learn again what the
    failure taught (a server that lacks a feature is refused once). Ctrl-C while waiting
    cancels what has not started and does not wait."""
    try:
        wait(futures, return_when=FIRST_EXCEPTION)
    except BaseException:
        for f in futures:
            f.cancel()
        raise
    failed = [f for f in futures if f.done() and not f.cancelled() and f.exception()]
    if failed:
        for f in futures:
            f.cancel()
        wait(futures)
        raise cast(BaseException, failed[0].exception())
    return [f.result() for f in futures]
