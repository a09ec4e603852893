"""An OpenAI-compatible server as the generator (llama-server, vLLM, Ollama, hosted APIs).

Many such servers ignore `n`, so the k samples are k concurrent requests, each with its own
seed. Reflection asks for one token with `logprobs`; where the server returns none, the text
answer is parsed ("1" -> 1.0, "0" -> 0.0, anything else -> 0.5 with the raw text kept).
Likelihood scoring (persona signals, the helpfulness term) uses the server's own tokenizer
and prompt log-probabilities where it has them (vLLM; see remote_score.py).
Each request ends `timeout_s` after it was sent, however slowly the server drips its answer,
and a reply is read to `MAX_REPLY_BYTES` at most (see remote_text.http_client).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx2
import openai

from ..core.steer import SteerPlan
from ..core.steer.gbnf import Grammar
from ..errors import Cancelled, EngineError
from ..remote_reply import NotACompletion, chunk_piece, completion_choice, field, whole_reply
from ..remote_text import RemoteRole, StreamCleaner, clean, cut_at, http_client, remote_error
from ..secrets import api_key
from .base import (
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
    gather,
)
from .remote_score import RemoteScorer

NOT_STEERED = "not steered: this engine lacks token masks"
GRAMMAR_STEERING = "the server's GBNF grammar (llama-server): characters, case and frame"
MAX_REPLY_BYTES = 64 * 1024 * 1024  # a streamed answer spends ~200 bytes of JSON per token


class OpenAICompatEngine:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout_s: float = 60.0,
        max_retries: int = 2,
        concurrency: int = 8,
    ) -> None:
        if not base_url:
            raise EngineError("No server URL is set for the remote model.", "Set remote.base_url.")
        self.base_url = base_url
        self.name = model or "remote"
        self._key = api_key(api_key_env, base_url)
        # local servers need no key, but the client insists on one
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=self._key or "not-needed",
            timeout=timeout_s,
            max_retries=max_retries,
            http_client=http_client(timeout_s, MAX_REPLY_BYTES),
        )
        self._model = model
        self._timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, concurrency), thread_name_prefix="remote"
        )
        self._logprobs: bool | None = None  # learnt from the first reflection reply
        self._scorer = RemoteScorer(self._client, base_url, model, self._pool, self._fail)
        # The server's context size is not known here: it refuses what does not fit itself,
        # after the request. Scoring text may work: the first call learns whether it does.
        self.capabilities = Capabilities(
            gpu_offload=False, counts_tokens=False, scores_text=True, steering=GRAMMAR_STEERING
        )

    # -- errors -----------------------------------------------------------------------------

    def _fail(self, e: Exception) -> EngineError:
        role = RemoteRole(
            server=f"The server at {self.base_url}",
            error=EngineError,
            auth_error=EngineError,
            auth_todo="Set the key in the environment variable named by remote.api_key_env.",
            timeout_todo="Try again later.",
        )
        return remote_error(e, role, timeout_s=self._timeout_s, key=self._key)

    def _too_long(self) -> EngineError:
        return EngineError(
            f"The server at {self.base_url} sent more than {MAX_REPLY_BYTES >> 20} MiB "
            "for one answer; PersonaCo stopped reading it.",
            "Lower max_tokens, or check the server.",
        )

    def _not_a_completion(self, why: NotACompletion | str) -> EngineError:
        return EngineError(
            f"The server at {self.base_url} sent a reply that is not an OpenAI chat "
            f"completion: {why}.",
            "Check that remote.base_url points at an OpenAI-compatible /v1 endpoint.",
        )

    # -- tokens -----------------------------------------------------------------------------

    def _no_tokenizer(self) -> EngineError:
        return EngineError(
            f"The server at {self.base_url} does not share its tokenizer, so PersonaCo cannot "
            "count tokens for it.",
            "Use a local model for token counts.",
        )

    def tokenize(
        self, text: str, *, special: bool = True, add_bos: bool | None = None
    ) -> list[int]:
        raise self._no_tokenizer()

    def prompt_tokens(self, messages: list[ChatMessage]) -> list[int]:
        """The server's own ids for `messages` (its /tokenize with its chat template)."""
        return self._scorer.prompt_tokens(messages)

    def prompt_tokens_batch(self, conversations: list[list[ChatMessage]]) -> list[list[int]]:
        return self._scorer.prompt_tokens_batch(conversations)

    def check_budget(self, prompt_len: int, n: int, max_tokens: int, extra: int = 0) -> None:
        """Nothing to check: the server's context size is unknown."""

    def scoring_lacks(self) -> str | None:
        """None where the server scores given text, or what it lacks (asks it once)."""
        return self._scorer.probe()

    @property
    def scoring_kind(self) -> str | None:
        """How this server scores given text, once learnt: "vllm" (prompt log-probabilities
        through `echo`) or "llama-server" (tokens forced by a grammar)."""
        return self._scorer.kind

    def continuation_logprobs(
        self,
        prefixes: list[list[int]],
        continuations: list[list[int]],
        *,
        cancel: CancelToken | None = None,
    ) -> list[list[float]]:
        """The server's prompt log-probabilities (`echo`) where it gives them; elsewhere an
        EngineError that says what the server lacks (see remote_score.py)."""
        return self._scorer.continuation_logprobs(prefixes, continuations, cancel)

    # -- sampling ---------------------------------------------------------------------------

    def _one(
        self,
        messages: list[ChatMessage],
        params: SamplingParams,
        seed: int,
        idx: int,
        on_progress: TurnProgressFn,
        cancel: CancelToken | None,
    ) -> SampleOutput:
        kwargs: dict[str, Any] = dict(
            model=self._model,
            messages=messages,
            temperature=params.temperature,
            max_tokens=params.max_tokens,
            seed=seed,
            stream=True,
        )
        if params.top_p < 1.0:
            kwargs["top_p"] = params.top_p
        if params.grammar is not None:
            # llama-server's own field (llama-cpp-python's server takes it too)
            kwargs["extra_body"] = {"grammar": params.grammar}
        text_parts: list[str] = []
        finish = ""
        n = 0
        # a server may echo the key into its answer; it is cut out before anyone sees a piece
        cleaner = StreamCleaner()
        stream = None
        try:
            stream = self._client.chat.completions.create(**kwargs)
            with stream:
                whole = whole_reply(stream.response)  # None where it streams, as asked
                got: Iterable[tuple[str, str | None] | None]
                if whole is not None:
                    # a server that ignores `stream`: its whole answer in one completion
                    choice, content = completion_choice(whole)
                    got = [(content, field(choice, "finish_reason") or "stop")]
                else:
                    got = (chunk_piece(chunk) for chunk in stream)
                for one in got:
                    if cancel is not None and cancel.cancelled:
                        raise Cancelled()
                    if one is None:  # no choices: a usage chunk
                        continue
                    raw_piece, reason = one
                    if raw_piece:
                        n += 1
                        piece = cleaner.feed(raw_piece)
                        text_parts.append(piece)
                        if on_progress is not None:
                            on_progress(Progress("token", candidate=idx, n_tokens=n, text=piece))
                    if reason:
                        finish = "stop" if reason == "stop" else "length"
        except Cancelled:
            raise
        except NotACompletion as e:
            if stream is not None and cut_at(stream.response) is not None:
                raise self._too_long() from None
            raise self._not_a_completion(e) from None
        except json.JSONDecodeError:  # an event in the stream that is not JSON
            raise self._not_a_completion("an event in its stream is not JSON") from None
        except openai.BadRequestError as e:
            if params.grammar is not None and "grammar" in str(e).lower():
                raise EngineError(
                    f"The server at {self.base_url} refused the grammar that steers the "
                    "answer toward the signals.",
                    "Use llama-server, or set generation.steer = off for this server.",
                ) from None
            raise self._fail(e) from None
        except openai.OpenAIError as e:
            raise self._fail(e) from None
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise self._fail(e) from None
        except httpx2.HTTPError as e:  # the deadline, or a dropped link, mid-stream
            raise self._fail(e) from None
        tail = cleaner.finish()
        if tail:
            text_parts.append(tail)
            if on_progress is not None:
                on_progress(Progress("token", candidate=idx, n_tokens=n, text=tail))
        if not finish and stream is not None and cut_at(stream.response) is not None:
            raise self._too_long()
        if not finish:
            raise EngineError(
                f"The server at {self.base_url} ended an answer before finishing it.",
                "It may not handle parallel requests: set remote.concurrency = 1.",
            )
        return SampleOutput(text="".join(text_parts).strip(), n_tokens=n, finish_reason=finish)

    def sample(
        self,
        messages: list[ChatMessage],
        n: int,
        params: SamplingParams,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
        stop_when: StopWhen | None = None,  # requests already sent run to their end
        steer: SteerPlan | None = None,
        # no per-token logits of two prompts at once: capabilities.contrast is False, so the
        # core never passes one, and its stored generation says the contrast was not applied
        contrast: Contrast | None = None,
    ) -> list[SampleOutput]:
        lock = threading.Lock()

        def progress(p: Progress) -> None:
            if on_progress is not None:
                with lock:
                    on_progress(p)

        grammar = steer.grammar(params.max_tokens) if steer is not None and steer.active else None
        if grammar is not None and grammar.gbnf is not None:
            params = replace(params, grammar=grammar.gbnf)
        futures = [
            self._pool.submit(self._one, messages, params, params.seed + i, i, progress, cancel)
            for i in range(n)
        ]
        try:
            outs = [f.result() for f in futures]
        except BaseException:
            if cancel is not None:
                cancel.cancel()
            for f in futures:
                f.cancel()
            raise
        if steer is not None and steer.active:
            _steer_notes(outs, steer, grammar)
        return outs

    # -- reflection -------------------------------------------------------------------------

    def _ask_yes_no(self, messages: list[ChatMessage], cancel: CancelToken | None) -> YesNo:
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        kwargs: dict[str, Any] = dict(
            model=self._model, messages=messages, temperature=0.0, max_tokens=1
        )
        if self._logprobs is not False:
            kwargs.update(logprobs=True, top_logprobs=20)
        try:
            r = self._client.chat.completions.create(**kwargs)
            if isinstance(r, str):  # the client's answer for a body that is not JSON
                raise NotACompletion("it is text, not a JSON object")
            choice, said = completion_choice(r)
            text = clean(said).strip()
        except openai.BadRequestError as e:
            if self._logprobs is None:  # the server refuses logprobs: ask without them
                self._logprobs = False
                return self._ask_yes_no(messages, cancel)
            raise self._fail(e) from None
        except openai.OpenAIError as e:
            raise self._fail(e) from None
        except NotACompletion as e:
            raise self._not_a_completion(e) from None
        except json.JSONDecodeError:
            raise self._not_a_completion("it is not JSON") from None
        except (IndexError, AttributeError, TypeError, ValueError) as e:  # not JSON, say
            raise self._fail(e) from None
        mass = _one_zero_mass(choice)
        if mass is not None:
            self._logprobs = True
            p1, p0 = mass
            if p1 + p0 > 0:
                return YesNo(
                    p_yes=p1 / (p1 + p0), raw=f"{text!r} P(1)={p1:.4f} P(0)={p0:.4f}", text=text
                )
        if self._logprobs is None:
            self._logprobs = False
        word = text.lower().strip(".!:, ")
        value = {"1": 1.0, "0": 0.0}.get(text[:1], {"yes": 1.0, "no": 0.0}.get(word, 0.5))
        return YesNo(p_yes=value, raw=f"text {text[:40]!r}", text=text)

    def yes_no(
        self,
        conversations: list[list[ChatMessage]],
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[YesNo]:
        futures = [self._pool.submit(self._ask_yes_no, c, cancel) for c in conversations]
        out = []
        try:
            for i, f in enumerate(futures):
                out.append(f.result())
                if on_progress is not None:
                    on_progress(Progress("reflect", done=i + 1, total=len(futures)))
        except Exception:
            gather(futures)  # a failed request: cancel the rest, wait for the running ones
            raise
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()


def _steer_notes(outs: list[SampleOutput], plan: SteerPlan, grammar: Grammar | None) -> None:
    """Say in each answer what the server's grammar held and what it could not: counts and
    word presence need the local engine's masks. An answer that breaks a check the grammar
    enforces means the server ignored the grammar (vLLM and hosted APIs have no `grammar`)."""
    if grammar is None or grammar.gbnf is None:
        for o in outs:
            o.steer_note = NOT_STEERED + " (no signal here is a property a grammar holds)"
        return
    held = {k for k, _ in grammar.enforced}
    checks = [c for c in plan.checks if c.kind in held]
    left = "; ".join(f"{k}: {why}" for k, why in grammar.not_enforced)
    for o in outs:
        broken = [c.kind for c in checks if not c.check(o.text)]
        o.steered = not broken
        if broken and o.finish_reason != "length":
            o.steer_note = "not steered: the server ignored the grammar (" + ", ".join(broken) + ")"
        elif left:
            o.steer_note = "not steered on this server: " + left


def _one_zero_mass(choice: Any) -> tuple[float, float] | None:
    """P("1") and P("0") from the first token's top log-probabilities; None where the reply
    has none, or has them in a shape or with values PersonaCo cannot read (then the answer's
    text decides, as for a server without log-probabilities)."""
    content = field(field(choice, "logprobs"), "content")
    if not isinstance(content, list) or not content:
        return None
    alts = field(content[0], "top_logprobs") or []
    if not isinstance(alts, list):
        return None
    p1 = p0 = 0.0
    for alt in alts:
        tok, logprob = field(alt, "token"), field(alt, "logprob")
        if not isinstance(tok, str) or not isinstance(logprob, int | float):
            return None
        if isinstance(logprob, bool) or not logprob <= 0:  # NaN and above 0 too
            return None
        if tok.strip() == "1":
            p1 += math.exp(logprob)
        elif tok.strip() == "0":
            p0 += math.exp(logprob)
    return p1, p0
