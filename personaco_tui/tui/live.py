"""What the chat shows while a turn runs: each candidate growing, what steering did to them
(a line per event under the candidates, the latest few, and a marker on a candidate that
was resampled or closed), then the reflection cells filling in, with the elapsed time. Pure
functions of the progress so far (easy to test)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.steer import SteerEvent
from ..core.steer.events import shown
from ..engines.base import Progress

_BAR = 20
STEER_LINES = 4  # steering lines kept under the candidates, the latest ones


@dataclass
class LiveTurn:
    method: str
    k: int
    started: float
    texts: dict[int, str] = field(default_factory=dict)
    tokens: dict[int, int] = field(default_factory=dict)
    phase: str = "loading"
    done: int = 0
    total: int = 0

    # steering, latest last: (what, why) -> the candidates it happened to, and the event
    steer: dict[tuple[str, str], tuple[list[int], SteerEvent]] = field(default_factory=dict)
    marks: dict[int, str] = field(default_factory=dict)  # per candidate: "↻ from #5 ⏹ closed"

    def add(self, candidate: int, text: str, n_tokens: int) -> None:
        self.texts[candidate] = self.texts.get(candidate, "") + text
        self.tokens[candidate] = max(self.tokens.get(candidate, 0), n_tokens)

    def at_phase(self, phase: str, done: int, total: int) -> None:
        self.phase, self.done, self.total = phase, done, total

    def steered(self, ev: SteerEvent) -> None:
        """Steering acted. A resampled slot now holds a copy of its source's text, so the
        candidates' texts are copied too; the same forced text or close on several
        candidates is one line."""
        if ev.kind == "resample":
            copies = {r.slot: r.source for r in ev.replaced}
            texts, tokens = dict(self.texts), dict(self.tokens)
            for slot, src in copies.items():
                self.texts[slot], self.tokens[slot] = texts.get(src, ""), tokens.get(src, 0)
                self.marks[slot] = f"↻ from #{src + 1}"
            self.steer[("resample", str(ev.at))] = ([], ev)
        else:
            if ev.kind == "closed":
                self.marks[ev.candidate] = f"{self.marks.get(ev.candidate, '')} ⏹ closed".lstrip()
            key = (ev.kind + ev.forced, ev.why)
            who, _ = self.steer.pop(key, ([], ev))
            self.steer[key] = ([*who, ev.candidate], ev)
        while len(self.steer) > STEER_LINES:
            self.steer.pop(next(iter(self.steer)))

    def steer_lines(self) -> list[str]:
        out = []
        for who, ev in self.steer.values():
            cands = ", ".join(f"#{c + 1}" for c in sorted(who))
            if ev.kind == "resample":
                out.append(f"↻ {ev.text}")
            elif ev.kind == "closed":
                out.append(f"⏹ {cands}: closed early at {ev.why}")
            else:
                out.append(f"✎ {cands}: wrote {shown(ev.forced)} ({ev.why})")
        return out


def bar(done: int, total: int, width: int = _BAR) -> str:
    if total <= 0:
        return ""
    filled = round(width * min(done, total) / total)
    return "█" * filled + "░" * (width - filled)


def _tail(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return ("…" + flat[-width:]) if len(flat) > width else flat


def _md(text: str) -> str:
    """Text shown as itself, not as Markdown emphasis or code."""
    return text.replace("*", "\\*").replace("`", "\\`").replace("_", "\\_")


def live_markdown(turn: LiveTurn, now: float) -> str:
    """Markdown for the live block. Baseline streams its one answer as it will appear;
    PersonaCo shows a line per candidate (tokens so far and the latest words), then a bar of
    reflection cells scored."""
    elapsed = f"*{now - turn.started:.1f}s*"
    if turn.method == "baseline":
        return f"{turn.texts.get(0, '') or '…'}\n\n{elapsed}"
    lines = []
    for i in range(turn.k):
        text = turn.texts.get(i)
        mark = f" {turn.marks[i]}" if i in turn.marks else ""
        if text is None:
            lines.append(f"- **{i + 1}**{mark} …")
        else:
            lines.append(f"- **{i + 1}**{mark} ({turn.tokens.get(i, 0)} tok) {_md(_tail(text))}")
    steering = turn.steer_lines()
    if steering:
        lines += ["", "*Steering:*", *(f"- {_md(line)}" for line in steering)]
    head = f"**Sampling {turn.k} candidates**"
    if turn.phase == "reflecting":
        head = (
            f"**Reflecting** `{bar(turn.done, turn.total)}` {turn.done}/{turn.total} cells "
            f"(candidate × signal)"
        )
    return "\n".join([head, "", *lines, "", elapsed])


class ProgressBatcher:
    """Turns the engine's progress events (one per token) into a few calls a second:
    `on_tokens({candidate: (tokens so far, new text)})` at most every `flush_s`, and
    `on_phase(phase, done, total)` as phases change, and `on_steer(event)` when steering
    acts (after the tokens before it, so a copied candidate's text is up to date). Runs on
    the worker's thread."""

    def __init__(
        self,
        on_tokens: Callable[[dict[int, tuple[int, str]]], object],
        on_phase: Callable[[str, int, int], object],
        flush_s: float,
        on_steer: Callable[[SteerEvent], object] | None = None,
    ) -> None:
        self._on_tokens, self._on_phase, self._flush_s = on_tokens, on_phase, flush_s
        self._on_steer = on_steer
        self._pending: dict[int, list[str]] = {}
        self._counts: dict[int, int] = {}
        self._last = time.monotonic()

    def flush(self) -> None:
        if self._pending:
            counts = self._counts
            self._on_tokens({c: (counts.get(c, 0), "".join(ps)) for c, ps in self._pending.items()})
        self._pending.clear()
        self._last = time.monotonic()

    def __call__(self, p: Progress) -> None:
        if p.kind == "token":
            self._pending.setdefault(p.candidate, []).append(p.text)
            self._counts[p.candidate] = p.n_tokens
            if time.monotonic() - self._last >= self._flush_s:
                self.flush()
        elif p.kind == "phase":
            self.flush()
            self._on_phase(p.text, 0, p.total)
        elif p.kind == "reflect":
            self._on_phase("reflecting", p.done, p.total)
        elif p.kind == "steer" and p.steer is not None and self._on_steer is not None:
            self.flush()
            self._on_steer(p.steer)
