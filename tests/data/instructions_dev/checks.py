# ruff: noqa: E501 - word lists read best on one line
"""Development checks for tests/data/instructions_dev/dev.jsonl: wishes about an answer that no
rule of the product checks ("Explain like I'm new to this.", "Talk to me like a pirate.",
"Recommend a book on the topic."), each with what a fitting answer must show. Written before
any answer to these questions was seen. Never imported by the product."""

import re


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z']+", text)


def _syllables(word: str) -> int:
    w = word.lower()
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


def simple(text: str) -> bool:
    """Flesch-Kincaid grade at most 6 over at least 15 words."""
    words = _words(text)
    if len(words) < 15:
        return False
    sentences = max(1, len(re.findall(r"[.!?]+(?:\s|$)", text)))
    grade = 0.39 * len(words) / sentences + 11.8 * sum(map(_syllables, words)) / len(words) - 15.59
    return grade <= 6


def example(text: str) -> bool:
    return bool(
        re.search(
            r"\b(for example|for instance|e\.g\.|such as|example:|say you|imagine you|let's say)",
            text,
            re.I,
        )
    )


def pirate(text: str) -> bool:
    return (
        len(
            re.findall(
                r"\b(arr+|ahoy|matey|me hearties|ye|yer|aye|avast|landlubbers?|shiver me|yo[- ]ho)\b",
                text,
                re.I,
            )
        )
        >= 2
    )


def cooking(text: str) -> bool:
    return bool(
        re.search(
            r"\b(recipes?|kitchen|ingredients?|chefs?|cook\w*|bak\w*|oven|stir|dish|meal)\b",
            text,
            re.I,
        )
    )


def pros_cons(text: str) -> bool:
    good = re.search(r"\b(pros?|advantages?|benefits?|upsides?|plus(es)?)\b", text, re.I)
    bad = re.search(
        r"\b(cons|disadvantages?|downsides?|drawbacks?|risks?|minus(es)?)\b", text, re.I
    )
    return bool(good and bad)


def history(text: str) -> bool:
    return bool(
        re.search(
            r"\b(1[0-9]{3}|20[0-2][0-9])\b|\b\w+(th|st|nd|rd) century\b|\bcenturies\b|\bancient\b|\bin the (year|era)\b",
            text,
            re.I,
        )
    )


def book(text: str) -> bool:
    return bool(
        re.search(r"\b(books?|read(ing)?|author|titled|by [A-Z][a-z]+ [A-Z][a-z]+)\b", text)
    ) and bool(re.search(r"[\"“*][A-Z][^\"”*]{3,60}[\"”*]|\b(by [A-Z][a-z]+)", text))


# held-out kinds (holdout.jsonl), written with the set, before any answer was seen
def sports(text: str) -> bool:
    return bool(
        re.search(
            r"\b(sports?|team|teammates?|coach\w*|athletes?|players?|game|match|score\w*|goals?|training|football|soccer|basketball|tennis|race|runners?|marathon|champions?)\b",
            text,
            re.I,
        )
    )


def fun_fact(text: str) -> bool:
    return bool(
        re.search(
            r"\b(fun fact|did you know|surprising(ly)?|interesting(ly)? fact|amazing(ly)?|trivia|believe it or not|little-known)\b",
            text,
            re.I,
        )
    )


def quote(text: str) -> bool:
    quoted = re.search(r"[\"“][^\"”]{8,200}[\"”]", text)
    said = re.search(
        r"(\bsaid\b|\bwrote\b|\bonce\b|—\s*[A-Z]|-\s*[A-Z][a-z]+ [A-Z]|\bas [A-Z][a-z]+ (?:[A-Z][a-z]+ )?(?:put|said)\b)",
        text,
    )
    return bool(quoted and said)


def safety(text: str) -> bool:
    return bool(
        re.search(
            r"\b(safety|safe(ly)?|careful(ly)?|caution|warning|danger\w*|risks?|protective|gloves|goggles|unplug\w*|turn off|switch off|injur\w*)\b",
            text,
            re.I,
        )
    )


def numbers(text: str) -> bool:
    return bool(
        re.search(r"\d+(?:[.,]\d+)?\s?(%|percent|per cent|million|billion)|\b\d{2,}\b", text, re.I)
    )


def travel(text: str) -> bool:
    return bool(
        re.search(
            r"\b(journey|voyage|trip|travel\w*|road|path|destination|map|roadmap|route|passport|luggage|suitcase|explor\w*|adventure)\b",
            text,
            re.I,
        )
    )


KINDS = {
    f.__name__: f
    for f in (
        simple,
        example,
        pirate,
        cooking,
        pros_cons,
        history,
        book,
        sports,
        fun_fact,
        quote,
        safety,
        numbers,
        travel,
    )
}


def check(c: dict, text: str) -> bool:
    return len(_words(text)) >= 3 and bool(KINDS[c["kind"]](text, **c.get("args", {})))
