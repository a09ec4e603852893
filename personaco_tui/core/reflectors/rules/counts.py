"""Recognizers for counted families: words, sentences, characters, paragraphs, lines, bullets,
emoji, placeholders, highlights, sections."""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import checks as C
from .found import (
    Found,
    bare_word,
    clause_has_subpart,
    qg,
    recognizer,
    veto,
)
from .patterns import (
    APPROX_TAIL,
    CMP_ALT,
    CMP_TAIL,
    NOT_WANTED,
    NUM,
    OPPOSITE,
    PER_WHOLE,
    POST,
    cmp_rel,
    post_rel,
    punct_token,
)
from .text import Prepared

# ---------------------------------------------------------------------------- counts

_ADJ = (
    r"(?:short|brief|concise|long|full|complete|separate|distinct|clear|main|key|markdown|total|"
    r"simple|different|individual|well[\s-]developed|detailed|solid|good|strong|coherent|"
    r"standalone|unique|real|actual|proper|numbered|bulleted|additional|discrete|"
    r"\*|-|'\*'|" + punct_token(r"\*|-|\*\s|-\s") + r")"
)
# unit regex, kind, what a bare number means, allowed sub-part nouns in the clause
_CAPS = (
    r"(?:all[\s-]?caps|all[\s-]?capitals?|full[\s-]?caps|(?:full\s+|block\s+)?capitals|"
    r"(?:all\s+)?capital\s+letters|(?:fully\s+|all\s+)?upper[\s-]?case(?:\s+letters)?)"
)
_UNITS: list[tuple[str, str, str, str]] = [
    # "3 all-caps words", "5 words written in ALL CAPS": words in capitals, as IFEval counts
    (
        r"(?:fully\s+)?(?:all[\s-]?caps|upper[\s-]?case|capitali[sz]ed|capital)\s+words?|"
        rf"words?\s+(?:(?:written|typed|set|put|spelled)\s+)?in\s+{_CAPS}",
        "capital_word_count",
        ">=",
        r"words?",
    ),
    (r"words?", "word_count", "none", r"words?"),
    (r"sentences?", "sentence_count", "==", r"sentences?"),
    (r"(?:characters?|chars?)(?!\s+(?:names?|limits? of))", "char_count", "none", r"words?"),
    (r"paragraphs?|paras\b", "paragraph_count", "==", r"paragraphs?|sections?|parts?|lines?"),
    (r"lines?(?!\s+of\s+code)", "line_count", "==", r"lines?"),
    (
        r"bullet(?:ed)?[\s-]?points?|bullets|bullet items|bulleted items|list items|items|points|"
        r"entries",
        "bullet_count",
        "==",
        r"bullets?|bullet points?|points?|items?|list|lines?",
    ),
    (r"emojis?|emoticons?|emoji", "emoji_count", ">=", r".*"),
]
_RANGE_SEP = r"\s*(?:-|to|and|or)\s*"


def _relation(
    p: Prepared, start: int, m_end: int, has_range: bool, plus: bool
) -> tuple[str | None, int, int]:
    """Relation read around a number (None: nothing said; "approx"/"per": refuse), and the
    span the words that said it cover."""
    s_start, _ = p.span_of(start, "sentence")
    before = p.t[s_start:start]
    rel: str | None = None
    span_start, span_end = start, m_end
    if APPROX_TAIL.search(before):
        return "approx", span_start, span_end
    cm = CMP_TAIL.search(before)
    keep_to = False  # "keep it to 3-7 sentences": a range, not a limit
    if cm:
        rel = cmp_rel(cm.group("c"))
        span_start = s_start + cm.start()
        unwanted = NOT_WANTED.search(before[: cm.start()]) if rel in OPPOSITE else None
        if unwanted and rel is not None:
            rel = OPPOSITE[rel]
            span_start = s_start + unwanted.start()  # the negation is part of what it says
        keep_to = bool(re.match(r"(?:limit|restrict|keep|kept|stick|hold)", cm.group("c")))
    whole = PER_WHOLE.match(p.t, m_end)  # "2 emojis per answer": the whole answer
    if whole:
        span_end = m_end = whole.end()
    pm = POST.match(p.t, m_end)
    prel = post_rel(pm.group("p")) if pm else None
    if prel in ("approx", "per"):
        return prel, span_start, pm.end() if pm else m_end
    if pm and prel:
        span_end = pm.end()
    if has_range:
        if rel in (None, "between", "from", "bare") or keep_to:
            return "between", span_start, span_end
        return "approx", span_start, span_end
    if rel in ("between", "from"):
        rel = None
    if plus:
        return ">=", span_start, span_end
    if rel in (None, "bare") and prel:
        return prel, span_start, span_end
    if rel is not None and prel is not None and rel != "bare" and prel != rel:
        return "approx", span_start, span_end  # "at least 3 paragraphs or less": contradictory
    return rel, span_start, span_end


