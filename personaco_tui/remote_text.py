"""What comes back from an OpenAI-compatible server, made safe before PersonaCo keeps it.

Both remote roles, the generator (engines/openai_compat.py) and the external judge
(evaluation/judge.py), go through here, so they clean text and describe failures the same way:

- `clean` turns a lone surrogate (a server can send half an emoji as a JSON escape) into
  U+FFFD, so the text can be stored and exported, and cuts out every configured API key: a
  careless or hostile server may echo the request's Authorization header in its reply, and
  that reply is stored, logged and exported.
- `StreamCleaner` does the same for a streamed answer, holding back just enough of the tail
  that a key split across chunks is never shown or passed on in pieces.
- `remote_error` maps the openai client's exceptions to one-line PersonaCo errors.

It imports neither the UI nor the store, so engines/ and evaluation/ can both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

import openai

from .errors import PersonacoError
from .secrets import redact_all, secrets_to_redact

_SURROGATE = re.compile("[\ud800-\udfff]")
_STATUS_PREFIX = re.compile(r"^Error code: \d+ - ")  # the client's own; the status is said once
MAX_DETAIL = 200

E = TypeVar("E", bound=PersonacoError)


def clean(text: str, keys: list[str] | None = None) -> str:
    """`text` from a server, storable (no lone surrogates) and without any known key; `keys`
    defaults to every secret known now."""
    return redact_all(_SURROGATE.sub("\ufffd", text), keys)


class StreamCleaner:
    """Cleans a streamed answer piece by piece. What `feed` returns is final: the raw tail
    that could still be the start of a key is held back until the next piece or `finish`."""

    def __init__(self, keys: list[str] | None = None) -> None:
        self._keys = secrets_to_redact() if keys is None else keys
        self._hold = max((len(k) for k in self._keys), default=1) - 1
        self._pending = ""

    def feed(self, piece: str) -> str:
        self._pending += _SURROGATE.sub("\ufffd", piece)
        cut = len(self._pending) - self._hold
        if cut <= 0:
            return ""
        moved = True
        while moved:  # never cut inside a whole key already received
            moved = False
            for key in self._keys:
                start = self._pending.find(key, max(0, cut - len(key) + 1))
                if 0 <= start < cut < start + len(key):
                    cut, moved = start, True
        out, self._pending = self._pending[:cut], self._pending[cut:]
        return redact_all(out, self._keys)

    def finish(self) -> str:
        out, self._pending = self._pending, ""
        return redact_all(out, self._keys)


@dataclass(frozen=True)
class RemoteRole(Generic[E]):
    """How one remote role words its failures: `server` starts each sentence ("The judge
    server at URL"); `error` and `auth_error` are the classes raised."""

    server: str
    error: type[E]
    auth_error: type[E]
    auth_todo: str
    timeout_todo: str


def remote_error(
    e: Exception, role: RemoteRole[E], *, timeout_s: float, key: str | None = None
) -> E:
    """A one-line error for a failed request; the server's own words are cleaned of every
    key (`key`, the one just sent, included) and cut short."""
    server = role.server
    if isinstance(e, openai.AuthenticationError):
        return role.auth_error(f"{server} refused the API key (401).", role.auth_todo)
    if isinstance(e, openai.APITimeoutError):
        return role.error(f"{server} did not answer within {timeout_s:g} s.", role.timeout_todo)
    if isinstance(e, openai.APIConnectionError):
        where = server[0].lower() + server[1:]
        return role.error(f"Could not reach {where}.", "Check that it runs and the URL is right.")
    if isinstance(e, openai.APIStatusError):
        said = _STATUS_PREFIX.sub("", " ".join(str(e.message).split()))
        keys = secrets_to_redact() + ([key] if key else [])
        detail = clean(said, sorted(set(keys), key=len, reverse=True))[:MAX_DETAIL]
        return role.error(f"{server} answered {e.status_code}: {detail}.")
    return role.error(f"{server} sent a reply PersonaCo cannot read ({type(e).__name__}).")
