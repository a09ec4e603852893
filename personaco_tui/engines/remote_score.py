"""Likelihood scoring on a remote server, for the persona reflector and the helpfulness term.

Both need the token ids the model sees for a conversation and log P of given tokens after a
prefix. Over HTTP that takes two of the server's own features:

- its tokenizer with its chat template: `POST /tokenize` with `messages` (vLLM's form, at the
  server's root, beside `/v1`), so the ids are exactly what the server's model reads;
- its prompt log-probabilities: `POST /v1/completions` with the ids as the prompt, `echo`
  and `logprobs`, one generated token (discarded). Many prompts go in one request.

llama-server refuses `echo` but renders and tokenizes conversations and forces given tokens
with a grammar, reporting each one's log-probability: remote_forced.py scores there. The
first conversation's ids say which server this is. llama-cpp-python's server and hosted chat
APIs have neither way: there the first call learns it, raises an EngineError that says so in
one line, and every later call raises it again without a request, so `auto` hands persona
signals to self-reflection at no extra cost and its cells say why.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai

from ..errors import Cancelled, EngineError
from .base import CancelToken, ChatMessage, check_scoring_items, gather
from .remote_forced import ForcedScoring

CHUNK = 16  # prompts per /completions request
CACHE = 4096  # conversations whose token ids are kept


def root_url(base_url: str) -> str:
    """The server's root: `base_url` without a trailing `/v1`."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


