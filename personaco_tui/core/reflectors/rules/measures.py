"""Measures of an answer, read the way a strict but reasonable reader would: words are `\\w+`
runs, a bullet is a line that starts with `* `, `- ` or `+ ` (after optional indentation),
paragraphs are separated by blank lines (or by `***` dividers when asked), and so on. Every
function here is pure and never raises on any `str`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache

_WORD = re.compile(r"\w+")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def count_capital_words(text: str) -> int:
    """Words written all in capitals ("NASA", "I"), as IFEval's capital-word check counts."""
    return sum(1 for w in _WORD.findall(text) if w.isupper())


# Words after which a full stop does not end a sentence.
_ABBREV = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "eg",
        "ie",
        "no",
        "nos",
        "fig",
        "figs",
        "approx",
        "inc",
        "ltd",
        "co",
        "corp",
        "mt",
        "ft",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "dept",
        "est",
        "cf",
        "al",
        "vol",
        "pp",
        "ed",
        "eds",
        "rev",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "gov",
        "sen",
        "rep",
        "hon",
        "messrs",
        "mme",
        "mlle",
    ]
)
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


def count_sentences(text: str) -> int:
    """Sentences end with . ! ? or … followed by a space or the end; line breaks are spaces.
    A full stop after a known abbreviation, a single letter (an initial) or inside a number
    does not end one. A trailing fragment without end punctuation counts as a sentence."""
    flat = " ".join(text.split())
    n = 0
    start = 0
    for m in _SENT_END.finditer(flat):
        seg = flat[start : m.end()]
        if m.group(0).startswith(".") and len(m.group(0).rstrip("\"'”’)]")) == 1:
            before = flat[start : m.start()].rsplit(None, 1)
            last = before[-1].lower() if before else ""
            last = last.lstrip("(\"'“‘[")
            bare = last.replace(".", "")
            if bare in _ABBREV or (len(bare) == 1 and bare.isalpha()):
                continue
        if _WORD.search(seg):
            n += 1
        start = m.end()
    if _WORD.search(flat[start:]):
        n += 1
    return n


def count_chars(text: str) -> int:
    return len(text.strip())


