"""Regular-expression pieces shared by the recognizers. All of them run on the prepared text:
lowercase, contractions expanded ("don't" -> "do not"), number words as digits, quoted strings
replaced by tokens (`Q`), punctuation-only quotes kept as `\\ue002...\\ue003`."""

from __future__ import annotations

import re

from .text import QNC, Q

PQ_OPEN, PQ_CLOSE = "\ue002", "\ue003"

# A list of quoted strings: 'a', 'b' and 'c' / 'a' or 'b'.
# Atomic: a list is taken whole, never re-split while backtracking (which is exponential).
QL = (
    r"(?>"
    + QNC
    + r"(?:\s*(?:,(?:\s*(?:and|or)(?!\w))?|and|or|&|as well as|plus|\+|/|nor)\s*"
    + QNC
    + r")*)"
)

NUM = r"(?<![\w.])(\d{1,7})(?![\w.]\d)"

# "3 ALL-CAPS words", "words in capital letters": about some words, not the whole answer.
# The words after a case term, and the words before one ("words written in" + the term).
SOME_WORDS_AFTER = r"[\s-]+(?:words?|terms?|keywords?)\b"
SOME_WORDS_BEFORE = r"\b(?:words?|terms?)\s+(?:(?:written|typed|set|put)\s+)?in\s+"

# Comparators written before a number, with the relation they mean. Searched at the end of
# the text before the number; the leftmost (longest) one that reaches the number wins.
_CMP_TABLE: list[tuple[str, str]] = [
    (r"(?:less|fewer) than or equal to", "<="),
    (r"(?:more|greater) than or equal to", ">="),
    (r"at (?:the )?most", "<="),
    (r"no (?:more|longer|greater|bigger) than", "<="),
    (r"not (?:more|longer|greater|bigger) than", "<="),
    (r"(?:never|not) (?:\w+ ){1,2}(?:more|longer) than", "<="),
    (r"(?:a |the )?max(?:imum)?\.?(?: of)?", "<="),
    (r"up to", "<="),
    (r"within", "<="),
    (r"(?:not|never) (?:to )?exceed(?:ing)?", "<="),
    (r"(?:not|never) (?:go |be |run |get )?(?:over|above|beyond|past)", "<="),
    (
        r"(?:limit|limited|restrict|restricted|cap|capped|keep|kept|stick|hold|trim|cut)"
        r"(?: \w+){0,3}? (?:to|at)",
        "<=",
    ),
    (r"<=", "<="),
    (r"at (?:the )?least", ">="),
    (r"no (?:less|fewer|shorter) than", ">="),
    (r"not (?:less|fewer|shorter) than", ">="),
    (r"(?:never|not) (?:\w+ ){1,2}(?:less|fewer|shorter) than", ">="),
    (r"(?:a |the )?min(?:imum)?\.?(?: of)?", ">="),
    (r"at a minimum", ">="),
    (r">=", ">="),
    (r"(?:less|fewer|shorter|lower|smaller) than", "<"),
    (r"under", "<"),
    (r"below", "<"),
    (r"beneath", "<"),
    (r"<", "<"),
    (r"(?:more|longer|greater|bigger) than", ">"),
    (r"over", ">"),
    (r"above", ">"),
    (r"exceed(?:s|ing)?", ">"),
    (r"in excess of", ">"),
    (r">", ">"),
    (r"exactly", "=="),
    (r"precisely", "=="),
    (r"(?:only|just)", "bare"),
    (r"between", "between"),
    (r"from", "from"),
]
CMP_ALT = "|".join(f"(?:{p})" for p, _ in _CMP_TABLE)
_CMP_EACH = [(re.compile(rf"^(?:{p})$"), rel) for p, rel in _CMP_TABLE]
CMP_TAIL = re.compile(rf"(?<![\w])(?P<c>{CMP_ALT})\s*(?:of\s+)?(?:(?:just|only|a|an)\s+)?$")
# "don't give me anything shorter than 400 words", "nothing longer than 3 sentences", "never
# more than 80 words": the comparison names what is not wanted, so the limit is the other way
NOT_WANTED = re.compile(
    r"(?:\b(?:do not|don't|never|not)\b[^;.!?]{0,30}?\b(?:anything|any(?:\s+\w+)?)|\bnothing|"
    r"\bnever|\bnot)\s*$"
)
OPPOSITE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
# "I type in lowercase, you don't have to copy me": the person's own habit, not a wish
NO_NEED_TO_COPY = re.compile(
    r"\b(?:you\s+)?(?:do not|don't|dont|needn't|need not|no need to)\s+"
    r"(?:have\s+to\s+|need\s+to\s+)?"
    r"(?:copy|match|mirror|imitate|mimic|do the same|follow suit|write like)\b"
)
APPROX_TAIL = re.compile(
    r"(?<![\w])(?:about|around|approximately|approx\.?|roughly|circa|~|some|nearly|almost|"
    r"close to|somewhere around|in the region of|give or take)\s*$"
)
POST = re.compile(
    r"\s*(?:long\s+|in length\s+|in total\s+|total\s+|max\s+)?(?P<p>or (?:less|fewer|under|below|"
    r"shorter|lower)|or (?:more|longer|above|over|greater)|max(?:imum)?\b\.?|min(?:imum)?\b\.?|"
    r"at (?:the )?most|at (?:the )?least|tops|or so|(?:at )?each|apiece|a piece|per\b|"
    r"limit|cap|ceiling|or thereabouts|ish\b)"
)
_POST_REL = {
    "or less": "<=",
    "or fewer": "<=",
    "or under": "<=",
    "or below": "<=",
    "or shorter": "<=",
    "or lower": "<=",
    "or more": ">=",
    "or longer": ">=",
    "or above": ">=",
    "or over": ">=",
    "or greater": ">=",
    "max": "<=",
    "maximum": "<=",
    "max.": "<=",
    "maximum.": "<=",
    "min": ">=",
    "minimum": ">=",
    "min.": ">=",
    "minimum.": ">=",
    "at most": "<=",
    "at the most": "<=",
    "at least": ">=",
    "at the least": ">=",
    "tops": "<=",
    "limit": "<=",
    "cap": "<=",
    "ceiling": "<=",
}