def _count_check(kind: str, rel: str, n: int, m: int | None, p: Prepared) -> C.Check:
    if kind == "paragraph_count":
        return C.paragraph_count(rel, n, m, _paragraph_sep(p))
    return C.counted(kind, rel, n, m)


def _paragraph_sep(p: Prepared) -> str:
    if "***" in p.t or re.search(
        r"\b(?:markdown )?divider|\bthree asterisks|\bhorizontal rule", p.t
    ):
        return "***"
    if any(q.strip() == "***" for q in p.quotes):
        return "***"
    return "blank"


def _count_patterns() -> list[tuple[re.Pattern[str], re.Pattern[str], str, str, str]]:
    out = []
    for unit, kind, bare, allowed in _UNITS:
        # "at most 80 words", "80-100 words", "300+ words", "3 short paragraphs"
        core = re.compile(
            NUM + rf"(?:{_RANGE_SEP}(\d{{1,7}}))?(\+)?[\s-]+(?:{_ADJ}[\s-]+){{0,2}}(?:{unit})\b"
        )
        # "word limit of 80", "word count under 80"
        lead = re.compile(
            rf"\b(?:{unit})[\s-](?P<what>count|limit|length|cap|maximum|max|minimum|min|ceiling|"
            rf"total|budget)\s*(?:(?:is|of|should be|must be|needs to be|has to be|stays?|:|=|"
            rf"at)\s*)?(?:(?P<cmp>{CMP_ALT})\s*)?(?:of\s+)?" + NUM
        )
        out.append((core, lead, kind, bare, allowed))
    return out


_COUNT_PATTERNS = _count_patterns()


@recognizer
def counts(p: Prepared) -> Iterator[Found]:
    for core, lead, kind, bare, allowed in _COUNT_PATTERNS:
        for m in core.finditer(p.t):
            n = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else None
            rel, a, b = _relation(p, m.start(), m.end(), hi is not None, bool(m.group(3)))
            if kind == "bullet_count":
                if re.match(r"\s+(?:of\s+)?code", p.t[m.end() :]):
                    continue
                sa, sb = p.span_of(m.start(), "sentence")
                if re.search(r"(?:items|points|entries)$", m.group(0)) and not re.search(
                    r"bullet|markdown|\blist|\ue002\s*[*-]", p.t[sa:sb]
                ):
                    continue  # "make 3 points": not about a list
            if rel in ("approx", "per"):
                yield Found(a, b, None)
                continue
            if rel in (None, "bare"):
                if n == 0:
                    rel = "=="
                elif bare == "none":
                    continue  # "answer in 50 words": a target, not a limit
                else:
                    rel = bare
            if rel == "between" and (hi is None or hi < n):
                yield Found(a, b, None)
                continue
            if kind != "emoji_count" and clause_has_subpart(p, m.start(), b, allowed):
                yield Found(a, b, None)
                continue
            if kind == "paragraph_count":
                sep = re.match(
                    r"\s*,?\s*(?:(?:each|all|which are|that are)\s+)?(?:separated|split|divided|"
                    r"delimited)\s+"
                    r"(?:from each other\s+|from one another\s+)?(?:with|using|"
                    r"by)\s+[^;.!?]{0,40}?(?:\*\*\*|"
                    r"divider|horizontal rule|blank lines?|empty lines?|"
                    r"line breaks?)(?:\s+dividers?)?",
                    p.t[b:],
                )
                if sep:
                    b += sep.end()
            yield Found(a, b, _count_check(kind, rel, n, hi, p))
        # "word limit of 80", "word count under 80"
        for m in lead.finditer(p.t):
            n = int(m.group(lead.groups))  # NUM is the last group
            what = m.group("what")
            rel = cmp_rel(m.group("cmp")) if m.group("cmp") else None
            if rel in (None, "bare"):
                if what in ("limit", "cap", "maximum", "max", "ceiling", "budget"):
                    rel = "<="
                elif what in ("minimum", "min"):
                    rel = ">="
                elif bare != "none":
                    rel = bare
                else:
                    continue
            if rel in ("between", "from"):
                continue
            if kind != "emoji_count" and clause_has_subpart(p, m.start(), m.end(), allowed):
                yield veto(m)
                continue
            yield Found(m.start(), m.end(), _count_check(kind, rel, n, None, p))


