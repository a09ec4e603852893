"""An external LLM judge over any OpenAI-compatible server (the paper used GPT-4o).

Retries on 429 (honouring Retry-After) and on 5xx are the `openai` client's own
(`max_retries`). A refused key stops at once with `JudgeAuthError`; a timeout or an
unreachable server is a one-line `JudgeError`. A reply that is not a verdict comes back as
INVALID with its raw text, never dropped. The API key is read through `secrets.api_key`,
held only inside the client, and cut out of every message and every reply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import openai

from ..errors import PersonacoError
from ..remote_text import RemoteRole, remote_error
from ..remote_text import clean as storable  # the runner cleans stored raw text with it too
from ..secrets import api_key
from .verdicts import evaluation_prompt, parse_verdict, shown_pair, unswap


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

    # -- judging ----------------------------------------------------------------------------

    def judge(self, query: str, signal: str, a: str, b: str, order: str = "AB") -> Judgment:
        """Ask which of method A's response `a` and method B's response `b` better satisfies
        `signal`, showing them in `order`; the verdict is mapped back to the methods."""
        first, second = shown_pair(a, b, order)
        prompt = evaluation_prompt(query, signal, first, second)
        try:
            r = self._client.chat.completions.create(
                model=self.model,
                messages=[{"role": "user", "content": prompt}],
                temperature=0.0,
                max_tokens=self.max_tokens,
            )
        except openai.OpenAIError as e:
            raise self._fail(e) from None
        try:
            raw = (r.choices[0].message.content or "") if r.choices else ""
        except (AttributeError, IndexError, TypeError):
            raw = ""
        if not isinstance(raw, str):
            raw = str(raw)
        # kept with a lone surrogate as U+FFFD (and INVALID), and without any key it echoes
        raw = storable(raw)
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
