"""Likelihood scoring on llama-server, which has no prompt log-probabilities (it refuses
`echo`), through two features it does have:

- its chat template and tokenizer: `POST /apply-template` renders the conversation as the
  model reads it, `POST /tokenize` (`parse_special`, no BOS added: the template writes it)
  turns that text into ids;
- forced generation: `POST /completion` with the prefix as token ids and a GBNF grammar that
  admits exactly the continuation's token ids (`root ::= <[12]> <[34]> ...`), so the model
  generates those tokens and no other tokenization of their text. With `n_probs` and
  `post_sampling_probs: false` each generated token comes back with its log-probability
  under the model's own logits, before the grammar and the samplers act: log P(token |
  everything before it), what vLLM's `echo` gives. `cache_prompt` lets the k answers'
  replies reuse the cached prefix.

A grammar cannot force an end-of-generation token (`<|im_end|>`): llama.cpp admits one only
where the grammar is complete, so a grammar that names one fails (500, "Unexpected empty
grammar stack"). Continuations are therefore forced in runs between such tokens, and each
such token alone, with no grammar and a large `logit_bias` on it: the bias moves the
sampler, not the raw logits the row is read from. The server's end-of-generation token comes
from `GET /props` (`eos_token`); a run that fails as above holds one it did not name, and is
then forced a token at a time, the token the server stops at (`stop_type: eos`) being learnt.
A token that ends inside a UTF-8 character comes back without its row (the server holds it
until the character is whole); such a token is given the mean of the rest of its
continuation, and the scorer counts how often that happened. A server whose grammar cannot
name token ids (llama.cpp builds from before they could) is refused once, in one line.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import openai

from ..errors import Cancelled, EngineError
from .base import CancelToken, ChatMessage

FORCE_BIAS = 1000.0  # on the one token an unconstrained step must take


class _UnnamedEndOfGeneration(Exception):
    """A forced run held an end-of-generation token not yet known (see the docstring)."""


def forced_grammar(tokens: list[int]) -> str:
    return "root ::= " + " ".join(f"<[{t}]>" for t in tokens)


def _forcing(prompt: list[int], n: int, **force: object) -> dict[str, Any]:
    """A /completion body generating `n` tokens after `prompt` as `force` dictates, each
    token's log-probability read from the raw logits."""
    return {
        "prompt": prompt,
        "n_predict": n,
        **force,
        "n_probs": 1,
        "post_sampling_probs": False,
        "temperature": 0.0,
        "cache_prompt": True,
        "return_tokens": True,
        "stream": False,
    }


def _rows(reply: object) -> list[tuple[int, float]]:
    """(token id, log-probability) of each row of a /completion reply's probabilities."""
    rows = reply.get("completion_probabilities") if isinstance(reply, dict) else None
    out = []
    for row in rows if isinstance(rows, list) else []:
        tid = row.get("id") if isinstance(row, dict) else None
        lp = row.get("logprob") if isinstance(row, dict) else None
        if isinstance(tid, int) and isinstance(lp, int | float) and not isinstance(lp, bool):
            out.append((tid, float(lp)))
    return out