_ONE_UNIT = re.compile(
    r"\b(?:1|a)[\s-](?P<unit>sentence|paragraph)(?:\s+(?:answers?|repl(?:y|ies)|responses?))\b"
    r"|\b(?:in|as|with)\s+(?:just\s+|only\s+)?(?:1|a)\s+(?:short\s+|brief\s+|concise\s+)?"
    r"(?P<unit2>sentence|paragraph)\b"
)


@recognizer
def one_unit(p: Prepared) -> Iterator[Found]:
    """ "answer in a single sentence", "one-paragraph answers" ("1" after normalization);
    "in a sentence" is read as one sentence."""
    for m in _ONE_UNIT.finditer(p.t):
        unit = m.group("unit") or m.group("unit2")
        if clause_has_subpart(p, m.start(), m.end(), unit + "s?"):
            yield veto(m)
            continue
        kind = "sentence_count" if unit == "sentence" else "paragraph_count"
        yield Found(m.start(), m.end(), _count_check(kind, "==", 1, None, p))


@recognizer
def paragraph_divider(p: Prepared) -> Iterator[Found]:
    """ "separate paragraphs with ***" without a count."""
    pat = re.compile(
        r"\b(?:separate|split|divide|break up|delimit)\w*\s+(?:(?:your|the|my|all|each|of|any)\s+)*"
        r"paragraphs\s+(?:with|using|by)\s+(?:(?:the|a|markdown|divider|dividers|line|lines)\s+)*"
        r"(?:\*\*\*|" + punct_token(r"\*\*\*") + r")(?:\s+(?:markdown\s+)?dividers?)?"
        r"|\bparagraphs\s+(?:(?:should|must)\s+be\s+)?(?:separated|split|divided|delimited)\s+"
        r"(?:with|using|by)\s+(?:(?:the|a|markdown|divider|dividers)\s+)*"
        r"(?:\*\*\*|" + punct_token(r"\*\*\*") + r")(?:\s+(?:markdown\s+)?dividers?)?"
    )
    for m in pat.finditer(p.t):
        if re.search(r"\d+[\s-]+(?:[\w-]+\s+){0,2}$", p.t[: m.start()] + " ") and re.match(
            r"paragraphs", m.group(0)
        ):
            continue  # "3 paragraphs separated by ***": a count, read by `counts`
        yield Found(m.start(), m.end(), C.paragraph_divider())


# ------------------------------------------------- placeholders, highlights, sections

# what a [placeholder] is called where square brackets are named ("3 fill-in-the-blank spots")
_PH_NOUN = r"\[?(?:placeholders?|blanks?|spots?|slots?|fields?|gaps?)\]?"
_PLACEHOLDER = re.compile(
    r"(?:(?P<cmp>" + CMP_ALT + r")\s+)?(?P<n>\d{1,4})\s+(?:[\w-]+\s+)?" + _PH_NOUN + r"(?!\w)"
    r"|\b(?:use|using|include|including|add|adding|insert|with|contain|have|leave|put|"
    r"putting)\s+(?:(?:some|a|an|few|fill-in|fill in|the|blank)\s+)*(?:(?P<cmp2>" + CMP_ALT + r")"
    r"\s+)?(?:(?P<n2>\d{1,4})\s+)?(?:[\w-]+\s+)?" + _PH_NOUN + r"(?!\w)"
)


@recognizer
def placeholders(p: Prepared) -> Iterator[Found]:
    if not re.search(r"square[\s-]brackets?|\[", p.t):
        return
    for m in _PLACEHOLDER.finditer(p.t):
        nraw = m.group("n") or m.group("n2")
        craw = m.group("cmp") or m.group("cmp2")
        n = int(nraw) if nraw else 1
        rel = cmp_rel(craw) if craw else "bare"
        if rel in ("between", "from"):
            yield veto(m)
            continue
        end = m.end()
        tail = re.match(
            r"[^;.!?]{0,40}?(?:square[\s-]brackets?|\[[^\]]*\])(?:,?\s*(?:like|such as|"
            r"e\.g\.?)\s*\[[^\]]*\])?",
            p.t[end:],
        )
        if tail:
            end += tail.end()
        yield Found(
            m.start(), end, C.counted("placeholder_count", ">=" if rel == "bare" else rel, n)
        )


