"""Steering on a remote server: the signals' exact constraints as one GBNF grammar.

llama-server (and llama-cpp-python's server) take a `grammar` field on a completion request
and mask the model's tokens with it, so the shape of the text is enforced by the server itself.
What a grammar holds here is the regular part of the signals, the same part the local engine
enforces with token masks:

- characters that may never appear (no commas, no exclamation marks, all lowercase, all
  capitals, no semicolons ...);
- the frame of the answer: an opening and closing double quote, a <<title>> first, a required
  first phrase, a P.S. and a required closing phrase last;
- no list markers at the start of a line;
- JSON (an object or array, strings kept to the allowed characters).

Counts (words, sentences, bullets), required and forbidden words and everything a model judges
are not put into a grammar: a hard cap on words would cut answers mid-sentence, and the server
has no way to weigh partial answers. `grammar_for` says so for each such check, so the
generation can record why it was not steered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..reflectors.rules.checks import Check

# Kinds whose only demand is that some characters never appear.
_BANNED_MARKS: dict[str, tuple[str, ...]] = {
    "no_commas": (",", "，", "、"),
    "no_exclamation": ("!", "！"),
}
_PUNCT_MARKS: dict[str, tuple[str, ...]] = {
    "dash": ("-", "–", "—"),  # noqa: RUF001 - the dashes a user means are exactly these
    "semicolon": (";",),
    "colon": (":",),
    "question": ("?",),
    "period": (".",),
    "exclamation": ("!",),
    "comma": (",",),
}
_FRAME_KINDS = {"quoted", "title", "starts_with", "ends_with", "postscript"}
_LIST_MARKS = "-*+•"
_PS_MARKERS = {"P.S.": "P.S.", "P.P.S": "P.P.S."}
_TITLE_MAX = 60  # characters in a title: the check wants one line, the model a short one
_PS_MAX = 120  # characters in a postscript line
# A token of English text is about 4 characters; the budget is planned at 3 so that what the
# grammar closes with still fits when the text runs to short tokens.
_CHARS_PER_TOKEN = 3


@dataclass
class Grammar:
    """One GBNF grammar for a turn's signals, with what it enforces and what it cannot."""

    gbnf: str | None  # None: no check of these signals is a property a grammar can hold
    enforced: list[tuple[str, str]] = field(default_factory=list)  # (kind, how)
    not_enforced: list[tuple[str, str]] = field(default_factory=list)  # (kind, why)


def _flat(checks: Sequence[Check]) -> list[Check]:
    out: list[Check] = []
    for c in checks:
        out.extend(_flat(c.parts) if c.parts else [c])
    return out


def literal(text: str) -> str:
    """`text` as a GBNF string literal."""
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{esc}"'


def char_class(banned: str, *, negate: bool = True) -> str:
    """A GBNF character class of every character but `banned` (or only them). What GBNF
    reads specially inside a class is written as a \\x escape, which its parser always takes."""
    out = []
    for ch in banned:
        if ch in ']\\^-[\n\t"' or ord(ch) < 0x20:
            out.append(f"\\x{ord(ch):02X}")
        else:
            out.append(ch)
    return "[" + ("^" if negate else "") + "".join(out) + "]"


@dataclass
class _Shape:
    banned: set[str] = field(default_factory=set)
    lowercase: bool = False
    uppercase: bool = False
    quoted: bool = False
    title: bool = False
    first: str | None = None  # a required opening phrase
    last: str | None = None  # a required closing phrase
    postscript: str | None = None  # its marker
    no_lists: bool = False
    json: bool = False

    def case(self, text: str) -> str:
        return text.lower() if self.lowercase else text.upper() if self.uppercase else text

    def banned_in(self, text: str) -> str | None:
        """The first character of `text` the shape forbids, or None."""
        for ch in text:
            if ch in self.banned:
                return ch
        return None

    def excluded(self) -> str:
        chars = "".join(sorted(self.banned))
        if self.lowercase:
            chars += "A-Z"
        if self.uppercase:
            chars += "a-z"
        return chars