class ForcedScoring:
    """The llama-server half of RemoteScorer: ids and continuation log-probabilities."""

    def __init__(
        self,
        client: openai.OpenAI,
        root: str,
        lack: Callable[[str], EngineError],
        fail: Callable[[Exception], EngineError],
        server: str,
    ) -> None:
        self._client = client
        self._root = root
        self._lack = lack
        self._fail = fail
        self._server = server
        self.filled = 0  # tokens whose row the server held back (see the module docstring)
        self._eog: set[int] | None = None  # end-of-generation ids, once asked
        self._eog_lock = threading.Lock()  # the pool's threads ask for the ids at once

    def _post(self, path: str, body: dict[str, Any]) -> object:
        try:
            return self._client.post(f"{self._root}{path}", body=body, cast_to=object)
        except (openai.OpenAIError, ValueError, TypeError) as e:  # ValueError: not JSON
            raise self._fail(e) from None

    def prompt_tokens(self, messages: list[ChatMessage]) -> list[int] | None:
        """The ids llama-server's model reads for `messages`; None where the server has no
        /apply-template (it is not llama-server)."""
        try:
            rendered = self._client.post(
                f"{self._root}/apply-template", body={"messages": messages}, cast_to=object
            )
        except (openai.NotFoundError, openai.BadRequestError, openai.UnprocessableEntityError):
            return None
        except (openai.OpenAIError, ValueError, TypeError) as e:
            raise self._fail(e) from None
        prompt = rendered.get("prompt") if isinstance(rendered, dict) else None
        if not isinstance(prompt, str) or not prompt:
            return None
        body = {"content": prompt, "add_special": False, "parse_special": True}
        reply = self._post("/tokenize", body)
        tokens = reply.get("tokens") if isinstance(reply, dict) else None
        if not isinstance(tokens, list) or not tokens:
            return None
        if not all(isinstance(t, int) and not isinstance(t, bool) and t >= 0 for t in tokens):
            return None
        return [int(t) for t in tokens]

    def _eog_ids(self) -> set[int]:
        """The server's end-of-generation ids as far as known: its `eos_token`, asked once."""
        with self._eog_lock:
            if self._eog is None:
                self._eog = self._asked_eog()
            return self._eog

    def _asked_eog(self) -> set[int]:
        try:
            props = self._client.get(f"{self._root}/props", cast_to=object)
        except (openai.OpenAIError, ValueError, TypeError):
            return set()  # no /props: the ids are learnt where a run fails
        eos = props.get("eos_token") if isinstance(props, dict) else None
        if not isinstance(eos, str) or not eos:
            return set()
        body = {"content": eos, "add_special": False, "parse_special": True}
        reply = self._post("/tokenize", body)
        tokens = reply.get("tokens") if isinstance(reply, dict) else None
        if isinstance(tokens, list) and len(tokens) == 1 and isinstance(tokens[0], int):
            return {tokens[0]}
        return set()

    def logprobs(
        self, prefix: list[int], cont: list[int], cancel: CancelToken | None
    ) -> list[float]:
        """log P of each token of `cont` after `prefix` and the tokens before it."""
        eog = self._eog_ids()
        got: list[float | None] = []
        while len(got) < len(cont):
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            at = len(got)
            prompt = prefix + cont[:at]
            if cont[at] in eog:
                got.append(self._single(prompt, cont[at])[0])
                continue
            end = next((i for i in range(at, len(cont)) if cont[i] in eog), len(cont))
            try:
                got += self._segment(prompt, cont[at:end])
            except _UnnamedEndOfGeneration:
                got += self._one_by_one(prompt, cont[at:end], cancel)
        known = [v for v in got if v is not None]
        if not known:
            raise EngineError(
                f"{self._server} sent no log-probabilities for the tokens it was given.",
                "Check the server's version.",
            )
        mean = sum(known) / len(known)
        self.filled += len(got) - len(known)
        return [mean if v is None else v for v in got]

    def _one_by_one(
        self, prompt: list[int], run: list[int], cancel: CancelToken | None
    ) -> list[float | None]:
        """Forces `run` a token at a time up to the end-of-generation token it holds, which
        is learnt; the caller forces the rest in runs again."""
        out: list[float | None] = []
        for t in run:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            value, stopped = self._single(prompt + run[: len(out)], t)
            out.append(value)
            if stopped:
                self._eog_ids().add(t)
                break
        return out

    def _single(self, prompt: list[int], token: int) -> tuple[float | None, bool]:
        """One token forced by a logit bias (the way an end-of-generation token is): its
        value, and whether the server stopped there (it is an end-of-generation token)."""
        body = _forcing(prompt, 1, logit_bias=[[token, FORCE_BIAS]])
        reply = self._post("/completion", body)
        tokens = reply.get("tokens") if isinstance(reply, dict) else None
        if tokens != [token]:
            raise self._lack("it did not generate the token its logit bias forced")
        stopped = isinstance(reply, dict) and reply.get("stop_type") == "eos"
        return self._values(reply, [token])[0], stopped

    def _segment(self, prompt: list[int], rest: list[int]) -> list[float | None]:
        """Forces `rest` after `prompt`; the values of the tokens generated before the
        server stopped (all of `rest`, or up to an end-of-generation token), None for a
        token whose row it held back."""
        body = _forcing(prompt, len(rest), grammar=forced_grammar(rest))
        try:
            reply = self._client.post(f"{self._root}/completion", body=body, cast_to=object)
        except openai.InternalServerError as e:
            if "grammar stack" in f"{e} {e.body}".lower():
                raise _UnnamedEndOfGeneration() from None
            raise self._fail(e) from None
        except (openai.BadRequestError, openai.UnprocessableEntityError) as e:
            if "grammar" in f"{e} {e.body}".lower():
                raise self._lack(
                    "its grammar cannot force token ids (update llama-server)"
                ) from None
            raise self._fail(e) from None
        except openai.NotFoundError:
            raise self._lack("it has no /completion") from None
        except (openai.OpenAIError, ValueError, TypeError) as e:
            raise self._fail(e) from None
        tokens = reply.get("tokens") if isinstance(reply, dict) else None
        if not isinstance(tokens, list) or not tokens or tokens != rest[: len(tokens)]:
            raise self._lack("it did not generate the tokens its grammar forced")
        return self._values(reply, tokens)

    def _values(self, reply: object, tokens: list[int]) -> list[float | None]:
        """Each generated token's log-probability; None where its row was held back."""
        rows = _rows(reply)
        out: list[float | None] = []
        for t in tokens:  # rows follow the tokens; a held-back token has none
            if rows and rows[0][0] == t:
                lp = rows.pop(0)[1]
                if not (math.isfinite(lp) and lp <= 1e-3):
                    raise EngineError(
                        f"{self._server} sent log-probabilities PersonaCo cannot read.",
                        "Check the server's version.",
                    )
                out.append(min(lp, 0.0))
            else:
                out.append(None)
        return out
