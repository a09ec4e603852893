"""Signals the user states about themselves in chat: "I'm vegetarian, what should I cook?"
holds the persona fact "I'm vegetarian."; "From now on please never use commas" holds the
standing instruction "Never use commas.". Pure: text in, proposals out; the caller stores them
as suggestions the user may accept or dismiss (nothing is added without consent).

A clause is proposed when it is
- a first-person statement with a lasting predicate: "I'm / I am X" (not a passing state such
  as sure, sorry, wondering, tired), "I have X" (not "a question", "to ..."), a habit or fact
  verb ("I live in", "I work as", "I don't eat", "I speak", "I was born in"), "my name / job /
  native language is X"; or
- an instruction about every answer: an imperative or "I want you to ..." with a standing
  marker (always, never, from now on, every time, all your answers…), or a taste about answers
  ("I hate commas") that the signal understanding (`understand`) reads as a check.
It is not proposed when it is a question, a hypothetical ("if", "suppose", "imagine",
"pretend"), about someone else ("my friend is vegetarian"), tied to one answer ("make this one
short", "this time") or to a moment ("tonight", "tomorrow"), or about the past ("I used to").
Misses are cheaper than false positives: a wrong suggestion costs the user a dismissal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .mood import ASK_YOU, OPENER
from .understand import understand

Kind = Literal["fact", "instruction"]


@dataclass(frozen=True)
class Proposal:
    """A signal text proposed from the user's words, and the words it came from."""

    text: str
    kind: Kind
    evidence: str
    checks: tuple[str, ...] = ()  # the check kinds `understand` reads in it, if any


