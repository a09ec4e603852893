"""Persona contrast against plain sampling (issue 17), in one run: for every item of a set
with persona checks (e.g. the shared implicit/dev.jsonl), the same seed, each arm samples
its candidates in turn (arms interleaved per item, so a busy machine slows all alike):
plain sampling with k and with `wide_k` answers (about the time a contrastive turn of k
takes: 2k sequences), and contrastive decoding at each alpha with k answers.

Per arm: the fit rate (satisfied checks over all checks of all candidates, i.e. a random
candidate's adherence), the oracle (the best candidate per item), and the sampling wall
time; with 95% bootstrap intervals over items, and for the fit rate also of the paired
difference to plain k. Candidates are judged by the checks file the user names (an
independent judge, never the product's reflectors); nothing is reflected or picked here.

    python -m personaco_tui.benchmarks.contrast --set ../shared/eval/implicit/dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.prompts import personalization_prompt
from ..core.steer.contrast import plan_contrast
from ..engines.base import ChatMessage, Engine, SamplingParams
from .adherence import DevItem, SetJudge, load_dev_set


@dataclass
class Arm:
    name: str
    k: int
    alpha: float | None = None  # None: plain sampling
    fit: list[tuple[int, int]] = field(default_factory=list)  # per item: (passes, checks)
    oracle: list[tuple[int, int]] = field(default_factory=list)  # per item: (best, checks)
    seconds: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)


def bootstrap(
    values: np.ndarray, weights: np.ndarray, reps: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """(ratio of sums, 2.5%, 97.5%) of sum(values) / sum(weights), resampling items."""
    rng = np.random.default_rng(seed)
    n = len(values)
    idx = rng.integers(0, n, size=(reps, n))
    sw = weights[idx].sum(axis=1)
    stats = values[idx].sum(axis=1) / np.where(sw > 0, sw, 1)
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return float(values.sum() / max(weights.sum(), 1)), float(lo), float(hi)


def _sample_arm(
    engine: Engine, arm: Arm, item: DevItem, judge: SetJudge, params: SamplingParams
) -> list[str]:
    messages: list[ChatMessage] = [
        {"role": "user", "content": personalization_prompt(item.query, item.signals)}
    ]
    extra: dict[str, Any] = {}
    if arm.alpha is not None:
        prompt_len = len(engine.prompt_tokens(messages))
        contrast, _ = plan_contrast(
            engine,
            item.query,
            item.signals,
            None,
            "contrast",
            arm.alpha,
            arm.k,
            params.max_tokens,
            prompt_len,
        )
        if contrast is not None:
            extra["contrast"] = contrast
    t0 = time.perf_counter()
    outs = engine.sample(messages, arm.k, params, **extra)
    arm.seconds.append(time.perf_counter() - t0)
    arm.tokens.append(sum(o.n_tokens for o in outs))
    texts = [o.text for o in outs]
    truth = [[judge.passed(t, c) for c in item.checks] for t in texts]
    n = len(item.checks)
    arm.fit.append((sum(map(sum, truth)), n * len(texts)))
    arm.oracle.append((max(map(sum, truth)), n))
    return texts


def report(arms: list[Arm]) -> dict[str, Any]:
    base = arms[0]
    bf = np.array([p for p, _ in base.fit], float)
    bw = np.array([w for _, w in base.fit], float)
    base_time = sum(base.seconds)
    out: dict[str, Any] = {}
    for arm in arms:
        f = np.array([p for p, _ in arm.fit], float)
        w = np.array([w for _, w in arm.fit], float)
        o = np.array([p for p, _ in arm.oracle], float)
        ow = np.array([w for _, w in arm.oracle], float)
        # paired: per item, this arm's fit rate minus the base arm's
        diff = f / np.maximum(w, 1) - bf / np.maximum(bw, 1)
        d = bootstrap(diff, np.ones_like(diff))
        out[arm.name] = {
            "k": arm.k,
            "alpha": arm.alpha,
            "fit": [round(x, 3) for x in bootstrap(f, w)],
            "fit_minus_base": [round(x, 3) for x in d],
            "oracle": [round(x, 3) for x in bootstrap(o, ow)],
            "seconds": round(sum(arm.seconds), 1),
            "time_ratio": round(sum(arm.seconds) / base_time, 2) if base_time else None,
            "tokens": sum(arm.tokens),
        }
    return out


def table(rep: dict[str, Any]) -> str:
    lines = [
        "| arm | k | fit rate (95% CI) | Δ fit vs plain k (95% CI) | oracle (95% CI) "
        "| sampling s | time ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in rep.items():
        f, d, o = r["fit"], r["fit_minus_base"], r["oracle"]
        lines.append(
            f"| {name} | {r['k']} | {f[0]:.3f} ({f[1]:.3f}–{f[2]:.3f}) | {d[0]:+.3f} "
            f"({d[1]:+.3f}–{d[2]:+.3f}) | {o[0]:.3f} ({o[1]:.3f}–{o[2]:.3f}) | "
            f"{r['seconds']:.0f} | {r['time_ratio']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, required=True)
    ap.add_argument("--checks", type=Path, default=None)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument(
        "--wide-k", type=int, default=16, help="plain arm at about equal time (0: none)"
    )
    ap.add_argument("--alphas", default="0.5,1.0,2.0")
    ap.add_argument("--max-tokens", type=int, default=192)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", type=Path, default=None, help="write the candidates as JSONL")
    a = ap.parse_args(argv)
    from ..runtime import Runtime

    items = load_dev_set(a.set)[: a.limit]
    checks = a.checks or (a.set.parent / "checks.py")
    judge = SetJudge(items, checks if checks.is_file() else None)
    arms = [Arm(f"plain k={a.k}", a.k)]
    if a.wide_k:
        arms.append(Arm(f"plain k={a.wide_k}", a.wide_k))
    arms += [Arm(f"contrast α={x} k={a.k}", a.k, float(x)) for x in a.alphas.split(",") if x]
    rt = Runtime.open()
    engine = rt.load_engine(a.model)
    params = SamplingParams(max_tokens=a.max_tokens, seed=a.seed)
    sink = a.out.open("w", encoding="utf-8") if a.out else None
    for n, item in enumerate(items, start=1):
        line = []
        for arm in arms:
            texts = _sample_arm(engine, arm, item, judge, params)
            p, w = arm.fit[-1]
            line.append(f"{arm.name}={p}/{w} {arm.seconds[-1]:.0f}s")
            if sink is not None:
                sink.write(json.dumps({"id": item.id, "arm": arm.name, "candidates": texts}) + "\n")
        print(f"[{n}/{len(items)}] {item.id}: " + " · ".join(line), file=sys.stderr, flush=True)
    rt.close()
    rep = report(arms)
    print(json.dumps(rep, ensure_ascii=False))
    print(table(rep))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
