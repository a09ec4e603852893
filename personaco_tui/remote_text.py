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
- `http_client` is the HTTP client both roles hand to the openai client: httpx's timeout is
  per read, so a server that drips one byte a second never trips it; this one also ends a
  request at a wall-clock deadline, and stops reading a reply past a size cap, so a hostile
  server can neither hang a run nor fill memory and the database.
- `clip` cuts a remote text to what is worth storing, saying how much there was.

It imports neither the UI nor the store, so engines/ and evaluation/ can both use it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx2
import openai

from .errors import PersonacoError
from .secrets import redact_all, secrets_to_redact

_SURROGATE = re.compile("[\ud800-\udfff]")
_STATUS_PREFIX = re.compile(r"^Error code: \d+ - ")  # the client's own; the status is said once
MAX_DETAIL = 200
STORED_CAP = 64 * 1024  # bytes of a remote text kept in the database (a verdict is a letter)
CUT_AT = "personaco.cut_at"  # response extension: bytes read when the reply was cut

E = TypeVar("E", bound=PersonacoError)


def clean(text: str, keys: list[str] | None = None) -> str:
    """`text` from a server, storable (no lone surrogates) and without any known key; `keys`
    defaults to every secret known now."""
    return redact_all(_SURROGATE.sub("\ufffd", text), keys)


def size_words(n: int) -> str:
    """`n` bytes as a person reads it: "30.0 MB", "64.0 kB", "12 bytes"."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


def clip(text: str, limit: int = STORED_CAP, total: int | None = None) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, with the cut said at the end; `total` is
    the full size in bytes where more was sent than `text` holds (a reply cut on the wire)."""
    data = text.encode("utf-8", "surrogatepass")
    size = max(len(data), total or 0)
    if size <= limit and total is None:
        return text
    note = f" \u2026 [cut: {size_words(size)} in all]"
    room = max(0, limit - len(note.encode()))
    head = data[:room].decode("utf-8", "ignore")  # never half a character
    return head + note


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
    if isinstance(e, openai.APITimeoutError | httpx2.TimeoutException):
        return role.error(f"{server} did not answer within {timeout_s:g} s.", role.timeout_todo)
    if isinstance(e, openai.APIConnectionError | httpx2.TransportError):
        where = server[0].lower() + server[1:]
        return role.error(f"Could not reach {where}.", "Check that it runs and the URL is right.")
    if isinstance(e, openai.APIStatusError):
        said = _STATUS_PREFIX.sub("", " ".join(str(e.message).split()))
        keys = secrets_to_redact() + ([key] if key else [])
        detail = clean(said, sorted(set(keys), key=len, reverse=True))[:MAX_DETAIL]
        return role.error(f"{server} answered {e.status_code}: {detail}.")
    return role.error(f"{server} sent a reply PersonaCo cannot read ({type(e).__name__}).")


# -- the wire ------------------------------------------------------------------------------


def _late(request: httpx2.Request) -> openai.APITimeoutError:
    # the openai client's own error, which it raises as it is: a server that took the whole
    # deadline once would take it again, so a retry would only multiply the wait
    return openai.APITimeoutError(request=request)


class _Bounded(httpx2.SyncByteStream):
    """A reply body read under a deadline and a size cap. Past the deadline it raises the
    openai client's timeout error; past the cap it stops, as if the body ended there, and
    notes where in the response's extensions."""

    def __init__(
        self, request: httpx2.Request, response: httpx2.Response, deadline: float, max_bytes: int
    ) -> None:
        self._request = request
        self._inner = response.stream
        self._response = response
        self._deadline = deadline
        self._max = max_bytes

    def __iter__(self) -> Iterator[bytes]:
        assert isinstance(self._inner, httpx2.SyncByteStream)
        n = 0
        for chunk in self._inner:
            if time.monotonic() > self._deadline:
                raise _late(self._request)
            if n + len(chunk) > self._max:
                yield chunk[: self._max - n]
                self._response.extensions[CUT_AT] = self._max
                return
            n += len(chunk)
            yield chunk

    def close(self) -> None:
        assert isinstance(self._inner, httpx2.SyncByteStream)
        self._inner.close()


class _Deadlines(httpx2.BaseTransport):
    def __init__(self, timeout_s: float, max_bytes: int) -> None:
        self._inner = httpx2.HTTPTransport()
        self._timeout_s = timeout_s
        self._max = max_bytes

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        deadline = time.monotonic() + self._timeout_s
        # the cap counts bytes on the wire: a compressed reply could still unpack to gigabytes
        request.headers["Accept-Encoding"] = "identity"
        response = self._inner.handle_request(request)
        if time.monotonic() > deadline:
            response.close()
            raise _late(request)
        response.stream = _Bounded(request, response, deadline, self._max)
        return response

    def close(self) -> None:
        self._inner.close()


def http_client(timeout_s: float, max_bytes: int) -> httpx2.Client:
    """The HTTP client for one remote role: each request ends `timeout_s` after it was sent
    (not retried: see `_late`), and a reply is read to `max_bytes` at most. The wait for the
    status line and headers is still httpx's per-read timeout."""
    return openai.DefaultHttpxClient(
        transport=_Deadlines(timeout_s, max_bytes), timeout=httpx2.Timeout(timeout_s)
    )


def cut_at(response: httpx2.Response) -> int | None:
    """Where `response`'s body was cut by the size cap, or None if it was read whole."""
    at = response.extensions.get(CUT_AT)
    return at if isinstance(at, int) else None
