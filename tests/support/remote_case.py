"""The persona case both remote-scoring suites score, locally and over HTTP, and the
evidence read back from a cell."""

from __future__ import annotations

import re

from personaco_tui.core.reflectors.base import ReflectionInput

QUERY = "Suggest a quick dinner I can cook tonight."
ANSWERS = [
    "A vegetable stir-fry with tofu and rice takes fifteen minutes.",
    "Grill a steak and serve it with chips.",
    "I'm a helpful AI.",
]
INP = ReflectionInput(
    [{"role": "user", "content": QUERY}], QUERY, ANSWERS, ["I'm vegetarian.", "I live in Germany."]
)


def log_odds(raw: str) -> float:
    """The log-odds a persona cell's evidence states (for a fact that rules something out,
    the log-likelihood of the user's complaint)."""
    m = re.search(r"log-(?:odds|likelihood) ([+-]\d+\.\d+)", raw)
    assert m, raw
    return float(m.group(1))
