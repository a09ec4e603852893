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
