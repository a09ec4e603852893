from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ...engines.base import CancelToken, ChatMessage, TurnProgressFn
from ..types import ReflectionCell

if TYPE_CHECKING:
    from ..helpfulness import AnswerReadings


@dataclass
class ReflectionInput:
    """What a reflector sees: the conversation that produced the candidates (ending with the
    personalization prompt), the query alone, the candidates and the signals; `readings`, the
    turn's readings of the candidates already taken (core/helpfulness.py), where a reflector
    on the same engine may reuse them."""

    messages: list[ChatMessage]
    query: str
    candidates: list[str]
    signals: list[str]
    readings: AnswerReadings | None = None


class Reflector(Protocol):
    name: str

    def score(
        self,
        inp: ReflectionInput,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[ReflectionCell]:
        """One cell per (candidate, signal); `score` None means "cannot tell"."""
        ...


def split_continuation(full: list[int], short: list[int]) -> tuple[list[int], list[int]]:
    """`full` is a conversation ending with a user turn "LEAD SENTENCE", `short` the same
    ending with "LEAD": the tokens before the sentence, and the sentence's own tokens (what
    lies between the common prefix and the common tail of turn markers)."""
    n = 0
    while n < min(len(full), len(short)) and full[n] == short[n]:
        n += 1
    m = 0
    while m < min(len(full), len(short)) - n and full[-1 - m] == short[-1 - m]:
        m += 1
    return full[:n], full[n : len(full) - m]