class RemoteScorer:
    def __init__(
        self,
        client: openai.OpenAI,
        base_url: str,
        model: str,
        pool: ThreadPoolExecutor,
        fail: Callable[[Exception], EngineError],
    ) -> None:
        self._client = client
        self._server = f"The server at {base_url}"
        self._root = root_url(base_url)
        self._model = model
        self._pool = pool
        self._fail = fail
        self.lacks: str | None = None  # why this server cannot score, once learnt
        self.kind: str | None = None  # "vllm" (echo) or "llama-server" (forced), once learnt
        self._ids: dict[str, list[int]] = {}
        self._forced = ForcedScoring(client, self._root, self._lack, fail, self._server)

    def _lack(self, why: str) -> EngineError:
        self.lacks = why
        return self._refusal()

    def _refusal(self) -> EngineError:
        return EngineError(
            f"{self._server} cannot score given text for PersonaCo: {self.lacks}.",
            "Serve the model with vLLM or a recent llama-server, or use a local model.",
        )

    def probe(self) -> str | None:
        """None where the server scores text (one short conversation scored end to end), or
        what it lacks. A server that cannot be reached raises EngineError."""
        try:
            ids = self.prompt_tokens([{"role": "user", "content": "Hello."}])
            if len(ids) < 2:
                return "its /tokenize gives too few token ids"
            self.continuation_logprobs([ids[:-1]], [ids[-1:]])
        except EngineError:
            if self.lacks is None:
                raise
        return self.lacks

    # -- token ids ----------------------------------------------------------------------------

    def prompt_tokens_batch(self, conversations: list[list[ChatMessage]]) -> list[list[int]]:
        """Each conversation's ids. The first not yet known is asked for alone (a server
        without /tokenize is then refused once, not once per conversation); the rest side by
        side through the engine's pool (a k = 8 turn with 5 persona facts needs about 130)."""
        new = {_key(c): c for c in conversations if _key(c) not in self._ids}
        rest = list(new.values())[1:]
        if rest:
            self.prompt_tokens(next(iter(new.values())))
            ids = gather([self._pool.submit(self.prompt_tokens, c) for c in rest])
            # kept even where the cache was cleared meanwhile
            self._ids.update((_key(c), i) for c, i in zip(rest, ids, strict=True))
        return [self.prompt_tokens(c) for c in conversations]

    def prompt_tokens(self, messages: list[ChatMessage]) -> list[int]:
        if self.lacks is not None:
            raise self._refusal()
        key = _key(messages)
        if key in self._ids:
            return list(self._ids[key])
        if self.kind == "llama-server":
            tokens = self._forced.prompt_tokens(messages)
            why = "its /apply-template and /tokenize give no token ids"
        else:
            tokens, why = self._vllm_tokens(messages)
            if tokens is not None:
                self.kind = "vllm"
            elif self.kind is None:  # not vLLM's form: llama-server's?
                tokens = self._forced.prompt_tokens(messages)
                self.kind = "llama-server" if tokens is not None else None
                why += ", nor llama-server's /apply-template"
        if tokens is None:
            raise self._lack(why)
        if len(self._ids) >= CACHE:
            self._ids.clear()
        self._ids[key] = tokens
        return list(tokens)

    def _vllm_tokens(self, messages: list[ChatMessage]) -> tuple[list[int] | None, str]:
        """vLLM's ids for `messages`, or None and what the server lacks."""
        body = {
            "model": self._model,
            "messages": messages,
            "add_generation_prompt": True,
            "add_special_tokens": False,  # the chat template writes BOS itself
        }
        try:
            reply = self._client.post(f"{self._root}/tokenize", body=body, cast_to=object)
        except (openai.NotFoundError, openai.BadRequestError, openai.UnprocessableEntityError):
            return None, "it has no /tokenize for chat messages"
        except (openai.OpenAIError, ValueError, TypeError) as e:  # ValueError: not JSON
            raise self._fail(e) from None
        tokens = reply.get("tokens") if isinstance(reply, dict) else None
        if not isinstance(tokens, list) or not _ids(tokens):
            # llama-server's /tokenize reads `content` and gives [] here
            return None, "its /tokenize gives no token ids for chat messages"
        return [int(t) for t in tokens], ""

    # -- log-probabilities --------------------------------------------------------------------

    def continuation_logprobs(
        self,
        prefixes: list[list[int]],
        continuations: list[list[int]],
        cancel: CancelToken | None = None,
    ) -> list[list[float]]:
        if self.lacks is not None:
            raise self._refusal()
        check_scoring_items(prefixes, continuations)
        items = list(zip(prefixes, continuations, strict=True))
        forced = self.kind == "llama-server"  # one forced generation an item, side by side
        size, work = (1, self._forced_chunk) if forced else (CHUNK, self._chunk)
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        done = gather([self._pool.submit(work, c, cancel) for c in chunks])
        return [lp for chunk in done for lp in chunk]

    def _forced_chunk(
        self, items: list[tuple[list[int], list[int]]], cancel: CancelToken | None
    ) -> list[list[float]]:
        if self.lacks is not None:
            raise self._refusal()
        return [self._forced.logprobs(p, c, cancel) for p, c in items]

    def _chunk(
        self, items: list[tuple[list[int], list[int]]], cancel: CancelToken | None
    ) -> list[list[float]]:
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        if self.lacks is not None:
            raise self._refusal()
        prompts = [p + c for p, c in items]
        try:
            reply = self._client.completions.create(
                model=self._model,
                prompt=prompts,
                echo=True,
                logprobs=1,
                max_tokens=1,
                temperature=0.0,
            )
        except (openai.BadRequestError, openai.UnprocessableEntityError) as e:
            if "echo" in f"{e} {e.body}".lower():
                raise self._lack("it returns no prompt log-probabilities (echo)") from None
            raise self._fail(e) from None
        except openai.NotFoundError:
            raise self._lack("it has no /v1/completions") from None
        except (openai.OpenAIError, ValueError, TypeError) as e:  # ValueError: not JSON
            raise self._fail(e) from None
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        return self._read(reply, items)

    def _read(self, reply: Any, items: list[tuple[list[int], list[int]]]) -> list[list[float]]:
        choices = getattr(reply, "choices", None) or []
        by_index = {getattr(c, "index", -1): c for c in choices}
        out = []
        for i, (prefix, cont) in enumerate(items):
            choice = by_index.get(i)
            lp = getattr(getattr(choice, "logprobs", None), "token_logprobs", None)
            if not isinstance(lp, list) or len(lp) < len(prefix) + len(cont):
                # a server that ignores `echo` sends the generated token's log-probability only
                raise self._lack("it returned no prompt log-probabilities (echo)")
            values = lp[len(prefix) : len(prefix) + len(cont)]
            if not all(_finite(v) for v in values):
                raise EngineError(
                    f"{self._server} sent log-probabilities PersonaCo cannot read.",
                    "Check the server's version.",
                )
            out.append([float(v) for v in values])
        return out


def _key(messages: list[ChatMessage]) -> str:
    return json.dumps(messages, ensure_ascii=False, sort_keys=True)


def _ids(tokens: list[object]) -> bool:
    return bool(tokens) and all(
        isinstance(t, int) and not isinstance(t, bool) and t >= 0 for t in tokens
    )


def _finite(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v <= 1e-3