_HL_NOUN = (
    r"(?:sections?|parts?|phrases?|words?|terms?|points?|passages?|spans?|bits?|segments?|"
    r"key\s+\w+|ideas?|concepts?|things?|areas?|sentences?|text)"
)
_HIGHLIGHT = re.compile(
    r"(?:(?P<cmp>"
    + CMP_ALT
    + r")\s+)?(?P<n>\d{1,4})\s+(?:[\w-]+\s+)?(?P<how>highlighted|emphasi[sz]ed|"
    r"italici[sz]ed|bold(?:ed)?|italic)\s+"
    + _HL_NOUN
    + r"|\b(?P<how2>highlight|emphasi[sz]e|bold|italici[sz]e)\w*\s+(?:(?P<cmp2>"
    + CMP_ALT
    + r")\s+)?(?P<n2>\d{1,4})\s+(?:[\w-]+\s+)?"
    + _HL_NOUN
    + r"|\b(?P<how3>highlight|emphasi[sz]e)\w*\s+(?:[\w-]+\s+){0,3}?(?:with|using|in)\s+"
    r"(?:(?:markdown|asterisks|\*|bold|italics?|" + punct_token(r"\*[^\ue003]*") + r")\s*)+"
    r"|\b(?:use|using|with|add)\s+(?:some\s+)?(?:markdown\s+)?(?P<how4>bold(?:\s+text)?|italics|"
    r"highlighting|highlights)\b"
    r"|\b(?P<how5>bold)\s+(?:the\s+)?(?:key|important|main|most important)\s+\w+"
)


@recognizer
def highlights(p: Prepared) -> Iterator[Found]:
    for m in _HIGHLIGHT.finditer(p.t):
        how = next(m.group(g) for g in ("how", "how2", "how3", "how4", "how5") if m.group(g))
        nraw = m.group("n") or m.group("n2")
        craw = m.group("cmp") or m.group("cmp2")
        n = int(nraw) if nraw else 1
        rel = cmp_rel(craw) if craw else "bare"
        if rel in ("between", "from"):
            yield veto(m)
            continue
        rel = ">=" if rel == "bare" else rel
        kind = "bold_count" if how.startswith("bold") else "highlight_count"
        end = m.end()
        tail = re.match(
            r"[^;.!?]{0,40}?(?:with\s+)?(?:markdown|asterisks|\*[^*;.!?]+\*)", p.t[end:]
        )
        if tail and kind == "highlight_count":
            end += tail.end()
        yield Found(m.start(), end, C.counted(kind, rel, n), scoped=False)


_SECTIONS = re.compile(
    r"(?:(?P<cmp>"
    + CMP_ALT
    + r")\s+)?(?P<n>\d{1,3})\s+(?:[\w-]+\s+)?(?P<unit>sections?|parts?|chapters?)\b"
    r"[^;!?]{0,100}?\b(?:marked|mark|labell?ed|label|titled|headed|starting|beginning|begin|start|"
    r"named|"
    r"numbered|prefixed|introduced|denoted|indicated)\w*\s+(?:(?:with|by|as|using|the|word|marker|"
    r"label|"
    r"heading|header|like|e\.g\.|:)\s+)*(?:"
    + qg("q")
    + r"|(?P<lit>section|part|chapter|step|day|act|scene)"
    r"\s+(?:x|n|\d+|#|i|[a-z])\b)"
    # "... titled Section 1 and Section 2", "labelled 'Section 1', 'Section 2', 'Section 3'"
    rf"(?:\s*(?:,\s*and|,|and)\s*(?:{qg('more')}|(?:section|part|chapter|step)\s+(?:\d+|[a-z])\b))*"
)


_SECTION_MARK = re.compile(
    r"\b(?:mark|label|start|begin|title|number|head|prefix|introduce|"
    r"open)\w*\s+(?:the\s+(?:beginning|start)\s+"
    r"of\s+)?(?:each|every|all|the)\s+(?:of\s+the\s+|of\s+your\s+)?(?:(?P<unit>sections?|parts?|"
    r"chapters?)\s+|(?=with\s))"
    r"(?:with|as|using|by)\s+(?:(?:the|word|marker|label|heading|header|like|e\.g\.|:)\s+)*(?:"
    + qg("q")
    + r"|(?P<lit>section|part|chapter|step|day|act|scene)\s+(?:x|n|\d+|#|i|[a-z])\b)"
    r"(?:\s*,\s*(?:such as|like|e\.g\.|as in)\s+[^;.!?]{0,60})?"
    r"(?:\s+and\s+(?:its|a|the)\s+number)?"
)
_SECTION_COUNT = re.compile(
    r"(?:(?P<cmp>"
    + CMP_ALT
    + r")\s+)?(?P<n>\d{1,3})\s+(?:[\w-]+\s+)?(?P<unit>sections?|parts?|chapters?)\b"
)


