"""Adherence benchmark: how often the pick satisfies the signals, judged by the independent
IFEval checkers of the `if-verifiable` package (never by the project's own rules).

For each item (seed = its position): one baseline sample with the paper's prompt, then k
candidates; every candidate is scored by the checkers once, and each pick (every reflector,
a seeded random candidate, the best-of-k oracle) is read off that table, so all picks are
compared on the very same candidates."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.personaco import choose
from ..core.prompts import personalization_prompt
from ..core.reflectors.base import ReflectionInput, Reflector
from ..engines.base import Engine, SamplingParams
from ..errors import PersonacoError
from ..evaluation.ifeval import Checkers  # the checkers, shared with the verifiable judge

__all__ = ["AdherenceReport", "Checkers", "DevItem", "load_dev_set", "run_adherence"]


@dataclass
class DevItem:
    id: str
    query: str
    signals: list[str]
    checks: list[dict[str, Any]]


def load_dev_set(path: Path) -> list[DevItem]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise PersonacoError(f"Cannot read {path}: {e.strerror}.", "Pass --dev-set PATH.") from None
    items = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            items.append(DevItem(str(d["id"]), d["query"], list(d["signals"]), list(d["checks"])))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise PersonacoError(f"{path}:{n} is not a dev-set line ({e}).") from None
    return items


@dataclass
class PickScore:
    satisfied: int = 0
    wins: int = 0  # per (item, signal): the pick satisfies it and the baseline does not
    losses: int = 0
    ties: int = 0


@dataclass
class AdherenceReport:
    model: str
    k: int
    max_tokens: int
    items: int
    signals: int
    picks: dict[str, PickScore] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        adh = {name: round(p.satisfied / self.signals, 3) for name, p in self.picks.items()}
        out: dict[str, Any] = {
            "model": self.model,
            "k": self.k,
            "max_tokens": self.max_tokens,
            "items": self.items,
            "signals": self.signals,
            "adherence": adh,
            "vs_baseline": {
                name: {"wins": p.wins, "losses": p.losses, "ties": p.ties}
                for name, p in self.picks.items()
                if name != "baseline"
            },
            "seconds": round(self.seconds, 1),
        }
        if adh.get("oracle"):
            out["of_oracle"] = {
                n: round(a / adh["oracle"], 2) for n, a in adh.items() if n not in ("oracle",)
            }
        return out


def run_adherence(
    engine: Engine,
    items: list[DevItem],
    reflectors: dict[str, Reflector],
    *,
    k: int = 8,
    max_tokens: int = 192,
    temperature: float = 1.0,
    checkers: Checkers | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> AdherenceReport:
    checkers = checkers or Checkers()
    names = ["baseline", *reflectors, "random", "oracle"]
    report = AdherenceReport(
        engine.name,
        k,
        max_tokens,
        len(items),
        sum(len(i.signals) for i in items),
        {n: PickScore() for n in names},
    )
    t0 = time.perf_counter()
    for seed, item in enumerate(items):
        messages = [{"role": "user", "content": personalization_prompt(item.query, item.signals)}]
        params = SamplingParams(temperature=temperature, max_tokens=max_tokens, seed=seed)
        base = engine.sample(messages, 1, params)[0].text
        outs = engine.sample(messages, k, params)
        cands = [o.text for o in outs]
        finished = [o.finish_reason != "length" for o in outs]  # as the product's pick does
        truth = [[checkers.passed(c, chk) for chk in item.checks] for c in cands]
        base_truth = [checkers.passed(base, chk) for chk in item.checks]
        picks: dict[str, list[bool]] = {"baseline": base_truth}
        inp = ReflectionInput(messages, item.query, cands, item.signals)
        for name, reflector in reflectors.items():
            best, _ = choose(reflector.score(inp), k, finished=finished, texts=cands)
            picks[name] = truth[best]
        picks["random"] = truth[random.Random(seed).randrange(k)]
        picks["oracle"] = max(truth, key=sum)
        for name, row in picks.items():
            score = report.picks[name]
            score.satisfied += sum(row)
            for got, had in zip(row, base_truth, strict=True):
                if got and not had:
                    score.wins += 1
                elif had and not got:
                    score.losses += 1
                else:
                    score.ties += 1
        log(
            f"[{seed + 1}/{len(items)}] {item.id}: "
            + " ".join(f"{n}={sum(r)}/{len(r)}" for n, r in picks.items())
        )
    report.seconds = time.perf_counter() - t0
    return report
