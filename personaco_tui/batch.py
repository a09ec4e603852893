"""Batch generation over a JSONL file, for experiments: resumable, a bad line is reported and
skipped, each result appended (and flushed) to the output and stored in the database."""

from __future__ import annotations

import json
import os
import shlex
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .core import personaco
from .core.reflectors.base import Reflector
from .core.types import Generation
from .engines.base import CancelToken, Engine
from .errors import Cancelled, EngineError, PersonacoError
from .store import generations as G
from .store.db import MAX_TEXT_BYTES, Store

# The longest input line read: the store keeps at most MAX_TEXT_BYTES of one query, so a
# longer line cannot be a valid item, and reading it whole would only use memory.
MAX_LINE_BYTES = MAX_TEXT_BYTES
# How far past an over-long line to look for its end before calling the input endless
# (/dev/zero, a binary file): a bound on time, as MAX_LINE_BYTES is on memory.
MAX_SKIP_BYTES = 16 * MAX_LINE_BYTES
_MIB = 1 << 20


@dataclass
class Item:
    id: str
    query: str
    signals: list[str]


def _lines(
    fh: BinaryIO, path: Path, *, endless_ok: bool = False
) -> Iterator[tuple[int, bytes | None]]:
    """(number, line) for each line of `fh`, at most MAX_LINE_BYTES each; an over-long line
    comes back as None after its rest is skipped. A line with no end in sight is
    an error unless `endless_ok` (a regular file always ends)."""
    n = 0
    while line := fh.readline(MAX_LINE_BYTES + 1):
        n += 1
        if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield n, line
            continue
        skipped = 0
        while (rest := fh.readline(_MIB)) and not rest.endswith(b"\n"):
            skipped += len(rest)
            if skipped > MAX_SKIP_BYTES and not endless_ok:
                raise PersonacoError(
                    f"{path}:{n}: a line longer than {MAX_SKIP_BYTES // _MIB:,} MiB with no "
                    "end; this is not a JSONL file.",
                    'Give --input one {"id", "query", "signals"} object per line.',
                )
        yield n, None


def read_items(path: Path, on_bad: Callable[[int, str], None]) -> Iterator[Item]:
    """Items from a JSONL file; a line that is not a valid item is reported, not fatal."""
    try:
        fh = path.open("rb")
    except OSError as e:
        raise PersonacoError(f"Cannot read {path}: {e.strerror}.", "Check the path.") from None
    seen: dict[str, int] = {}  # id -> the line that first had it
    with fh:
        for n, raw in _lines(fh, path):
            if raw is None:
                on_bad(n, f"longer than {MAX_LINE_BYTES // _MIB} MiB")
                continue
            if not raw.strip():
                continue
            try:
                # without its line end, a cut-off line reads as unterminated, not as a
                # string holding a control character
                item = _item(json.loads(_text(raw).rstrip("\r\n")))
            except RecursionError:
                on_bad(n, "nested too deeply")
                continue
            except json.JSONDecodeError as e:
                on_bad(n, f"not JSON ({e})")
                continue
            except (ValueError, TypeError) as e:
                on_bad(n, _digits(e) or str(e))
                continue
            if item.id in seen:
                on_bad(n, f"the id {item.id!r} is already on line {seen[item.id]}; ids must differ")
                continue
            seen[item.id] = n
            yield item


def _digits(e: ValueError | TypeError) -> str | None:
    """Python's refusal of a huge integer literal, in the user's terms."""
    if "digits" in str(e) and "int" in str(e):
        return "a number with more than 4300 digits"
    return None


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8: byte 0x{raw[e.start]:02x} at column {e.start + 1}") from None


def _item(data: Any) -> Item:
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    if "id" not in data or not isinstance(data["id"], str | int) or isinstance(data["id"], bool):
        raise ValueError('missing "id" (a string or number)')
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ValueError('missing "query" (a non-empty string)')
    signals = data.get("signals", [])
    if not isinstance(signals, list) or not all(isinstance(s, str) for s in signals):
        raise ValueError('"signals" must be a list of strings')
    if not str(data["id"]).strip():
        raise ValueError('"id" is empty')
    item = Item(str(data["id"]), query, signals)
    for what, text in [("id", item.id), ("query", query), *(("a signal", s) for s in signals)]:
        _encodable(what, text)
    return item


