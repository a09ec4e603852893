"""Whether what an OpenAI-compatible server sent back really is a chat completion.

The openai client builds its reply objects without checking them, so a 200 whose JSON is of
another shape (`{"choices": "nope"}`, `{"choices": []}`, `[1, 2, 3]`, a message whose
content is null) comes through as an object whose fields are whatever was sent. These
checks say in a few words what is wrong (`NotACompletion`), so each remote role (the
generator in engines/openai_compat.py, the judge in evaluation/judge.py) can fail the request in one
line instead of reading it as an empty answer. A proper chat completion whose text is empty
is still a chat completion: what that text means is for the caller to judge.

They take the openai client's objects and plain parsed JSON alike.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import openai

from .remote_text import clean

_SSE_START = (b"data:", b"event:", b"id:", b"retry:", b":")


class NotACompletion(ValueError):
    """The reply is not an OpenAI chat completion; the message says why, in a few words."""


def _object(x: object) -> bool:
    return isinstance(x, dict | openai.BaseModel)


def field(obj: object, name: str) -> Any:
    """`obj[name]` of parsed JSON, or `obj.name` of the client's objects; None if absent."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None) if isinstance(obj, openai.BaseModel) else None


def _kind(x: object) -> str:
    if isinstance(x, list):
        return "a JSON list"
    if x is None:
        return "JSON null"
    if isinstance(x, bool):
        return "a JSON boolean"
    if isinstance(x, int | float):
        return "a JSON number"
    if isinstance(x, str):
        return "text"
    return type(x).__name__


def _choices(reply: object) -> list[Any]:
    if not _object(reply):
        raise NotACompletion(f"it is {_kind(reply)}, not a JSON object")
    choices = field(reply, "choices")
    if choices is None:
        raise NotACompletion("it has no choices")
    if not isinstance(choices, list):
        raise NotACompletion(f"its choices are {_kind(choices)}, not a list")
    return choices


def completion_choice(reply: object) -> tuple[Any, str]:
    """The first choice of a (non-streamed) chat completion and its message's text."""
    choices = _choices(reply)
    if not choices:
        raise NotACompletion("its list of choices is empty")
    choice = choices[0]
    if not _object(choice):
        raise NotACompletion(f"its first choice is {_kind(choice)}, not an object")
    message = field(choice, "message")
    if not _object(message):
        raise NotACompletion("its first choice has no message")
    content = field(message, "content")
    if content is None:
        raise NotACompletion("its first choice's message has no text (content is null)")
    if not isinstance(content, str):
        raise NotACompletion(f"its first choice's message content is {_kind(content)}, not text")
    return choice, content


def chunk_piece(chunk: object) -> tuple[str, str | None] | None:
    """The text and finish reason of a streamed chunk's first choice; None for a chunk with
    no choices (a usage chunk)."""
    choices = _choices(chunk)
    if not choices:
        return None
    choice = choices[0]
    if not _object(choice):
        raise NotACompletion(f"a chunk's first choice is {_kind(choice)}, not an object")
    delta = field(choice, "delta")
    if delta is not None and not _object(delta):
        raise NotACompletion(f"a chunk's delta is {_kind(delta)}, not an object")
    content = field(delta, "content") if delta is not None else None
    if content is not None and not isinstance(content, str):
        raise NotACompletion(f"a chunk's content is {_kind(content)}, not text")
    finish = field(choice, "finish_reason")
    if finish is not None and not isinstance(finish, str):
        raise NotACompletion(f"a chunk's finish_reason is {_kind(finish)}, not text")
    return content or "", finish


def whole_reply(response: httpx2.Response) -> object | None:
    """For an answer asked for as a stream: None where `response` is a stream of events (as
    asked), else its body read and parsed as JSON (a server that does not stream); a body
    that is not JSON at all is a NotACompletion."""
    kind = response.headers.get("Content-Type", "")
    if "text/event-stream" in kind.lower():
        return None
    body = response.read()  # bounded by the client's cap; the stream re-reads it if events
    if body.lstrip().startswith(_SSE_START):
        return None  # events under another Content-Type
    if not body.strip():
        raise NotACompletion("its body is empty")
    try:
        parsed: object = json.loads(body)
    except ValueError:
        said = "".join(c for c in clean(kind.split(";")[0].strip()) if c.isprintable())
        if said.lower().endswith("json"):
            raise NotACompletion("its body is not valid JSON") from None
        raise NotACompletion(f"it is {said[:60] or 'a body without a type'}, not JSON") from None
    return parsed
