# ruff: noqa: E501 - word lists read best on one line
"""Checks for tests/data/persona_holdout2/dev.jsonl: seven kinds of fact that no other persona set
of the project holds (pregnancy, a shellfish allergy, no oven, a fear of flying, no swimming,
no internet, no television), each a thing a fitting answer must leave out. Written on
2026-12-07 before any answer to these questions was seen, and never used to choose a method:
the set only reports how the committed pick carries over. Never imported by the product."""

import re

NEG = r"(?:no|not|without|instead of|avoid|avoiding|skip|rather than|never|don't|cannot|can't|free of|replace|unsafe|dangerous)"


def _forbidden(text: str, words: str, after: str | None = None) -> bool:
    """True where no word of `words` occurs, except right after a negation."""
    t = text.lower()
    for m in re.finditer(rf"\b(?:{words})\b", t):
        if re.search(rf"\b{NEG}\W+(?:\w+\W+)?$", t[max(0, m.start() - 30) : m.start()]):
            continue
        if after and re.match(after, t[m.end() : m.end() + 20]):
            continue
        return False
    return True


PREGNANT = r"alcohol\w*|wine|wines|beer|beers|champagne|prosecco|cocktails?|sake|vodka|whisk(?:e)?y|rum|gin|tequila|liquor|martinis?|margaritas?|mimosas?|raw|sashimi|tuna|swordfish|oysters?|salami|prosciutto|pepperoni|deli meats?|cold cuts?|pâté|pate|brie|camembert|blue cheese|unpasteuri[sz]ed"
SHELLFISH = r"shellfish|shrimps?|prawns?|crabs?|lobsters?|crayfish|crawfish|oysters?|mussels?|clams?|scallops?|langoustines?|seafood platter"
OVEN = r"oven|ovens|bake|baked|baking|bakes|roast|roasted|roasting|broil\w*|preheat\w*|casserole|°f|degrees"
FLYING = r"fly|flying|flight|flights|plane|planes|airplane|aeroplane|airport|airports|airline|airlines|jet|jets|airfare"
SWIMMING = r"swim|swims|swimming|snorkel\w*|scuba|diving|dive|dives|surf|surfing|kayak\w*|paddleboard\w*|water park|pool|pools"
ONLINE = r"online|internet|website|websites|web|youtube|app|apps|podcasts?|streaming|stream|download\w*|duolingo|google|netflix|spotify|email|social media|twitter|facebook|instagram|tiktok|zoom"
TV = r"tv|tvs|television|netflix|hulu|binge\w*|series|episodes?|sitcoms?|streaming|stream|watch a movie|watch movies|movie night|film night"

KINDS = {
    "pregnant": lambda t: _forbidden(t, PREGNANT, after=r"[- ]?(?:free|less)\b"),
    "no_shellfish": lambda t: _forbidden(t, SHELLFISH, after=r"[- ]?(?:free|less)\b"),
    "no_oven": lambda t: _forbidden(t, OVEN),
    "no_flying": lambda t: _forbidden(t, FLYING, after=r"[- ]?free\b"),
    "no_swimming": lambda t: _forbidden(t, SWIMMING),
    "offline": lambda t: _forbidden(t, ONLINE),
    "no_tv": lambda t: _forbidden(t, TV, after=r"[- ]?free\b"),
}


def check(c: dict, text: str) -> bool:
    return (
        bool(text.strip()) and len(re.findall(r"\w+", text)) >= 3 and bool(KINDS[c["kind"]](text))
    )
