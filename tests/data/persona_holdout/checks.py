# ruff: noqa: E501 - word lists read best on one line
"""Held-out checks for tests/data/persona_holdout/dev.jsonl: eight kinds of fact that neither
implicit/dev nor persona_dev holds (deaf, wheelchair, caffeine, Android, Excel, microwave
only, no car, a southern summer). Written before any answer to these questions was seen and
never used to choose a method: the set only reports how the committed pick carries over.
Never imported by the product."""

import re

NEG = r"(?:no|not|without|instead of|avoid|avoiding|skip|rather than|never|don't|cannot|can't|free of|replace)"


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-zÀ-ÿ0-9']+", text)


def _forbidden(text: str, words: str, before: str = NEG, after: str | None = None) -> bool:
    """True where no word of `words` occurs, except right after a negation (`before`)."""
    t = text.lower()
    for m in re.finditer(rf"\b(?:{words})\b", t):
        if re.search(rf"\b{before}\W+(?:\w+\W+)?$", t[max(0, m.start() - 30) : m.start()]):
            continue
        if after and re.match(after, t[m.end() : m.end() + 20]):
            continue
        return False
    return True


AUDIO = r"call|calls|calling|phone them|telephone|ring them|podcasts?|audiobooks?|listen\w*|radio|music|voicemail|hear|hearing them|audio|songs?|playlists?|spotify"
WALK = r"walk|walks|walking|walked|hik\w*|jog\w*|running|go for a run|climb\w*|stairs?|staircase|trek\w*|bike|bikes|biking|cycling|stroll\w*|on foot"
CAFFEINE = r"coffee|espresso|latte|lattes|cappuccinos?|americano|mocha|caffeine|caffeinated|energy drinks?|cola|colas|matcha|red bull|tea"
APPLE = r"iphone|ios|app store|siri|icloud|itunes|apple"
OTHER_SHEETS = r"google sheets|libreoffice|openoffice|numbers app|apple numbers|airtable"
COOKER = r"oven|ovens|bake|baking|baked|roast\w*|stove\w*|skillet|frying pan|pan|pans|saucepan|grill\w*|saut[eé]\w*|fry|frying|fried|broil\w*|toaster|hob|simmer\w*|boil\w*"
CAR = r"drive|driving|drove|car|cars|road trip|parking|gas station|petrol|rental car"
WINTER = r"snow\w*|ski|skiing|winter|sweaters?|coats?|scarf|scarves|gloves|mittens|hot chocolate|fireplace|bundle up|freezing|ice skating|sledding|warm up by"


def no_audio(text: str) -> bool:
    return _forbidden(text, AUDIO)


def no_walking(text: str) -> bool:
    return _forbidden(text, WALK, before=NEG + r"|wheelchair|accessible")


def no_caffeine(text: str) -> bool:
    decaf = (
        NEG
        + r"|decaf|decaffeinated|herbal|chamomile|peppermint|rooibos|mint|ginger|fruit|caffeine-free"
    )
    return _forbidden(text, CAFFEINE, before=decaf, after=r"[- ]?free\b")


def android(text: str) -> bool:
    t = text.lower()
    return bool(
        re.search(r"\b(android|samsung|pixel|galaxy|google play|play store)\b", t)
    ) and _forbidden(text, APPLE)


def excel(text: str) -> bool:
    return bool(re.search(r"\bexcel\b", text.lower())) and _forbidden(text, OTHER_SHEETS)


def microwave(text: str) -> bool:
    return bool(re.search(r"\bmicrowav", text.lower())) and _forbidden(text, COOKER)


def no_car(text: str) -> bool:
    return _forbidden(text, CAR, after=r"[- ](?:free|sharing|share)\b")


def summer(text: str) -> bool:
    return _forbidden(text, WINTER)


KINDS = {
    f.__name__: f
    for f in (no_audio, no_walking, no_caffeine, android, excel, microwave, no_car, summer)
}


def check(c: dict, text: str) -> bool:
    return len(_words(text)) >= 3 and bool(KINDS[c["kind"]](text, **c.get("args", {})))