def _class(excluded: str, extra: str = "") -> str:
    """Every character but `excluded` (which may hold the ranges A-Z / a-z) and `extra`."""
    ranges = ""
    for r in ("A-Z", "a-z"):
        if r in excluded:
            excluded = excluded.replace(r, "")
            ranges += r
    if not (excluded + extra + ranges):
        # `[^]` is an empty class to llama.cpp (a rule matching nothing, so `char*` fails to
        # load) and not a class at all to llguidance: any character but NUL, which no answer holds
        return "[^\\x00]"
    body = char_class(excluded + extra)[:-1]
    return body + ranges + "]"


def _read(checks: Sequence[Check], out: Grammar) -> _Shape:
    shape = _Shape()
    for c in _flat(checks):
        k, p = c.kind, c.params
        if k in _BANNED_MARKS:
            shape.banned.update(_BANNED_MARKS[k])
            out.enforced.append((k, "characters masked by the server's grammar"))
        elif k == "no_punct" and str(p.get("mark")) in _PUNCT_MARKS:
            shape.banned.update(_PUNCT_MARKS[str(p["mark"])])
            out.enforced.append((k, "characters masked by the server's grammar"))
        elif k == "lowercase":
            shape.lowercase = True
            out.enforced.append((k, "capital letters masked by the server's grammar"))
        elif k == "uppercase":
            shape.uppercase = True
            out.enforced.append((k, "small letters masked by the server's grammar"))
        elif k == "quoted":
            shape.quoted = True
        elif k == "title":
            shape.title = True
        elif k == "starts_with" and not p.get("word"):
            shape.first = str(p.get("phrase", "")).strip() or None
        elif k == "ends_with" and not p.get("word"):
            shape.last = str(p.get("phrase", "")).strip() or None
        elif k == "postscript":
            shape.postscript = _PS_MARKERS.get(str(p.get("marker", "P.S.")), "P.S.")
        elif k == "no_lists" and p.get("which") != "numbered":
            shape.no_lists = True
            out.enforced.append((k, "list markers masked at line starts by the server's grammar"))
        elif k == "json":
            shape.json = True
        else:
            out.not_enforced.append((k, _why_not(k)))
    if shape.lowercase and shape.uppercase:
        shape.uppercase = False  # conflicts.py tells the user; the first one read is kept
        out.enforced = [e for e in out.enforced if e[0] != "uppercase"]
        out.not_enforced.append(("uppercase", "conflicts with all lowercase"))
    return shape


def _why_not(kind: str) -> str:
    if kind.endswith("_count") or kind in ("word_frequency", "letter_frequency"):
        return "a count: the server's grammar cannot weigh partial answers (local engine only)"
    if kind in ("include_words", "exclude_words"):
        return "words to use or avoid: steered by the local engine only"
    return "not a property of the text's characters or frame: the pick checks it"


