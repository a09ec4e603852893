"""Correctness of a persona pick: `tests/data/persona_guard.jsonl` holds 30 factual questions,
each with one persona fact and an `answer` regex. Personalizing for a fact about the person
must not cost the answer.

    personaco generate --input tests/data/persona_guard.jsonl --output pg.jsonl
        --k 8 --max-tokens 192 --seed 0
    python scripts/persona_guard.py tests/data/persona_guard.jsonl pg.jsonl [PLAIN.jsonl]

PLAIN.jsonl: the same questions with "signals": [] and `--method baseline`. Prints the
correctness of the pick, of a random candidate (the mean over the k), of the best of the k
and of the plain answer."""

from __future__ import annotations

import json
import re
import sys


def _load(path: str) -> dict[str, dict]:
    with open(path, encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, f) if d}


def main(argv: list[str]) -> None:
    items, picks = _load(argv[0]), _load(argv[1])
    plain = _load(argv[2]) if len(argv) > 2 else {}
    pick = rnd = best = pl = 0.0
    for key, item in items.items():
        ok = re.compile(item["answer"], re.I).search
        gen = picks[key]
        cands = gen["candidates"]
        pick += bool(ok(gen["response"]))
        rnd += sum(bool(ok(c)) for c in cands) / len(cands)
        best += any(ok(c) for c in cands)
        if key in plain:
            pl += bool(ok(plain[key]["response"]))
    n = len(items)
    out = {"pick": pick / n, "random": rnd / n, "oracle": best / n}
    if plain:
        out["plain"] = pl / n
    print(json.dumps({k: round(v, 3) for k, v in out.items()}))


if __name__ == "__main__":
    main(sys.argv[1:])
