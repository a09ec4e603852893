"""`personaco bench --memory`: does a long chat session grow memory without bound?

Runs N PersonaCo turns in one conversation exactly as the TUI does (`chat.ask` with a
`Runtime`, each turn in a fresh worker thread with a progress callback and a cancel token,
the profile's signals applied, the turn stored) and samples the process's resident memory
after each turn. The turns go to a throwaway home, never into the user's history.

What to read: `slope_mb_per_turn` over the last turns (the first ones include one-off
allocations: caches, the first KV use, SQLite's page cache filling). Near zero means flat;
a steady positive slope is a leak, or history that grows with the conversation.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import psutil

from .. import chat
from ..core.types import Generation
from ..engines.base import CancelToken, Engine, Progress
from ..runtime import Runtime
from ..store import profiles as P

QUERIES = [
    "What is a p-value?",
    "Name three uses of copper.",
    "How do tides work?",
    "Suggest a name for a grey cat.",
    "Why is the sky blue?",
    "What should I cook tonight?",
    "Explain recursion to a child.",
]
SIGNALS = [
    "Keep it under 40 words.",  # checked by rules
    "Never use commas.",  # checked by rules
    "I have a PhD in biology.",  # not checkable: the model reflects on it
]
SLOPE_TURNS = 25


def rss_mb() -> tuple[float, str]:
    """The resident set size now, in MB, and where it was read: psutil's `rss` (VmRSS on
    Linux, the task's resident size on macOS, the working set on Windows), which can fall
    as well as grow, so a flat line means no leak."""
    return psutil.Process().memory_info().rss / (1024 * 1024), "rss"


def slope(values: list[float]) -> float:
    """Least-squares slope of `values` against their index (0 for fewer than two)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


@dataclass
class MemoryReport:
    model: str
    turns: int
    k: int
    max_tokens: int
    source: str
    loaded_mb: float
    samples_mb: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        s = self.samples_mb
        tail = s[-SLOPE_TURNS:]
        return {
            "benchmark": "memory",
            "model": self.model,
            "turns": self.turns,
            "k": self.k,
            "max_tokens": self.max_tokens,
            "signals": len(SIGNALS),
            "rss_source": self.source,
            "loaded_mb": round(self.loaded_mb, 1),
            "start_mb": round(s[0], 1),
            "end_mb": round(s[-1], 1),
            "max_mb": round(max(s), 1),
            "growth_mb": round(s[-1] - s[0], 1),
            "slope_turns": len(tail),
            "slope_mb_per_turn": round(slope(tail), 3),
            "seconds": round(self.seconds, 1),
            "rss_mb": [round(x, 1) for x in s],
        }


def _in_worker(fn: Callable[[], chat.TurnResult | Generation]) -> chat.TurnResult:
    """Run one turn in a new thread, as a Textual thread worker does."""
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["result"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller
            out["error"] = e

    t = threading.Thread(target=run, name="bench-turn")
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    result = out["result"]
    if not isinstance(result, chat.TurnResult):
        raise TypeError("a stored turn was expected")  # save=True always stores the turn
    return result


def run_memory(
    engine: Engine,
    *,
    turns: int = 50,
    k: int = 4,
    max_tokens: int = 16,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> MemoryReport:
    """`turns` PersonaCo turns in one conversation with `engine`, RSS after each."""
    with tempfile.TemporaryDirectory(prefix="personaco-memory-") as home:
        rt = Runtime.open(home, engine=engine)  # the engine is shared, never closed here
        try:
            profile = P.create_profile(rt.store, "bench").id
            for text in SIGNALS:
                P.add_signal(rt.store, profile, text)
            loaded, source = rss_mb()
            report = MemoryReport(engine.name, turns, k, max_tokens, source, loaded)
            tokens = [0]

            def on_progress(p: Progress) -> None:  # the TUI batches these; counting will do
                if p.kind == "token":
                    tokens[0] += 1

            conversation: int | None = None
            t0 = time.perf_counter()
            for i in range(turns):
                query = QUERIES[i % len(QUERIES)]
                result = _in_worker(
                    partial(
                        chat.ask,
                        rt,
                        query,
                        profile_id=profile,
                        conversation_id=conversation,
                        on_progress=on_progress,
                        cancel=CancelToken(),
                        method="personaco",
                        k=k,
                        max_tokens=max_tokens,
                        seed=seed + i,
                    )
                )
                conversation = result.conversation_id
                mb, _ = rss_mb()
                report.samples_mb.append(mb)
                if log is not None:
                    log(f"turn {i + 1}/{turns}: RSS {mb:.1f} MB")
            report.seconds = time.perf_counter() - t0
            return report
        finally:
            rt.close()
