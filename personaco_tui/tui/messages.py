"""Typed messages from workers to the UI."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..chat import TurnResult
from ..core.steer import SteerEvent
from ..engines.base import Engine


@dataclass
class EngineLoaded(Message):
    engine: Engine


@dataclass
class EngineFailed(Message):
    error: str


@dataclass
class TokensArrived(Message):
    """New text of the running turn's candidates: {candidate: (tokens so far, new text)}."""

    pieces: dict[int, tuple[int, str]]


@dataclass
class PhaseChanged(Message):
    phase: str
    done: int = 0
    total: int = 0


@dataclass
class SteerActed(Message):
    """Steering acted in the running turn: text forced, an answer closed, a resampling."""

    event: SteerEvent


@dataclass
class TurnFinished(Message):
    result: TurnResult


@dataclass
class TurnFailed(Message):
    error: str
    query: str