# Discourse openers dropped before a clause is read ("By the way, I'm vegetarian").
_TRAILER = re.compile(
    r"[\s,]*\b(?:btw|by the way|though|fyi|if that matters|if that helps|thanks|thank you|"
    r"please|pls)\s*$",
    re.I,
)
# Clause boundaries inside a sentence: the question or request that follows a fact.
_CLAUSE_SPLIT = re.compile(
    r"\s*(?:;|,\s*(?=(?:so|and|but|what|how|which|where|when|why|who|can|could|would|will|"
    r"should|do|does|is|are|any|please|give|tell|suggest|recommend|help)\b)|"
    r"\s(?:so|but)\s|\s+and\s+(?=i\b|i'|my\b))\s*",
    re.I,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")

_QUESTION_START = re.compile(
    r"^(?:what|how|which|where|when|why|who|whom|whose|can|could|would|will|should|shall|do|"
    r"does|did|is|are|am|was|were|have|has|may|might|any)\b",
    re.I,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|suppose|supposing|imagine|pretend|assume|assuming|hypothetically|what if|"
    r"let's say|lets say|say that|in a world|as if|were i|wish i)\b",
    re.I,
)
_MOMENT = re.compile(
    r"\b(?:today|tonight|tomorrow|yesterday|this (?:morning|afternoon|evening|week|weekend|"
    r"month|year)|next (?:week|month|year|time)|last (?:night|week|month|year)|later|soon|"
    r"in an hour|this once)\b",
    re.I,
)
_ONE_ANSWER = re.compile(
    r"\b(?:this (?:one|time|answer|reply|response|text|email|essay|list|paragraph|post|story|"
    r"poem|question)|that (?:one|answer|reply)|your (?:last|previous) (?:answer|reply|message)|"
    r"the (?:last|previous|above|next) (?:answer|reply|one)|above|again|for now|here)\b",
    re.I,
)
_STANDING = re.compile(
    r"\b(?:always|never|from now on|going forward|in (?:the )?future|every time|each time|"
    r"whenever|all (?:of )?your|every (?:answer|reply|response)|by default|in general|"
    r"(?:your|all|any) (?:answers|replies|responses|messages)|don't ever|do not ever|no more|"
    r"stop (?:using|writing|adding|giving|being))\b",
    re.I,
)
_STANDING_LEAD = re.compile(
    r"^(?:(?:from now on|going forward|in (?:the )?future|by default|in general)\b[\s,]*)+", re.I
)
_IMPERATIVE = re.compile(
    r"^(?:always|never|don't|do not|stop|keep|use|write|answer|reply|respond|avoid|include|"
    r"start|end|put|give|make|be|format|limit|add|leave|skip|wrap|talk|speak|address|call|"
    r"refer|mention|explain|sign)\b",
    re.I,
)

# "I'm X": X that is a passing state or the frame of a request, not a fact about the user.
_NOT_A_STATE = (
    r"sure|not sure|unsure|sorry|wondering|curious|confused|trying|looking|asking|thinking|"
    r"hoping|planning|going|about|afraid|glad|happy|sad|tired|bored|hungry|thirsty|sick|ill|"
    r"stressed|nervous|worried|excited|annoyed|frustrated|stuck|lost|late|busy|done|finished|"
    r"ready|back|here|fine|ok|okay|good|great|just|told|writing|reading|working on|cooking|"
    r"making|doing|having|getting|feeling|preparing|struggling|interested to|kidding|joking|"
    r"glad|pleased|new to this|a bot|an ai|you|the one|it|that|this|in a hurry|grateful|"
    r"thankful|impressed|disappointed|surprised|aware|able|unable|allowed|supposed|gonna|"
    r"sending|asking|testing|playing|bit|little|kind of|sort of"
)
_IM = re.compile(r"^i(?:'m| am|m)\s+(?!(?:" + _NOT_A_STATE + r")\b)(?P<rest>\S.*)$", re.I)
_I_HAVE = re.compile(
    r"^i(?:'ve| have)(?: got)?\s+(?!(?:a question|questions|a problem|an idea|no idea|to|got to|"
    r"been|heard|read|seen|just|tried|done|made|written|had|found|noticed|a feeling|a quick|"
    r"another|one more|a follow|some questions|a doubt|an essay|a test|an exam|a meeting|"
    r"a deadline|it|this|that)\b)(?P<rest>\S.*)$",
    re.I,
)
_FACT_VERB = re.compile(
    r"^i\s+(?:(?:don't|do not|can't|cannot|can not|never|only|also|mostly|usually|"
    r"generally|mainly|really|still|currently|rarely)\s+)*"
    r"(?:live|work|study|teach|speak|eat|drink|use|own|run|prefer|like|love|hate|dislike|"
    r"enjoy|detest|practice|practise|play|follow|read|write|code|program|cook|train|"
    r"come from|grew up|was born|am from|belong|identify|keep kosher|keep halal|wear|drive|ride|"
    r"care about|suffer from|need glasses|can't stand|cannot stand)\b(?P<rest>.*)$",
    re.I,
)
_MY_FACT = re.compile(
    r"^my\s+(?:name|job|profession|occupation|native language|first language|mother tongue|"
    r"age|background|field|major|degree|diet|pronouns|hometown|home country|nationality|"
    r"religion|specialty|speciality|level|role|title|timezone|time zone|budget)\s+(?:is|are)\s+"
    r"\S",
    re.I,
)
# A taste object that is an answer just given, not a lasting taste: "I love it", "I hate that".
_PRONOUN_OBJECT = re.compile(
    r"^i\s+(?:\w+\s+)?(?:like|love|hate|dislike|prefer|enjoy|can't stand)\s+"
    r"(?:it|this|that|these|those|them|you|your (?:answer|reply|last|previous))\b",
    re.I,
)
_PAST = re.compile(r"\b(?:used to|once|when i was|as a kid|as a child|back then|years ago)\b", re.I)
_TASTE = re.compile(r"^i\s+(?:really\s+)?(?:hate|dislike|can't stand|cannot stand|prefer)\b", re.I)
_NOT_STATEMENT = re.compile(r"\?\s*$")


def _clean(clause: str) -> str:
    c = clause.strip().strip("\"'“”‘’()[]").strip()
    c = OPENER.sub("", c)
    c = re.sub(r"[\s,.;:!?-]+$", "", c)
    c = _TRAILER.sub("", c)
    c = re.sub(r"[\s,.;:!?-]+$", "", c)
    return c.replace("\u2019", "'").strip()


def _sentence_case(text: str) -> str:
    text = re.sub(r"^i(?=m\b)", "I'", text, flags=re.I)
    text = re.sub(r"\bi\b", "I", text)
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!")) else ".")


def _clauses(message: str) -> list[tuple[str, str]]:
    """(clause, its sentence) pairs, hypothetical sentences and their consequents dropped."""
    out: list[tuple[str, str]] = []
    for sentence in _SENTENCE_SPLIT.split(message):
        sentence = sentence.strip()
        if not sentence:
            continue
        if _HYPOTHETICAL.search(OPENER.sub("", sentence).split(",")[0]):
            continue
        out.extend((c, sentence) for c in _CLAUSE_SPLIT.split(sentence) if c and c.strip())
    return out


def _fact(clause: str) -> bool:
    if _PRONOUN_OBJECT.match(clause) or _PAST.search(clause) or _MOMENT.search(clause):
        return False
    m = _IM.match(clause) or _I_HAVE.match(clause)
    if m is not None:
        rest = m.group("rest")
        return (
            len(rest.split()) <= 12
            and not re.match(r"(?:\w+ing)\b", rest, re.I)
            or bool(
                re.match(
                    r"(?:studying|working as|working in|living|learning|training|teaching|using|"
                    r"allergic|raising)\b",
                    rest,
                    re.I,
                )
            )
        )
    return bool(_FACT_VERB.match(clause) or _MY_FACT.match(clause))


def _instruction(clause: str) -> str | None:
    """The instruction `clause` gives for every answer, as a signal text; None if it gives
    none (or only for this one)."""
    if _ONE_ANSWER.search(clause) or _MOMENT.search(clause):
        return None
    body = ASK_YOU.sub("", _STANDING_LEAD.sub("", clause)).strip()
    body = re.sub(r"[\s,]*(?:from now on|going forward|in (?:the )?future)$", "", body, flags=re.I)
    if not body:
        return None
    standing = bool(_STANDING.search(clause))
    if standing and (_IMPERATIVE.match(body) or ASK_YOU.match(clause)):
        return body
    if _TASTE.match(clause) and understand(clause).checkable:
        return clause  # "I hate commas": the user's own words, read as a check
    return None


def propose(message: str) -> list[Proposal]:
    """The persona facts and standing instructions the user states in `message`, normalised
    into signal texts, in the order said (each text once)."""
    if not isinstance(message, str) or not message.strip() or len(message) > 20_000:
        return []
    out: list[Proposal] = []
    seen: set[str] = set()
    for raw, sentence in _clauses(message):
        clause = _clean(raw)
        asks_you = bool(ASK_YOU.match(clause))
        if len(clause) < 4 or (_QUESTION_START.match(clause) and not asks_you):
            continue
        if _NOT_STATEMENT.search(raw) and not asks_you:
            continue
        instruction = _instruction(clause)
        kind: Kind
        if instruction is not None:
            text, kind = instruction, "instruction"
        elif _fact(clause):
            text, kind = clause, "fact"
        else:
            continue
        text = _sentence_case(text)
        if text.casefold() in seen:
            continue
        seen.add(text.casefold())
        checks = understand(text).kinds
        out.append(Proposal(text, kind, sentence, checks))
    return out
