"""Measure sampling settings: which temperature / top-p / min-p / top-k a model should use.

A measurement script, not part of the product: it calls the shared judges (the `answer`
regexes and IFEval checks of guard_dev.jsonl, implicit/checks.py) to score, and the product
only reads the values chosen from its figures (models/*.toml, the [sampling] table).

For every setting of the grid and every query: 8 candidates in one batched call, the paper's
prompt, plain sampling (no steering), 192 new tokens, seed 0 (the same seeds for every
setting, so settings are compared on paired draws). Per query it records

  guard_dev (each item twice): the plain query with no signals (`plain_correct`: share of
      candidates matching `answer`), and the paper's prompt with the signals
      (`sig_correct`; `sig_adh`: share of (candidate, signal) pairs the IFEval checkers pass;
      `sig_oracle`: whether any candidate passes every signal);
  implicit/dev: `imp_adh` (mean over candidates of the share of checks passed: the
      random-candidate adherence) and `imp_oracle` (any candidate passes them all);
  and for every call `length` (share of candidates cut at max_tokens: rambling) and `tokens`.

Results are cached per setting in the --out folder (one JSON each), so a grid can be run in
pieces and reported later with --report. Intervals: 95% percentile bootstrap over queries
(2000 resamples), and the paired difference to the first setting of the grid.

    PERSONACO_MODEL_N_THREADS=1 .venv/bin/python scripts/sampling_grid.py \
        --out /tmp/samp --settings paper,t0.7,t0.5,t0.7-minp0.1
    .venv/bin/python scripts/sampling_grid.py --out /tmp/samp --report
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from personaco_tui.benchmarks.adherence import DevItem, SetJudge, load_dev_set
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.engines.base import Engine, SamplingParams
from personaco_tui.runtime import Runtime

EVAL = Path("/work/shared/eval")


@dataclass(frozen=True)
class Setting:
    name: str
    temperature: float
    top_p: float
    min_p: float
    top_k: int


# name -> (temperature, top_p, min_p, top_k). "today" is the engine's fixed chain before
# per-model settings; "paper" is temperature 1.0 with plain sampling (no truncation).
GRID: dict[str, tuple[float, float, float, int]] = {
    "today": (1.0, 0.95, 0.05, 40),
    "paper": (1.0, 1.0, 0.0, 0),
    "t0.7": (0.7, 0.95, 0.05, 40),
    "t0.5": (0.5, 0.95, 0.05, 40),
    "t0.3": (0.3, 0.95, 0.05, 40),
    "t0.7-minp0.1": (0.7, 1.0, 0.1, 40),
    "t1.0-minp0.1": (1.0, 1.0, 0.1, 40),
    "t1.0-minp0.2": (1.0, 1.0, 0.2, 40),
    "t0.7-topp0.9": (0.7, 0.9, 0.0, 40),
    "t0.5-minp0.1": (0.5, 1.0, 0.1, 40),
}


def parse_setting(text: str) -> Setting:
    """A grid name, or name=T,top_p,min_p,top_k."""
    if text in GRID:
        return Setting(text, *GRID[text])
    name, eq, values = text.partition("=")
    parts = values.split(",")
    if not eq or len(parts) != 4:
        known = ", ".join(GRID)
        sys.exit(f"error: unknown setting {text!r}; use one of {known} or NAME=T,P,MINP,K")
    try:
        return Setting(name, float(parts[0]), float(parts[1]), float(parts[2]), int(parts[3]))
    except ValueError:
        sys.exit(f"error: setting {text!r} has a value that is not a number")


def _params(s: Setting, max_tokens: int, seed: int) -> SamplingParams:
    return SamplingParams(
        temperature=s.temperature,
        max_tokens=max_tokens,
        seed=seed,
        top_k=s.top_k,
        top_p=s.top_p,
        min_p=s.min_p,
    )


def _sample(engine: Engine, prompt: str, k: int, params: SamplingParams) -> tuple[list[str], dict]:
    outs = engine.sample([{"role": "user", "content": prompt}], k, params)
    texts = [o.text for o in outs]
    stats = {
        "length": sum(o.finish_reason == "length" for o in outs) / len(outs),
        "tokens": sum(o.n_tokens for o in outs) / len(outs),
    }
    return texts, stats


def measure(
    engine: Engine,
    setting: Setting,
    guard: list[DevItem],
    implicit: list[DevItem],
    judge: SetJudge,
    *,
    k: int,
    max_tokens: int,
    seed: int,
) -> dict[str, Any]:
    params = _params(setting, max_tokens, seed)
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for item in guard:
        assert item.answer is not None
        plain, st_plain = _sample(engine, item.query, k, params)
        texts, st_sig = _sample(engine, personalization_prompt(item.query, item.signals), k, params)
        truth = [[judge.passed(t, c) for c in item.checks] for t in texts]
        rows.append(
            {
                "set": "guard",
                "id": item.id,
                "plain_correct": _share(bool(re.search(item.answer, t, re.I)) for t in plain),
                "sig_correct": _share(bool(re.search(item.answer, t, re.I)) for t in texts),
                "sig_adh": _share(v for row in truth for v in row),
                "sig_oracle": float(any(all(row) for row in truth)),
                "length": (st_plain["length"] + st_sig["length"]) / 2,
                "tokens": (st_plain["tokens"] + st_sig["tokens"]) / 2,
                "samples": {"plain": plain[:2], "signals": texts[:2]},
            }
        )
        print(f"  {setting.name} {item.id}: {_brief(rows[-1])}", flush=True)
    for item in implicit:
        texts, st = _sample(engine, personalization_prompt(item.query, item.signals), k, params)
        truth = [[judge.passed(t, c) for c in item.checks] for t in texts]
        rows.append(
            {
                "set": "implicit",
                "id": item.id,
                "imp_adh": sum(sum(r) / len(r) for r in truth) / len(truth),
                "imp_oracle": float(any(all(r) for r in truth)),
                **st,
                "samples": {"signals": texts[:2]},
            }
        )
        print(f"  {setting.name} {item.id}: {_brief(rows[-1])}", flush=True)
    return {
        "setting": setting.__dict__,
        "model": engine.name,
        "k": k,
        "max_tokens": max_tokens,
        "seed": seed,
        "seconds": round(time.perf_counter() - t0, 1),
        "rows": rows,
    }


def _share(values: Any) -> float:
    v = list(values)
    return sum(v) / len(v) if v else 0.0


def _brief(row: dict[str, Any]) -> str:
    return " ".join(f"{k}={v:.2f}" for k, v in row.items() if isinstance(v, float))


METRICS = [
    ("plain_correct", "guard", "correct, plain query (no signals), per candidate"),
    ("sig_correct", "guard", "correct, with the signals, per candidate"),
    ("sig_adh", "guard", "IFEval adherence, with the signals, per candidate"),
    ("sig_oracle", "guard", "any candidate passes all signals"),
    ("imp_adh", "implicit", "persona adherence, random candidate"),
    ("imp_oracle", "implicit", "persona oracle (any candidate fits)"),
    ("length", None, "share of candidates cut at max_tokens"),
]


def _boot(values: list[float], n: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    rng = random.Random(seed)
    mean = sum(values) / len(values)
    means = sorted(
        sum(values[rng.randrange(len(values))] for _ in values) / len(values) for _ in range(n)
    )
    return mean, means[int(0.025 * n)], means[int(0.975 * n) - 1]


def _values(result: dict[str, Any], metric: str, subset: str | None) -> dict[str, float]:
    return {
        f"{r['set']}:{r['id']}": r[metric]
        for r in result["rows"]
        if metric in r and (subset is None or r["set"] == subset)
    }


def report(outs: list[Path], names: list[str] | None) -> None:
    results: dict[str, dict[str, Any]] = {}
    for out in outs:
        for p in sorted(out.glob("*.json")):
            res = json.loads(p.read_text())
            if p.stem in results:  # another part of the same setting's queries
                results[p.stem]["rows"] += res["rows"]
                results[p.stem]["seconds"] = round(results[p.stem]["seconds"] + res["seconds"], 1)
            else:
                results[p.stem] = res
    if names:
        results = {n: results[n] for n in names if n in results}
    if not results:
        sys.exit(f"error: no results in {', '.join(map(str, outs))}; run some settings first")
    ref_name = next(iter(results))
    ref = results[ref_name]
    n = len(ref["rows"])
    print(f"model {ref['model']}, k={ref['k']}, {ref['max_tokens']} tokens, seed {ref['seed']}")
    print(f"{n} queries (guard_dev twice: plain and with signals, implicit/dev once)")
    print("mean [95% bootstrap over queries]; d = paired difference to " + ref_name)
    for metric, subset, what in METRICS:
        print(f"\n{metric}: {what}")
        base = _values(ref, metric, subset)
        for name, res in results.items():
            s = res["setting"]
            vals = _values(res, metric, subset)
            m, lo, hi = _boot(list(vals.values()))
            line = (
                f"  {name:14s} T={s['temperature']:<4} top_p={s['top_p']:<4} min_p={s['min_p']:<4} "
                f"top_k={s['top_k']:<3} {m:.3f} [{lo:.3f}, {hi:.3f}]"
            )
            if name != ref_name:
                keys = [k for k in vals if k in base]
                dm, dlo, dhi = _boot([vals[k] - base[k] for k in keys])
                line += f"  d={dm:+.3f} [{dlo:+.3f}, {dhi:+.3f}]"
            print(line)
    print("\nseconds per setting: " + ", ".join(f"{n} {r['seconds']}" for n, r in results.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out", type=Path, action="append", required=True,
        help="folder of per-setting results; --report merges several (e.g. two halves)",
    )  # fmt: skip
    ap.add_argument("--settings", default="today,t0.7,t0.5,t0.7-minp0.1")
    ap.add_argument("--report", action="store_true", help="only print the table of --out")
    ap.add_argument("--model", default=None, help="a model name (default: the configured one)")
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=192)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="first N queries of each set (smoke)")
    ap.add_argument("--every", type=int, default=1, help="every Nth query of each set (1: all)")
    ap.add_argument("--offset", type=int, default=0, help="with --every: start at this query")
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    args = ap.parse_args()
    names = [n for n in args.settings.split(",") if n]
    if args.report:
        report(args.out, [parse_setting(n).name for n in names] if names else None)
        return
    settings = [parse_setting(n) for n in names]
    guard = load_dev_set(args.eval_dir / "guard_dev.jsonl")
    implicit = load_dev_set(args.eval_dir / "implicit" / "dev.jsonl")
    guard, implicit = guard[args.offset :: args.every], implicit[args.offset :: args.every]
    if args.limit:
        guard, implicit = guard[: args.limit], implicit[: args.limit]
    judge = SetJudge(guard + implicit, args.eval_dir / "implicit" / "checks.py")
    if len(args.out) != 1:
        sys.exit("error: give one --out folder to measure into (several only with --report)")
    out = args.out[0]
    out.mkdir(parents=True, exist_ok=True)
    rt = Runtime.open()
    try:
        engine = rt.load_engine(args.model)
        print(f"{engine.name} ({rt.weights_note})", flush=True)
        for s in settings:
            path = out / f"{s.name}.json"
            if path.exists():
                print(f"{s.name}: cached in {path}", flush=True)
                continue
            res = measure(
                engine, s, guard, implicit, judge, k=args.k, max_tokens=args.max_tokens,
                seed=args.seed,
            )  # fmt: skip
            path.write_text(json.dumps(res, indent=1, ensure_ascii=False))
            print(f"{s.name}: {res['seconds']} s -> {path}", flush=True)
    finally:
        rt.close()
    report([out], [s.name for s in settings])


if __name__ == "__main__":
    main()
