"""`auto`: the rules decide every signal they can check; writing-sample signals are scored by
closeness of style (the `style` reflector); the remaining cells go to a model reflector
(another model when one is configured, else the generating model's `persona` scoring, which
falls back to its self-reflection where the engine cannot score text)."""

from __future__ import annotations

from dataclasses import replace

from ...engines.base import CancelToken, TurnProgressFn
from ..types import ReflectionCell
from .base import ReflectionInput, Reflector
from .rules import RulesReflector
from .style import StyleReflector, sample_of


class AutoReflector:
    name = "auto"

    def __init__(self, fallback: Reflector | None, rules: RulesReflector | None = None) -> None:
        self.rules = rules or RulesReflector()
        self.style = StyleReflector()
        self.fallback = fallback

    def score(
        self,
        inp: ReflectionInput,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[ReflectionCell]:
        cells = self.rules.score(inp, cancel=cancel)
        if any(sample_of(s) is not None for s in inp.signals):
            styled = {(c.candidate, c.signal): c for c in self.style.score(inp)}
            cells = [
                styled[(c.candidate, c.signal)] if sample_of(inp.signals[c.signal]) else c
                for c in cells
            ]
        open_signals = sorted({c.signal for c in cells if c.score is None})
        if not open_signals or self.fallback is None:
            return cells
        # the model sees only the signals the rules could not check
        sub = replace(inp, signals=[inp.signals[j] for j in open_signals])
        model_cells = self.fallback.score(sub, on_progress=on_progress, cancel=cancel)
        by_pos = {(c.candidate, open_signals[c.signal]): c for c in model_cells}
        out = []
        for c in cells:
            m = by_pos.get((c.candidate, c.signal))
            if c.score is None and m is not None:
                out.append(ReflectionCell(c.candidate, c.signal, m.score, m.reflector, m.raw))
            else:
                out.append(c)
        return out
