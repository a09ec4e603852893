"""Preparing a signal for the recognizers: quoted strings are lifted out (their exact text is
kept, their place in the sentence becomes a token), the rest is lowercased, contractions are
expanded, number words become digits, and the text is cut into sentences and clauses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QOPEN, QCLOSE = "\ue000", "\ue001"
PQOPEN, PQCLOSE = "\ue002", "\ue003"  # around a punctuation-only quote kept in the text
Q = QOPEN + r"(\d+)" + QCLOSE  # a quoted string, by index (one group)
QNC = QOPEN + r"\d+" + QCLOSE  # the same, without a group

_MAX_QUOTE = 300
_DOUBLE_PAIRS = {
    '"': '"',
    "“": '”“"',
    "„": '“”"',
    "«": "»",
    "»": "«",
    "‹": "›",
    "「": "」",
    "『": "』",
    "`": "`",
}
_SINGLE = "'‘’‚"


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def extract_quotes(s: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of each quoted string, for straight and typographic double and
    single quotes, guillemets and backticks. A single quote only opens after a non-letter and
    only closes before a non-letter, so apostrophes in "I'm" or "don't" are not quotes."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch == "`" and s.startswith("```", i):
            i += 3
            continue
        j = -1
        if ch in _DOUBLE_PAIRS:
            closers = _DOUBLE_PAIRS[ch]
            k = i + 1
            while k < n and k - i <= _MAX_QUOTE:
                if s[k] in closers:
                    j = k
                    break
                k += 1
        elif (
            ch in _SINGLE
            and (i == 0 or not _wordish(s[i - 1]))
            and i + 1 < n
            and not s[i + 1].isspace()
        ):
            k = i + 2
            while k < n and k - i <= _MAX_QUOTE:
                if s[k] in _SINGLE and (k + 1 == n or not _wordish(s[k + 1])):
                    j = k
                    break
                k += 1
        if j > i + 1:
            out.append((i, j + 1, s[i + 1 : j]))
            i = j + 1
            continue
        i += 1
    return out


_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_U = "|".join(sorted(_UNITS, key=len, reverse=True))
_T = "|".join(_TENS)
_ONE9 = "one|two|three|four|five|six|seven|eight|nine"
_BELOW100 = rf"(?:(?:{_T})(?:[\s-](?:{_ONE9}))?|(?:{_U}))"
_NUMBER_WORDS = re.compile(
    rf"\b(?:(?P<h>{_BELOW100})\s+hundred(?:\s+(?:and\s+)?(?P<hr>{_BELOW100}))?"
    rf"|(?P<k>{_BELOW100})\s+thousand"
    rf"|(?P<x>{_BELOW100}))\b"
)


def _below100(words: str) -> int:
    parts = re.split(r"[\s-]+", words.strip())
    total = 0
    for p in parts:
        total += _TENS.get(p, _UNITS.get(p, 0))
    return total


def _number_sub(m: re.Match[str]) -> str:
    if m.group("h"):
        v = _below100(m.group("h")) * 100 + (_below100(m.group("hr")) if m.group("hr") else 0)
    elif m.group("k"):
        v = _below100(m.group("k")) * 1000
    else:
        v = _below100(m.group("x"))
    return str(v)


_CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bcannot\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (
        re.compile(
            r"\b(do|does|did|is|are|was|were|have|has|had|should|would|could|must|need|might)n'?t\b"
        ),
        r"\1 not",
    ),
    (re.compile(r"\bi'?m\b"), "i am"),
    (re.compile(r"\b(i|you|we|they|he|she|it)'d\b"), r"\1 would"),
    (re.compile(r"\b(i|you|we|they|he|she|it|that)'ll\b"), r"\1 will"),
    (re.compile(r"\b(you|we|they)'re\b"), r"\1 are"),
    (re.compile(r"\b(i|you|we|they)'ve\b"), r"\1 have"),
    (re.compile(r"\b(it|that|what|there|he|she|here)'s\b"), r"\1 is"),
    (re.compile(r"\blet's\b"), "let us"),
]

_SPACES = re.compile(r"\s+")
_SENTENCE_SPLIT = re.compile(r"[;!?]|(?<!(?<![a-z])[a-z])\.(?=\s|$)")
_CLAUSE_SPLIT = re.compile(
    r"[;!?,:]|(?<!(?<![a-z])[a-z])\.(?=\s|$)|\s-\s|\s(?:and|but|so|then|plus|yet|whereas)\s"
)


@dataclass
class Prepared:
    raw: str
    t: str  # lowercased, normalized, quotes replaced by tokens
    quotes: list[str] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    clauses: list[tuple[int, int]] = field(default_factory=list)

    def quote(self, token_index: str | int) -> str:
        return self.quotes[int(token_index)]

    def span_of(self, pos: int, kind: str = "clause") -> tuple[int, int]:
        spans = self.clauses if kind == "clause" else self.sentences
        for a, b in spans:
            if a <= pos < b:
                return a, b
        return pos, pos


def _spans(t: str, splitter: re.Pattern[str]) -> list[tuple[int, int]]:
    out = []
    start = 0
    for m in splitter.finditer(t):
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(t)))
    return out


def normalize(s: str) -> str:
    t = s.lower()
    t = t.translate(
        {
            0x2019: "'",
            0x2018: "'",
            0x02BC: "'",
            0x00B4: "'",
            0x2032: "'",
            0x2010: "-",
            0x2011: "-",
            0x2012: "-",
            0x2013: "-",
            0x2014: " - ",
            0x2015: " - ",
            0x2212: "-",
            0x2264: " <= ",
            0x2265: " >= ",
        }
    )
    t = re.sub(r"[\r\n\u2028\u2029]+", " ; ", t)
    for pat, rep in _CONTRACTIONS:
        t = pat.sub(rep, t)
    t = re.sub(r"\b(?:an?|one) (hundred|thousand)\b", r"one \1", t)
    t = re.sub(r"\bhalf a dozen\b", "6", t)
    t = re.sub(r"\ba dozen\b", "12", t)
    t = _NUMBER_WORDS.sub(_number_sub, t)
    t = re.sub(r"\b(\d{1,3}(?:,\d{3})+)\b", lambda m: m.group(1).replace(",", ""), t)
    t = re.sub(r"\b(\d+)\s*\(\s*\d+\s*\)", r"\1", t)
    t = re.sub(r"\b(?:a|one)\s+(?:single|lone)\b", "1", t)
    t = re.sub(r"\bsingle(?=[\s-](?:sentence|paragraph|line|word|bullet|section)s?\b)", "1", t)
    t = re.sub(
        r"\b(\d+)(\s+[a-z -]{0,30}?),?\s*(?:-\s*)?no more,?\s*(?:and\s+|or\s+|-\s*)?no less\b",
        r"exactly \1\2",
        t,
    )
    t = re.sub(r"\bonce\b", "1 times", t)
    t = re.sub(r"\btwice\b", "2 times", t)
    t = re.sub(r"\bthrice\b", "3 times", t)
    return _SPACES.sub(" ", t).strip()


# Quoted words that name a format rather than a phrase to use: 'enclosed in "double quotes"'.
_DESCRIPTORS = re.compile(
    r"(?:double |single )?(?:quotes|quotation marks|quote marks)|double quotation|lower[\s-]?case|"
    r"upper[\s-]?case|all[\s-]caps|all lower[\s-]?case|capital letters|bullet points?|bullets|"
    r"bullet lists?|numbered lists?|double angle(?:d)? brackets|double angular brackets|"
    r"square brackets|json|plain text|markdown|postscript|emojis?|headings|headers|code blocks?"
)
_TERM_BEFORE = re.compile(
    r"(?:\bwords?|\bterms?|\bphrases?|\bsay|\bsaying|\bwrite|\bmention|\binclude|\buse|\busing|"
    r"\bwith|\bkeywords?|\bexpressions?|\bnot|\bnever|\bavoid|\bno)\W*$",
    re.IGNORECASE,
)


def _is_descriptor(before: str, content: str) -> bool:
    c = " ".join(content.lower().split()).strip(" .,!?")
    return bool(_DESCRIPTORS.fullmatch(c)) and not _TERM_BEFORE.search(before)


def prepare(text: str) -> Prepared:
    s = text
    for ch in (QOPEN, QCLOSE, PQOPEN, PQCLOSE):
        s = s.replace(ch, " ")
    quotes: list[str] = []
    parts: list[str] = []
    pos = 0
    for a, b, content in extract_quotes(s):
        parts.append(s[pos:a])
        if _is_descriptor(s[max(0, a - 40) : a], content):
            parts.append(f" {content} ")
        elif any(_wordish(c) for c in content):
            parts.append(f" {QOPEN}{len(quotes)}{QCLOSE} ")
            quotes.append(content)
        else:  # punctuation-only quotes ('* ', '***', '<< >>', '!') stay in the text
            parts.append(f" {PQOPEN}{content}{PQCLOSE} ")
        pos = b
    parts.append(s[pos:])
    t = normalize("".join(parts))
    return Prepared(text, t, quotes, _spans(t, _SENTENCE_SPLIT), _spans(t, _CLAUSE_SPLIT))
