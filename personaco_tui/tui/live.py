"""What the chat shows while a turn runs: each candidate growing, then the reflection cells
filling in, with the elapsed time. Pure functions of the progress so far (easy to test)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..engines.base import Progress

_BAR = 20


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

    def add(self, candidate: int, text: str, n_tokens: int) -> None:
        self.texts[candidate] = self.texts.get(candidate, "") + text
        self.tokens[candidate] = max(self.tokens.get(candidate, 0), n_tokens)


def bar(done: int, total: int, width: int = _BAR) -> str:
    if total <= 0:
        return ""
    filled = round(width * min(done, total) / total)
    return "█" * filled + "░" * (width - filled)


def _tail(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return ("…" + flat[-width:]) if len(flat) > width else flat


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
        if text is None:
            lines.append(f"- **{i + 1}** …")
        else:
            tail = _tail(text).replace("*", "\\*").replace("`", "\\`").replace("_", "\\_")
            lines.append(f"- **{i + 1}** ({turn.tokens.get(i, 0)} tok) {tail}")
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
    `on_phase(phase, done, total)` as phases change. Runs on the worker's thread."""

    def __init__(
        self,
        on_tokens: Callable[[dict[int, tuple[int, str]]], object],
        on_phase: Callable[[str, int, int], object],
        flush_s: float,
    ) -> None:
        self._on_tokens, self._on_phase, self._flush_s = on_tokens, on_phase, flush_s
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
