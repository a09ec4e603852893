"""Is a signal a wish about the answers ("Use a cooking analogy.", "Talk to me like a pirate.",
"Plain language, please.") or a fact about the person ("I'm vegetarian.", "Dairy makes me
sick.", "My phone runs Android.")? The persona reflector reads the two differently: a wish
names what a fitting answer contains, so how much the wish raises the answer's likelihood
ranks the answers; a fact rarely does (the fitting answer leaves the meat out, and leaving out
raises nothing), and the same reading measured worse on facts (README "Wishes").

Read from the sentence's grammar, not its topic:
- a request frame ("please ...", "can you ...", "I'd like you to ...", "... , please", "...
  would be great") is a wish;
- so is an imperative: the sentence opens with a verb used to instruct, or with a word that
  a determiner or an object pronoun follows ("Season your replies ...", "Spice it up");
- a sentence whose subject is the person ("I ...", "My ...", "We ...") is a fact, unless it
  wants something of the answers ("I'd like answers that ...", "I prefer short paragraphs");
- a sentence about the answers ("Your replies should ...", "Answers with examples work
  best.") is a wish; "You should know I'm blind." is a fact told to the assistant;
- so is a condition and then what to do ("When I ask for code, show tests too."), or a later
  clause that instructs ("I'm reading on my phone, so keep it short.");
- anything else is a fact ("Vegetarian since 2009.", "Half my team is diabetic."), unless
  the learned model (mood_model.py) reads a wish in a sentence not about the person, such
  as a verbless "Formal tone." or "Numbers over adjectives.".
Unsure reads as a fact: that is how the reflector read every signal before wishes were told
apart, so a miss costs nothing new, while a fact read as a wish was measured to cost.
"""

from __future__ import annotations

import re

from ..reflectors.rules.lang import detect_language
from . import mood_model

# Shared with statements.py: what opens a sentence without saying anything, and a request
# addressed to the assistant.
OPENER = re.compile(
    r"^(?:(?:ok(?:ay)?|so|well|oh|also|and|but|btw|fyi|hi|hey|hello|by the way|just so you know|"
    r"for (?:the )?record|for context|as background|quick note|note|actually|anyway|plus)"
    r"\b[\s,:;-]*)+",
    re.I,
)
ASK_YOU = re.compile(
    r"^(?:(?:please|kindly|pls)\s+)?(?:can|could|would|will) you(?: please)?\s+|"
    r"^i(?:'d| would) (?:like|love|prefer) (?:it if )?you (?:to )?|^i want you to\s+|"
    r"^(?:please|kindly|pls)\s+",
    re.I,
)