_DIVIDER_LINE = re.compile(r"(?m)^[ \t]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_BLANKS = re.compile(r"\n(?:[ \t]*\n)+")
_STAR_DIVIDER = re.compile(r"(?<![*\w])\*\*\*(?![*\w])")


def count_paragraphs(text: str, sep: str = "blank") -> int:
    """Paragraphs separated by blank lines (or divider lines such as `***`); with
    sep="***", separated by the markdown divider `***`. Returns -1 when the answer has an
    empty paragraph between two dividers (two dividers in a row)."""
    if sep == "***":
        chunks = [c.strip() for c in _STAR_DIVIDER.split(text)]
        if len(chunks) > 1 and any(not c for c in chunks[1:-1]):
            return -1
        return sum(1 for c in chunks if c)
    n = 0
    for block in _BLANKS.split(text):
        for part in _DIVIDER_LINE.split(block):
            if part.strip():
                n += 1
    return n


def paragraphs(text: str) -> list[str]:
    """The answer's paragraphs, as count_paragraphs counts them (blank lines, divider lines)."""
    return [
        part.strip()
        for block in _BLANKS.split(text)
        for part in _DIVIDER_LINE.split(block)
        if part.strip()
    ]


_BULLET = re.compile(r"(?m)^[ \t]*[*+-][ \t]+(?=\S)(?![*_ \t-]*$)")
_ANY_BULLET = re.compile(r"(?m)^[ \t]*[*+•‣◦▪●-][ \t]+(?=\S)(?![*_ \t-]*$)")
_NUMBERED = re.compile(r"(?m)^[ \t]*\d{1,2}[.)][ \t]+(?=\S)")


def count_bullets(text: str, typographic: bool = False) -> int:
    """Markdown bullet items (`* `, `- `, `+ `); with typographic=True also `• ` and the like."""
    return len((_ANY_BULLET if typographic else _BULLET).findall(text))


def count_numbered(text: str) -> int:
    return len(_NUMBERED.findall(text))


def count_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


_TITLE = re.compile(r"<<([^\n]*?)>>")


def has_title(text: str) -> bool:
    return any(m.group(1).strip("<> \t") for m in _TITLE.finditer(text))


_BOLD = re.compile(r"\*\*([^*\n]+)\*\*|__([^_\n]+)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![*\w])")


def count_bold(text: str) -> int:
    return sum(1 for m in _BOLD.finditer(text) if (m.group(1) or m.group(2) or "").strip())


def count_highlights(text: str) -> int:
    """Markdown highlights: *italic* or **bold** spans with some text inside."""
    bold = count_bold(text)
    rest = _BOLD.sub(" ", text)
    return bold + sum(1 for m in _ITALIC.finditer(rest) if m.group(1).strip())


_PLACEHOLDER = re.compile(r"\[([^\[\]\n]+)\](?!\()")


def count_placeholders(text: str) -> int:
    return sum(1 for m in _PLACEHOLDER.finditer(text) if m.group(1).strip())


def count_sections(text: str, marker: str) -> int:
    pat = re.compile(
        r"(?im)^[ \t#>*_]*" + re.escape(marker) + r"[ \t]*(?:\d+|[ivxlc]+\b|[a-z]\b|#\d+)"
    )
    return len(pat.findall(text))


_HEADING = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+\S")


def count_headings(text: str) -> int:
    return len(_HEADING.findall(text))


def has_code_block(text: str) -> bool:
    return text.count("```") >= 2 or text.count("~~~") >= 2


def is_json(text: str) -> bool:
    body = text.strip()
    fence = re.match(r"```[ \t]*(?:json)?[ \t]*\n?", body, re.IGNORECASE)
    if fence:
        body = body[fence.end() :]
        if body.rstrip().endswith("```"):
            body = body.rstrip()[:-3]
    body = body.strip()
    if not body:
        return False
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True


def _is_emoji_char(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or cp in (0x231A, 0x231B, 0x2B50, 0x2B55, 0x2B1B, 0x2B1C, 0x3030, 0x303D, 0x3297, 0x3299)
        or 0x23E9 <= cp <= 0x23FA
    )


def count_emojis(text: str) -> int:
    """Emoji, counting a joined sequence (ZWJ, skin tone, flag pair) once."""
    n = 0
    prev_joined = False
    pending_flag = False
    for i, ch in enumerate(text):
        cp = ord(ch)
        if cp == 0x200D:
            prev_joined = True
            continue
        if cp == 0xFE0F:
            # a text symbol made emoji by the variation selector (e.g. ❤️, ↔️)
            if i > 0 and not _is_emoji_char(ord(text[i - 1])) and not text[i - 1].isspace():
                n += 1
            continue
        if 0x1F3FB <= cp <= 0x1F3FF:
            continue
        if 0x1F1E6 <= cp <= 0x1F1FF:
            if pending_flag:
                pending_flag = False
                continue
            pending_flag = True
            n += 1
            continue
        pending_flag = False
        if _is_emoji_char(cp) and not prev_joined:
            n += 1
        prev_joined = False
    return n


_APOS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


@lru_cache(maxsize=512)
def term_pattern(term: str) -> re.Pattern[str]:
    """A word or phrase, case-insensitive, matched as whole words; a plural or possessive
    ending (-s, -es, 's) counts as the same word. Punctuation-only terms match anywhere."""
    t = " ".join(term.translate(_APOS).split())
    body = r"\s+".join(re.escape(p) for p in t.split(" "))
    left = r"(?<!\w)" if t[:1].isalnum() or t[:1] == "_" else ""
    if not (t[-1:].isalnum() or t[-1:] == "_"):
        right = ""
    elif len(t) >= 3:
        right = r"(?:s|es|'s)?(?!\w)"
    else:  # "I", "a", "is": no plural ending, or "I" would match "is"
        right = r"(?!\w)"
    return re.compile(left + body + right, re.IGNORECASE)


def count_term(text: str, term: str) -> int:
    if not term.strip():
        return 0
    return len(term_pattern(term).findall(text.translate(_APOS)))


def _strip_end(text: str) -> str:
    """The answer without trailing spaces and closing quotes (a reply wrapped in quotes still
    ends with what is inside them)."""
    return text.rstrip().rstrip('"”').rstrip()


def _strip_start(text: str) -> str:
    return text.lstrip().lstrip('"“').lstrip()


def ends_with_phrase(text: str, phrase: str) -> bool:
    p = " ".join(phrase.translate(_APOS).split()).lower()
    if not p:
        return False
    t = _strip_end(text.translate(_APOS)).lower()
    if not t.endswith(p):
        return False
    before = t[: len(t) - len(p)]
    return not (before and p[0].isalnum() and (before[-1].isalnum() or before[-1] == "_"))


def starts_with_phrase(text: str, phrase: str) -> bool:
    p = " ".join(phrase.translate(_APOS).split()).lower()
    if not p:
        return False
    t = _strip_start(text.translate(_APOS)).lstrip("*_").lower()
    if not t.startswith(p):
        return False
    after = t[len(p) :]
    return not (after and p[-1].isalnum() and (after[0].isalnum() or after[0] == "_"))


def opening_word(paragraph: str) -> str:
    """The paragraph's first word as written, lowercased, cut at the first . , ? ! or quote
    ("Overall," -> "overall"; "**Overall**" stays "**overall**"): the way IFEval reads it."""
    parts = paragraph.split()
    if not parts:
        return ""
    word = parts[0].lstrip("'\"")
    return re.split(r"[.,?!'\"]", word, maxsplit=1)[0].lower()


def first_word(text: str) -> str:
    m = _WORD.search(text)
    return m.group(0).lower() if m else ""


def last_word(text: str) -> str:
    words = _WORD.findall(text)
    return words[-1].lower() if words else ""


_PS = {
    "P.S.": re.compile(r"(?im)(?:^|[.!?]\s+)[ \t>*_]*p\.\s?s\."),
    "P.P.S": re.compile(r"(?im)(?:^|[.!?]\s+)[ \t>*_]*p\.\s?p\.\s?s\b"),
}


def has_postscript(text: str, marker: str = "P.S.") -> bool:
    return bool(_PS[marker].search(text))


def ends_with_question(text: str) -> bool:
    t = text.rstrip().rstrip("\"'”’)]*_ \t\n")
    return t.endswith(("?", "？"))


COMMAS = (",", "，", "、", "،", "﹐", "﹑")


def no_chars(chars: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda a: not any(c in a for c in chars)


_SPACED_HYPHEN = re.compile(r"\s-{1,2}\s")


def no_dashes(text: str) -> bool:
    return (
        not any(c in text for c in "—–―") and not _SPACED_HYPHEN.search(text) and "--" not in text
    )


_MD_LINK = re.compile(r"\[[^\]\n]+\]\([^)\n]*\)")
_BLOCKQUOTE = re.compile(r"(?m)^[ \t]*>")
_TABLE_RULE = re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|")


def has_markdown(text: str) -> bool:
    return bool(
        count_headings(text)
        or count_bold(text)
        or count_highlights(text)
        or count_bullets(text, True)
        or count_numbered(text)
        or has_code_block(text)
        or _MD_LINK.search(text)
        or _BLOCKQUOTE.search(text)
        or _TABLE_RULE.search(text)
    )
