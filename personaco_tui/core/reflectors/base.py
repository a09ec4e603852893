from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ...engines.base import CancelToken, ChatMessage, TurnProgressFn
from ..types import ReflectionCell


@dataclass
class ReflectionInput:
    """What a reflector sees: the conversation that produced the candidates (ending with the
    personalization prompt), the query alone, the candidates and the signals."""

    messages: list[ChatMessage]
    query: str
    candidates: list[str]
    signals: list[str]


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