# Verbs that open instructions to an assistant: general English, not any one kind of wish,
# and none that often opens a sentence as a noun ("Work keeps me busy", "Go is my language").
_INSTRUCT = (
    "act as|add|adopt|answer|apply|argue|ask|assume|avoid|be|begin|cite|clarify|compare|"
    "connect|contrast|define|demonstrate|describe|elaborate|emphasise|emphasize|explain|"
    "express|give|highlight|illustrate|include|keep|leave|make|mention|offer|outline|phrase|"
    "pretend|provide|put|quote|recommend|refer|relate|remind|rephrase|reply|respond|restate|"
    "reword|say|share|show|simplify|skip|speak|suggest|summarise|summarize|talk|tell|throw|"
    "translate|underline|use|warn|weave|weigh|write|wrap"
)
_LEAD = re.compile(
    r"^(?:always|never|don't|dont|do not|no need to|make sure|be sure|remember to|"
    r"(?:can|could|would|will) u\b|"
    r"(?:would|could|can|will) (?:it be possible|you mind)|if (?:possible|you can)\b)\b"
)
_IMPERATIVE = re.compile(rf"^(?:(?:just|also|then)\s+)*(?:{_INSTRUCT})\b")
# Words that open a sentence without being its verb: a determiner or possessive after them
# says nothing ("Half my team ...", "All the food ...", "Only my phone ...").
_FUNCTION = (
    "a|an|the|all|both|half|most|some|many|much|few|several|every|each|any|no|none|nobody|"
    "nothing|everyone|everybody|someone|only|even|just|also|not|and|but|or|so|then|now|"
    "here|there|at|in|on|of|for|from|with|without|to|by|as|since|after|before|during|"
    "about|like|than|it|it's|its|this|that|these|those|what|which|who|whose|where|when|how|"
    "why|is|are|was|were|been|being|has|have|had|do|does|did|can|could|will|would|should|"
    "may|might|must|very|too|quite|really|still|usually|often|mostly|sometimes|two|three|"
    "four|five|six|seven|eight|nine|ten|one|mother|father|mum|mom|dad|parent|fan|member|"
    "owner|part|lots|plenty|more|less|fewer|type|kind|sort|big|huge"
)
# Verbs of having and habit: opening a sentence, the person left out ("Own a Raspberry Pi."),
# not an instruction to the assistant.
_STATIVE = (
    "own|have|love|like|hate|enjoy|prefer|need|know|live|work|study|run|drive|ride|eat|drink|"
    "cook|raise|care|suffer|follow|wear|belong|collect|grow|breed|rent|share|volunteer|visit"
)
_DETERMINER = r"(?:the|a|an|your|my|every|each|any|all|some|this|that|these|those|both)"
# a first word, then a determiner or object pronoun: a verb ("Season your replies ...")
_VERB_THEN_OBJECT = re.compile(
    rf"^(?!(?:{_FUNCTION}|{_STATIVE})\b)(?P<verb>[a-z]+(?:-[a-z]+)?)\s+"
    rf"(?:{_DETERMINER}|me|us|it|them)\b(?!\s+(?:is|are|was|were|has|have)\b)"
)
# instructions whose verb alone is often a noun or a past tense ("Point out ...", "Sum up")
_PHRASAL = re.compile(
    r"^(?:point|spell|lay|sum|break|walk|back|mix|spice|jazz|liven|lighten|tone|dumb|boil|"
    r"dial|cut|round|flesh|call|play|bring|wrap)\s+(?:out|up|down|back|through|off|in)\b"
)
_PERSON = re.compile(r"^(?:i|i'm|im|i've|i'd|i'll|my|me|mine|we|we're|we've|our|us)\b")
_THINGS = (
    r"answers?|repl(?:y|ies)|responses?|explanations?|examples?|suggestions?|"
    r"recommendations?|paragraphs?|sentences?|summar(?:y|ies)|tone|wording|language"
)
_ANSWERS = re.compile(rf"^(?:(?:the|your|all|every|each|any)\s+)?(?:{_THINGS})\b")
# "I'd like answers that ...", "I prefer when you ...": the person's wish about the answers
_PERSON_WISH = re.compile(
    r"^i(?:'d| would)?\s+(?:really\s+)?(?:want|like|prefer|need|love|enjoy|appreciate|rather)"
    rf"\s+(?:(?:it\s+)?(?:when|if) your?\b|you\b|(?:\S+\s+){{0,3}}?(?:{_THINGS})\b)"
)
_REQUEST_END = re.compile(
    r"\b(?:pls|plz)\b|"
    r"(?:,|\s)\s*(?:please|thanks|thank you|if you can|if possible)[.!]*$|"
    r"\bwould (?:be|help|make)\b|\b(?:is|are) (?:welcome|appreciated|preferred)\b"
)
_YOUR_ANSWERS = re.compile(
    rf"\byour (?:{_THINGS}|words|writing|advice)\b|"
    r"\b(?:before|when|whenever|as|if) you (?:answer|reply|respond|explain|write|suggest)\b"
)
_TOLD_YOU = re.compile(
    r"^(?:you (?:should|might|may|ought to) (?:want to )?know|just so you know|"
    r"you're (?:talking|speaking|chatting) (?:to|with)|you are (?:talking|speaking) to|"
    r"(?:for context|fyi),? you)\b"
)
_YOU = re.compile(r"^(?:you|your|yours)\b")
# "When I ask for code, show tests too", "If I share a plan, ask before ...": a condition,
# then what to do; and a later clause that instructs ("I'm on my phone, so keep it short")
_CONDITION = re.compile(
    r"^(?:when|whenever|if|for|on|in|with)\b[^,;:-]*?(?:[,;:-]\s*|\s+(?=(?:assume|always|"
    r"never|keep|give|use|show|add|tell|make|explain|answer)\b))"
)
_LATER_CLAUSE = re.compile(r"(?:[,;:]|\s-)\s*(?:so|and|but|then)?\s*|\s+so\s+(?:that\s+)?")
# a later clause about the answers with a modal ("..., so your responses can't contain
# commas", "...: every response should have 7 bullets"); not "it must be ...", which as often
# guesses ("my phone is old, it must be slow")
_ANSWERS_MUST = re.compile(
    rf"^(?:(?:the|your|all|every|each|any|my)\s+)?(?:whole\s+)?(?:{_THINGS})\b[^.;]*?\b"
    r"(?:should|must|can't|cannot|can not|need to|needs to|have to|has to|ought to|would be)\b"
)


