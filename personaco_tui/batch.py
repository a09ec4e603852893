"""Batch generation over a JSONL file, for experiments: resumable, a bad line is reported and
skipped, each result appended (and flushed) to the output and stored in the database."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core import personaco
from .core.reflectors.base import Reflector
from .core.types import Generation
from .engines.base import CancelToken, Engine
from .errors import PersonacoError
from .store import generations as G
from .store.db import Store


@dataclass
class Item:
    id: str
    query: str
    signals: list[str]


def read_items(path: Path, on_bad: Callable[[int, str], None]) -> Iterator[Item]:
    """Items from a JSONL file; a line that is not a valid item is reported, not fatal."""
    try:
        fh = path.open(encoding="utf-8", errors="strict")
    except OSError as e:
        raise PersonacoError(f"Cannot read {path}: {e.strerror}.", "Check the path.") from None
    with fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                item = _item(data)
            except (json.JSONDecodeError, ValueError, TypeError) as e:
                on_bad(n, str(e))
                continue
            yield item


def _item(data: Any) -> Item:
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    if "id" not in data or not isinstance(data["id"], str | int):
        raise ValueError('missing "id" (a string or number)')
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ValueError('missing "query" (a non-empty string)')
    signals = data.get("signals", [])
    if not isinstance(signals, list) or not all(isinstance(s, str) for s in signals):
        raise ValueError('"signals" must be a list of strings')
    return Item(str(data["id"]), query, signals)


def done_ids(path: Path) -> set[str]:
    """Ids already in the output; a torn last line (a killed run) is ignored."""
    ids: set[str] = set()
    if not path.exists():
        return ids
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                ids.add(str(json.loads(line)["id"]))
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return ids


def _end_torn_line(path: Path) -> None:
    """A killed run may leave half a line: end it, so the next result starts on its own line
    (the torn text is kept, and skipped when reading ids)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        fh.seek(-1, 2)
        if fh.read(1) != b"\n":
            fh.write(b"\n")


def result_line(item_id: str, gen: Generation, seconds: float) -> dict[str, Any]:
    return {
        "id": item_id,
        "method": gen.settings.method,
        "response": gen.response,
        "candidates": [c.text for c in gen.candidates],
        "matrix": gen.matrix(),
        "chosen": gen.chosen_index,
        "reflectors": [[c.reflector for c in row] for row in _cells_by_row(gen)],
        "seconds": round(seconds, 3),
        "model": gen.settings.model,
        "seed": gen.settings.seed,
        "early_stopped": gen.early_stopped,
    }


def _cells_by_row(gen: Generation):
    rows: list[list[Any]] = [[None] * len(gen.signals) for _ in gen.candidates]
    for c in gen.cells:
        rows[c.candidate][c.signal] = c
    return [[c for c in row if c is not None] for row in rows] if gen.cells else [[] for _ in rows]


def run_batch(
    engine: Engine,
    items: list[Item],
    out: Path,
    config: personaco.RunConfig,
    reflector: Reflector | None,
    *,
    store: Store | None = None,
    on_done: Callable[[Item, Generation], None] | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Generate for every item not yet in `out`; returns how many were written."""
    skip = done_ids(out)
    todo = [it for it in items if it.id not in skip]
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    _end_torn_line(out)
    with out.open("a", encoding="utf-8") as fh:
        for item in todo:
            t0 = time.perf_counter()
            gen = personaco.run(engine, item.query, item.signals, config, reflector, cancel=cancel)
            seconds = time.perf_counter() - t0
            if store is not None:
                G.save_generation(store, gen)
            fh.write(json.dumps(result_line(item.id, gen, seconds), ensure_ascii=False) + "\n")
            fh.flush()
            written += 1
            if on_done is not None:
                on_done(item, gen)
    return written
