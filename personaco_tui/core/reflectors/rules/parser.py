"""`parse_signal`: from a personalization signal in free text to a deterministic `Check`, or None
when the signal states nothing this module can check with confidence.

False positives are worse than misses, so a signal is refused (None) when
- a recognised requirement is negated ("I don't need bullet points"), made conditional ("use
  bullets when listing steps"), occasional ("sometimes use emojis") or approximate ("about 100
  words"), or is about a part of the answer ("keep each paragraph under 50 words");
- some clause gives an instruction that no recognizer covers ("keep it under 50 words and
  explain like I'm five");
- a quoted string is left over that no recognizer used;
- the requirements found contradict each other.
A signal with several checkable requirements becomes a composite that needs all of them.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from . import checks as C
from . import counts, formats, wording  # noqa: F401  (importing them registers the recognizers)
from .found import RECOGNIZERS, Found
from .patterns import (
    CONDITIONAL,
    EACH_SUBPART,
    HARMLESS_CONDITIONALS,
    NEGATION,
    SOFTENERS_AFTER,
    SOFTENERS_BEFORE,
)
from .text import QNC, Prepared, prepare

log = logging.getLogger(__name__)

MAX_SIGNAL_CHARS = 2000

_FILLERS = re.compile(
    r"^(?:(?:and|but|so|also|then|just|please|kindly|always|really|ideally|preferably|"
    r"generally|overall|oh|plus|additionally|moreover|furthermore|finally|lastly|too|ok|okay|"
    r"thanks|thank you|can you|could you|would you|will you|you should|you must|"
    r"make sure(?: to| that| you)?|be sure to|remember to|try to|do not forget to|"
    r"i would like you to|i want you to|i need you to|i would love (?:it )?if you|"
    r"it would be great if you|in your (?:answer|reply|response)s?|"
    r"for (?:every|each|all|your) (?:answer|reply|response|message)s?|every time|"
    r"when you (?:answer|reply|respond|write)|in general|as a rule|from now on)\b[\s,]*)+"
)
_IMPERATIVE = re.compile(
    r"^(?:use|write|include|add|avoid|explain|be|make|keep|give|provide|start|begin|end|finish|"
    r"close|sign|mention|answer|respond|reply|format|structure|organi[sz]e|list|focus|cite|"
    r"reference|tell|show|describe|summari[sz]e|talk|speak|sound|stay|try|put|wrap|do|never|stop|"
    r"skip|omit|limit|break|divide|split|number|highlight|bold|ask|offer|suggest|compare|define|"
    r"elaborate|assume|treat|address|call|refer|consider|remember|note|go|get|let|have|stick|"
    r"leave|mark|separate|enclose|surround|conclude|open|repeat|translate|rephrase|simplify|"
    r"expand|emphasi[sz]e|lead|return|output|print|send|no|not|without|only|less|more|fewer|"
    r"minimi[sz]e|maximi[sz]e|prioriti[sz]e|aim|ensure|prefer|recommend|feel|act|pretend|imagine|"
    r"think|walk|guide|teach|quiz|check|verify|proofread|cut|drop|remove|replace|spell|"
    r"capitali[sz]e|punctuate|indent|italici[sz]e|underline|quote|link|tag|label|title|name|say|"
    r"state|clarify|illustrate|mix|vary|match|mirror|adapt|adopt|tailor|customi[sz]e|"
    r"personali[sz]e|draft|compose|generate|create|produce|render|present|frame|phrase|shorten|"
    r"lengthen|trim|condense|extend|detail|don't|dont|zero|none|all|every|each|any|at least|"
    r"at most|exactly|maximum|minimum|max|min|under|over|below|above|within|between|less than|"
    r"more than|fewer than|up to|same|also|instead|rather|nothing|everything)\b"
)
_DESIRE = re.compile(
    r"\b(?:i|we)\s+(?:\w+\s+)?(?:want|need|prefer|like|love|enjoy|hate|dislike|expect|require|"
    r"appreciate|would like|would prefer|would rather|would love|would appreciate|am a fan of|"
    r"can not stand|do not want|do not like)\b"
    r"|\b(?:should|must|shall|has to|have to|need to|needs to|ought to|is required|are required|"
    r"is a must|are a must|is preferred|are preferred|is better|are better)\b"
)
_REASON = re.compile(
    r"^(?:because|since|as|cause|'cause|so that|given that|for|seeing that|as i)\b"
)
_EXAMPLE_BEFORE = re.compile(
    r"(?:\blike|\be\.g\.?|\bsuch as|\bfor example|\bfor instance|\bi\.e\.?|\bas in|\bas|\bsay|"
    r"\bcalled|\bnamed|\bwritten as|\bformatted as)\s*[:,]?\s*$"
)
_DANGLING = re.compile(
    r"\s*,?\s*(?:and|or|nor|as well as|plus|&)\s+(?:also\s+|then\s+)?(?P<w>[^\s,;.!?]+)"
)
_NEW_CLAUSE = re.compile(
    r"(?:i|you|we|it|please|always|also|then|never|no|not|do|keep|make|use|be|try|just|only|avoid|"
    r"without|nothing|ensure|remember|add|include|write|end|start|finish|sign|begin|wrap|put|"
    r"give|mention|respond|reply|answer|format|limit|stay|stick|close|conclude|open|separate|"
    r"split|divide|highlight|bold|ask|offer|number|mark|label|title|structure|organi[sz]e|"
    r"at|under|less|fewer|more|exactly|between|up|max|maximum|minimum|min|within|over|just|"
    r"precisely|below|above|all|everything|zero|lowercase|uppercase|\ue000\d+\ue001|\d+\+?)$"
)
# "short answers" next to a number that says how short
_LENGTH_WORDS = re.compile(
    r"^(?:(?:i|we) (?:\w+ )?(?:like|prefer|want|need|love|would like|would prefer|would love) "
    r"|keep (?:it|them|things|answers|replies|responses|your \w+) |be |make (?:it|them) |)"
    r"(?:(?:very|really|pretty|quite|super|nice and|fairly) )?"
    r"(?:short|brief|concise|compact|succinct|quick|tight|crisp|long|detailed|thorough|"
    r"in-depth|lengthy)"
    r"(?: (?:and|but) (?:short|brief|concise|sweet|simple|to the point|detailed|thorough))?"
    r"(?: (?:answers?|repl(?:y|ies)|responses?|texts?|messages?))?(?: please)?$"
)
_LENGTH_KINDS = {"word_count", "char_count", "sentence_count", "paragraph_count", "line_count"}
_PAST = re.compile(r"\b(?:used to|in the past|back then)\b")
_CONTRADICT = [
    ("lowercase", "uppercase"),
    ("use_bullets", "no_lists"),
    ("use_list", "no_lists"),
    ("use_numbered", "no_lists"),
    ("no_emoji", "emoji_count"),
    ("use_headings", "no_headings"),
    ("use_headings", "no_markdown"),
    ("use_bullets", "no_markdown"),
    ("use_list", "no_markdown"),
    ("use_numbered", "no_markdown"),
    ("highlight_count", "no_markdown"),
    ("bold_count", "no_markdown"),
    ("code_block", "no_markdown"),
]


def _overlaps(a: Found, b: Found) -> bool:
    return a.start < b.end and b.start < a.end


def _resolve(found: list[Found]) -> list[Found]:
    accepted: list[Found] = []
    for f in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
        if not any(_overlaps(f, a) for a in accepted):
            accepted.append(f)
    return sorted(accepted, key=lambda f: f.start)


def _refused(p: Prepared, f: Found) -> str | None:
    """Why an accepted requirement makes the signal unsafe, or None when it is fine."""
    ca, cb = p.span_of(f.start)
    clause_before = p.t[ca : f.start]
    clause_after = p.t[f.end : max(cb, f.end)]
    if f.positive and NEGATION.search(clause_before):
        return "negated"
    if _PAST.search(p.t[ca : max(cb, f.end)]):
        return "about the past"
    if SOFTENERS_AFTER.search(clause_after) or SOFTENERS_BEFORE.search(clause_before):
        return "optional or occasional"
    sa, sb = p.span_of(f.start, "sentence")
    sentence = HARMLESS_CONDITIONALS.sub(" ", p.t[sa : max(sb, f.end)])
    if CONDITIONAL.search(sentence):
        return "conditional"
    if f.scoped and EACH_SUBPART.search(p.t[ca : max(cb, f.end)]):
        return "about a part of the answer"
    return None


def _dangling(p: Prepared, f: Found) -> bool:
    """The requirement goes on with "and X" where X starts no new instruction ("avoid commas
    and jargon"): part of it was not understood."""
    m = _DANGLING.match(p.t, f.end)
    return m is not None and not _NEW_CLAUSE.match(m.group("w"))


def _leftover_instruction(p: Prepared, accepted: list[Found]) -> bool:
    for a, b in p.clauses:
        if any(f.start < b and a < f.end for f in accepted):
            continue
        clause = p.t[a:b].strip(" ;,.:!?-")
        if not clause:
            continue
        if _LENGTH_WORDS.match(_FILLERS.sub("", clause).strip()):
            sa, sb = p.span_of(a, "sentence")
            if any(
                f.check is not None and f.check.kind in _LENGTH_KINDS and sa <= f.start < sb
                for f in accepted
            ):
                continue  # "short answers, under 50 words": the number says how short
        if _REASON.match(clause):
            continue
        rest = _FILLERS.sub("", clause).strip()
        if not rest:
            continue
        if _IMPERATIVE.match(rest) or _DESIRE.search(clause):
            return True
    return False


def _stray_quote(p: Prepared, accepted: list[Found]) -> bool:
    for m in re.finditer(QNC, p.t):
        if any(f.start <= m.start() < f.end for f in accepted):
            continue
        ca, _ = p.span_of(m.start())
        sa, _ = p.span_of(m.start(), "sentence")
        if _EXAMPLE_BEFORE.search(p.t[sa : m.start()]) or _EXAMPLE_BEFORE.search(
            p.t[ca : m.start()]
        ):
            continue
        return True
    return False


def _combine(checks: list[C.Check]) -> C.Check | None:
    unique: list[C.Check] = []
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    flat = [part for c in checks for part in (c.parts if c.kind == "all" else (c,))]
    for c in flat:
        if c.key not in seen:
            seen.add(c.key)
            unique.append(c)
    kinds = {c.kind for c in unique}
    if "bullet_count" in kinds:  # "a list of exactly 5 bullets": the count says it is a list
        unique = [c for c in unique if c.kind not in ("use_bullets", "use_list")]
    for a, b in _CONTRADICT:
        if a in kinds and b in kinds:
            return None
    langs = {c.params.get("lang") for c in unique if c.kind == "language"}
    if len(langs) > 1:
        return None
    if len(unique) == 1:
        return unique[0]
    return C.all_of(unique)


def _parse(text: str) -> C.Check | None:
    if not isinstance(text, str) or len(text) > MAX_SIGNAL_CHARS:
        return None
    p = prepare(text)
    if not p.t:
        return None
    found: list[Found] = []
    for rec in RECOGNIZERS:
        found.extend(rec(p))
    if not found:
        return None
    if any(f.check is None for f in found):
        return None
    accepted = _resolve(found)
    for f in accepted:
        why = _refused(p, f) or ("dangling" if _dangling(p, f) else None)
        if why:
            log.debug("signal %r refused: %s", text, why)
            return None
    if _leftover_instruction(p, accepted) or _stray_quote(p, accepted):
        return None
    return _combine([f.check for f in accepted if f.check is not None])


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> C.Check | None:
    return _parse(text)


def parse_signal(text: str) -> C.Check | None:
    """The check a signal states, or None when it is not checkable by rules."""
    if not isinstance(text, str):
        return None
    try:
        return _parse_cached(text)
    except Exception:  # never let a strange signal break a generation
        log.exception("parse_signal failed on %r", text[:200])
        return None


def describe(signal: str) -> str | None:
    """Human description of what the rules check for this signal ("at most 80 words"), or None."""
    check = parse_signal(signal)
    return check.description if check is not None else None