def cmp_rel(text: str) -> str:
    c = " ".join(text.split())
    for pat, rel in _CMP_EACH:
        if pat.match(c):
            return rel
    return "bare"


def post_rel(text: str) -> str | None:
    """The relation a word after the unit gives ("80 words or less"); "approx" for "or so",
    "per" for "each"/"per"; None when it says nothing."""
    p = " ".join(text.split())
    if p in _POST_REL:
        return _POST_REL[p]
    if p in ("or so", "or thereabouts", "ish"):
        return "approx"
    if p in ("each", "at each", "apiece", "a piece", "per"):
        return "per"
    return None


PER_WHOLE = re.compile(
    r"\s*(?:per|each|in each|for each|in every|for every)\s+(?:answer|reply|response|message|"
    r"output|"
    r"time|turn)\b"
)


# Negations that turn a positive requirement around (or make it unsafe to read).
NEGATION = re.compile(
    r"\b(?:no|not|never|without|avoid|avoiding|stop|hate|dislike|nor|neither|instead of|"
    r"rather than|except|less|fewer|minus|ban|forbid|forbidden|refrain)\b"
)
# Words after a match that make it optional or occasional.
SOFTENERS_AFTER = re.compile(
    r"\b(?:not (?:needed|necessary|required|important|a must|essential|mandatory)|optional|"
    r"unnecessary|(?:is|are) (?:fine|okay|ok|allowed|acceptable|permitted)|if (?:needed|"
    r"necessary|appropriate|relevant|helpful|useful)|as needed|where (?:needed|appropriate|"
    r"relevant|helpful|useful)|when (?:appropriate|relevant|helpful|useful|needed)|"
    r"sometimes|occasionally|now and then|from time to time|sparingly|mostly|usually|often|"
    r"rarely|at times|here and there|mainly|largely|partly|sort of|kind of|a bit|a little|"
    r"too much|too many|overuse|excessive|excessively)\b"
)
SOFTENERS_BEFORE = re.compile(
    r"\b(?:sometimes|occasionally|usually|often|mostly|rarely|mainly|largely|partly|"
    r"too (?:much|many)|overuse|excessive|excessively|more|fewer|less|some of)\b\W*$"
)
CONDITIONAL = re.compile(
    r"\b(?:if|when|whenever|unless|except|excepting|only when|only if|in case|depending|"
    r"even though|although|though|apart from|other than|besides)\b"
)
HARMLESS_CONDITIONALS = re.compile(
    r"\b(?:if|when|whenever|where|wherever) (?:at all )?(?:possible|you can|feasible)\b|"
    r"\bif (?:you )?(?:please|you would|you could|you do not mind)\b|"
    # a taste, not a condition: "I like when answers have a title"
    r"\b(?:i|we) (?:really )?(?:like|love|prefer|enjoy|appreciate) (?:it )?when\b|"
    # a standing default: "unless I say otherwise", "unless otherwise stated"
    r"\bunless (?:(?:i|we) (?:say|ask|tell you|request|specify|state|mention)\w* |"
    r"(?:stated|told|asked|specified|requested) |otherwise (?:stated|told|asked|specified|"
    r"requested|noted)\b)(?:otherwise|differently)?"
)
# A part of the answer (as opposed to the whole answer) that a requirement may be about.
SUBPART = (
    r"(?:sentences?|paragraphs?|bullets?|bullet points?|points?|items?|lines?|sections?|titles?|"
    r"headings?|headers?|headlines?|summary|summaries|intro|introduction|conclusion|steps?|"
    r"examples?|lists?|chapters?|parts?|captions?|subject lines?|tl;?dr|names?|quotes?|"
    r"quotations?|code|tables?|emails?|letters?|footnotes?|references?|citations?|greeting|"
    r"sign[\s-]?off|signature|first word|last word|words?|nouns?|acronyms?|abbreviations?)"
)
EACH_SUBPART = re.compile(
    r"\b(?:each|every|per|all (?:the |of the |your )?)\s+(?:\w+\s+)?(?:sentence|paragraph|bullet|"
    r"point|item|line|section|part|step|heading|header|list|chapter|example|title|word)s?\b"
)
# The whole answer, as the object of a verb: "your whole reply", "the entire response".
WHOLE_OBJ = (
    r"(?:(?:your|the|my|each|every|all|all of|all of your|all of the|any)\s+)*"
    r"(?:(?:whole|entire|full|complete|total)\s+)?"
    r"(?:answers?|repl(?:y|ies)|responses?|outputs?|messages?|texts?|everything|"
    r"the whole thing|all of it)"
)


def quotes_in(text: str) -> list[int]:
    return [int(i) for i in re.findall(Q, text)]


def punct_token(chars: str) -> str:
    """A punctuation-only quote of one of `chars`, e.g. '!' written in quotes."""
    return PQ_OPEN + r"\s*(?:" + chars + r")\s*" + PQ_CLOSE


# Words that ban what follows them: "never use", "no", "avoid using any".
NEG_PREFIX = (
    r"(?:\b(?:no|zero|never|not|without|avoid|avoiding|stop|ban|hate|dislike|refrain from|skip|"
    r"omit|"
    r"eliminate|drop|cut out|leave out)|(?<![\w.])0)\s+"
    r"(?:(?:use|using|put|putting|include|including|add|adding|any|a|an|single|even|one|1|of|the|"
    r"want|like|"
    r"write|writing|type|typing|with|those|these|such|all|em|ever|at all|in|your|my|answers?|"
    r"repl(?:y|ies)|responses?|it|text|sentences|output)\s+){0,5}"
)
BANNED_AFTER = (
    r"\s+(?:are|is)\s+(?:(?:completely|totally|strictly)\s+)?(?:banned|forbidden|not allowed|"
    r"prohibited|off[\s-]limits|a no[\s-]go|taboo)"
)