def _normal(text: str) -> str:
    t = text.strip().strip("\"'“”‘’()[]").strip().replace("\u2019", "'").lower()
    return OPENER.sub("", t).strip()


def is_wish(signal: str) -> bool:
    """True when `signal` asks something of the answers rather than states a fact about the
    person: its grammar says so, or, for an English sentence not about the person ("Formal
    tone.", "Numbers over adjectives."), the learned model does (mood_model.py)."""
    t = _readable(signal)
    if t is None:
        return False
    if _grammar_wish(t):
        return True
    if _PERSON.match(t) or detect_language(signal) not in (None, "en"):  # the model: English
        return False
    return mood_model.p_wish(signal) >= mood_model.THRESHOLD


def grammar_wish(signal: str) -> bool:
    """The grammar's reading alone (the module docstring says how)."""
    t = _readable(signal)
    return t is not None and _grammar_wish(t)


def _readable(signal: object) -> str | None:
    """The normalised text, or None where there is nothing to read as a wish (not text, empty,
    too long, or a fact told to the assistant)."""
    if not isinstance(signal, str):
        return None
    t = _normal(signal)
    return None if not t or len(t) > 2000 or _TOLD_YOU.match(t) else t


def _grammar_wish(t: str) -> bool:
    if _clause_wish(t):
        return True
    condition = _CONDITION.match(t)
    if condition is not None and _clause_wish(t[condition.end() :], command_only=True):
        return True
    later = _LATER_CLAUSE.split(t)[1:]
    return any(_clause_wish(c, command_only=True) for c in later if c)


def _clause_wish(t: str, command_only: bool = False) -> bool:
    """One clause: a request or an imperative (only those where `command_only`: a clause
    after a comma that merely names answers or "you" says nothing)."""
    if command_only:
        return bool(
            _LEAD.match(t)
            or ASK_YOU.match(t)
            or _IMPERATIVE.match(t)
            or _PHRASAL.match(t)
            or _ANSWERS_MUST.match(t)
            or _REQUEST_END.search(t)
        )
    if ASK_YOU.match(t) or _LEAD.match(t):
        return True
    if _PERSON.match(t):  # "I read your replies aloud": a habit, unless it wants something
        return bool(_PERSON_WISH.match(t))
    if _YOUR_ANSWERS.search(t) or _REQUEST_END.search(t):
        return True
    verb = _VERB_THEN_OBJECT.match(t)
    if verb is not None and not re.search(r"(?:ing|ed|[^su]s)$", verb.group("verb")):
        return True
    return any(p.match(t) for p in (_IMPERATIVE, _PHRASAL, _ANSWERS, _YOU))