def _marker(p: Prepared, m: re.Match[str]) -> str:
    if m.group("q"):
        words = re.findall(r"[^\W\d_]+", p.quote(m.group("q")))
        return words[0].lower() if words else ""
    return m.group("lit") or ""


@recognizer
def sections(p: Prepared) -> Iterator[Found]:
    # two sentences: "Your answer must have 3 sections. Mark each section with SECTION X."
    for m in _SECTION_MARK.finditer(p.t):
        marker = _marker(p, m)
        counts_found = [
            c for c in _SECTION_COUNT.finditer(p.t) if not (m.start() <= c.start() < m.end())
        ]
        if not marker or len(counts_found) != 1:
            continue
        c = counts_found[0]
        rel = cmp_rel(c.group("cmp")) if c.group("cmp") else "bare"
        if rel in ("between", "from"):
            yield veto(c)
            continue
        check = C.section_count("==" if rel == "bare" else rel, int(c.group("n")), None, marker)
        yield Found(m.start(), m.end(), check, scoped=False)
        yield Found(c.start(), c.end(), check, scoped=False)
    for m in _SECTIONS.finditer(p.t):
        marker = _marker(p, m)
        if not marker:
            continue
        rel = cmp_rel(m.group("cmp")) if m.group("cmp") else "bare"
        if rel in ("between", "from"):
            yield veto(m)
            continue
        rel = "==" if rel == "bare" else rel
        yield Found(
            m.start(), m.end(), C.section_count(rel, int(m.group("n")), None, marker), scoped=False
        )


# ---------------------------------------------------------------- paragraph openings

_ORD = {
    "first": 1, "1st": 1, "opening": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7,
    "7th": 7, "eighth": 8, "8th": 8, "last": 0, "final": 0, "closing": 0,
}  # fmt: skip
_ORD_ALT = "|".join(sorted(_ORD, key=len, reverse=True))
_PARA = r"(?:paragraph|para|one|1)"  # the prepared text writes "one" as 1


def _word_q(n: str = "") -> str:
    """'the word "X"' or a bare word, with the groups q{n} and bare{n} (one pair per branch)."""
    return rf"(?:the\s+word\s+)?(?:{qg('q' + n)}|{bare_word('bare' + n)})"


_PARA_START = re.compile(
    # "start the third paragraph with 'However'", "begin the last one with the word X"
    rf"\b(?:start|begin|open|lead)(?:s|ed|ing)?\s+(?:the\s+|your\s+)?(?P<o1>{_ORD_ALT})\s+{_PARA}"
    rf"\s+(?:always\s+)?with\s+{_word_q()}"
    # "the third paragraph should open with X", "the first one starting with 'Okay'"
    rf"|\b(?:the\s+|your\s+)?(?P<o2>{_ORD_ALT})(?P<noun>\s+{_PARA})?\s+"
    r"(?:(?:should|must|has to|needs to|will|shall|is to)\s+)?(?:always\s+)?"
    r"(?:start|begin|open|lead)(?:s|ed|ing)?\s+(?:off\s+)?with\s+"
    + _word_q("2")
    # "the first word of the second paragraph should be 'Answer'"
    + rf"|\b(?:the\s+)?(?:first|opening)\s+word\s+of\s+(?:the\s+|your\s+)?(?P<o3>{_ORD_ALT})\s+"
    r"paragraph\s+(?:(?:should|must|has to|needs to|will|shall)\s+)?(?:always\s+)?(?:be|is|:|=)?\s*"
    + rf"(?:{qg('q3')}|{bare_word('bare3')})"
)


@recognizer
def paragraph_start(p: Prepared) -> Iterator[Found]:
    for m in _PARA_START.finditer(p.t):
        g = m.groupdict()
        nth = _ORD[next(g[k] for k in ("o1", "o2", "o3") if g.get(k))]
        qi = next((g[k] for k in ("q", "q2", "q3") if g.get(k)), None)
        word = (
            p.quote(qi).strip()
            if qi is not None
            else next(g[k] for k in ("bare", "bare2", "bare3") if g.get(k))
        )
        if g.get("o2") and not g.get("noun") and "paragraph" not in p.t:
            continue  # "the third should open with X": only where paragraphs are the topic
        if len(word.split()) != 1:
            yield veto(m)  # a phrase, not a word: not what this check measures
            continue
        # "make the first word of the first paragraph 'Answer'": the verb before belongs to it
        a = m.start()
        lead = re.search(r"\b(?:make|have|let|set)\s+$", p.t[:a])
        yield Found(lead.start() if lead else a, m.end(), C.paragraph_starts(nth, word))
