"""The product's nouns, shared by the engine, the store and the front ends."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Signal:
    """One personalization signal of a profile, e.g. "no bullet lists"."""

    id: int
    profile_id: int
    text: str
    enabled: bool = True
    weight: float | None = None
    position: int = 0
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Conversation:
    id: int
    profile_id: int | None
    title: str
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    role: str  # "system" | "user" | "assistant"
    content: str
    generation_id: int | None = None
    created_at: str = ""


@dataclass
class Candidate:
    """One sampled answer."""

    index: int
    text: str
    n_tokens: int = 0
    finish_reason: str = ""  # "stop" | "length" | "cancelled"
    score: float | None = None  # row score used by the chooser


@dataclass
class ReflectionCell:
    """How well candidate `candidate` satisfies signal `signal`: P(yes) in [0, 1], or None
    when the reflector could not tell (handed on to another reflector)."""

    candidate: int
    signal: int
    score: float | None
    reflector: str
    raw: str = ""


@dataclass
class GenerationSettingsUsed:
    method: str  # "baseline" | "personaco"
    model: str
    k: int
    temperature: float
    seed: int | None
    max_tokens: int
    reflector: str | None = None


@dataclass
class Generation:
    """A finished run: the settings, the candidates, the matrix, the pick and its timings."""

    settings: GenerationSettingsUsed
    query: str
    signals: list[str]
    prompt: str
    candidates: list[Candidate] = field(default_factory=list)
    cells: list[ReflectionCell] = field(default_factory=list)
    chosen_index: int = 0
    early_stopped: bool = False
    status: str = "done"
    prompt_tokens: int | None = None
    sample_s: float | None = None
    reflect_s: float | None = None
    total_s: float | None = None
    id: int | None = None

    @property
    def response(self) -> str:
        return self.candidates[self.chosen_index].text if self.candidates else ""

    def matrix(self) -> list[list[float | None]]:
        """k x |signals| scores, row per candidate, column per signal."""
        grid: list[list[float | None]] = [[None] * len(self.signals) for _ in self.candidates]
        for c in self.cells:
            grid[c.candidate][c.signal] = c.score
        return grid
