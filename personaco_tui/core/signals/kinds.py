"""The check kinds a user may choose when correcting how a signal is read, with their
parameters: the one list the CLI (`--check KIND --param k=v`, `signal kinds`), the TUI's
correction form and validation all use. Each kind builds its check with the builders of
core/reflectors/rules/checks.py, so a chosen check behaves exactly like a recognised one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ...errors import PersonacoError, not_utf8
from ..reflectors.rules import checks as C
from ..reflectors.rules.lang import LANGUAGE_NAMES
from ..types import MODEL_READING, SAMPLE_READING, Reading

ParamType = Literal["int", "text", "bool", "choice", "words"]
RELATIONS = ("<", "<=", ">", ">=", "==", "between")


class ReadingError(ValueError):
    """A chosen kind or parameter that is not allowed; the message names what is."""


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    help: str
    choices: tuple[str, ...] = ()
    default: Any = None  # None with required=True: the user must give it
    required: bool = True

    def allowed(self) -> str:
        if self.type == "choice":
            return "one of " + ", ".join(self.choices)
        return {
            "int": "a whole number",
            "text": "some text",
            "bool": "yes or no",
            "words": "words separated by commas",
        }[self.type]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    params: tuple[Param, ...]
    build: Callable[..., C.Check]


_REL = Param("relation", "choice", "how the count compares", RELATIONS, "<=")
_N = Param("n", "int", "the number")
_M = Param("m", "int", "upper bound, with relation between", required=False)


def _counted(kind: str) -> Kind:
    unit = C.COUNTERS[kind][1]
    return Kind(
        kind,
        f"number of {unit}s",
        (_REL, _N, _M),
        lambda relation, n, m=None: C.counted(kind, relation, n, m),
    )


def _kinds() -> dict[str, Kind]:
    out = [_counted(k) for k in C.COUNTERS]
    out += [
        Kind(
            "paragraph_count",
            "number of paragraphs",
            (
                _REL,
                _N,
                _M,
                Param("sep", "choice", "paragraph separator", ("blank", "***"), "blank"),
            ),
            lambda relation, n, sep, m=None: C.paragraph_count(relation, n, m, sep),
        ),
        Kind("paragraph_divider", "paragraphs separated by ***", (), C.paragraph_divider),
        Kind(
            "section_count",
            "number of sections",
            (_REL, _N, _M, Param("marker", "text", "the word that marks a section", (), "Section")),
            lambda relation, n, marker, m=None: C.section_count(relation, n, m, marker.lower()),
        ),
        Kind("lowercase", "all lowercase", (), C.lowercase),
        Kind("uppercase", "all capital letters", (), C.uppercase),
        Kind("no_commas", "no commas", (), C.no_commas),
        Kind("no_exclamation", "no exclamation marks", (), C.no_exclamation),
        Kind(
            "no_punct",
            "no punctuation mark of one sort",
            (Param("mark", "choice", "the mark", ("dash", *C.PUNCT_MARKS)),),
            C.no_punct,
        ),
        Kind("use_bullets", "uses bullet points", (), C.use_bullets),
        Kind("use_numbered", "uses a numbered list", (), C.use_numbered),
        Kind("use_list", "uses a list", (), C.use_list),
        Kind(
            "no_lists",
            "no lists",
            (Param("which", "choice", "which lists", ("all", "numbered"), "all"),),
            lambda which: C.no_lists(which == "numbered"),
        ),
        Kind("title", "a <<title>>", (), C.title),
        Kind("quoted", "wrapped in double quotes", (), C.quoted),
        Kind(
            "starts_with",
            "starts with a phrase",
            (_phrase(), _word()),
            lambda phrase, word: C.starts_with(phrase, word),
        ),
        Kind(
            "paragraph_starts",
            "a paragraph opens with a word",
            (
                Param("nth", "int", "which paragraph: 1 the first, 2 the second, 0 the last"),
                Param("word", "text", "the word it opens with"),
            ),
            lambda nth, word: C.paragraph_starts(nth, word),
        ),
        Kind(
            "ends_with",
            "ends with a phrase",
            (_phrase(), _word()),
            lambda phrase, word: C.ends_with(phrase, word),
        ),
        Kind(
            "postscript",
            "a postscript",
            (Param("marker", "choice", "the postscript marker", ("P.S.", "P.P.S"), "P.S."),),
            C.postscript,
        ),
        Kind(
            "include_words",
            "uses some words",
            (
                Param("words", "words", "the words"),
                Param("mode", "choice", "all of them or any one", ("all", "any"), "all"),
            ),
            lambda words, mode: C.include_words(words, mode == "any"),
        ),
        Kind(
            "exclude_words",
            "never uses some words",
            (Param("words", "words", "the words"),),
            C.exclude_words,
        ),
        Kind(
            "word_frequency",
            "how often a word is used",
            (Param("word", "text", "the word"), _REL, _N, _M),
            lambda word, relation, n, m=None: C.word_frequency(word, relation, n, m),
        ),
        Kind(
            "letter_frequency",
            "how often a letter is used",
            (Param("letter", "text", "one letter"), _REL, _N, _M),
            lambda letter, relation, n, m=None: C.letter_frequency(letter, relation, n, m),
        ),
        Kind("json", "valid JSON only", (), C.json_output),
        Kind("ends_with_question", "ends with a question", (), C.ends_question),
        Kind("no_emoji", "no emoji", (), C.no_emoji),
        Kind(
            "language",
            "written in a language",
            (Param("lang", "choice", "language code", tuple(LANGUAGE_NAMES)),),
            lambda lang: C.language(lang),
        ),
        Kind("no_headings", "no markdown headings", (), C.no_headings),
        Kind("use_headings", "uses markdown headings", (), C.use_headings),
        Kind("code_block", "a fenced code block", (), C.code_block),
        Kind("no_markdown", "plain text, no markdown", (), C.no_markdown),
    ]
    return {k.name: k for k in out}


def _phrase() -> Param:
    return Param("phrase", "text", "the exact phrase")


def _word() -> Param:
    return Param("word", "bool", "a single word rather than a phrase", (), False)


KINDS: Mapping[str, Kind] = _kinds()

_TRUE = {"yes", "true", "1", "on", "y"}
_FALSE = {"no", "false", "0", "off", "n", ""}


def _value(kind: str, p: Param, raw: Any) -> Any:
    where = f"{kind}: parameter {p.name!r}"
    if p.type == "int":
        if isinstance(raw, bool):
            raise ReadingError(f"{where} must be {p.allowed()}, not {raw!r}.")
        try:
            n = int(str(raw).strip())
        except ValueError:
            raise ReadingError(f"{where} must be {p.allowed()}, not {raw!r}.") from None
        if n < 0:
            raise ReadingError(f"{where} must be 0 or more, not {n}.")
        return n
    if p.type == "bool":
        if isinstance(raw, bool):
            return raw
        s = str(raw).strip().lower()
        if s in _TRUE or s in _FALSE:
            return s in _TRUE
        raise ReadingError(f"{where} must be {p.allowed()}, not {raw!r}.")
    if p.type == "words":
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        words = tuple(w.strip() for w in (str(i) for i in items) if w.strip())
        if not words:
            raise ReadingError(f"{where} must be {p.allowed()}, e.g. {p.name}=banana,rocket.")
        return words
    text = " ".join(str(raw).split())
    if p.type == "choice":
        match = next((c for c in p.choices if c.lower() == text.lower()), None)
        if match is None:
            raise ReadingError(f"{where} must be {p.allowed()}, not {raw!r}.")
        return match
    if not text:
        raise ReadingError(f"{where} cannot be empty.")
    if p.name == "letter" and (len(text) != 1 or not text.isalpha()):
        raise ReadingError(f"{where} must be a single letter, not {raw!r}.")
    return text


def allowed_kinds() -> str:
    return ", ".join([*KINDS, MODEL_READING, SAMPLE_READING])


# A writing sample can be long; the signal text (shown in lists, sent in the prompt) holds only
# its opening words, so the model sees the style it is asked for.
EXCERPT_WORDS = 40


def sample_signal_text(sample: str, label: str | None = None) -> str:
    """The signal text of a writing sample: what it is, and its opening words."""
    words = sample.split()
    excerpt = " ".join(words[:EXCERPT_WORDS]) + (" …" if len(words) > EXCERPT_WORDS else "")
    name = f" ({label.strip()})" if label and label.strip() else ""
    return f"Write in the style of my writing sample{name}: “{excerpt}”"


def sample_reading(text: str) -> Reading:
    """The reading of a writing-sample signal; ReadingError when there is too little text to
    have a style (a few words)."""
    sample = str(text).strip()
    if len(sample.split()) < 20:
        raise ReadingError(
            f"A writing sample needs at least 20 words to show a style; this has "
            f"{len(sample.split())}."
        )
    return Reading(SAMPLE_READING, (("text", sample),))


MAX_SAMPLE_BYTES = 256 * 1024


def read_sample_file(path: Path) -> str:
    """A writing sample's text from its file: at most MAX_SAMPLE_BYTES of UTF-8, or a one-line
    PersonacoError naming the file."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SAMPLE_BYTES + 1)
    except OSError as e:
        raise PersonacoError(
            f"Cannot read {path}: {e.strerror}.", "Give a text file you wrote."
        ) from None
    if len(data) > MAX_SAMPLE_BYTES:
        raise PersonacoError(
            f"{path} is larger than {MAX_SAMPLE_BYTES // 1024} KiB.",
            "A page or two of your writing is enough: cut it down.",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise not_utf8(str(path), e, "Give a plain text file.") from None


def kind_usage(kind: Kind) -> str:
    """`word_count relation=<choice> n=<int> [m=<int>]`: how to write a kind's parameters."""
    parts = [kind.name]
    for p in kind.params:
        shown = f"{p.name}=<{'|'.join(p.choices) if p.type == 'choice' else p.type}>"
        parts.append(shown if p.required and p.default is None else f"[{shown}]")
    return " ".join(parts)


def make_reading(kind: str, params: Mapping[str, Any] | None = None) -> Reading:
    """A validated Reading from a kind and raw parameters (strings from the command line or
    a form, or stored JSON values). Raises ReadingError naming what is allowed."""
    name = str(kind).strip().lower()
    params = dict(params or {})
    if name == MODEL_READING:
        if params:
            raise ReadingError('"judge by the model" takes no parameters.')
        return Reading(MODEL_READING)
    if name == SAMPLE_READING:
        extra = sorted(set(params) - {"text"})
        if extra:
            raise ReadingError(f"{name} has no parameter {extra[0]!r}; its parameter: text.")
        return sample_reading(str(params.get("text") or ""))
    spec = KINDS.get(name)
    if spec is None:
        raise ReadingError(f"Unknown check kind {kind!r}; allowed: {allowed_kinds()}.")
    known = {p.name: p for p in spec.params}
    extra = sorted(set(params) - set(known))
    if extra:
        allowed = ", ".join(known) if known else "none"
        raise ReadingError(f"{name} has no parameter {extra[0]!r}; its parameters: {allowed}.")
    values: dict[str, Any] = {}
    for p in spec.params:
        raw = params.get(p.name)
        if raw is None or (isinstance(raw, str) and not raw.strip() and p.type != "bool"):
            if p.default is not None:
                values[p.name] = p.default
            elif p.required:
                raise ReadingError(f"{name} needs {p.name}= ({p.allowed()}): {kind_usage(spec)}.")
            continue
        values[p.name] = _value(name, p, raw)
    rel = values.get("relation")
    if rel == "between" and "m" not in values:
        raise ReadingError(f"{name}: relation between needs m= (the upper bound).")
    if rel == "between" and values["m"] < values["n"]:
        raise ReadingError(f"{name}: m must be at least n with relation between.")
    if rel != "between":
        values.pop("m", None)
    return Reading(name, tuple(sorted(values.items())))


def build_check(reading: Reading) -> C.Check | None:
    """The check a reading stands for; None for "judge by the model". Raises ReadingError
    when the reading names no known kind or its parameters are not allowed (a stored reading
    from a newer version, or hand-edited)."""
    if reading.by_model:
        return None
    if reading.kind == SAMPLE_READING:
        make_reading(reading.kind, reading.param_dict())  # validated; the style reflector scores it
        return None
    valid = make_reading(reading.kind, reading.param_dict())
    return KINDS[valid.kind].build(**dict(valid.params))


def reading_from_json(data: Any) -> Reading:
    """A validated Reading from its stored JSON form; raises ReadingError on anything else."""
    try:
        shape = Reading.from_json(data)
    except ValueError as e:
        raise ReadingError(f"{e}.") from None
    return make_reading(shape.kind, shape.param_dict())


def parse_param_args(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`k=v` strings, as typed after --param, into a mapping."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ReadingError(f"--param {pair!r} must be written name=value, e.g. n=40.")
        out[key.strip().lower()] = value
    return out
