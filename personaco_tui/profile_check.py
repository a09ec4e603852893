"""Reading a profile file (`personaco profile import`): every part checked before anything is
written, each problem one line that says where it is ("signals[2].text is not text").

Refused: a file over MAX_FILE_BYTES, bytes that are not UTF-8, text that is not JSON (or is
nested past what a parser can follow, or holds NaN), a document of another format or version,
a missing or mistyped key, a lone surrogate or NUL in any text, a reading or model that
PersonaCo cannot use, a choice whose index is not one of its answers.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.learning import ChoiceSet, PreferenceModel
from .core.signals import ReadingError, make_reading
from .core.types import Reading
from .errors import PersonacoError
from .learning import StoredChoice
from .store.suggestions import MAX_SUGGESTION_CHARS, SOURCES, STATUSES

FORMAT = "personaco-profile"
VERSION = 1
MAX_FILE_BYTES = 32 * 1024 * 1024  # 500 picks of 8 long answers fit many times over


@dataclass(frozen=True)
class SignalEntry:
    text: str
    enabled: bool
    weight: float | None
    reading: dict[str, Any] | None  # Reading.to_json(), checked by make_reading


@dataclass(frozen=True)
class SuggestionEntry:
    text: str
    status: str
    source: str
    evidence: str


@dataclass(frozen=True)
class ProfileFile:
    name: str
    signals: list[SignalEntry]
    suggestions: list[SuggestionEntry]
    choices: list[StoredChoice]
    model: dict[str, Any] | None  # PreferenceModel.to_json() of the file's model


def bad(what: str) -> PersonacoError:
    return PersonacoError(
        f"Not a usable profile file: {what}; nothing was imported.",
        "Use a file written by: personaco profile export",
    )


def read_profile_file(path: str | Path) -> ProfileFile:
    """The checked contents of the file at `path` (PersonacoError, one line, on anything)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise PersonacoError(f"Cannot read {path}: {e.strerror or e}.") from None
    return parse(data)


