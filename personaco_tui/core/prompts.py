"""The paper's prompts (PersonaCo, seed 000, sections 3 and 4.1), verbatim where the paper
gives them. Signals are joined so that each reads as its own sentence."""

from __future__ import annotations

PERSONALIZATION = (
    "When answering the following query, please consider the following personalizations: "
    "{personalizations} Question: {query}"
)
REFLECTION = (
    "Does your answer address the personalization {personalization}? "
    "Answer with only a number 0 (for no) or 1 (for yes)"
)
SIGNAL_GENERATION = (
    "Generate a list of {k} personalizations for the query below. Output in JSON format and do "
    'not include any other text. For example, for the query "Describe the characteristics of '
    'Baroque music and its impact on Western music history.", the personalizations might be:\n'
    '["Do not use any bullet lists in the response.", "I can understand complicated language '
    'at the level of a PhD in music history.", "I prefer when the response uses detailed '
    'anecdotes. Do not speak in generalities.", "I prefer answers as concise as possible.", '
    '"Do include citations."]\n\nQuery: {query}'
)


def _sentence(signal: str) -> str:
    s = " ".join(signal.split())
    return s if s.endswith((".", "!", "?")) else s + "."


def join_signals(signals: list[str]) -> str:
    return " ".join(_sentence(s) for s in signals if s.strip())


def personalization_prompt(query: str, signals: list[str]) -> str:
    """The generation prompt. With no signals it is the plain query."""
    if not any(s.strip() for s in signals):
        return query
    return PERSONALIZATION.format(personalizations=join_signals(signals), query=query)


def reflection_prompt(signal: str) -> str:
    return REFLECTION.format(personalization=" ".join(signal.split()))


def signal_generation_prompt(query: str, k: int = 5) -> str:
    return SIGNAL_GENERATION.format(k=k, query=query)
