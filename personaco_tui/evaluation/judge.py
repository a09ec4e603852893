"""An external LLM judge over any OpenAI-compatible server (the paper used GPT-4o).

Retries on 429 (honouring Retry-After) and on 5xx are the `openai` client's own
(`max_retries`). A refused key stops at once with `JudgeAuthError`; a timeout or an
unreachable server is a one-line `JudgeError`, and so is a reply that is not a chat
completion at all (HTML from a proxy, junk, a body past `MAX_REPLY_BYTES`, JSON of another
shape such as `{"choices": []}` or a message whose content is null): the runner stores those
as failed requests, which `--retry-errors` asks again. A chat completion whose text is not a
verdict (empty text included) comes back as INVALID with its raw text (cut to `STORED_CAP`),
never dropped. Each request ends `timeout_s` after it was sent, however slowly the server
drips its reply. The API key is read through `secrets.api_key`, held only inside the client,
and cut out of every message and every reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx2
import openai
from openai.types.chat import ChatCompletion

from ..errors import PersonacoError
from ..remote_reply import NotACompletion, completion_choice
from ..remote_text import RemoteRole, clip, cut_at, http_client, remote_error, size_words
from ..remote_text import clean as storable  # the runner cleans stored raw text with it too
from ..secrets import api_key, secrets_to_redact
from .verdicts import evaluation_prompt, parse_verdict, shown_pair, unswap

MAX_REPLY_BYTES = 1024 * 1024  # a verdict is a few tokens; more than this is not a verdict
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class JudgeError(PersonacoError):
    """The judge could not give a verdict (timeout, unreachable, server error)."""


class JudgeAuthError(JudgeError):
    """The judge's server refused the API key; retrying will not help."""


@dataclass(frozen=True)
class Judgment:
    """`verdict` is about the true methods (already unswapped); `raw` is the judge's text as
    received; `order_shown` "BA" means method B's response was shown as Response 1."""

    verdict: str
    raw: str
    order_shown: str


@dataclass(frozen=True)
class JudgeRequest:
    query: str
    signal: str
    response_a: str
    response_b: str
    order: str = "AB"


class ExternalJudge:
    kind = "external"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout_s: float = 60.0,
        max_retries: int = 3,
        concurrency: int = 4,
        max_tokens: int = 16,
    ) -> None:
        if not base_url:
            raise JudgeError("No server URL is set for the judge.", "Set the judge's base URL.")
        if not model:
            raise JudgeError("No model is set for the judge.", "Set the judge's model name.")
        self.base_url = base_url
        self.model = model
        self.max_tokens = max_tokens
        self._key = api_key(api_key_env, base_url)
        self._api_key_env = api_key_env
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=self._key or "not-needed",  # local servers need none; the client insists
            timeout=timeout_s,
            max_retries=max_retries,
            http_client=http_client(timeout_s, MAX_REPLY_BYTES),
        )
        self._timeout_s = timeout_s
        self.concurrency = max(1, concurrency)  # judge_session's default requests at once
        self._pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="judge")

    def __repr__(self) -> str:  # never shows the key
        return f"ExternalJudge(base_url={self.base_url!r}, model={self.model!r})"

    # -- errors -----------------------------------------------------------------------------

    def _fail(self, e: Exception) -> JudgeError:
        role = RemoteRole(
            server=f"The judge server at {self.base_url}",
            error=JudgeError,
            auth_error=JudgeAuthError,
            auth_todo=f"Set a valid key in {self._api_key_env or 'the API key variable'} "
            "or in the keyring.",
            timeout_todo="Try again later or raise the judge timeout.",
        )
        return remote_error(e, role, timeout_s=self._timeout_s, key=self._key)

    def _not_a_reply(self, response: httpx2.Response) -> JudgeError:
        """The one-line error for a 200 whose body is not a chat completion: what it starts
        with (cleaned, no control characters) and how big it was."""
        cut = cut_at(response)
        body = response.content.decode("utf-8", "replace")
        start = _CONTROL.sub("\ufffd", " ".join(storable(body[:400], self._keys()).split()))
        if cut is None:
            size = size_words(len(response.content))
        else:
            length = response.headers.get("Content-Length", "")
            size = (
                size_words(int(length))
                if length.isdigit()
                else f"more than {size_words(MAX_REPLY_BYTES)}"
            )
        what = "far too long to be a verdict" if cut is not None else "not JSON chat completion"
        return JudgeError(
            f"The judge server at {self.base_url} sent a reply that is {what} "
            f"({size}), starting {start[:80]!r}.",
            "Check the judge's URL: it should be an OpenAI-compatible /v1 endpoint.",
        )

    def _keys(self) -> list[str] | None:
        keys = secrets_to_redact() + ([self._key] if self._key else [])
        return sorted(set(keys), key=len, reverse=True)

    # -- judging ----------------------------------------------------------------------------

    def judge(self, query: str, signal: str, a: str, b: str, order: str = "AB") -> Judgment:
        """Ask which of method A's response `a` and method B's response `b` better satisfies
        `signal`, showing them in `order`; the verdict is mapped back to the methods."""
        first, second = shown_pair(a, b, order)
        prompt = evaluation_prompt(query, signal, first, second)
        try:
            reply = self._client.chat.completions.with_raw_response.create(
                model=self.model,
                messages=[{"role": "user", "content": prompt}],
                temperature=0.0,
                max_tokens=self.max_tokens,
            )
        except openai.OpenAIError as e:
            raise self._fail(e) from None
        if cut_at(reply.http_response) is not None:
            raise self._not_a_reply(reply.http_response)
        try:
            r = reply.parse()
        except ValueError:  # not JSON, or JSON of another shape
            r = None
        try:
            if not isinstance(r, ChatCompletion):
                r = json.loads(reply.http_response.content)  # a list, a number, null...
            _choice, raw = completion_choice(r)
        except NotACompletion as e:  # JSON, but of another shape: a failed request
            raise JudgeError(
                f"The judge server at {self.base_url} sent a reply that is not an OpenAI chat "
                f"completion: {e}.",
                "Check the judge's URL: it should be an OpenAI-compatible /v1 endpoint.",
            ) from None
        except ValueError:  # not JSON at all
            raise self._not_a_reply(reply.http_response) from None
        # kept with a lone surrogate as U+FFFD (and INVALID), and without any key it echoes
        raw = clip(storable(raw))
        return Judgment(verdict=unswap(parse_verdict(raw), order), raw=raw, order_shown=order)

    def judge_many(self, requests: Iterable[JudgeRequest]) -> list[Judgment]:
        """Judge several pairs concurrently (up to `concurrency` at a time), results in
        request order. The first error stops the rest that have not started."""
        reqs: Sequence[JudgeRequest] = list(requests)
        futures = [
            self._pool.submit(self.judge, q.query, q.signal, q.response_a, q.response_b, q.order)
            for q in reqs
        ]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def __enter__(self) -> ExternalJudge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