def parse(data: bytes) -> ProfileFile:
    if len(data) > MAX_FILE_BYTES:
        raise bad(f"it is over {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise bad(f"byte {e.start} is not UTF-8 text") from None
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise bad(f"it is not JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise bad("it is nested too deeply to read") from None
    except ValueError as e:  # NaN, or an integer of thousands of digits
        raise bad(f"it is not JSON PersonaCo can read ({str(e)[:80]})") from None
    _check_values(doc)
    return _document(doc)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _check_values(doc: Any) -> None:
    """No lone surrogate or NUL in any text, no infinite number (1e999), anywhere."""
    stack: list[tuple[str, Any]] = [("the file", doc)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                _check_text(f"{where} key", k)
                stack.append((f"{k}" if where == "the file" else f"{where}.{k}", v))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(value))
        elif isinstance(value, str):
            _check_text(where, value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise bad(f"{where} is not a finite number")
        elif isinstance(value, int) and abs(value) > sys.float_info.max:
            raise bad(f"{where} is too large a number")


def _check_text(where: str, text: str) -> None:
    if "\x00" in text:
        raise bad(f"{where} holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise bad(f"{where} holds invalid unicode (a lone surrogate at {e.start})") from None


def _get(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    named = f"{where}.{key}" if where else repr(key)
    if key not in obj:
        raise bad(f"{where or 'the file'} has no {key!r}")
    value = obj[key]
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise bad(f"{named} is not {_kind_words(kinds)}")
    return value


_WORDS: dict[type, str] = {
    str: "text",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def _kind_words(kinds: tuple[type, ...]) -> str:
    return " or ".join(_WORDS.get(k, k.__name__) for k in kinds)


def _document(doc: Any) -> ProfileFile:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise bad(f'it is not a PersonaCo profile (no "format": "{FORMAT}")')
    version = doc.get("version")
    if version != VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise PersonacoError(
                f"The profile file is version {version}; this PersonaCo reads version {VERSION}.",
                "Update PersonaCo, then import it again.",
            )
        raise bad(f"its version is {json.dumps(version)[:20]}, not {VERSION}")
    name = _get(doc, "profile", str, "")
    signals = [_signal(s, f"signals[{i}]") for i, s in enumerate(_get(doc, "signals", list, ""))]
    learned = _get(doc, "learned", dict, "")
    model = learned.get("model")
    if model is not None:
        try:
            model = PreferenceModel.from_json(model).to_json()
        except (ValueError, TypeError) as e:
            raise bad(f"learned.model is {e}") from None
    choices = [_choice(c, f"choices[{i}]") for i, c in enumerate(_get(doc, "choices", list, ""))]
    raw = _get(doc, "suggestions", list, "")
    suggestions = [_suggestion(s, f"suggestions[{i}]") for i, s in enumerate(raw)]
    return ProfileFile(name, signals, suggestions, choices, model)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(f"{where} is not an object")
    return value


def _signal(value: Any, where: str) -> SignalEntry:
    obj = _object(value, where)
    text = _get(obj, "text", str, where)
    if not text.strip():
        raise bad(f"{where}.text is empty")
    enabled = _get(obj, "enabled", bool, where) if "enabled" in obj else True
    weight = obj.get("weight")
    if weight is not None:
        weight = float(_get(obj, "weight", (int, float), where))
    reading = obj.get("reading")
    if reading is not None:
        try:
            parsed = Reading.from_json(reading)
            reading = make_reading(parsed.kind, parsed.param_dict()).to_json()
        except (ValueError, ReadingError) as e:
            raise bad(f"{where}.reading: {str(e).rstrip('.')}") from None
    return SignalEntry(text, enabled, weight, reading)


def _index(obj: dict[str, Any], key: str, n: int, where: str) -> int:
    i: int = _get(obj, key, int, where)
    if not 0 <= i < n:
        raise bad(f"{where}.{key} is {i}, not one of its {n} answers")
    return i


def _choice(value: Any, where: str) -> StoredChoice:
    obj = _object(value, where)
    kind = _get(obj, "kind", str, where)
    if kind == "rating":
        return StoredChoice.rating(
            _get(obj, "chosen_text", str, where), _get(obj, "other_text", str, where)
        )
    if kind != "pick":
        raise bad(f'{where}.kind is {kind[:20]!r}, not "pick" or "rating"')
    texts = _get(obj, "candidates", list, where)
    if not all(isinstance(t, str) for t in texts):
        raise bad(f"{where}.candidates are not all text")
    finished = obj.get("finished", [True] * len(texts))
    if (
        not isinstance(finished, list)
        or len(finished) != len(texts)
        or not all(isinstance(f, bool) for f in finished)
    ):
        raise bad(f"{where}.finished is not one true or false per candidate")
    signals = obj.get("signals") or []
    cells = obj.get("cells") or []
    if not isinstance(signals, list) or not all(isinstance(s, str) for s in signals):
        raise bad(f"{where}.signals is not a list of text")
    if not _cells_fit(cells, len(texts), len(signals)):
        raise bad(f"{where}.cells is not a candidates x signals table of numbers from 0 to 1")
    chosen = _index(obj, "chosen", len(texts), where)
    shown = None if obj.get("shown") is None else _index(obj, "shown", len(texts), where)
    cs = ChoiceSet(texts, finished, signals, cells)
    return StoredChoice("pick", cs, chosen, shown)


def _cells_fit(cells: Any, n_rows: int, n_cols: int) -> bool:
    if not isinstance(cells, list) or len(cells) > n_rows:
        return False
    for row in cells:
        if not isinstance(row, list) or len(row) > n_cols:
            return False
        if not all(
            c is None or (isinstance(c, int | float) and not isinstance(c, bool) and 0 <= c <= 1)
            for c in row
        ):
            return False
    return True


def _suggestion(value: Any, where: str) -> SuggestionEntry:
    obj = _object(value, where)
    text = _get(obj, "text", str, where)
    if not text.strip() or len(text) > MAX_SUGGESTION_CHARS:
        raise bad(f"{where}.text is empty or over {MAX_SUGGESTION_CHARS} characters")
    status = _get(obj, "status", str, where)
    source = _get(obj, "source", str, where)
    if status not in STATUSES or source not in SOURCES:
        raise bad(
            f"{where} is {status[:20]!r} from {source[:20]!r}: not a suggestion PersonaCo keeps"
        )
    evidence = _get(obj, "evidence", str, where) if "evidence" in obj else ""
    return SuggestionEntry(text, status, source, evidence)