def _encodable(what: str, text: str) -> None:
    # JSON may spell half a surrogate pair (\ud800): Python decodes it, but it is no text
    # the model, the output file or the store can take; found here, not mid-batch.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(
            f"the {what} holds a lone surrogate (\\u{ord(text[e.start]):04x}), not text"
        ) from None


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def check_output(path: Path) -> None:
    """Refuse, before any model loads, an output that cannot be appended to: a folder, a
    missing or read-only folder, a read-only file. Special files (a pipe, /dev/stdout) are
    taken as they are: opening one to probe it could block."""
    if path.is_dir():
        raise PersonacoError(f"--output {path} is a folder.", "Give a file name.")
    if path.exists() and not _is_regular(path):
        return
    folder = path.parent
    if not folder.is_dir():  # as `export` does: a mistyped folder is said, not made
        what = "is not a folder" if folder.exists() else "does not exist"
        raise PersonacoError(
            f"--output {path}: {folder} {what}.",
            f"Create it first (mkdir -p {shlex.quote(str(folder))}) or choose another file.",
        )
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
    except OSError as e:
        raise PersonacoError(
            f"Cannot write --output {path}: {e.strerror}.",
            "Choose a file in a folder you can write to.",
        ) from None


def done_ids(path: Path) -> set[str]:
    """Ids already in the output; a torn last line (a killed run) is ignored. Only a
    regular file is read: a pipe or a device (/dev/stdout, /dev/full) holds no results,
    and reading one would block or never end."""
    ids: set[str] = set()
    if not _is_regular(path):
        return ids
    with path.open("rb") as fh:
        for _n, line in _lines(fh, path, endless_ok=True):
            if line is None:
                continue
            try:
                ids.add(str(json.loads(line.decode("utf-8", errors="replace"))["id"]))
            except (json.JSONDecodeError, KeyError, TypeError, RecursionError):
                continue
    return ids


def _end_torn_line(path: Path) -> None:
    """A killed run may leave half a line: end it, so the next result starts on its own line
    (the torn text is kept, and skipped when reading ids)."""
    if not _is_regular(path) or path.stat().st_size == 0:
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
        "sampling": sampling_used(gen),
        "early_stopped": gen.early_stopped,
        "steering": gen.steering,
    }


def sampling_used(gen: Generation) -> dict[str, Any]:
    """The temperature, top-p, min-p and top-k the generation sampled with."""
    s = gen.settings
    return {"temperature": s.temperature, "top_p": s.top_p, "min_p": s.min_p, "top_k": s.top_k}


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
    on_failed: Callable[[Item, str], None] | None = None,
    on_not_stored: Callable[[Item, str], None] | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Generate for every item not yet in `out`; returns how many were written.

    An item the engine refuses (too big for the context) is reported to `on_failed` and not
    written, so a later run tries it again; the others go on. A result the store cannot
    take (locked, disk full) is still written to `out`, and reported to `on_not_stored`:
    a finished answer is never thrown away."""
    skip = done_ids(out)
    todo = [it for it in items if it.id not in skip]
    check_output(out)
    written = 0
    _end_torn_line(out)
    try:
        with out.open("a", encoding="utf-8") as fh:
            for item in todo:
                t0 = time.perf_counter()
                try:
                    gen = personaco.run(
                        engine, item.query, item.signals, config, reflector, cancel=cancel
                    )
                except Cancelled:
                    raise
                except EngineError as e:
                    if on_failed is None:
                        raise
                    on_failed(item, e.message)
                    continue
                seconds = time.perf_counter() - t0
                if store is not None:
                    try:
                        G.save_generation(store, gen)
                    except PersonacoError as e:
                        if on_not_stored is None:
                            raise
                        on_not_stored(item, e.message)
                line = result_line(item.id, gen, seconds)
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                fh.flush()
                written += 1
                if on_done is not None:
                    on_done(item, gen)
    except OSError as e:
        raise PersonacoError(
            f"Cannot write --output {out}: {e.strerror}.",
            f"{written} results were written before; run again to resume.",
        ) from None
    return written
