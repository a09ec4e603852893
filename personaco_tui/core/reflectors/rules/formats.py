"""Recognizers for format and style families: letter case, punctuation bans, lists, title,
quotation marks, JSON, emoji, headings, code blocks, plain text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from . import checks as C
from .found import (
    Found,
    clause_has_subpart,
    recognizer,
    scoped_after,
    taste_about_something_else,
    veto,
)
from .patterns import (
    BANNED_AFTER,
    NEG_PREFIX,
    NO_NEED_TO_COPY,
    SOME_WORDS_AFTER,
    SOME_WORDS_BEFORE,
    WHOLE_OBJ,
    punct_token,
)
from .text import Prepared

# ------------------------------------------------------------------------------ case

_LOWER_POS = re.compile(
    r"\b(?:(?:all|only|entirely|completely|fully|strictly|exclusively|purely|always|"
    r"everything)\s+)?"
    r"(?:(?:in|using|use)\s+)?(?:(?:all|only)\s+)?lower[\s-]?case(?:d)?"
    r"(?:\s+(?:letters?|characters?|only|text|format|throughout))?\b"
)
_LOWER_NEG = re.compile(
    r"\b(?:no|zero|never|not|without|avoid|stop)\s+"
    r"(?:(?:use|using|any|a|single|write|writing|type|typing|include|including)\s+){0,3}"
    r"(?:capital|upper[\s-]?case|caps\b|capitals|capitali[sz]ation|capitali[sz]ed)"
    r"(?:\s+(?:letters?|characters?|words?))?(?:\s+at all|\s+anywhere|\s+ever)?"
    r"|\b(?:never|not)\s+capitali[sz]e(?:\s+(?:anything|any words?|words))?\b"
)
_UPPER_POS = re.compile(
    r"\ball[\s-]?caps(?:\s+lock)?\b|\bcaps[\s-]?lock\b"
    r"|\b(?:all|only|entirely|completely|fully|exclusively|everything)\s+(?:in\s+)?"
    r"(?:capital|upper[\s-]?case|block|capitali[sz]ed)(?:\s+(?:letters?|characters?))?\b"
    r"|\bin\s+(?:capital|upper[\s-]?case|block)\s+letters\b"
    r"|\bupper[\s-]?case\b(?:\s+(?:letters?|only|text))?"
    r"|\bin capitals\b|\bcapitals only\b"
    r"|\bcapitali[sz]e\s+(?:everything|all letters|every letter|(?:the\s+)?(?:whole|entire)\s+\w+)"
)
_UPPER_NEG = re.compile(
    r"\b(?:no|zero|never|not|without|avoid)\s+(?:(?:use|using|any|a|single|write|writing)\s+){0,3}"
    r"lower[\s-]?case(?:\s+(?:letters?|characters?))?(?:\s+at all)?"
)
_CASE_ALLOWED = r"letters?|words?"
_SOME_WORDS_AFTER = re.compile(SOME_WORDS_AFTER)
_SOME_WORDS_BEFORE = re.compile(SOME_WORDS_BEFORE + "$")


@recognizer
def not_to_copy(p: Prepared) -> Iterator[Found]:
    m = NO_NEED_TO_COPY.search(p.t)
    if m is not None:
        yield veto(m)


@recognizer
def case(p: Prepared) -> Iterator[Found]:
    for pat, make, positive in (
        (_LOWER_POS, C.lowercase, True),
        (_LOWER_NEG, C.lowercase, False),
        (_UPPER_POS, C.uppercase, True),
        (_UPPER_NEG, C.uppercase, False),
    ):
        for m in pat.finditer(p.t):
            if pat is _UPPER_POS and (
                _SOME_WORDS_AFTER.match(p.t, m.end()) or _SOME_WORDS_BEFORE.search(p.t[: m.start()])
            ):
                continue  # a count of such words may be asked (counts.py), not a case
            if clause_has_subpart(p, m.start(), m.end(), _CASE_ALLOWED) or scoped_after(p, m):
                yield veto(m)
            else:
                yield Found(m.start(), m.end(), make(), positive)


# ----------------------------------------------------------------------- punctuation

_MARKS: list[tuple[str, Callable[[], C.Check]]] = [
    (r"commas?|" + punct_token(r",|，"), C.no_commas),
    (
        r"exclamation(?:\s+(?:marks?|points?))?|exclamations|" + punct_token(r"!+|！"),
        C.no_exclamation,
    ),
    (r"semi[\s-]?colons?|" + punct_token(";"), lambda: C.no_punct("semicolon")),
    (r"(?<!semi)(?<!semi-)(?<!semi )colons?|" + punct_token(":"), lambda: C.no_punct("colon")),
    (r"question marks?|" + punct_token(r"\?"), lambda: C.no_punct("question")),
    (
        r"ellips[ie]s|ellipsis|dot dot dot|" + punct_token(r"\.\.\.|…"),
        lambda: C.no_punct("ellipsis"),
    ),
    (
        r"parenthes[ie]s|parenthetical(?:s| remarks| asides)?|round brackets|"
        + punct_token(r"\(\s*\)|\(|\)"),
        lambda: C.no_punct("parenthesis"),
    ),
    (r"asterisks?|" + punct_token(r"\*"), lambda: C.no_punct("asterisk")),
    (
        r"hash(?:tags?| signs?| symbols?|es)|hashtags?|pound signs?|" + punct_token("#"),
        lambda: C.no_punct("hash"),
    ),
    (r"ampersands?|" + punct_token("&"), lambda: C.no_punct("ampersand")),
    (r"em[\s-]?dash(?:es)?", lambda: C.no_punct("em_dash")),
    (r"en[\s-]?dash(?:es)?", lambda: C.no_punct("en_dash")),
    (r"(?:long\s+)?dash(?:es)?|" + punct_token("-+"), lambda: C.no_punct("dash")),
]


@recognizer
def punctuation(p: Prepared) -> Iterator[Found]:
    for mark, make in _MARKS:
        pats = (
            NEG_PREFIX + rf"(?:{mark})(?![\w-])",
            rf"(?<![\w-])(?:{mark})[\s-]free\b",
            rf"(?<![\w-])(?:{mark}){BANNED_AFTER}",
        )
        for pat in pats:
            for m in re.finditer(pat, p.t):
                yield Found(m.start(), m.end(), make(), positive=False)


def _ban_items() -> list[tuple[str, Callable[[], C.Check]]]:
    items = list(_MARKS)
    items += [
        (r"emojis?|emoji|emoticons?|smileys?", C.no_emoji),
        (
            r"(?:bullet(?:ed)?[\s-]?)?(?:points|lists)|bullets|numbered lists",
            lambda: C.no_lists(False),
        ),
        (r"(?:markdown\s+)?(?:headings|headers)", C.no_headings),
        (r"markdown(?:\s+formatting)?", C.no_markdown),
        (r"capital letters|capitals|upper[\s-]?case(?:\s+letters)?", C.lowercase),
    ]
    return items


_BAN_ITEMS = _ban_items()
_BAN_ANY = "|".join(f"(?:{r})" for r, _ in _BAN_ITEMS)
_BAN_SEP = (
    r"\s*(?:,\s*(?:(?:and|or|nor)\s+)?|and\s+|or\s+|nor\s+|&\s*|/\s*)(?:(?:any|the|no|a|an)\s+)?"
)
_BAN_LIST = re.compile(
    NEG_PREFIX + rf"(?:{_BAN_ANY})(?![\w-])(?:{_BAN_SEP}(?:{_BAN_ANY})(?![\w-]))+"
)
_BAN_ONE = [(re.compile(rf"(?<![\w-])(?:{r})(?![\w-])"), make) for r, make in _BAN_ITEMS]


@recognizer
def ban_lists(p: Prepared) -> Iterator[Found]:
    """ "no semicolons or colons", "avoid exclamation marks and emojis": all of them."""
    for m in _BAN_LIST.finditer(p.t):
        span = m.group(0)
        hits: list[tuple[int, C.Check]] = []
        taken: list[tuple[int, int]] = []
        for rx, make in _BAN_ONE:
            for h in rx.finditer(span):
                if any(a < h.end() and h.start() < b for a, b in taken):
                    continue
                taken.append((h.start(), h.end()))
                hits.append((h.start(), make()))
        checks: list[C.Check] = []
        for _, c in sorted(hits, key=lambda x: x[0]):
            if all(c.key != d.key for d in checks):
                checks.append(c)
        if checks:
            check = checks[0] if len(checks) == 1 else C.all_of(checks)
            yield Found(m.start(), m.end(), check, positive=False, scoped=False)


# ----------------------------------------------------------------------------- lists

_LIST_WORDS = (
    r"(?:(?:bullet(?:ed)?|numbered|ordered|unordered|markdown)[\s-]?(?:points?|lists?|items?|form|"
    r"format|style)|bullets|bullet|lists|listicles?|list[\s-]format(?:ting)?|"
    r"(?:(?<=\bno )|(?<=\ba )|(?<=\ban )|(?<=\bany )|(?<=\bthe ))list)"
)
_NO_LISTS = re.compile(
    r"\b(?:(?:no|zero|never|not|without|avoid|avoiding|stop|ban|hate|dislike|refrain from|skip|"
    r"omit|eliminate|drop|cut out|leave out)\s+"
    r"(?:(?:use|using|any|a|an|the|format|formatting|formatted|your|my|answer|answers|reply|"
    r"replies|response|responses|it|things|everything|information|info|in|as|into|write|"
    r"writing|make|making|give|giving|put|present|presenting|structure|structuring|break|"
    r"breaking|them|stuff|content|of|with|kind|sort|type|ever|more|form|style|want|like|"
    r"see)\s+){0,5}"
    r"|(?:instead of|rather than|in place of)\s+(?:(?:a|an|any|the|using)\s+)?)"
    r"(?P<what>" + _LIST_WORDS + r")(?![\w-])"
    r"|(?<![\w-])(?P<what2>" + _LIST_WORDS + r")(?:" + BANNED_AFTER + r"|[\s-]free\b)"
)
_USE_LIST = re.compile(
    r"\b(?:use|using|uses|with|in|include|including|add|adding|as|prefer|like|love|want|need|"
    r"(?:format|formatted|answer|respond|reply|write|organi[sz]e|organi[sz]ed|break|structure|"
    r"structured|put|present|lay out|give|list)(?:\s+\w+){0,3}?\s+(?:as|in|with|into|using|"
    r"down into))\s+(?:(?:a|some|short|markdown|clear|concise|simple|the|form of|of)\s+)*"
    r"(?P<what>bullet(?:ed)?[\s-]?(?:points?|lists?|form|format|style)|bullets|bulleted lists?|"
    r"bullet[\s-]point lists?|(?:numbered|ordered)\s+(?:lists?|steps|points|items|form|format)|"
    r"lists?(?:\s+form(?:at)?)?)(?![\w-])"
    r"|(?<![\w-])(?:only\s+)?(?P<what2>bullet(?:ed)?[\s-]?points?|bullets|bulleted lists?)\s*,?\s*"
    r"(?:please|only|always|preferred|wherever possible)\b"
)


@recognizer
def lists(p: Prepared) -> Iterator[Found]:
    for m in _NO_LISTS.finditer(p.t):
        what = m.group("what") or m.group("what2") or ""
        numbered_only = bool(re.match(r"numbered|ordered", what))
        yield Found(m.start(), m.end(), C.no_lists(numbered_only), positive=False, scoped=False)
    for m in _USE_LIST.finditer(p.t):
        if taste_about_something_else(p, m):
            continue
        what = m.group("what") or m.group("what2") or ""
        if what.startswith("bullet"):
            check = C.use_bullets()
        elif re.match(r"numbered|ordered", what):
            check = C.use_numbered()
        else:
            check = C.use_list()
        yield Found(m.start(), m.end(), check)


# --------------------------------------------------------------------- title, quotes

_ANGLE = (
    r"(?:double[\s-]?angle(?:d)?[\s-]?brackets?|double[\s-]?angular[\s-]?brackets?|"
    r"double[\s-]?chevrons?|<<|" + punct_token(r"<<[^\ue003]*") + r")"
)
_TITLE = re.compile(
    r"\b(?:titles?|headings?|headlines?|headers?)\b[^;.!?\ue002]{0,80}?"
    + _ANGLE
    + r"(?:[^;.!?]{0,30}?>>)?"
    r"|"
    + _ANGLE
    + r"[^;.!?]{0,60}?\b(?:titles?|headings?|headlines?|headers?)\b(?:[^;.!?]{0,10}?>>)?"
    # "... needs a title. Use double angular brackets around it."
    r"|\btitles?\b[^;!?]{0,80}?\.\s+(?:use|put|wrap|add)\s+[^;.!?]{0,20}?"
    + _ANGLE
    + r"[^;.!?]{0,20}?\b(?:around|for|on)\s+(?:it|them|the\s+title)\b"
)


@recognizer
def title(p: Prepared) -> Iterator[Found]:
    for m in _TITLE.finditer(p.t):
        yield Found(m.start(), m.end(), C.title(), scoped=False)


_QMARKS = (
    r"(?:(?:a\s+(?:pair|set)\s+of\s+)?(?:double\s+)?(?:quotation|quote|speech)\s+marks?|"
    r"(?:double\s+)?quotes|inverted commas|double quotation|" + punct_token('"|“”|""') + r"|"
    r"\ue002\s*\ue003\s+marks?)"  # 'in " " marks': the quote marks themselves, shown
)
_QUOTED = re.compile(
    r"\b(?:wrap|enclose|surround|put|place|encase|write|give|deliver|present|keep|format|return|"
    r"frame)\w*\s+" + WHOLE_OBJ + r"\s+(?:(?:always|entirely|fully)\s+)?(?:in(?:side)?|with(?:in)?|"
    r"between|by|into)\s+"
    + _QMARKS
    + r"|\b(?:use|put|place|add)\s+"
    + _QMARKS
    + r"\s+(?:around|to wrap|to enclose|to surround)\s+"
    + WHOLE_OBJ
    + r"|\b"
    + WHOLE_OBJ
    + r"\s+(?:(?:should|must|has to|needs to|will|shall)\s+)?(?:always\s+)?"
    r"(?:be\s+|is\s+|are\s+)?(?:always\s+)?(?:wrapped|enclosed|surrounded|placed|put|written|"
    r"inside|in|within|between)\s+(?:(?:in|with|by|inside)\s+)?" + _QMARKS
)


@recognizer
def quoted(p: Prepared) -> Iterator[Found]:
    for m in _QUOTED.finditer(p.t):
        yield Found(m.start(), m.end(), C.quoted())


# ------------------------------------------------------------------- formats, misc

_JSON_CTX = re.compile(
    r"\b(?:respond|response|responses|reply|replies|answer|answers|output|format|formatted|return|"
    r"write|give|wrap|entire|whole|everything|always|all|only|provide)\b"
)
# JSON followed by a noun other than these is about something else ("a JSON expert")
_JSON_END = (
    r"(?!\s+(?!(?:format|formatted|form|only|object|array|structure|syntax|please|always|"
    r"and|or|output|document)\b)[a-z])"
)
_JSON = re.compile(
    r"\b(?:in|as|using|into)\s+(?:(?:valid|proper|strict|pure|raw|plain|well-formed|a|an|the)\s+)*"
    r"json\b(?:\s+(?:format(?:ted)?|form|only|object|structure|syntax))?"
    + _JSON_END
    + r"|\bjson\s+only\b|\bonly\s+(?:valid\s+)?json\b"
    + _JSON_END
    + r"|\b(?:valid|pure|raw|strict)\s+json\b"
    + _JSON_END
    + r"|\b(?:output|response|answer|reply)\s+(?:(?:should|must|has to|needs to|"
    r"will)\s+)?(?:be\s+)?"
    r"(?:(?:in|a|an|valid|entirely|only)\s+)*json\b"
    + _JSON_END
    + r"|\b(?:return|output|respond with|reply with|answer with|give me|"
    r"provide)\s+(?:only\s+)?(?:(?:a|an|"
    r"single|valid|one)\s+)*json(?:\s+(?:object|array|document|only))?\b" + _JSON_END
)


@recognizer
def json_format(p: Prepared) -> Iterator[Found]:
    for m in _JSON.finditer(p.t):
        a, b = p.span_of(m.start(), "sentence")
        sentence = p.t[a:b]
        if not _JSON_CTX.search(sentence):
            continue
        if re.search(
            r"\b(?:code|examples?|snippets?|schema|data|fields?|keys?|parts?)\b", sentence
        ):
            continue
        yield Found(m.start(), m.end(), C.json_output())


_EMOJI_WORD = r"(?:emojis?|emoji|emoticons?|smileys?|smiley faces?)"
_NO_EMOJI = re.compile(
    NEG_PREFIX
    + _EMOJI_WORD
    + r"\b|\b"
    + _EMOJI_WORD
    + r"[\s-]free\b|\b"
    + _EMOJI_WORD
    + BANNED_AFTER
)
_USE_EMOJI = re.compile(
    r"\b(?:use|using|include|including|add|adding|with|sprinkle(?:\s+in)?|throw\s+in|put|love|like|"
    r"want|need|prefer)\s+(?:(?:some|an|a|few|fun|relevant|lots|of|plenty|cute|appropriate|the|"
    r"occasional|couple|at least 1|1|an emoji or two)\s+)*" + _EMOJI_WORD + r"\b"
)


@recognizer
def emoji(p: Prepared) -> Iterator[Found]:
    for m in _NO_EMOJI.finditer(p.t):
        yield Found(m.start(), m.end(), C.no_emoji(), positive=False, scoped=False)
    for m in _USE_EMOJI.finditer(p.t):
        if taste_about_something_else(p, m):
            continue
        yield Found(m.start(), m.end(), C.counted("emoji_count", ">=", 1), scoped=False)


_HEAD_WORD = (
    r"(?:markdown\s+|section\s+|big\s+|large\s+)?(?:headings?|headers|subheadings?|"
    r"sub-headings?|section titles)"
)
_NO_HEADINGS = re.compile(
    NEG_PREFIX
    + _HEAD_WORD
    + r"\b|\b"
    + _HEAD_WORD
    + BANNED_AFTER
    + r"|\b"
    + _HEAD_WORD
    + r"[\s-]free\b"
)
_USE_HEADINGS = re.compile(
    r"\b(?:use|using|include|including|add|with|organi[sz]e\w*(?:\s+\w+){0,3}?\s+(?:with|under|"
    r"using)|"
    r"structure\w*(?:\s+\w+){0,3}?\s+(?:with|using)|"
    r"break(?:\s+\w+){0,3}?\s+(?:into sections\s+)?with)\s+"
    r"(?:(?:clear|markdown|section|some|descriptive|the|short|h2|h3|relevant|appropriate|#)\s+)*"
    r"(?:headings|headers|heading|subheadings|sub-headings)\b"
)


@recognizer
def headings(p: Prepared) -> Iterator[Found]:
    for m in _NO_HEADINGS.finditer(p.t):
        yield Found(m.start(), m.end(), C.no_headings(), positive=False, scoped=False)
    for m in _USE_HEADINGS.finditer(p.t):
        yield Found(m.start(), m.end(), C.use_headings(), scoped=False)


_CODE = re.compile(
    r"\b(?:include|add|use|provide|show|give|with|put|always have|contain|format|wrap|write|"
    r"present)\w*\s+"
    r"(?:(?:a|an|at|least|1|some|the|your|code|example|examples|in|inside|within|into|as|fenced|"
    r"markdown|proper|working)\s+){0,5}?(?:(?:fenced|markdown)\s+)?(?:code[\s-]?blocks?|"
    r"code fences?|"
    r"fenced code|code snippets?|code examples?|code samples?|triple backticks|"
    + punct_token("```")
    + r")\b"
)
_NO_MARKDOWN = re.compile(
    r"\b(?:no|without|avoid|not use|never use|zero|skip)\s+(?:any\s+)?markdown(?:\s+(?:formatting|"
    r"syntax|at all))?\b"
    r"|\bplain[\s-]text(?:\s+only)?\b|\bno\s+(?:text\s+)?formatting\b|\bmarkdown[\s-]free\b"
)


@recognizer
def formats(p: Prepared) -> Iterator[Found]:
    for m in _CODE.finditer(p.t):
        if re.search(r"\b(?:any|all)\s+code\b", m.group(0)):
            continue
        yield Found(m.start(), m.end(), C.code_block(), scoped=False)
    for m in _NO_MARKDOWN.finditer(p.t):
        yield Found(m.start(), m.end(), C.no_markdown(), positive=False, scoped=False)
