"""Reading a file of queries alone (signals to be generated), in one of three shapes:

- JSONL (`.jsonl`, `.ndjson`, `.json`, or any file whose first line starts with `{`): one
  `{"id": ..., "query": "..."}` per line; "id" may be left out; any other key is ignored;
- CSV (`.csv`): a header row with a `query` column and optionally an `id` column (any case);
  cells may hold commas, quotes and newlines as CSV quotes them;
- plain text (anything else): one query per non-empty line.

A query without an id gets `q<N>`, N its 1-based position. Bad lines and repeated ids are
reported all at once as one error before any model work starts.

`read_items_csv` reads whole items (query and signals) from CSV, for `eval create --items`:
columns `id` (optional), `query` and `signals`; a signals cell is either a JSON list of
strings (`["Be brief.", "Use French."]`) or the signals one per line or separated by `|`.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

from ..errors import PersonacoError

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a spreadsheet's BOM is not a query
    except UnicodeDecodeError as e:
        raise PersonacoError(
            f"{path} is not UTF-8 text (byte {e.start}).", "Save it as UTF-8."
        ) from None
    except OSError as e:
        raise PersonacoError(f"Cannot read {path}: {e.strerror}.", "Check the path.") from None


def _kind(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "jsonl" if first.lstrip().startswith("{") else "text"


def _jsonl(text: str, bad: list[str]) -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as e:
            bad.append(f"line {n}: not JSON ({e.msg})")
            continue
        if not isinstance(data, dict):
            bad.append(f"line {n}: not a JSON object")
            continue
        query, key = data.get("query"), data.get("id")
        if not isinstance(query, str) or not query.strip():
            bad.append(f'line {n}: missing "query" (a non-empty string)')
            continue
        if key is not None and (isinstance(key, bool) or not isinstance(key, str | int)):
            bad.append(f'line {n}: "id" must be a string or number')
            continue
        out.append((None if key is None else str(key), query.strip()))
    return out


def _csv(text: str, bad: list[str]) -> list[tuple[str | None, str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    names = [h.strip().lower() for h in header]
    if "query" not in names:
        bad.append('line 1: the header has no "query" column')
        return []
    qi = names.index("query")
    ii = names.index("id") if "id" in names else None
    out: list[tuple[str | None, str]] = []
    for row in reader:
        n = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        query = row[qi].strip() if qi < len(row) else ""
        if not query:
            bad.append(f"line {n}: empty query")
            continue
        key = row[ii].strip() if ii is not None and ii < len(row) else ""
        out.append((key or None, query))
    return out


ITEMS_CSV_HELP = (
    "CSV: columns id, query, signals; a signals cell is a JSON list of strings, or the "
    "signals one per line or separated by |"
)


def _signals_cell(cell: str) -> list[str] | str:
    """The signals of one cell, or why it cannot be read."""
    text = cell.strip()
    if text.startswith("["):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return "the signals cell starts with [ but is not a JSON list"
        if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
            return "the signals cell must be a JSON list of strings"
        parts = data
    else:
        parts = [p for line in text.splitlines() for p in line.split("|")]
    signals = [p.strip() for p in parts if p.strip()]
    return signals or "no signals (give at least one)"


def _items_csv(text: str, bad: list[str]) -> list[tuple[str | None, str, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    names = [h.strip().lower() for h in header]
    missing = [c for c in ("query", "signals") if c not in names]
    if missing:
        bad.append(f"line 1: the header has no {' or '.join(repr(c) for c in missing)} column")
        return []
    qi, si = names.index("query"), names.index("signals")
    ii = names.index("id") if "id" in names else None
    out: list[tuple[str | None, str, list[str]]] = []
    for row in reader:
        n = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        query = row[qi].strip() if qi < len(row) else ""
        if not query:
            bad.append(f"line {n}: empty query")
            continue
        signals = _signals_cell(row[si] if si < len(row) else "")
        if isinstance(signals, str):
            bad.append(f"line {n}: {signals}")
            continue
        key = row[ii].strip() if ii is not None and ii < len(row) else ""
        out.append((key or None, query, signals))
    return out


def read_items_csv(path: Path) -> list[tuple[str, str, list[str]]]:
    """(id, query, signals) items from a CSV file, in file order; all bad rows, repeated ids
    and a missing column are one error, before anything is created."""
    text = _read_text(path)
    bad: list[str] = []
    try:
        raw = _items_csv(text, bad)
    except csv.Error as e:
        raise PersonacoError(
            f"{path} is not valid CSV ({e}).", "Fix it; nothing was created."
        ) from None
    if bad:
        raise PersonacoError(
            f"{path} has {len(bad)} bad line(s), first {bad[0]}.",
            f"Fix them ({ITEMS_CSV_HELP}); nothing was created.",
        )
    items = [(k if k is not None else f"q{i}", q, sg) for i, (k, q, sg) in enumerate(raw, 1)]
    if not items:
        raise PersonacoError(
            f"{path} holds no items.", f"Give one item per row ({ITEMS_CSV_HELP})."
        )
    dupes = sorted(k for k, c in Counter(k for k, _, _ in items).items() if c > 1)
    if dupes:
        raise PersonacoError(
            f"{path} repeats the id(s) {', '.join(dupes[:5])}.", "Ids must be unique."
        )
    return items


def read_queries(path: Path) -> list[tuple[str, str]]:
    """(id, query) pairs from `path`, in file order."""
    text = _read_text(path)
    bad: list[str] = []
    kind = _kind(path, text)
    if kind == "jsonl":
        raw = _jsonl(text, bad)
    elif kind == "csv":
        try:
            raw = _csv(text, bad)
        except csv.Error as e:
            raise PersonacoError(
                f"{path} is not valid CSV ({e}).", "Fix it; nothing was created."
            ) from None
    else:
        raw = [(None, line.strip()) for line in text.splitlines() if line.strip()]
    if bad:
        raise PersonacoError(
            f"{path} has {len(bad)} bad line(s), first {bad[0]}.", "Fix them; nothing was created."
        )
    pairs = [(key if key is not None else f"q{i}", q) for i, (key, q) in enumerate(raw, start=1)]
    if not pairs:
        raise PersonacoError(f"{path} holds no queries.", "Give one query per line.")
    dupes = sorted(k for k, c in Counter(k for k, _ in pairs).items() if c > 1)
    if dupes:
        raise PersonacoError(
            f"{path} repeats the id(s) {', '.join(dupes[:5])}.", "Ids must be unique."
        )
    return pairs
