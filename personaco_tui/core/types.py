"""The product's nouns, shared by the engine, the store and the front ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The reading kind that means "no check: the model judges this signal".
MODEL_READING = "model"
# The reading kind of a writing sample: params {"text": the user's own text}; no rule checks
# it, the style reflector scores answers by closeness to the sample's style.
SAMPLE_READING = "writing_sample"


@dataclass(frozen=True)
class Reading:
    """The user's correction of how a signal is read: one check kind with its parameters
    (validated against core.signals.kinds), or kind "model" for "judge by the model".
    Params are (name, value) pairs, sorted, so a Reading is hashable and compares by value."""

    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def by_model(self) -> bool:
        return self.kind == MODEL_READING

    @property
    def sample(self) -> str | None:
        """The writing sample this reading holds, or None for any other reading."""
        if self.kind != SAMPLE_READING:
            return None
        text = dict(self.params).get("text")
        return text if isinstance(text, str) else None

    def param_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.params}

    def to_json(self) -> dict[str, Any]:
        """The stored form: {"kind": ..., "params": {...}}, or {"kind": "model"}."""
        if self.by_model:
            return {"kind": MODEL_READING}
        return {"kind": self.kind, "params": self.param_dict()}

    @classmethod
    def from_json(cls, data: Any) -> Reading:
        """The stored form back, checked for shape only (core.signals.kinds checks the kind
        and its parameters where the reading is used). Raises ValueError."""
        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            raise ValueError('a reading must be {"kind": ..., "params": {...}}')
        params = data.get("params") or {}
        if not isinstance(params, dict):
            raise ValueError("a reading's params must be an object")
        pairs = ((str(k), tuple(v) if isinstance(v, list) else v) for k, v in params.items())
        return cls(data["kind"], tuple(sorted(pairs)))


class SignalText(str):
    """A signal's text that carries the user's reading along (None: read automatically).

    Turns take `signals: list[str]`; this lets a corrected reading travel through every one of
    them (the pick, early stop, the verifiable judge) without changing their signatures. It is
    still the plain text everywhere text is used: prompts, JSON, equality."""

    reading: Reading | None

    def __new__(cls, text: str, reading: Reading | None = None) -> SignalText:
        obj = super().__new__(cls, text)
        obj.reading = reading
        return obj


def reading_of(signal: object) -> Reading | None:
    """The reading a signal text carries, or None for a plain `str`."""
    return getattr(signal, "reading", None) if isinstance(signal, SignalText) else None


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
    reading: Reading | None = None  # the user's correction; None: read automatically

    @property
    def as_text(self) -> SignalText:
        """The text to hand to a turn, carrying the reading."""
        return SignalText(self.text, self.reading)


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
    # The truncation sampled with (core/sampling.py); None in a generation stored before
    # these were recorded (it sampled with top-p 0.95, min-p 0.05, top-k 40).
    top_p: float | None = None
    min_p: float | None = None
    top_k: int | None = None


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
    # What the learned preference model did in the pick (None: not used): the number of
    # choices it was fitted on, the pick without it, whether it changed the pick, and each
    # candidate's learned utility.
    learning: dict[str, Any] | None = None
    # What steering did (core/steer, issue 13); None for a run without a steering decision
    # (the baseline, or a generation stored before steering existed). Keys: "enabled",
    # "engine" (the engine's steering support, "" for none), "signals" (per signal
    # {signal, kind, how, note}), "conflicts" (messages), "resamples" (SMC rounds),
    # "forced" (per candidate, the texts forced), "closed_early" (per candidate, why the
    # body was closed before the model ended it), "events" (what steering did as it ran, in
    # order: forced text, early closes, resampling rounds with the slots replaced and why;
    # SteerEvent.to_json, the plan's routine opening and ending left out, at most
    # core/steer/events.STORED_EVENTS) with "events_left_out" (how many more), "note"
    # (where the engine could not steer), "anchor" (the plain answer sampled first, when
    # there was one), "addresses" (per candidate, how well it addresses the question, in
    # [0, 1]: the persona pick's helpfulness term, core/helpfulness.py; generations before it
    # measured closeness to the anchor) with "pmi" (the log-likelihood gain it ranks) and
    # "addresses_after_wishes" (the wishes the question was read after, when there were any),
    # "persona" (persona contrast, when
    # generation.persona_steer is not off: "mode", "alpha", "facts", "applied", "sequences"
    # (2k when applied), "note" (why not applied); core/steer/contrast.py).
    steering: dict[str, Any] | None = None

    @property
    def response(self) -> str:
        return self.candidates[self.chosen_index].text if self.candidates else ""

    def matrix(self) -> list[list[float | None]]:
        """k x |signals| scores, row per candidate, column per signal."""
        grid: list[list[float | None]] = [[None] * len(self.signals) for _ in self.candidates]
        for c in self.cells:
            grid[c.candidate][c.signal] = c.score
        return grid


@dataclass(frozen=True)
class Suggestion:
    """A signal the app proposes for a profile; added only when the user accepts it."""

    id: int
    profile_id: int
    text: str
    source: str  # "message" | "behaviour"
    evidence: str = ""
    message_id: int | None = None
    status: str = "open"  # "open" | "accepted" | "dismissed"
    signal_id: int | None = None
    created_at: str = ""
