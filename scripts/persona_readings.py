"""More readings for signals no rule checks, measured on the stored candidates of a
`personaco generate` output (a persona or wish set: every signal one that `auto` scores as
`persona`, a fact such as "I'm vegetarian." or a wish such as "Use a cooking analogy.").
Writes one output per way, for `score.py` (the matrix holds the way's cells, so its AUC is
theirs):

- `now` (the product): the stored persona cells; the helpfulness term after the question
  alone against after "Write something." (core/helpfulness.py);
- `tokens`: beside the stored cells, a token-level contrast per fact: the three lowest
  per-token gains of an answer read after "FACT QUESTION" over after the question alone (a
  fact should make what breaks it unlikely: "chicken" after "I'm vegetarian."), compared
  across the k answers as the persona cells are;
- `sum`: beside the stored cells, the answer's whole log-likelihood after "SIGNAL QUESTION"
  over after the question alone (how much the signal raises the answer; for wishes such as
  "Use a cooking analogy." the answer that follows it), compared across the k answers;
- `facts`: the stored cells, and the helpfulness term with the facts in both readings
  ("FACTS QUESTION" against "FACTS Write something."), so what the facts themselves make
  likely (Android steps for "I have an Android phone.", meat after "I'm vegetarian.")
  cancels instead of counting against the answer.

    export PERSONACO_MODEL_N_THREADS=1 S=tests/data/persona_holdout
    personaco generate --input $S/dev.jsonl --output ho.jsonl --k 8 --max-tokens 192 --seed 0
    python scripts/persona_readings.py $S/dev.jsonl ho.jsonl pr
    python score.py $S/dev.jsonl base.jsonl pr.tokens.jsonl   # score.py beside implicit/checks.py

About 20 s a question with 8 candidates on one thread."""

from __future__ import annotations

import contextlib
import sys
from typing import IO

import rescore

from personaco_tui.core.helpfulness import NEUTRAL, addresses_scores
from personaco_tui.core.personaco import choose
from personaco_tui.core.prompts import join_signals
from personaco_tui.core.reflectors.persona import margin_score
from personaco_tui.core.types import ReflectionCell
from personaco_tui.engines.base import Engine
from personaco_tui.runtime import Runtime

WAYS = ("now", "tokens", "facts", "sum")


def _read(engine: Engine, ask: str, texts: list[str]) -> list[list[float]]:
    return rescore.read(engine, [{"role": "user", "content": ask}], texts)


def lowest_gains(after: list[float], before: list[float], n: int = 3) -> float:
    """Mean of the `n` lowest per-token gains (the two readings cut to the shorter)."""
    gains = sorted(a - b for a, b in zip(after, before, strict=False))
    return sum(gains[:n]) / max(1, len(gains[:n]))


def rescore_row(engine: Engine, item: dict, row: dict, outs: dict[str, IO[str]]) -> None:
    texts, query = row["candidates"], item["query"]
    facts = [s for s in item["signals"] if s.strip()]
    stored = row["matrix"]
    k = len(texts)
    cells = [
        ReflectionCell(i, j, stored[i][j], "persona", "")
        for j in range(len(facts))
        for i in range(k)
    ]
    q = _read(engine, query, texts)
    neutral = rescore.means(_read(engine, NEUTRAL, texts))
    token_cells, token_matrix = [], [[0.5] * len(facts) for _ in texts]
    sum_cells, sum_matrix = [], [[0.5] * len(facts) for _ in texts]
    for j, fact in enumerate(facts):
        after = _read(engine, f"{join_signals([fact])} {query}", texts)
        lowest = [lowest_gains(a, b) for a, b in zip(after, q, strict=True)]
        summed = [sum(a) - sum(b[: len(a)]) for a, b in zip(after, q, strict=True)]
        for cs, mx, column in (
            (token_cells, token_matrix, lowest),
            (sum_cells, sum_matrix, summed),
        ):
            for i, (score, _) in enumerate(margin_score(column)):
                cs.append(ReflectionCell(i, j, score, "persona", ""))
                mx[i][j] = score
    both = rescore.means(_read(engine, f"{join_signals(facts)} {query}", texts))
    both_neutral = rescore.means(_read(engine, f"{join_signals(facts)} {NEUTRAL}", texts))
    now = [a - b for a, b in zip(rescore.means(q), neutral, strict=True)]
    ways = {
        "now": (cells, now, stored),
        "tokens": (cells + token_cells, now, token_matrix),
        "sum": (cells + sum_cells, now, sum_matrix),
        "facts": (cells, [a - b for a, b in zip(both, both_neutral, strict=True)], stored),
    }
    for way, (cs, gain, matrix) in ways.items():
        best, _ = choose(cs, k, None, None, texts, addresses=addresses_scores(gain))
        rescore.write(outs[way], row, best, matrix)


def main(argv: list[str]) -> None:
    items, rows = rescore.load(argv[0], argv[1])
    engine = Runtime.open().load_engine(None)
    with contextlib.ExitStack() as stack:
        outs = rescore.outputs(stack, argv[2], WAYS)
        for row in rows:
            rescore_row(engine, items[row["id"]], row, outs)
            print(row["id"], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
