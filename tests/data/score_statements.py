"""Precision and recall of the self-statement detector on a JSONL set of
{"message": ..., "expect": [signal texts]}; prints each miss and false positive.

.venv/bin/python tests/data/score_statements.py tests/data/self_statements_heldout.jsonl
"""

from __future__ import annotations

import json
import sys

from personaco_tui.core.signals.statements import propose


def main(path: str) -> None:
    tp = fp = fn = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            got = [p.text for p in propose(item["message"])]
            g = {x.casefold() for x in got}
            e = {x.casefold() for x in item["expect"]}
            tp, fp, fn = tp + len(g & e), fp + len(g - e), fn + len(e - g)
            if g != e:
                kind = "MISS" if e - g else "FP  "
                print(f"{kind} {item['message']} | got {got} | expected {item['expect']}")
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    print(f"tp={tp} fp={fp} fn={fn} precision={p:.3f} recall={r:.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
