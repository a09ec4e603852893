"""Recognizers for wording families: start and end phrases, a closing question, postscript,
words to use or avoid, word and letter frequencies, the response language."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from . import checks as C
from .found import (
    Found,
    bare_word,
    qg,
    recognizer,
    veto,
)
from .lang import LANGUAGE_NAMES, LANGUAGE_WORDS, self_named_language
from .patterns import (
    BANNED_AFTER,
    CMP_ALT,
    QL,
    SUBPART,
    cmp_rel,
    quotes_in,
)
from .text import QNC, Prepared

# ------------------------------------------------------------------------ start, end

_PHRASE_FILL = (
    r"(?>(?:the|this|a|an|exact|exactly|following|same|precise|words?|phrase|sentence|line|text|"
    r"greeting|salutation|sign[\s-]?off|signoff|closing|signature|expression|statement|quote|"
    r"literal|verbatim|:|-)(?!\w)\s*)*"
)
_START = re.compile(
    r"\b(?:start|begin|open|kick off|lead off|preface|commence)(?:s|ed|"
    r"ing)?\b(?P<obj>[^;.!?]{0,50}?)"
    r"\b(?:with|by saying|by writing|using)\s+"
    + _PHRASE_FILL
    + r"(?:"
    + qg("q")
    + r"|(?<=word )"
    + bare_word("bare")
    + r")"
    r"|\b(?:first|opening)\s+(?P<unit>words?|line|sentence|phrase)\s+(?:of\s+(?:\w+\s+){0,3}?)?"
    r"(?:(?:should|must|has to|needs to|will|shall)\s+)?(?:always\s+)?(?:be|is|:|=|reads?|"
    r"says?)\s*:?\s*"
    r"(?:" + qg("q2") + r"|" + bare_word("bare2") + r")"
)
_END = re.compile(
    r"\b(?:end|finish|close|conclude|wrap up|sign off|sign|terminate|round off|cap off)"
    r"(?:s|ed|ing)?\b(?P<obj>[^;.!?]{0,60}?)\b(?:with|by saying|by writing|using|as|on)\s+"
    + _PHRASE_FILL
    + r"(?:"
    + qg("q")
    + r"|(?<=word )"
    + bare_word("bare")
    + r")"
    r"|\b(?:last|final|closing|ending)\s+(?P<unit>words?|line|sentence|"
    r"phrase)\s+(?:of\s+(?:\w+\s+){0,3}?)?"
    r"(?:(?:should|must|has to|needs to|will|shall)\s+)?(?:always\s+)?(?:be|is|:|=|reads?|"
    r"says?)\s*:?\s*"
    r"(?:" + qg("q2") + r"|" + bare_word("bare2") + r")"
    r"|\b(?:my|the|your|a)\s+sign[\s-]?off\s+(?:(?:should|must|will)\s+)?(?:always\s+)?(?:be|is|:|"
    r"=)\s*:?\s*"
    + qg("q3")
    + r"|\bat the (?:very )?end(?:\s+of\s+(?:\w+\s+){0,3}?)?,?\s+(?:always\s+)?(?:say|write|add|"
    r"put|"
    r"include|append|place|type)\s+"
    + qg("q4")
    + r"|\b(?:say|write|add|put|include|append|place|type)\s+"
    + qg("q5")
    + r"\s+(?:at the (?:very )?end|last)\b"
)
_NOTHING_AFTER = re.compile(
    r"\s*[,;:-]?\s*(?:and\s+|with\s+|but\s+)?(?:absolutely\s+)?(?:nothing\s+(?:else\s+|more\s+)?"
    r"(?:after|following|afterwards?|behind|past)(?:\s+(?:it|that|this|them))?|(?:do not|never)\s+"
    r"(?:add|write|put|include|say)\s+(?:anything|any(?:thing)?\s+(?:else|more)|more)(?:\s+"
    r"(?:after(?:wards?)?|following)(?:\s+(?:it|that|this|them))?)?)"
)


_PS_MARKER = re.compile(r"^p\.?\s?(p\.?\s?)?s\.?$", re.I)


def _phrase_found(p: Prepared, m: re.Match[str], make: Callable[..., C.Check]) -> Found | None:
    obj = m.groupdict().get("obj") or ""
    if re.search(
        r"\b(?:first|second|third|fourth|fifth|last|final|\d+(?:st|nd|rd|th))\s+(?:paragraph|para|1)\b",
        obj,
    ):
        return None  # "begin the second paragraph with X": counts.paragraph_start reads it
    if re.search(rf"\b{SUBPART}\b", obj) and not re.search(
        r"\b(?:answers?|repl(?:y|ies)|responses?|messages?)\b", obj
    ):
        return Found(m.start(), m.end(), None)
    gd = m.groupdict()
    qi = next((gd[g] for g in ("q", "q2", "q3", "q4", "q5") if gd.get(g)), None)
    bare = m.groupdict().get("bare") or m.groupdict().get("bare2")
    unit = m.groupdict().get("unit") or ""
    end = m.end()
    if make is C.ends_with:
        tail = _NOTHING_AFTER.match(p.t, end)
        if tail:
            end = tail.end()
    if bare:
        return Found(m.start(), end, make(bare, word=True))
    if qi is None:
        return None
    phrase = p.quote(qi)
    if not phrase.strip():
        return None
    ps = _PS_MARKER.match(phrase.strip())
    if make is C.ends_with and ps:  # "finish each message with a 'P.S.' note": a postscript
        return Found(m.start(), end, C.postscript("P.P.S" if ps.group(1) else "P.S."))
    span = p.t[m.start() : m.end()]
    single = len(phrase.split()) == 1
    word_mode = single and (
        unit.startswith("word") or bool(re.search(r"\bword\s*" + QNC + "$", span))
    )
    return Found(m.start(), end, make(phrase.strip(), word=word_mode))


@recognizer
def start_end(p: Prepared) -> Iterator[Found]:
    for pat, make in ((_START, C.starts_with), (_END, C.ends_with)):
        for m in pat.finditer(p.t):
            f = _phrase_found(p, m, make)
            if f is not None:
                yield f


_END_Q = re.compile(
    r"\b(?:end|finish|close|conclude|wrap up|round off|wrap)(?:s|ed|ing)?\b[^;.!?]{0,40}?\b"
    r"(?:with|by asking|on)\s+(?:me\s+)?(?:(?:a|an|one|"
    r"some)\s+)?(?:[\w-]+\s+){0,2}?questions?(?!\s+marks?)\b"
    r"|\b(?:last|final|closing)\s+(?:sentence|line|thing|part|bit)\s+(?:of\s+(?:\w+\s+){0,3}?)?"
    r"(?:(?:should|must|has to|needs to|will)\s+)?(?:always\s+)?(?:be|"
    r"is)\s+(?:a\s+)?(?:[\w-]+\s+)?question\b"
    r"|\bask\s+(?:me\s+)?(?:(?:a|an|"
    r"one)\s+)?(?:[\w-]+\s+){0,2}?questions?\s+(?:at the (?:very )?end|to "
    r"(?:finish|close|end|wrap up)|last)\b"
    r"|\b(?:end|finish|close)(?:s|ed|ing)?\s+(?:\w+\s+){0,3}?with\s+(?:a\s+)?question marks?\b"
)


@recognizer
def ends_question(p: Prepared) -> Iterator[Found]:
    for m in _END_Q.finditer(p.t):
        if re.search(
            r"\b(?:each|every)\s+(?:sentence|paragraph|line|bullet|point|section)", m.group(0)
        ):
            yield veto(m)
            continue
        yield Found(m.start(), m.end(), C.ends_question())


_PS_WORD = r"(?:post[\s-]?script|p\.\s?p\.\s?s\b\.?|p\.\s?s\.)"
_PS = re.compile(
    r"(?:\b(?:add|include|append|attach|put|write|end with|finish with|close with|always have|"
    r"sign off with)\s+(?:(?:a|an|one|short|brief|little|quick|final)\s+)*)?"
    r"(?:(?<![\w.])" + _PS_WORD + r"|\b(?:add|include|append|attach|put|write|with|end with|"
    r"finish with|close with|always have|want|like|need)\s+(?:(?:a|an|one|short|brief|little)\s+)*"
    r"(?:ps|pps)\b)"
    r"(?:[^;!?]{0,80}?\b(?:start|begin|open|mark|label|prefix|introduce)\w*\s+(?:with|by|as|"
    r"using)\s+"
    r"(?:the\s+)?(?:" + QNC + r"|p\.\s?p?\.?\s?s\b\.?|pps?\b))?"
)


# after a bare "P.S." that opens a sentence, what makes it a request, not the person's own P.S.
_PS_ASKED = re.compile(
    r"\b(?:at the (?:very )?(?:end|bottom)|end of|bottom of|always|please|pls|add|include|every|"
    r"each)\b"
)


@recognizer
def postscript(p: Prepared) -> Iterator[Found]:
    for m in _PS.finditer(p.t):
        span = m.group(0)
        sa, sb = p.span_of(m.start(), "sentence")
        if (
            re.fullmatch(_PS_WORD, span)
            and not p.t[sa : m.start()].strip(" ,;:-")
            and not (_PS_ASKED.search(p.t[m.end() : sb]))
        ):
            yield veto(m)  # "P.S. thanks for all the help!": the person's own postscript
            continue
        quoted = " ".join(p.quote(i).lower() for i in quotes_in(span))
        pps = re.search(r"p\.\s?p\.\s?s|\bpps\b", span + " " + quoted)
        yield Found(m.start(), m.end(), C.postscript("P.P.S" if pps else "P.S."), scoped=False)


# -------------------------------------------------------------------------- keywords

_INC_VERB = (
    r"(?:use|using|uses|include|including|mention|mentioning|incorporate|incorporating|work in|"
    r"weave in|throw in|drop in|put in|add|feature|contain|say|utili[sz]e|employ|reference|insert|"
    r"have|mentions)"
)
_INC_FILL = (
    r"(?>(?:the|both|all|these|those|following|each|every|of|a|an|at|least|1|2|3|4|5|exact|"
    r"specific|words?|keywords?|terms?|phrases?|expressions?|some|key|always|my|favorite|"
    r"favourite|names?|in|your|answers?|repl(?:y|ies)|responses?|somewhere|either|any|"
    r"vocabulary|:)(?!\w)\s*)*"
)
_INCLUDE = re.compile(
    r"\b" + _INC_VERB + r"\s+" + _INC_FILL + r"(?P<ql>" + QL + r")"
    r"|\b(?:(?:key)?words?|terms?|phrases?|vocabulary|expressions?)\s*:?\s*(?P<ql2>" + QL + r")"
    r"[^;.!?]{0,60}?\b(?:use|include|mention|incorporate|work in|feature|practi[cs]e)\s+"
    r"(?:(?:both|all|each|every one|1|at least|either|any|them|these|those|it|of|the|words?|in|"
    r"your|my|answers?|repl(?:y|ies)|responses?)(?!\w)\s*)+"
    r"|(?:\b(?:(?:key)?words?|terms?|phrases?)\s+)?(?P<ql3>" + QL + r")\s+(?:should|must|need to|"
    r"needs to|has to|have to|ought to|will)\s+(?:always\s+)?(?:appear|be used|be included|"
    r"be mentioned|be present|show up|feature)"
    r"|\b(?:use|include|mention|incorporate)\s+the\s+(?:key)?word\s+" + bare_word("bare")
)
_POSITIONAL = re.compile(
    r"\b(?:first|last|start|starts|begin|begins|beginning|end|ends|ending|finish|close|opening|"
    r"closing|final|title|heading|headline|header)\b"
)
_EXC_VERB = (
    r"(?:(?:avoid|avoiding)(?:\s+(?:using|saying|writing|mentioning|the use of))?|"
    r"(?:not|never)\s+(?:want|like)(?:\s+to\s+(?:see|hear|read))?|"
    r"never\s+(?:use|say|write|mention|include|type|utter)|not\s+(?:use|say|"
    r"write|mention|include|type)|without(?:\s+(?:using|saying|mentioning))?|no|ban|banning|"
    r"stop\s+(?:using|saying)|refrain\s+from\s+(?:using|saying)|exclude|omit|skip|hate|dislike|"
    r"cut\s+out|leave\s+out|eliminate|steer\s+clear\s+of|do\s+away\s+with)"
)
_EXC_FILL = (
    r"(?>(?:the|any|of|these|those|following|words?|terms?|phrases?|expressions?|keywords?|"
    r"such|:|ever|at all|cliches?|clichés?|buzzwords?|filler|fillers)(?!\w)\s*)*"
)
_EXCLUDE = re.compile(
    r"\b" + _EXC_VERB + r"\s+" + _EXC_FILL + r"(?P<ql>" + QL + r")"
    r"|(?P<ql2>"
    + QL
    + r")"
    + BANNED_AFTER
    + r"|(?P<ql3>"
    + QL
    + r")\s+(?:should|must|can|may)\s+(?:never|not)\s+(?:ever\s+)?(?:appear|"
    r"be used|be said|be written|be mentioned|show up)"
    r"|\bnever\s+(?:let\s+)?(?:the\s+)?(?:words?\s+)?(?P<ql4>" + QL + r")\s+(?:appear|show up)"
    r"|\b(?:avoid|never (?:use|say)|not (?:use|say)|no|ban)\s+the\s+words?\s+" + bare_word("bare")
)
_EXAMPLES = re.compile(
    r"\b" + _EXC_VERB + r"\s+(?:\w+\s+){0,3}?(?:like|such as|e\.g\.?|for example|including)\s+" + QL
)


def _terms(p: Prepared, m: re.Match[str], groups: tuple[str, ...]) -> list[str]:
    for g in groups:
        if m.group(g):
            return [p.quote(i).strip() for i in quotes_in(m.group(g))]
    bare = m.group("bare")
    return [bare] if bare else []


@recognizer
def keywords(p: Prepared) -> Iterator[Found]:
    for m in _INCLUDE.finditer(p.t):
        terms = [t for t in _terms(p, m, ("ql", "ql2", "ql3")) if t]
        if not terms:
            continue
        if _POSITIONAL.search(p.t[slice(*p.span_of(m.start(), "sentence"))]):
            continue  # "say 'Cheers' at the end": positional, left to start/end
        if re.match(
            r"\s*(?:instead of|rather than|in place of|over|versus|vs\.?)\b", p.t[m.end() :]
        ):
            yield veto(m)  # "use 'smart quotes' instead of ...": a substitution, not a word
            continue
        span = m.group(0)
        any_of = bool(
            re.search(r"\b(?:either|1 of|any of|at least 1|one of)\b", span)
            or (re.search(r"\bor\b", span) and not re.search(r"\band\b", span))
        )
        if any(len(t.split()) > 1 and len(t) == 1 for t in terms):
            continue
        if len(terms) == 1 and len(terms[0]) == 1 and terms[0].isalpha():
            continue  # a single letter: letter frequency, not a word
        yield Found(m.start(), m.end(), C.include_words(tuple(terms), any_of))
    for m in _EXAMPLES.finditer(p.t):
        yield veto(m)  # "avoid words like 'very'": a class of words, not a list
    for m in _EXCLUDE.finditer(p.t):
        terms = [t for t in _terms(p, m, ("ql", "ql2", "ql3", "ql4")) if t]
        if not terms:
            continue
        if all(t == "," for t in terms):
            check = C.no_commas()
        elif all(set(t) <= {"!"} for t in terms):
            check = C.no_exclamation()
        else:
            check = C.exclude_words(tuple(terms))
        yield Found(m.start(), m.end(), check, positive=False, scoped=False)


def _times(x: str) -> str:
    return (
        rf"(?:(?P<cmp{x}>"
        + CMP_ALT
        + rf")\s+)?(?P<n{x}>\d{{1,5}})(?:\s*(?:-|to|and|or)\s*(?P<hi{x}>\d{{1,5}}))?"
        rf"(?:\s+or\s+(?P<post{x}>more|less|fewer))?\s+times?\b"
    )


def _term(x: str) -> str:
    return (
        r"(?:(?:the\s+)?(?:word|term|keyword|phrase)\s+(?:"
        + qg(f"q{x}")
        + r"|(?P<bare"
        + x
        + r">[a-z][\w'-]*))|"
        + qg(f"qq{x}")
        + r")"
    )


_FREQ = re.compile(
    r"\b(?:use|say|mention|include|repeat|write|put|feature)\s+"
    + _term("a")
    + r"\s+(?:(?:in\s+(?:your|the|each)\s+\w+|exactly|only|just)\s+)?"
    + _times("a")
    + r"|"
    + _term("b")
    + r"\s+(?:(?:should|must|has to|needs to|will|to)\s+)?(?:appear|occur|be used|"
    r"show up|feature|be mentioned|be repeated)\s+" + _times("b")
)
_LETTER = re.compile(
    r"\b(?:the\s+)?(?:letter|character)\s+(?:"
    + qg("qa")
    + r"|(?P<barea>[a-z])\b)[^;.!?]{0,40}?"
    + _times("a")
    + r"|\b(?:use|include|write|put)\s+"
    + qg("qb")
    + r"\s+"
    + _times("b")
)


_LETTER_BAN = re.compile(
    r"\b(?:no|never|not|without|avoid|avoiding|ban)\s+(?:(?:use|using|write|writing|include|"
    r"including|"
    r"type|typing|any|a|single)\s+)*(?:the\s+)?letter\s+(?:" + qg("q") + r"|(?P<bare>[a-z])\b)"
    r"(?:\s+(?:at all|anywhere|ever))?"
)
_FREQ_NEG = re.compile(
    r"\b(?:not|never)\s+(?:use|say|mention|write|repeat|include)\s+"
    + _term("a")
    + r"\s+(?P<cmp>more than|over|less than|fewer than)\s+(?P<n>\d{1,5})\s+times?\b"
)


def _g(m: re.Match[str], name: str) -> str | None:
    gd = m.groupdict()
    for x in ("a", "b"):
        if gd.get(name + x):
            return gd[name + x]
    return None


def _times_rel(m: re.Match[str]) -> tuple[str, int, int | None] | None:
    n = int(_g(m, "n") or 0)
    hi_raw = _g(m, "hi")
    hi = int(hi_raw) if hi_raw else None
    craw = _g(m, "cmp")
    rel = cmp_rel(craw) if craw else "bare"
    if hi is not None:
        return ("between", n, hi) if rel in ("bare", "between", "from") and hi >= n else None
    post = _g(m, "post")
    if post:
        return (">=" if post == "more" else "<=", n, None)
    if rel in ("between", "from"):
        return None
    return ("==" if rel == "bare" else rel, n, None)


@recognizer
def frequencies(p: Prepared) -> Iterator[Found]:
    for m in _FREQ.finditer(p.t):
        r = _times_rel(m)
        qi = _g(m, "q") or _g(m, "qq")
        term = p.quote(qi).strip() if qi else (_g(m, "bare") or "")
        if r is None or not term:
            yield veto(m)
            continue
        rel, n, hi = r
        if len(term) == 1 and term.isalpha():
            yield Found(m.start(), m.end(), C.letter_frequency(term, rel, n, hi))
        else:
            yield Found(m.start(), m.end(), C.word_frequency(term, rel, n, hi))
    for m in _FREQ_NEG.finditer(p.t):
        qi = _g(m, "q") or _g(m, "qq")
        term = p.quote(qi).strip() if qi else (_g(m, "bare") or "")
        if not term:
            continue
        rel = "<=" if m.group("cmp") in ("more than", "over") else ">="
        n = int(m.group("n"))
        check = (
            C.letter_frequency(term, rel, n)
            if len(term) == 1 and term.isalpha()
            else C.word_frequency(term, rel, n)
        )
        yield Found(m.start(), m.end(), check, positive=False)
    for m in _LETTER_BAN.finditer(p.t):
        letter = p.quote(m.group("q")).strip() if m.group("q") else m.group("bare")
        if len(letter) == 1 and letter.isalpha():
            yield Found(m.start(), m.end(), C.letter_frequency(letter, "==", 0), positive=False)
    for m in _LETTER.finditer(p.t):
        r = _times_rel(m)
        qi = _g(m, "q")
        letter = p.quote(qi).strip() if qi else (_g(m, "bare") or "")
        if len(letter) != 1 or not letter.isalpha():
            continue
        if r is None:
            yield veto(m)
            continue
        rel, n, hi = r
        yield Found(m.start(), m.end(), C.letter_frequency(letter, rel, n, hi))


# -------------------------------------------------------------------------- language

_LANG_CODES = LANGUAGE_WORDS
_LANG_ALT = "|".join(sorted(_LANG_CODES, key=len, reverse=True))
# Names a request written in another language uses after its preposition ("en ruso")
_ENGLISH_NAMES = {n.lower() for n in LANGUAGE_NAMES.values()} | {
    "castilian", "flemish", "farsi", "bangla", "mandarin", "kiswahili",
}  # fmt: skip
_FOREIGN_ALT = "|".join(sorted(set(_LANG_CODES) - _ENGLISH_NAMES, key=len, reverse=True))


def _lang(x: str) -> str:
    return rf"(?P<lang{x}>{_LANG_ALT})"


_NOT_LANG_NOUN = (
    r"(?![\w-]|\s+(?:words?|terms?|phrases?|examples?|names?|spelling|units?|culture|history|"
    r"grammar|"
    r"translations?|versions?|food|cuisine|literature|sources?|idioms?|slang|expressions?|"
    r"equivalents?|accent|speakers?|people|style|measurements?|dates?|conventions?|references?|"
    r"authors?|books?|music|law|football|soccer|politics|city|cities|speaking|learners?|"
    r"lessons?|class|course|teacher|tutor|speaker|texts?|quotes?|proverbs?|sayings?|vocabulary|"
    r"keyboard|punctuation|loanwords?|borrowings?|dialects?|subtitles?|captions?))"
)
_LANG_FILL = (
    r"(?:(?:only|fluent|proper|formal|informal|native|good|european|latin american|brazilian|"
    r"mexican|standard|modern|correct|the|perfect|natural|everyday|conversational|simple|plain|"
    r"simplified|basic|easy|layman's|clear)\s+)*"
)
_LANGUAGE = re.compile(
    r"\b(?:respond|reply|answer|write|speak|talk|communicate|output|chat|converse|text|responses?|"
    r"replies|answers|everything|messages?)\w*\b[^;.!?]{0,40}?\b(?:in|using)\s+"
    + _LANG_FILL
    + _lang("a")
    + r"(?:\s+language)?"
    + _NOT_LANG_NOUN
    + r"|\b"
    + _lang("b")
    + r"\s+only\b"
    + r"|\bonly\s+(?:in\s+|use\s+)?"
    + _LANG_FILL
    + _lang("c")
    + _NOT_LANG_NOUN
    + r"|\b(?:use|using)\s+(?:only\s+)?(?:the\s+)?"
    + _lang("d")
    + r"(?:\s+language)?(?=\s*(?:$|[,;.!?]|\b(?:"
    r"only|please|always|for\s+(?:all|every|your|my)|in\s+(?:all|every|your)|throughout)\b))"
    r"|\bin\s+" + _lang("e") + r"\s*,?\s*(?:please|only|always|thanks?|thank you)\b"
    r"|\bi\s+only\s+(?:speak|read|understand)\s+"
    + _lang("f")
    + r"|(?:\ben|\bauf|\bem|\bin|\bin\s+het|\bna|\bпо|\bна)\s+(?P<langh>"
    + _FOREIGN_ALT
    + r")\b"
    + r"|\bi\s+(?:speak|read|understand)\s+only\s+"
    + _lang("g")
)
_PLAIN = re.compile(
    r"\b(?:simple|plain|simplified|basic|easy|layman's|clear)\s+(?:" + _LANG_ALT + r")\b"
)


@recognizer
def language(p: Prepared) -> Iterator[Found]:
    own = self_named_language(p.raw)
    if own is not None and not _LANGUAGE.search(p.t):
        # written in the language it names ("한국어로 답해 주세요"): the whole signal says it
        yield Found(0, len(p.t), C.language(own), scoped=False)
        return
    for m in _LANGUAGE.finditer(p.t):
        lang = next(v for k, v in m.groupdict().items() if k.startswith("lang") and v)
        code = _LANG_CODES[lang]
        a, b = p.span_of(m.start(), "sentence")
        if _PLAIN.search(m.group(0)):
            yield veto(m)  # "plain English" is about style, not the language
            continue
        if re.search(r"\btranslat", p.t[a:b]):
            yield veto(m)
            continue
        yield Found(m.start(), m.end(), C.language(code), scoped=False)
