"""CSV and JSONL export of judgment rows, written atomically.

Both files are UTF-8 and have the fixed column order `COLUMNS`. Each is written to a
temporary file in the target's folder and moved over the target with `os.replace`, so a
failure half-way leaves the previous file (or none) untouched, never a partial one.

The path `-` means standard output (not atomic, nothing to replace); written to a terminal,
control sequences are neutralised as in everything else PersonaCo prints, while a pipe gets
the exact text. Any other path is written through `fileio.atomic_write`: symlinks are
followed, the file's mode is kept, and a device or FIFO is refused in one line.

CSV only (files people open in spreadsheets):
- text cells starting with = + - @, a tab, a carriage return or a line feed get a leading
  apostrophe, so a spreadsheet shows them as text instead of running them as formulas. The
  full-width and small forms of those signs (＝ ﹦ ＋ － ＠ ...) and the minus sign count too,
  since spreadsheets fold them to ASCII, and so does any of them after leading whitespace
  (" =1+1", "\n=1+1", ideographic spaces), which spreadsheets trim before parsing;
- NUL characters are replaced with U+FFFD: Python's csv module can write them, but most
  spreadsheet and CSV tools truncate or reject the cell, so the file would not round-trip
  anywhere but Python. JSONL keeps every character exactly (JSON escapes NUL as \\u0000).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import PersonacoError
from ..fileio import NotARegularFile, atomic_write, atomic_write_all
from ..terminal_text import neutralise

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

STDOUT = "-"
_FORMULA_SIGNS = frozenset("=+-@")
_ALWAYS_QUOTED = frozenset("\t\r\n\x0b\x0c\x85\u2028\u2029")
_MINUS_SIGNS = frozenset("\u2212\u2796")  # not folded by NFKC, but read as minus


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
    if _formula_like(text):
        text = "'" + text
    return text


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula: it starts with a line or tab
    control, or its first non-space character is = + - @ in any width or form."""
    if not text:
        return False
    if text[0] in _ALWAYS_QUOTED:
        return True
    rest = text.lstrip()
    if not rest:
        return False
    first = rest[0]
    return (
        first in _ALWAYS_QUOTED
        or first in _MINUS_SIGNS
        or unicodedata.normalize("NFKC", first)[:1] in _FORMULA_SIGNS
    )


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    return str(value)


def _atomic_write(
    path: str | Path, write: Callable[[IO[Any]], object], newline: str | None, binary: bool = False
) -> Path:
    if str(path) == STDOUT:
        return _write_stdout(write, newline, binary)
    path = Path(path)
    try:
        return atomic_write(path, write, "wb" if binary else "w", newline=newline)
    except UnicodeEncodeError as e:
        raise _surrogate_error(path) from e
    except OSError as e:
        raise _write_error(path, e) from e


def _write_error(path: Path, e: OSError) -> ExportError:
    if isinstance(e, NotARegularFile):
        return ExportError(
            f"Cannot write {path}: {e.strerror}.",
            f"Give a file path, or {STDOUT} for standard output; nothing was written.",
        )
    return ExportError(
        f"Cannot write {path} ({e.strerror or e}).",
        "Check the folder exists and is writable; nothing was written.",
    )


def _surrogate_error(path: Path) -> ExportError:
    return ExportError(
        f"Cannot export to {path}: a value holds invalid unicode (a lone surrogate).",
        "Nothing was written.",
    )


class _TerminalSafe:
    """A text stream that neutralises control sequences before they reach a terminal."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(neutralise(text))


def _write_stdout(write: Callable[[IO[Any]], object], newline: str | None, binary: bool) -> Path:
    if binary:
        raise ExportError(
            "Cannot write binary data to standard output.", "Give a file path instead."
        )
    stream = sys.stdout
    with contextlib.suppress(AttributeError, OSError, ValueError):
        # csv writes its own \r\n: no newline translation on top of it
        stream.reconfigure(newline=newline)  # type: ignore[union-attr]
    target: Any = _TerminalSafe(stream) if stream.isatty() else stream
    write(target)
    stream.flush()
    return Path(STDOUT)


def write_exports(
    rows: Sequence[Mapping[str, Any]], csv_path: str | Path | None, jsonl_path: str | Path | None
) -> list[Path]:
    """The CSV and/or JSONL export of `rows`: every file is written, or none is replaced (a
    second target that cannot be written leaves the first one as it was). Standard output,
    if one of them is `-`, is written last, once the file is in place."""
    targets = [(p, w) for p, w in ((csv_path, _csv_rows), (jsonl_path, _jsonl_rows)) if p]
    files: list[tuple[str | Path, bytes]] = []
    for path, writer in targets:
        if str(path) != STDOUT:
            buf = io.StringIO()
            writer(rows)(buf)
            try:
                files.append((path, buf.getvalue().encode("utf-8")))
            except UnicodeEncodeError as e:
                raise _surrogate_error(Path(path)) from e
    try:
        atomic_write_all(files)
    except OSError as e:
        raise _write_error(Path(e.filename or files[0][0]), e) from e
    for path, writer in targets:
        if str(path) == STDOUT:
            _write_stdout(writer(rows), "" if writer is _csv_rows else "\n", binary=False)
    return [Path(p) for p, _ in targets]


def _csv_rows(rows: Iterable[Mapping[str, Any]]) -> Callable[[IO[str]], None]:
    def write(f: IO[str]) -> None:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        w.writerow(COLUMNS)
        for row in rows:
            _check_keys(row)
            w.writerow([csv_cell(row.get(c)) for c in COLUMNS])

    return write


def _jsonl_rows(rows: Iterable[Mapping[str, Any]]) -> Callable[[IO[str]], None]:
    def write(f: IO[str]) -> None:
        for row in rows:
            _check_keys(row)
            obj = {c: json_value(row.get(c)) for c in COLUMNS}
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")

    return write


def write_csv(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write `rows` (dicts keyed by `COLUMNS`; missing keys are empty) with a header row."""
    return _atomic_write(path, _csv_rows(rows), newline="")


def write_jsonl(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write one JSON object per line, keys in `COLUMNS` order, values unaltered."""
    return _atomic_write(path, _jsonl_rows(rows), newline="\n")


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