def _frame(shape: _Shape, out: Grammar, max_tokens: int | None) -> list[str]:
    """The rules of the grammar for a text answer (not JSON). With `max_tokens`, the body is
    capped so that the closing parts (P.S., closing phrase, quote) always fit: the server
    cannot see the budget, so the grammar holds it."""
    text = _class(shape.excluded())
    line_text = _class(shape.excluded(), "\n")
    rules = [f"char ::= {text}", f"linechar ::= {line_text}"]
    if shape.no_lists:
        start = _class(shape.excluded(), "\n" + _LIST_MARKS + " 0123456789")
        rules += [
            # not `start`: that is Lark's root rule, and llguidance reads GBNF through Lark
            f"linestart ::= {start} | [0-9]+ {_class(shape.excluded(), chr(10) + '.)0123456789')}",
            "line ::= (linestart linechar*)?",
            'body ::= line ("\\n" line)*',
        ]
    else:
        rules.append("body ::= char*")
    parts: list[str] = []
    reserve = 0
    if shape.quoted:
        parts.append(literal('"'))
        out.enforced.append(("quoted", "opening and closing quote placed by the grammar"))
    if shape.title:
        title_char = _class(shape.excluded(), "\n<>")
        rules.append(f"title ::= {title_char}{{1,{_TITLE_MAX}}}")
        parts += [literal("<<"), "title", literal(">>\n")]
        reserve += _TITLE_MAX // _CHARS_PER_TOKEN + 4
        out.enforced.append(("title", "<<title>> placed first by the grammar"))
    for kind, phrase in (("starts_with", shape.first), ("ends_with", shape.last)):
        if phrase is None:
            continue
        bad = shape.banned_in(shape.case(phrase))
        if bad is not None:
            out.not_enforced.append((kind, f"its phrase holds {bad!r}, which another signal bans"))
            if kind == "starts_with":
                shape.first = None
            else:
                shape.last = None
    if shape.first:
        parts.append(literal(shape.case(shape.first) + " "))
        out.enforced.append(("starts_with", "the opening phrase placed by the grammar"))
    parts.append("body")
    if shape.postscript:
        marker = shape.case(shape.postscript)
        rules.append(f"pstext ::= {line_text}{{1,{_PS_MAX}}}")
        parts += [literal("\n\n" + marker + " "), "pstext"]
        reserve += _PS_MAX // _CHARS_PER_TOKEN + 4
        out.enforced.append(("postscript", "a postscript line placed by the grammar"))
    if shape.last:
        sep = "\n\n" if shape.postscript else " "
        parts.append(literal(sep + shape.case(shape.last)))
        reserve += len(shape.last) // 2 + 2
        out.enforced.append(("ends_with", "the closing phrase placed last by the grammar"))
    if shape.quoted:
        parts.append(literal('"'))
        reserve += 2
    if max_tokens is not None and reserve and not shape.no_lists:
        room = max(0, max_tokens - reserve - 4) * _CHARS_PER_TOKEN
        rules = [r for r in rules if not r.startswith("body ::=")]
        rules.append(f"body ::= char{{0,{room}}}")
        out.enforced.append(("budget", f"the text before its ending capped at {room} characters"))
    rules.insert(0, "root ::= " + " ".join(parts))
    return rules


def _json(shape: _Shape, out: Grammar) -> list[str]:
    for kind, on in (
        ("quoted", shape.quoted),
        ("title", shape.title),
        ("starts_with", bool(shape.first)),
        ("ends_with", bool(shape.last)),
        ("postscript", bool(shape.postscript)),
    ):
        if on:
            out.not_enforced.append((kind, "conflicts with JSON only"))
    out.enforced.append(("json", "JSON enforced by the server's grammar"))
    strchar = _class(shape.excluded(), '"\\\n')
    return [
        "root ::= ws (object | array) ws",
        'value ::= object | array | string | number | "true" | "false" | "null"',
        'object ::= "{" ws (string ws ":" ws value (ws "," ws string ws ":" ws value)*)? ws "}"'
        if "," not in shape.banned and ":" not in shape.banned
        else 'object ::= "{" ws (string ws ":" ws value)? ws "}"',
        'array ::= "[" ws (value (ws "," ws value)*)? ws "]"'
        if "," not in shape.banned
        else 'array ::= "[" ws value? ws "]"',
        f'string ::= "\\"" ({strchar} | "\\\\" ["\\\\/bfnrt])* "\\""',
        'number ::= "-"? [0-9]+ ("." [0-9]+)?',
        "ws ::= [ \\t\\n]{0,8}",
    ]


def grammar_for(checks: Sequence[Check], max_tokens: int | None = None) -> Grammar:
    """The grammar holding what `checks` demand of the text's characters and frame; with
    `max_tokens`, one whose ending always fits in that many tokens."""
    out = Grammar(gbnf=None)
    shape = _read(checks, out)
    framed = shape.quoted or shape.title or shape.first or shape.last or shape.postscript
    masked = shape.banned or shape.lowercase or shape.uppercase or shape.no_lists
    if not (masked or framed or shape.json):
        return out
    rules = _json(shape, out) if shape.json else _frame(shape, out, max_tokens)
    out.gbnf = "\n".join(rules) + "\n"
    return out
