"""How fast a signal is explained, and how well phrasings are read.

    python -m personaco_tui.benchmarks.explain [--phrasings FILE.jsonl] [--repeats N]

Speed: the cold start (the first call in a process: the classifier loaded from its cache, or
trained and cached when there is none) and the warm per-call time of `explain` on distinct
signals, so no result comes from the in-process memo. Quality, with --phrasings: recall and
false positives on a JSONL file of {"signal": ..., "expect": IFEval id or null}.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ..core.signals import classifier, understand
from ..core.signals.corpus import source_fingerprint
from ..evaluation.signal_explain import explain, measure, read_phrasings

_SIGNALS = [
    "Keep your reply under {n} words.",
    "I'm a {n}-year-old pilot who likes bullet points in slides.",
    "End with the phrase 'See you in {n} days'.",
    "Use exactly {n} bullet points.",
    "Never use the word 'tidy{n}'.",
    "Commas irritate me, {n} times over: leave them out.",
]


def run(repeats: int = 200) -> dict[str, float]:
    cached = classifier.cache_path(source_fingerprint()).is_file()
    t0 = time.perf_counter()
    explain("Please avoid commas.")
    cold = time.perf_counter() - t0
    times = []
    for i in range(repeats):
        text = _SIGNALS[i % len(_SIGNALS)].format(n=i + 2)
        t = time.perf_counter()
        explain(text)
        times.append(time.perf_counter() - t)
    return {
        "cold_start_s": cold,
        "cold_start_from_cache": float(cached),
        "warm_median_ms": statistics.median(times) * 1000,
        "warm_p95_ms": sorted(times)[int(len(times) * 0.95) - 1] * 1000,
        "calls": float(repeats),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m personaco_tui.benchmarks.explain")
    ap.add_argument("--phrasings", type=Path, help="JSONL of {signal, expect} to measure")
    ap.add_argument("--repeats", type=int, default=200)
    args = ap.parse_args(argv)
    r = run(args.repeats)
    how = "loaded from the cache" if r["cold_start_from_cache"] else "trained and cached"
    print(f"cold start: {r['cold_start_s']:.2f} s (classifier {how})")
    print(
        f"explain: median {r['warm_median_ms']:.1f} ms, p95 {r['warm_p95_ms']:.1f} ms "
        f"over {int(r['calls'])} distinct signals"
    )
    if args.phrasings:
        m = measure(read_phrasings(args.phrasings))
        print(f"{args.phrasings}: {m.summary()}")
        for s in m.misses:
            print(f"  missed: {s}")
        for s in m.wrong:
            print(f"  false positive: {s} -> {understand(s).kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
