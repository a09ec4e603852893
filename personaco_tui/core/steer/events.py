"""What steering did while a turn ran, as events (issue 13): text forced into a candidate,
a body closed at a limit, an SMC resampling round (which particles were dropped, whose
copies took their slots, and why). An engine reports each as `Progress("steer")` while it
samples (never per token); the turn keeps a capped list in Generation.steering["events"];
the live view, the why view and `personaco ask` show them.

Candidates are numbered from 0 here, as everywhere in the core; `text` numbers them from 1,
as the screens do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .controller import Act

# Events a stored generation keeps (the first ones; the rest are counted): the routine
# opening and ending are not kept, Generation.steering["forced"] lists them per candidate.
STORED_EVENTS = 40


@dataclass(frozen=True)
class Replacement:
    """One slot of a resampling round: the particle there was dropped for a copy of another."""

    slot: int  # the candidate whose particle was dropped
    source: int  # the candidate copied into its slot
    why: str  # what held the dropped particle back ("has 12, wants at least 40 words")
    weight: float  # its share of the round's total weight
    source_weight: float

    def to_json(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "source": self.source,
            "why": self.why,
            "weight": round(self.weight, 4),
            "source_weight": round(self.source_weight, 4),
        }


@dataclass(frozen=True)
class SteerEvent:
    kind: str  # "forced" | "closed" | "resample"
    at: int  # tokens into the answer (a resampling round: decoding steps)
    text: str  # one line for people
    candidate: int = -1  # forced, closed: the candidate
    forced: str = ""  # the text forced
    why: str = ""
    routine: bool = False  # the plan's own opening or ending, written as planned
    ess: float = 0.0  # a resampling round: the effective sample size that set it off
    particles: int = 0  # ... of this many particles taking part
    replaced: tuple[Replacement, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "at": self.at, "text": self.text}
        if self.kind == "resample":
            out.update(
                ess=round(self.ess, 3),
                particles=self.particles,
                replaced=[r.to_json() for r in self.replaced],
            )
        else:
            out.update(candidate=self.candidate, why=self.why)
            if self.kind == "forced":
                out["forced"] = self.forced
        return out


def shown(text: str, width: int = 24) -> str:
    """Forced text as one short quoted piece ("⏎" for a line break)."""
    flat = text.replace("\n", "⏎")
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


def act_event(candidate: int, act: Act) -> SteerEvent:
    """A controller's act on one candidate, as an event."""
    who = f"#{candidate + 1} at token {act.at}"
    if act.what == "closed":
        text = f"{who}: closed early at {act.why}"
    else:
        text = f"{who}: wrote {shown(act.text)} ({act.why})"
    return SteerEvent(
        act.what, act.at, text, candidate, act.text if act.what == "forced" else "", act.why,
        act.routine,
    )  # fmt: skip


def held_back(shortfall: str, mass: float) -> str:
    """Why a particle weighed little: the limits it misses (`Controller.shortfall`) and
    `mass`, the share of probability the masks left it since the last round."""
    parts = [shortfall] if shortfall else []
    if mass < 0.5:
        parts.append(f"masks cut its probability to {mass:.2g}")
    return "; ".join(parts)


def resample_event(
    at: int,
    weights: dict[int, float],
    reasons: dict[int, str],
    slots: dict[int, int],
) -> SteerEvent:
    """A resampling round at step `at` over the particles `weights` (candidate: weight, not
    normalised): `slots` maps each dropped particle's slot to the candidate copied into it;
    `reasons` says what held each dropped one back."""
    total = sum(weights.values()) or 1.0
    share = {s: w / total for s, w in weights.items()}
    ess = 1.0 / sum(x * x for x in share.values()) if share else 0.0
    n = len(weights)
    replaced = tuple(
        Replacement(dst, src, reasons.get(dst, ""), share[dst], share[src])
        for dst, src in sorted(slots.items())
    )
    parts = [
        f"#{r.slot + 1} ({r.why or 'lower weight'}, weight {r.weight:.2f}) -> copy of "
        f"#{r.source + 1} ({r.source_weight:.2f})"
        for r in replaced
    ]
    head = f"resampled at token {at}: ESS {ess:.1f} of {n} fell under {n / 2:g}"
    text = head + ("; " + "; ".join(parts) if parts else "; every particle kept")
    return SteerEvent("resample", at, text, ess=ess, particles=n, replaced=replaced)


def stored(events: Sequence[SteerEvent]) -> tuple[list[dict[str, Any]], int]:
    """The events a generation keeps (routine ones left out, at most STORED_EVENTS), and how
    many more there were."""
    kept = [e for e in events if not e.routine]
    return [e.to_json() for e in kept[:STORED_EVENTS]], max(len(kept) - STORED_EVENTS, 0)
