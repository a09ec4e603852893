"""CSV and JSONL export of judgment rows, written atomically.

Both files are UTF-8 and have the fixed column order `COLUMNS`. Each is written to a
temporary file in the target's folder and moved over the target with `os.replace`, so a
failure half-way leaves the previous file (or none) untouched, never a partial one.

CSV only (files people open in spreadsheets):
- text cells starting with = + - @, a tab or a carriage return get a leading apostrophe,
  so a spreadsheet shows them as text instead of running them as formulas;
- NUL characters are replaced with U+FFFD: Python's csv module can write them, but most
  spreadsheet and CSV tools truncate or reject the cell, so the file would not round-trip
  anywhere but Python. JSONL keeps every character exactly (JSON escapes NUL as \\u0000).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import PersonacoError
from ..fileio import atomic_write

COLUMNS: tuple[str, ...] = (
    "session",
    "item_id",
    "query",
    "signal",
    "config_a",
    "config_b",
    "response_a",
    "response_b",
    "order_shown",
    "pass",
    "verdict",
    "judge_kind",
    "judge_model",
    "raw",
    "created_at",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(PersonacoError):
    """An export file could not be written."""


def _check_keys(row: Mapping[str, Any]) -> None:
    extra = set(row) - set(COLUMNS)
    if extra:
        raise ValueError(f"unknown export column(s): {', '.join(sorted(extra))}")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value if isinstance(value, str) else str(value)


def csv_cell(value: Any) -> str | int | float:
    """One CSV cell: numbers as they are, everything else as neutralised text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    text = _text(value).replace("\x00", "\ufffd")
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return text


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    return str(value)


def _atomic_write(
    path: str | Path, write: Callable[[IO[Any]], object], newline: str | None, binary: bool = False
) -> Path:
    path = Path(path)
    try:
        return atomic_write(path, write, "wb" if binary else "w", newline=newline)
    except UnicodeEncodeError as e:
        raise ExportError(
            f"Cannot export to {path}: a value holds invalid unicode (a lone surrogate).",
            "Nothing was written.",
        ) from e
    except OSError as e:
        raise ExportError(
            f"Cannot write {path} ({e.strerror or e}).",
            "Check the folder exists and is writable; nothing was written.",
        ) from e


def write_csv(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write `rows` (dicts keyed by `COLUMNS`; missing keys are empty) with a header row."""

    def write(f: IO[str]) -> None:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        w.writerow(COLUMNS)
        for row in rows:
            _check_keys(row)
            w.writerow([csv_cell(row.get(c)) for c in COLUMNS])

    return _atomic_write(path, write, newline="")


def write_jsonl(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write one JSON object per line, keys in `COLUMNS` order, values unaltered."""

    def write(f: IO[str]) -> None:
        for row in rows:
            _check_keys(row)
            obj = {c: json_value(row.get(c)) for c in COLUMNS}
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")

    return _atomic_write(path, write, newline="\n")


def write_table(header: Sequence[str], rows: Iterable[Sequence[Any]], path: str | Path) -> Path:
    """A CSV file of any table (e.g. the report's summary.csv), written atomically with the
    same cell rules as `write_csv`: numbers as they are, text neutralised for spreadsheets."""

    def write(f: IO[str]) -> None:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        w.writerow([csv_cell(h) for h in header])
        for row in rows:
            if len(row) != len(header):
                raise ValueError(f"row has {len(row)} cells, header {len(header)}")
            w.writerow([csv_cell(v) for v in row])

    return _atomic_write(path, write, newline="")


def write_bytes(data: bytes, path: str | Path) -> Path:
    """`data` written atomically to `path` (e.g. a PNG image)."""
    return _atomic_write(path, lambda f: f.write(data), newline=None, binary=True)
