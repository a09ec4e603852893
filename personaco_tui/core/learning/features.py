"""Interpretable features of a candidate answer *within its generation* (the k answers of one
turn): what the learned preference model reads.

Every feature has a name and a one-line meaning (FEATURES), so a learned weight can be said in
words. Text features are computed from the answer alone; `consensus` and the per-signal cells
need the whole generation. Per-signal features are named `signal:<text>`: a user who cares
more about one of their signals than another shows it in their choices.

These are the learner's own measurements. The simulated users of evaluation/simulate.py are
defined by separately written scorers (IFEval checkers and their own counting), so a learning
curve never measures a learner reading its own answer key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..consensus import consensus
from ..types import Generation

# name -> (what a positive weight means, what a negative one means)
FEATURES: dict[str, tuple[str, str]] = {
    "log_words": ("longer answers", "shorter answers"),
    "words": ("long answers (by the word count itself)", "short answers (by the word count)"),
    "list_items": ("bullet or numbered lists", "answers without lists"),
    "headings": ("answers with headings", "answers without headings"),
    "sentence_length": ("long sentences", "short sentences"),
    "long_words": ("harder words (a higher reading level)", "plain, simple words"),
    "code": ("answers with code", "answers without code"),
    "question_back": ("answers that end with a question", "answers that don't ask back"),
    "example": ("answers with an example", "answers without examples"),
    "bold": ("bold highlights", "answers without bold text"),
    "paragraphs": ("several paragraphs", "a single block of text"),
    "commas": ("many commas", "few commas"),
    "exclamations": ("exclamation marks", "a calm tone without exclamation marks"),
    "contractions": ("a casual tone with contractions", "a formal tone without contractions"),
    "addresses_you": ("answers that talk to you directly", "impersonal answers"),
    "numbers": ("answers with numbers", "answers without numbers"),
    "consensus": ("the typical answer (close to the others)", "unusual answers"),
    "finished": ("answers that finish", "answers cut off at the token limit"),
}
SIGNAL_PREFIX = "signal:"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_LIST_LINE = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)])\s+\S")
_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s+\S|\*\*[^*\n]{1,80}\*\*:?\s*$)", re.MULTILINE)
_CODE = re.compile(r"```|^(?: {4}|\t)\S|`[^`\n]+`", re.MULTILINE)
_EXAMPLE = re.compile(r"\b(?:for example|for instance|e\.g\.|such as|example:|imagine)\b", re.I)
_BOLD = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")
_NUMBER = re.compile(r"\d")
_CONTRACTION = re.compile(r"[a-z]['’](?:s|t|re|ve|ll|d|m)\b", re.I)
_YOU = re.compile(r"\byou(?:r|rs|rself|'re|’re)?\b", re.I)


@dataclass
class ChoiceSet:
    """The k candidates of one turn as the learner sees them: each answer, whether it
    finished, and each (candidate, signal) cell's score (None: not scored)."""

    texts: list[str]
    finished: list[bool]
    signals: list[str] = field(default_factory=list)
    cells: list[list[float | None]] = field(default_factory=list)  # k x |signals|

    @classmethod
    def of(cls, gen: Generation) -> ChoiceSet:
        return cls(
            texts=[c.text for c in gen.candidates],
            finished=[c.finish_reason != "length" for c in gen.candidates],
            signals=[str(s) for s in gen.signals],
            cells=gen.matrix() if gen.cells else [],
        )

    def to_json(self) -> dict[str, object]:
        return {
            "texts": self.texts,
            "finished": self.finished,
            "signals": self.signals,
            "cells": self.cells,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ChoiceSet:
        texts, finished = data.get("texts"), data.get("finished")
        if not isinstance(texts, list) or not isinstance(finished, list):
            raise ValueError("a choice set needs texts and finished lists")
        signals = data.get("signals") or []
        cells = data.get("cells") or []
        assert isinstance(signals, list) and isinstance(cells, list)
        return cls([str(t) for t in texts], [bool(f) for f in finished], signals, cells)


def text_features(text: str) -> dict[str, float]:
    """The features of one answer that need nothing but its text."""
    words = _WORD.findall(text)
    n_words = len(words)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    sentences = max(1, len(_SENTENCE_END.findall(text)) or (1 if n_words else 0))
    stripped = text.rstrip(" \t\n*_\"')]")
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return {
        "log_words": math.log1p(n_words),
        "words": n_words / 100.0,
        "list_items": (sum(bool(_LIST_LINE.match(ln)) for ln in lines) / len(lines))
        if lines
        else 0.0,
        "headings": 1.0 if _HEADING.search(text) else 0.0,
        "sentence_length": math.log1p(n_words / sentences),
        "long_words": (sum(len(w) >= 7 for w in words) / n_words) if n_words else 0.0,
        "code": 1.0 if _CODE.search(text) else 0.0,
        "question_back": 1.0 if stripped.endswith("?") else 0.0,
        "example": 1.0 if _EXAMPLE.search(text) else 0.0,
        "bold": 1.0 if _BOLD.search(text) else 0.0,
        "paragraphs": math.log1p(len(paragraphs)),
        "commas": (text.count(",") / n_words) if n_words else 0.0,
        "exclamations": 1.0 if "!" in text else 0.0,
        "numbers": 1.0 if _NUMBER.search(text) else 0.0,
        "contractions": (len(_CONTRACTION.findall(text)) / n_words) if n_words else 0.0,
        "addresses_you": (len(_YOU.findall(text)) / n_words) if n_words else 0.0,
    }


def featurize(cs: ChoiceSet) -> list[dict[str, float]]:
    """Every candidate's features: the text features, consensus, finished, and one
    `signal:<text>` feature per signal (its cell's score; 0.5 where it was not scored)."""
    agree = consensus(cs.texts)
    out: list[dict[str, float]] = []
    for i, text in enumerate(cs.texts):
        f = text_features(text)
        f["consensus"] = agree[i]
        f["finished"] = 1.0 if cs.finished[i] else 0.0
        row = cs.cells[i] if i < len(cs.cells) else []
        for j, signal in enumerate(cs.signals):
            score = row[j] if j < len(row) else None
            f[SIGNAL_PREFIX + signal] = 0.5 if score is None else float(score)
        out.append(f)
    return out
