"""The paraphrase corpus the signal classifier learns from, generated deterministically.

Each check kind has phrasing templates (imperatives wrapped in politeness frames, wishes,
complaints such as "X annoys me", "I'd rather you ..."), filled with varied numbers, words and
phrases. The `none` label holds what must NOT become a rule: persona facts that mention a
format ("I'm a teacher who uses bullet points in class"), tastes about other things, negated,
conditional, occasional or past wishes, and style wishes that no rule can check. Misses are
cheaper than false positives, so `none` is the largest class.

The corpus is code, not data: `build()` returns the same list for the same seed, and its
fingerprint names the trained model in the cache.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

NONE = "none"

KINDS: tuple[str, ...] = (
    "no_commas",
    "lowercase",
    "uppercase",
    "ends_with",
    "quoted",
    "postscript",
    "word_count",
    "sentence_count",
    "title",
    "bullet_count",
    "no_lists",
    "include_words",
    "exclude_words",
    "paragraph_count",
    "highlight_count",
    "section_count",
    "placeholder_count",
    "json",
    "language",
)
LABELS: tuple[str, ...] = (*KINDS, NONE)


@dataclass(frozen=True)
class Example:
    text: str
    label: str


R = random.Random
Maker = Callable[[R], str]

_ANSWER = ["answer", "reply", "response", "message", "output", "text"]
_ANSWERS = ["answers", "replies", "responses", "messages", "outputs"]
_NUM_WORDS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    12: "twelve",
    15: "fifteen",
    20: "twenty",
    30: "thirty",
    50: "fifty",
}
_WORDS = [
    "harbor",
    "lantern",
    "velvet",
    "granite",
    "orbit",
    "meadow",
    "pixel",
    "quartz",
    "saddle",
    "thunder",
    "compass",
    "maple",
    "nectar",
    "prism",
    "falcon",
    "glacier",
    "ember",
    "walnut",
    "cobalt",
    "tundra",
    "basil",
    "canyon",
    "marble",
    "sonnet",
    "ripple",
    "summit",
    "willow",
    "anchor",
    "beacon",
    "cipher",
    "dynamo",
    "fjord",
    "gazebo",
    "horizon",
    "island",
    "jigsaw",
    "kettle",
    "lagoon",
    "mosaic",
    "nebula",
    "oasis",
    "pepper",
    "quiver",
    "rhythm",
    "spiral",
]
_FILLER_WORDS = [
    "basically",
    "honestly",
    "obviously",
    "simply",
    "really",
    "very",
    "totally",
    "amazing",
    "awesome",
    "stuff",
    "things",
    "utilize",
    "leverage",
    "synergy",
    "robust",
    "seamless",
    "crucial",
    "essentially",
    "clearly",
    "definitely",
    "absolutely",
    "super",
    "kinda",
    "like",
]
_PHRASES = [
    "Cheers for now",
    "See you around",
    "Hope this helps",
    "That's my take",
    "Stay curious",
    "Until next time",
    "Best of luck",
    "Over and out",
    "Keep smiling",
    "Let me know",
    "Happy coding",
    "Take care",
    "Thanks for reading",
    "Onward and upward",
    "End of message",
    "Peace out",
    "Good night",
    "Warm regards",
    "Hope that answers it",
    "Bye for now",
]
_LANGS = [
    "Spanish",
    "French",
    "German",
    "Italian",
    "Portuguese",
    "Dutch",
    "Russian",
    "Japanese",
    "Korean",
    "Hindi",
    "Arabic",
    "Polish",
    "Turkish",
]
_JOBS = [
    "teacher",
    "nurse",
    "lawyer",
    "designer",
    "student",
    "developer",
    "chef",
    "writer",
    "editor",
    "pilot",
    "farmer",
    "librarian",
    "engineer",
    "doctor",
    "poet",
    "accountant",
    "manager",
    "journalist",
    "translator",
    "researcher",
    "coach",
    "baker",
    "artist",
]
_PLACES = [
    "Germany",
    "Spain",
    "Canada",
    "Brazil",
    "Japan",
    "Kenya",
    "Ohio",
    "a small town",
    "the city",
    "Paris",
    "Norway",
    "India",
    "the countryside",
    "an apartment",
]
_HOBBIES = [
    "hiking",
    "knitting",
    "chess",
    "gardening",
    "cooking",
    "running",
    "painting",
    "photography",
    "birdwatching",
    "cycling",
    "baking",
    "fishing",
    "yoga",
]
_DONT = ["Do not", "Don't"]
_FORMAT_THINGS = [
    "bullet points",
    "lists",
    "numbered lists",
    "commas",
    "capital letters",
    "lowercase letters",
    "titles",
    "quotation marks",
    "JSON",
    "postscripts",
    "sections",
    "placeholders",
    "short paragraphs",
    "keywords",
    "long words",
    "markdown",
    "headings",
    "quotes",
    "all caps",
    "word limits",
    "P.S. notes",
]


def pick(r: R, xs: Sequence[str]) -> str:
    return xs[r.randrange(len(xs))]


def one(r: R, options: str) -> str:
    """One of the "|"-separated options: keeps the templates one line each."""
    return pick(r, options.split("|"))


def num(r: R, lo: int = 2, hi: int = 9) -> str:
    n = r.randint(lo, hi)
    if n in _NUM_WORDS and r.random() < 0.35:
        return _NUM_WORDS[n]
    return str(n)


def big(r: R) -> str:
    n = pick(r, ["30", "40", "50", "60", "75", "80", "100", "120", "150", "200", "250", "300"])
    return "a hundred" if n == "100" and r.random() < 0.3 else n


def quote(r: R, s: str) -> str:
    q = pick(r, ["'", '"', "\u201c", ""])
    return {"\u201c": f"\u201c{s}\u201d"}.get(q, f"{q}{s}{q}")


def frame(r: R, core: str) -> str:
    """An imperative core in one of many politeness and habit frames."""
    f = pick(
        r,
        [
            "{c}.",
            "Please {c}.",
            "{C}, please.",
            "Always {c}.",
            "Could you {c}?",
            "I'd like you to {c}.",
            "I want you to {c}.",
            "Make sure to {c}.",
            "Remember to {c}.",
            "Kindly {c}.",
            "From now on, {c}.",
            "Can you {c}?",
            "I need you to {c}.",
            "Would you {c}?",
            "{C} in every {a}.",
            "When you reply, {c}.",
            "Try to {c}.",
            "Be sure to {c}.",
            "{C}, thanks.",
            "{C} every time.",
            "It'd be great if you {c}.",
            "You should {c}.",
            "You must {c}.",
            "Just {c}.",
            "{C} from here on.",
        ],
    )
    return f.format(c=core, C=core[:1].upper() + core[1:], a=pick(r, _ANSWER))


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# ----------------------------------------------------------------------------- per kind


def no_commas(r: R) -> str:
    commas = pick(r, ["commas", "any commas", "a single comma", "the comma", "comma characters"])
    if r.random() < 0.55:
        return frame(
            r,
            pick(
                r,
                [
                    f"avoid {commas}",
                    f"don't use {commas}",
                    f"leave out {commas}",
                    f"skip {commas} entirely",
                    f"write without {commas}",
                    f"never use {commas}",
                    f"drop {commas}",
                    f"omit {commas}",
                    f"steer clear of {commas}",
                    f"keep your {pick(r, _ANSWER)} free of commas",
                    "remove all commas",
                    f"do not include {commas}",
                    f"stop using {commas}",
                    f"refrain from using {commas}",
                    f"get rid of {commas}",
                    f"go without {commas}",
                    f"cut out {commas} completely",
                ],
            ),
        )
    return pick(
        r,
        [
            f"Commas {one(r, 'bother|irritate|bug|get on my nerves for')} me; "
            f"{one(r, 'cut them|drop them|avoid them|none please')}"
            f"{one(r, '| for good| entirely')}.",
            f"I can't stand commas{one(r, '|, leave them out|, so none please')}.",
            f"I'd rather you {one(r, 'did without|went without|never used')} commas"
            f"{one(r, '| at all| in replies')}.",
            f"No commas{one(r, '| at all| whatsoever| anywhere')}"
            f"{pick(r, ['', ', please', ', thanks', ' in your ' + pick(r, _ANSWERS)])}.",
            f"Zero commas in your {pick(r, _ANSWERS)}.",
            f"Your {pick(r, _ANSWER)} should contain no commas.",
            f"I hate commas, {one(r, 'please avoid them|do not use them|leave them out')}.",
            f"Commas are banned{one(r, '| from your replies| here')}.",
            f"Not a single comma{one(r, '| please| in the reply')}.",
            f"Please write {pick(r, _ANSWERS)} that have no commas.",
        ],
    )


def lowercase(r: R) -> str:
    lc = pick(
        r,
        [
            "all lowercase",
            "lowercase letters only",
            "lower case",
            "only lowercase",
            "small letters only",
            "entirely lowercase",
        ],
    )
    if r.random() < 0.5:
        return frame(
            r,
            pick(
                r,
                [
                    f"compose in {lc}",
                    f"use {lc}",
                    f"reply in {lc}",
                    f"keep everything in {lc}",
                    "never use capital letters",
                    "avoid uppercase letters",
                    "don't capitalize anything",
                    "skip capital letters",
                    f"type in {lc}",
                    "leave out all capital letters",
                    f"format your {pick(r, _ANSWER)} in {lc}",
                ],
            ),
        )
    return pick(
        r,
        [
            f"I'd like {pick(r, _ANSWERS)} with no capital letters.",
            f"Capital letters {one(r, 'annoy|bother')} me, so write in lowercase.",
            f"I'd rather you wrote everything in lowercase{one(r, '| only')}.",
            f"Only lowercase{one(r, '|, names included|, no exceptions|, please')}.",
            f"No capital letters{one(r, '| at all| anywhere')}.",
            "No letter may be capitalized.",
            f"Your {pick(r, _ANSWER)} must be entirely in lowercase.",
            f"I can't stand capital letters, {one(r, 'keep it lowercase|use lowercase')}.",
        ],
    )


def uppercase(r: R) -> str:
    uc = pick(
        r,
        [
            "all caps",
            "capital letters",
            "uppercase",
            "all capital letters",
            "block capitals",
            "ALL CAPS",
            "UPPERCASE only",
        ],
    )
    if r.random() < 0.5:
        return frame(
            r,
            pick(
                r,
                [
                    f"write in {uc}",
                    f"use {uc}",
                    f"reply in {uc}",
                    f"type everything in {uc}",
                    f"answer in {uc} only",
                    f"keep the whole {pick(r, _ANSWER)} in {uc}",
                    "capitalize every letter",
                    "shout everything in capitals",
                ],
            ),
        )
    return pick(
        r,
        [
            f"I want {pick(r, _ANSWERS)} entirely in {uc}.",
            f"Each letter has to be {one(r, 'capitalized|a capital')}.",
            f"{cap(uc)} only{one(r, '|, please|, no lowercase')}.",
            "No lowercase letters at all.",
            f"Your {pick(r, _ANSWER)} must be written in {uc}.",
            f"I'd rather you wrote everything in {uc}.",
        ],
    )


def ends_with(r: R) -> str:
    ph = pick(r, _PHRASES) + pick(r, ["", ".", "!", "?"])
    q = quote(r, ph)
    if r.random() < 0.5:
        return frame(
            r,
            pick(
                r,
                [
                    f"end every {pick(r, _ANSWER)} with {q}",
                    f"finish with {q}",
                    f"close with the exact phrase {q}",
                    f"sign off with {q}",
                    f"wrap up with the words {q}",
                    f"conclude with {q}",
                    f"let the very last thing you write be {q}",
                    f"always end on {q}",
                    f"put {q} at the very end",
                    f"make the last words {q}",
                ],
            ),
        )
    return pick(
        r,
        [
            f"The closing line must read: {ph}",
            f"{one(r, 'The|Your|My')} {one(r, 'last|final|closing|concluding')} "
            f"{one(r, 'sentence|line|words|remark')} "
            f"{one(r, 'should|must|has to|needs to|will')}"
            f"{one(r, '| always')} {one(r, 'be|read|say')}"
            f"{pick(r, [': ' + ph, ' ' + q])}",
            f"The last line of every {pick(r, _ANSWER)} must be {q}.",
            f"I want each {pick(r, _ANSWER)} to end with {q}.",
            f"Sign off using {q} and add nothing past it.",
            f"Make {q} the final phrase of your {pick(r, _ANSWER)}.",
            f"I'd like you to end with the phrase {q}, nothing else after it.",
            f"End with exactly this: {ph}",
            f"Close every {pick(r, _ANSWER)} with {q}.",
        ],
    )


def quoted(r: R) -> str:
    dq = pick(
        r,
        [
            "double quotation marks",
            "double quotes",
            "quotation marks",
            "quotes",
            "a pair of double quotes",
            "quote marks",
        ],
    )
    if r.random() < 0.5:
        return frame(
            r,
            pick(
                r,
                [
                    f"wrap your whole {pick(r, _ANSWER)} in {dq}",
                    f"enclose everything in {dq}",
                    f"put the entire {pick(r, _ANSWER)} inside {dq}",
                    f"surround your {pick(r, _ANSWER)} with {dq}",
                    f"open and close with {dq}",
                ],
            ),
        )
    return pick(
        r,
        [
            f"The first and last character of the {pick(r, _ANSWER)} should be a double quote.",
            f"Your whole {pick(r, _ANSWER)} should be inside {dq}.",
            f"The entire {pick(r, _ANSWER)} must be wrapped in {dq}.",
            f"I'd rather you put everything between {dq}.",
            f"Put {dq} around the whole thing.",
            f"Open and close your {pick(r, _ANSWER)} with a double quotation mark.",
        ],
    )


def postscript(r: R) -> str:
    ps = pick(r, ["P.S.", "a P.S.", "a postscript", "a P.P.S", "a short postscript", "a PS note"])
    return pick(
        r,
        [
            frame(r, f"tack {ps} onto the bottom"),
            frame(r, f"attach {ps}"),
            frame(r, f"end with {ps}"),
            frame(r, f"finish with {ps}"),
            frame(r, f"close with a note that begins {one(r, 'P.S.|P.P.S')}"),
            f"I like it when you add {ps} at the bottom.",
            f"Every {pick(r, _ANSWER)} should have {ps}.",
            f"Put {ps} after your main {pick(r, _ANSWER)}.",
            f"I'd rather you closed with {ps}.",
        ],
    )


def _rel(r: R) -> str:
    return pick(
        r,
        [
            "under",
            "fewer than",
            "less than",
            "at most",
            "no more than",
            "below",
            "at least",
            "more than",
            "over",
            "a maximum of",
            "a minimum of",
            "exactly",
            "up to",
            "not more than",
            "within",
        ],
    )


def word_count(r: R) -> str:
    n, rel = big(r), _rel(r)
    return pick(
        r,
        [
            frame(r, f"keep your {pick(r, _ANSWERS)} {rel} {n} words"),
            frame(r, f"respond with {rel} {n} words"),
            frame(r, f"write {rel} {n} words"),
            frame(r, f"stay {rel} {n} words"),
            frame(r, f"limit {pick(r, _ANSWERS)} to {n} words"),
            f"{cap(pick(r, _ANSWERS))} should be {rel} {n} words.",
            f"{cap(pick(r, _ANSWERS))} must not exceed {n} words.",
            f"I want {pick(r, _ANSWERS)} of {rel} {n} words.",
            f"Long replies {one(r, 'annoy|tire')} me: {rel} {n} words, please.",
            f"{cap(rel)} {n} words{one(r, '| please| per reply| each time')}.",
            f"I'd rather you kept it {rel} {n} words.",
            f"Cap your {pick(r, _ANSWER)} at {n} words.",
            f"Give me {one(r, 'no more than|at least|at most')} {n} words.",
        ],
    )


def sentence_count(r: R) -> str:
    n, rel = num(r, 1, 8), _rel(r)
    unit = "sentence" if n in ("1", "one") else "sentences"
    return pick(
        r,
        [
            frame(r, f"keep it to {rel} {n} {unit}"),
            frame(r, f"use {rel} {n} {unit}"),
            frame(r, f"answer in {rel} {n} {unit}"),
            frame(r, f"write {rel} {n} {unit}"),
            f"{cap(pick(r, _ANSWERS))} should be {rel} {n} {unit}.",
            f"{cap(rel)} {n} {unit}{one(r, '| please|, thanks')}.",
            f"I'd rather you replied in {rel} {n} {unit}.",
            f"No more than {n} {unit} per {pick(r, _ANSWER)}.",
        ],
    )


def title(r: R) -> str:
    t = pick(r, ["<<Title>>", "<<My Title>>", "<<like this>>", "<< >>", "<<title>>"])
    br = pick(r, ["double angle brackets", "double angular brackets", "<< >>", "<<these>>"])
    return pick(
        r,
        [
            frame(r, f"open with a title in {br}"),
            frame(r, f"include a title wrapped in {br}"),
            frame(r, f"give every {pick(r, _ANSWER)} a title in {br}, e.g. {t}"),
            frame(r, f"put a title like {t} at the top"),
            frame(r, f"add a {br} title"),
            f"I want a title in {br} at the top of each {pick(r, _ANSWER)}.",
            f"Every {pick(r, _ANSWER)} needs a title enclosed in {br}.",
            f"Begin with a heading formatted as {t}.",
            f"Title your {pick(r, _ANSWERS)} using {br}, such as {t}.",
        ],
    )


def bullet_count(r: R) -> str:
    n = num(r, 2, 8)
    b = pick(
        r, ["bullet points", "bullets", "bullet items", "dash bullets", "points in a bulleted list"]
    )
    ex = pick(r, ["exactly ", "", "precisely ", "just "])
    return pick(
        r,
        [
            frame(r, f"answer with {ex}{n} {b}"),
            frame(r, f"give me {ex}{n} {b}"),
            frame(r, f"lay the {pick(r, _ANSWER)} out as {ex}{n} {b}"),
            frame(r, f"list {ex}{n} {b}"),
            frame(r, f"format it as {ex}{n} {b} with asterisks"),
            f"I want {ex}{n} {b}, no more, no less.",
            f"Your {pick(r, _ANSWER)} should have {ex}{n} {b}.",
            f"{cap(ex)}{n} {b}{one(r, '| please|, nothing else')}.",
            f"Break the {pick(r, _ANSWER)} into {ex}{n} {b}.",
        ],
    )


def no_lists(r: R) -> str:
    lists = pick(
        r,
        [
            "lists", "bullet points", "bullets", "bulleted lists", "numbered lists",
            "bullet lists", "any lists", "list formatting", "markdown lists", "itemized lists",
        ],
    )  # fmt: skip
    if r.random() < 0.55:
        return frame(
            r,
            pick(
                r,
                [
                    f"avoid {lists}",
                    f"don't use {lists}",
                    f"do not use {lists}",
                    f"never use {lists}",
                    f"skip the {lists}",
                    f"leave out {lists}",
                    f"write in prose instead of {lists}",
                    f"use full paragraphs rather than {lists}",
                    f"don't give me {lists}",
                    f"don't format {pick(r, _ANSWERS)} as {lists}",
                    f"stop using {lists}",
                    f"keep {lists} out of your {pick(r, _ANSWERS)}",
                    f"answer in flowing text, no {lists}",
                    f"refrain from {lists}",
                    f"don't break the {pick(r, _ANSWER)} into {lists}",
                ],
            ),
        )
    return pick(
        r,
        [
            f"{cap(lists)} {one(r, 'annoy|irritate|bother|bug')} me"
            f"{one(r, '|; write prose|, so none please|, leave them out')}.",
            f"I can't stand {lists}{one(r, '|, please avoid them|; use paragraphs')}.",
            f"I'd rather you {one(r, 'never used|did without|avoided')} {lists}.",
            f"No {lists}{one(r, '| please| at all|, thanks| in your ' + pick(r, _ANSWERS))}.",
            f"Your {pick(r, _ANSWER)} should {one(r, 'contain no|not have any|be free of')} "
            f"{lists}.",
            f"I hate {lists}{one(r, '|, so skip them|; just write normally')}.",
            f"Prose only, {one(r, 'no|never')} {lists}.",
            f"Please write in paragraphs, not {lists}.",
        ],
    )


def _word_list(r: R) -> tuple[str, str]:
    ws = r.sample(_WORDS, r.choice([1, 1, 2, 2, 3]))
    qs = [quote(r, w) for w in ws]
    if len(qs) == 1:
        return qs[0], "word"
    joined = ", ".join(qs[:-1]) + pick(r, [" and ", ", and "]) + qs[-1]
    return joined, "words"


def include_words(r: R) -> str:
    ws, unit = _word_list(r)
    return pick(
        r,
        [
            frame(r, f"include the {unit} {ws}"),
            frame(r, f"use the {unit} {ws}"),
            frame(r, f"mention the {unit} {ws}"),
            frame(r, f"work the {unit} {ws} in"),
            frame(r, f"put the keyword {ws} somewhere"),
            frame(r, f"bring up the {unit} {ws}"),
            f"I expect the {unit} {ws} to {one(r, 'appear|be used|come up')}.",
            f"Your {pick(r, _ANSWER)} should contain the {unit} {ws}.",
            f"I want to see the {unit} {ws} somewhere in the {pick(r, _ANSWER)}.",
            f"The {unit} {ws} must appear in every {pick(r, _ANSWER)}.",
            f"Somewhere in the {pick(r, _ANSWER)}, say {ws}.",
        ],
    )


_DROP_IT = "don't use|never use|avoid|leave out|skip|drop"
_DONT_USE_IT = "don't use it|please don't use it|do not use it|don't ever use it|never use it"


def exclude_words(r: R) -> str:
    ws = r.sample(_FILLER_WORDS, r.choice([1, 1, 2, 2, 3]))
    qs = [quote(r, w) for w in ws]
    unit = "word" if len(qs) == 1 else "words"
    lst = qs[0] if len(qs) == 1 else ", ".join(qs[:-1]) + " and " + qs[-1]
    it = "it" if len(qs) == 1 else "them"
    return pick(
        r,
        [
            frame(r, f"don't use the {unit} {lst}"),
            frame(r, f"avoid the {unit} {lst}"),
            frame(r, f"never say {lst}"),
            frame(r, f"steer clear of the {unit} {lst}"),
            frame(r, f"ban the {unit} {lst}"),
            frame(r, f"stop saying {lst}"),
            frame(r, f"keep the {unit} {lst} out of your {pick(r, _ANSWERS)}"),
            f"I really dislike the {unit} {lst}; keep {it} out.",
            f"The {unit} {lst} {one(r, 'annoys me|annoy me|bugs me|drive me mad')}, "
            f"so {one(r, 'avoid|skip|never use')} {it}.",
            f"I can't stand the {unit} {lst}.",
            f"I {one(r, 'hate|detest|loathe|really dislike|am sick of')} the {unit} {lst}"
            f"{one(r, ', |; |. |, so |. Please ')}"
            f"{one(r, _DROP_IT)} {it}.",
            f"{one(r, 'I hate|I dislike|I really hate|Honestly I hate')} the {unit} {lst}"
            f"{one(r, ', |, so |. |; ')}{one(r, _DONT_USE_IT)}.",
            f"The {unit} {lst}: {one(r, 'I hate|I dislike|not a fan')}, {one(r, _DONT_USE_IT)}.",
            f"{cap(unit)} like {lst} are banned.",
            f"No {lst}{one(r, '|, please| ever')}.",
            f"I'd rather you never used the {unit} {lst}.",
        ],
    )


def paragraph_count(r: R) -> str:
    n = num(r, 2, 6)
    sep = pick(r, ["***", "a line of ***", "three asterisks (***)", "a *** divider", "*** lines"])
    return pick(
        r,
        [
            frame(r, f"give {n} paragraphs split by {sep}"),
            frame(r, f"split the {pick(r, _ANSWER)} into {n} paragraphs divided by {sep}"),
            frame(r, f"use exactly {n} paragraphs with {sep} between them"),
            f"Your {pick(r, _ANSWER)} should have {n} paragraphs, separated by {sep}.",
            f"I want {n} paragraphs, each separated by {sep}.",
            f"{cap(n)} paragraphs, split with {sep}.",
        ],
    )


def highlight_count(r: R) -> str:
    n = num(r, 1, 6)
    return pick(
        r,
        [
            frame(r, f"emphasize {n} or more passages with markdown like *this part*"),
            frame(r, f"highlight {one(r, 'at least |')}{n} parts using *asterisks*"),
            frame(r, f"mark at least {n} key phrases with markdown highlighting"),
            f"I want at least {n} highlighted sections, like *this*.",
            f"Your {pick(r, _ANSWER)} should highlight {one(r, 'at least |')}{n} sections "
            "in markdown.",
            f"Emphasize at least {n} parts with *single asterisks*.",
        ],
    )


def section_count(r: R) -> str:
    n = num(r, 2, 6)
    mk = pick(r, ["Section", "SECTION", "Part", "PART", "Chapter"])
    return pick(
        r,
        [
            f"Organize it as {n} sections. Begin each one with {mk} N.",
            f"There should be {n} sections; label them {mk} 1, {mk} 2 and so on.",
            frame(r, f"split the {pick(r, _ANSWER)} into {n} sections, each starting with {mk} X"),
            frame(r, f"divide it into {n} parts labelled {mk} 1, {mk} 2 and so on"),
            frame(r, f"organize the {pick(r, _ANSWER)} in {n} sections marked {mk} X"),
            f"I want {n} sections, each headed {mk} N.",
            f"Use {n} sections and begin each with '{mk} X'.",
            f"{cap(n)} sections please, numbered like {mk} 1, {mk} 2.",
        ],
    )


def placeholder_count(r: R) -> str:
    n = num(r, 1, 5)
    ex = pick(r, ["[address]", "[name]", "[date]", "[city]", "[phone number]"])
    return pick(
        r,
        [
            frame(r, f"add {n} or more placeholders in square brackets such as {ex}"),
            frame(r, f"use {one(r, 'at least |')}{n} placeholders such as {ex}"),
            frame(r, f"add at least {n} bracketed placeholders like {ex}"),
            f"I want at least {n} fill-in-the-blank placeholders in square brackets, e.g. {ex}.",
            f"Your {pick(r, _ANSWER)} should contain at least {n} placeholders like {ex}.",
            f"Leave at least {n} placeholders in [square brackets] for me to fill in.",
        ],
    )


def json_(r: R) -> str:
    j = pick(r, ["JSON", "valid JSON", "JSON format", "a JSON object", "json"])
    return pick(
        r,
        [
            frame(r, f"encode everything as {j}"),
            frame(r, f"respond strictly in {j}"),
            frame(r, f"format your whole {pick(r, _ANSWER)} as {j}"),
            frame(r, f"answer with {j} and nothing else"),
            frame(r, f"output {j}"),
            f"Return {j} and no surrounding prose.",
            f"Your entire {pick(r, _ANSWER)} must be {j}.",
            f"I only want {j} back, no extra text.",
            f"Everything you send should be parseable {j}.",
            f"{cap(j)} only{one(r, '|, please|, no prose')}.",
        ],
    )


def language(r: R) -> str:
    lang = pick(r, _LANGS)
    return pick(
        r,
        [
            frame(r, f"reply in {lang}"),
            frame(r, f"answer only in {lang}"),
            frame(r, f"write your {pick(r, _ANSWERS)} in {lang}"),
            frame(r, f"respond in {lang}, no other language"),
            f"Your entire {pick(r, _ANSWER)} should be in {lang}.",
            f"I want all {pick(r, _ANSWERS)} in {lang}, not English.",
            f"{lang} only, please.",
            f"I'd rather you wrote to me in {lang}.",
        ],
    )


def none(r: R) -> str:
    """Persona facts, tastes about other things, negated, conditional, occasional and past
    wishes, and unchecked style wishes: what a rule must never be made of."""
    thing = pick(r, _FORMAT_THINGS)
    job = pick(r, _JOBS)
    a = "an" if job[0] in "aeiou" else "a"
    return pick(
        r,
        [
            # persona facts, some mentioning a format
            f"I'm {a} {job} who {one(r, 'relies on|works with|grades|writes')} {thing}"
            f" {one(r, 'at work|in reports|in meetings|in my notes|on slides')}.",
            f"As {a} {job}, I {one(r, 'put|use')} {thing} in {one(r, 'handouts|memos|emails')}.",
            f"I work as {a} {job}"
            f"{pick(r, ['', ' on weekends', ' in ' + pick(r, _PLACES), ' part time'])}.",
            f"I live in {pick(r, _PLACES)}{one(r, '| with my family| and work from home')}.",
            f"I love {thing} in "
            f"{one(r, 'poetry|novels|my own writing|text messages|old letters|recipes')}.",
            f"I {one(r, 'enjoy|love|spend weekends')} {pick(r, _HOBBIES)}.",
            f"My {one(r, 'dog|cat|son|daughter|boss|partner')} is called "
            f"{quote(r, one(r, 'Rex|Luna|Max|Bella|Sam'))}.",
            f"Our {one(r, 'band|boat|project')} is named <<{one(r, 'Orion|Luna|Nova')}>>.",
            f"I've been studying {pick(r, _LANGS)}{one(r, '| at night school| for a trip')}.",
            f"I speak {pick(r, _LANGS)} at home.",
            f"I'm {one(r, 'a beginner|an expert|new to this|a retiree|a parent')}"
            f"{pick(r, ['', ' and I like ' + pick(r, _HOBBIES)])}.",
            f"{cap(thing)} {one(r, 'fascinate me|are so elegant|were my thing at school')}.",
            f"My {one(r, 'thesis|report|essay|book')} has {num(r)} "
            f"{one(r, 'sections|chapters|paragraphs|parts')}.",
            f"I wrote a {big(r)}-word {one(r, 'essay|story|post')} "
            f"{one(r, 'yesterday|last week')}.",
            f"My students {one(r, 'overuse|forget|love')} {thing}.",
            f"I {one(r, 'type|think')} slowly, so be patient with me.",
            f"I have {num(r)} kids and a {one(r, 'busy|quiet')} job.",
            f"I'm {num(r, 20, 70)} years old.",
            f"I {one(r, 'make|write|keep|love')} "
            f"{one(r, 'to-do lists|shopping lists|packing lists|checklists|lists')} "
            f"{one(r, 'every morning|for everything|at work|on paper')}.",
            f"My {one(r, 'boss|teacher|partner|team')} {one(r, 'loves|uses|writes')} "
            f"{one(r, 'numbered lists|bullet points|checklists')}.",
            # past or unsure
            f"Back in college I adored {thing}; these days I'm undecided.",
            f"Years ago I {one(r, 'wrote|avoided|hated')} {thing}.",
            # negated or indifferent
            f"I don't mind {thing}.",
            f"You don't need to {one(r, 'use|avoid|include')} {thing}.",
            f"{cap(thing)} are fine{one(r, '| by me| either way')}.",
            f"It's okay to use {thing}.",
            f"I have no strong opinion on {thing}.",
            # conditional or occasional
            f"If I ask for a list, {one(r, 'use bullet points|number the steps')}.",
            f"When I ask for code, {one(r, 'include comments|keep it short')}.",
            f"Sometimes use {thing}{one(r, '| if it helps')}.",
            f"{cap(thing)} are okay {one(r, 'now and then|occasionally|when it helps')}.",
            f"Use {thing} only when I ask for them.",
            # style wishes no rule checks
            f"Be {one(r, 'supportive|friendly|formal|patient|direct|warm|playful')}"
            f"{one(r, '|; I lose heart quickly|, please| with me')}.",
            f"Examples from {one(r, 'sports|history|cooking|my field')} work best for me.",
            f"I like answers that {one(r, 'explain the why|give examples|use analogies')}.",
            f"Explain things like I'm {one(r, 'five|a beginner|a colleague')}.",
            f"Please be {one(r, 'concise|thorough|clear|honest')}.",
            f"Keep a {one(r, 'positive|neutral|professional|casual')} tone.",
            f"Use simple {one(r, 'words|language|examples')}.",
            f"Don't be {one(r, 'condescending|too formal|preachy|vague')}.",
            f"I care a lot about {one(r, 'accuracy|privacy|the environment|clear code')}.",
            "Tell me when you're not sure.",
            f"Ask me questions if {one(r, 'something is unclear|you need details')}.",
            f"Avoid {one(r, 'jargon|clichés|small talk|lecturing me')}.",
            # indifference and permission: a format named, nothing asked
            f"{pick(r, _DONT + ['No need to'])} worry about {thing}.",
            f"Feel free to use {thing}{one(r, '| if you like| whenever')}.",
            f"I {pick(r, _DONT).lower()} care about {thing}{one(r, '| either way| much')}.",
            f"{cap(thing)} {one(r, 'inspire|confuse|scare|bore|amuse|intrigue')} me.",
            f"{one(r, 'Sayings|Lines|Proverbs')} from {one(r, 'old films|my grandma|songs')}"
            f" {one(r, 'make me smile|stick with me|move me')}.",
            # the person's own writing, not the answers
            f"I keep my {one(r, 'notes|diary|texts|emails|lyrics|shopping lists')} in "
            f"{one(r, 'lowercase|capital letters|JSON|bullet points|French|short lines')}.",
            f"My {one(r, 'notes|messages|tweets|essays')} "
            f"{one(r, 'are always|tend to be|are')} "
            f"{one(r, 'in lowercase|without commas|in all caps|under 100 words|in bullets')}.",
            f"At work I {one(r, 'format|send|store|read')} {thing} "
            f"{one(r, 'every day|a lot|daily')}.",
        ],
    )


MAKERS: dict[str, Maker] = {
    "no_commas": no_commas,
    "lowercase": lowercase,
    "uppercase": uppercase,
    "ends_with": ends_with,
    "quoted": quoted,
    "postscript": postscript,
    "word_count": word_count,
    "sentence_count": sentence_count,
    "title": title,
    "bullet_count": bullet_count,
    "no_lists": no_lists,
    "include_words": include_words,
    "exclude_words": exclude_words,
    "paragraph_count": paragraph_count,
    "highlight_count": highlight_count,
    "section_count": section_count,
    "placeholder_count": placeholder_count,
    "json": json_,
    "language": language,
    NONE: none,
}

PER_KIND = 300
PER_NONE = 1500
SEED = 20261201


def build(seed: int = SEED, per_kind: int = PER_KIND, per_none: int = PER_NONE) -> list[Example]:
    """The corpus: up to `per_kind` distinct phrasings per check kind and `per_none` for none
    (fewer when the templates run out of distinct lines)."""
    out: list[Example] = []
    for label in LABELS:
        r = random.Random(f"{seed}:{label}")
        want = per_none if label == NONE else per_kind
        seen: set[str] = set()
        tries = 0
        while len(seen) < want and tries < want * 20:
            tries += 1
            text = MAKERS[label](r)
            if text.lower() not in seen:
                seen.add(text.lower())
                out.append(Example(text, label))
    return out


def fingerprint(examples: Sequence[Example]) -> str:
    """A digest of a built corpus (what the tests compare for determinism)."""
    h = hashlib.sha256()
    for e in examples:
        h.update(f"{e.label}\t{e.text}\n".encode())
    return h.hexdigest()[:16]


def source_fingerprint() -> str:
    """A digest of this module's source and the default sizes: it names the cached model
    without building the corpus (building takes about a second; loading the cache, less)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(f"{SEED}:{PER_KIND}:{PER_NONE}".encode())
    return h.hexdigest()[:16]
