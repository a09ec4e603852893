"""`style`: scores answers against a writing-sample signal by closeness of style.

A writing sample is text the user wrote (a signal whose reading holds it, see
core.signals.kinds.sample_reading). Each answer and the sample are described by stylometric
features: sentence length, word length, long words, vocabulary richness, punctuation rates,
contractions, first and second person, exclamations, questions, capitals, emoji and line
breaks. Each feature's difference is measured in units of its usual spread; the cell is
exp(-mean difference), so 1.0 is the same style and the scores differ between answers. The
cell's raw text names the features farthest from the sample, in words. No model is used, so
the cells are the same on every machine and cost microseconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ...engines.base import CancelToken, TurnProgressFn
from ..types import ReflectionCell, reading_of
from .base import ReflectionInput

NAME = "style"

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_CONTRACTION = re.compile(r"[^\W\d_]['’](?:t|s|re|ve|ll|d|m)\b", re.I)
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s", re.M)
_FIRST = {"i", "me", "my", "mine", "myself", "we", "us", "our", "ours"}
_SECOND = {"you", "your", "yours", "yourself", "yourselves"}


@dataclass(frozen=True)
class Feature:
    name: str
    words: str  # how the raw text says it: "{a} vs {b} words a sentence"
    scale: float  # the usual spread between texts: one unit of difference
    measure: Callable[[Profile], float]


@dataclass(frozen=True)
class Profile:
    """The counts the features are computed from."""

    text: str
    words: tuple[str, ...]
    sentences: int

    @property
    def n(self) -> int:
        return max(1, len(self.words))

    def per_word(self, count: int) -> float:
        return count / self.n

    def per_sentence(self, count: int) -> float:
        return count / max(1, self.sentences)


def profile(text: str) -> Profile:
    words = tuple(_WORD.findall(text))
    pieces = [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]
    return Profile(text, words, max(1, len(pieces)))


def _mattr(words: tuple[str, ...], window: int = 40) -> float:
    """Moving-average type-token ratio: vocabulary richness that does not fall with length."""
    low = [w.lower() for w in words]
    if len(low) <= window:
        return len(set(low)) / max(1, len(low))
    ratios = [len(set(low[i : i + window])) / window for i in range(len(low) - window + 1)]
    return sum(ratios) / len(ratios)


def _capital_start(p: Profile) -> float:
    starts = re.findall(r"(?:^|[.!?]\s+|\n\s*)([^\W\d_])", p.text)
    return sum(1 for c in starts if c.isupper()) / max(1, len(starts))


FEATURES: tuple[Feature, ...] = (
    Feature(
        "sentence_length",
        "{a:.0f} vs {b:.0f} words a sentence",
        0.45,
        lambda p: math.log(1 + p.n / p.sentences),
    ),
    Feature(
        "word_length",
        "words of {a:.1f} vs {b:.1f} letters",
        0.10,
        lambda p: math.log(sum(len(w) for w in p.words) / p.n + 1),
    ),
    Feature(
        "long_words",
        "{a:.0%} vs {b:.0%} long words",
        0.08,
        lambda p: p.per_word(sum(1 for w in p.words if len(w) >= 8)),
    ),
    Feature(
        "vocabulary", "vocabulary richness {a:.2f} vs {b:.2f}", 0.08, lambda p: _mattr(p.words)
    ),
    Feature(
        "commas", "{a:.2f} vs {b:.2f} commas a word", 0.03, lambda p: p.per_word(p.text.count(","))
    ),
    Feature(
        "semicolons",
        "{a:.2f} vs {b:.2f} semicolons and colons a word",
        0.01,
        lambda p: p.per_word(p.text.count(";") + p.text.count(":")),
    ),
    Feature(
        "dashes",
        "{a:.2f} vs {b:.2f} dashes and brackets a word",
        0.015,
        lambda p: p.per_word(len(re.findall(r"\s[-–—]\s|—|\(", p.text))),
    ),
    Feature(
        "exclamations",
        "{a:.1f} vs {b:.1f} exclamation marks a sentence",
        0.25,
        lambda p: p.per_sentence(p.text.count("!")),
    ),
    Feature(
        "questions",
        "{a:.1f} vs {b:.1f} questions a sentence",
        0.2,
        lambda p: p.per_sentence(p.text.count("?")),
    ),
    Feature(
        "contractions",
        "{a:.2f} vs {b:.2f} contractions a word",
        0.02,
        lambda p: p.per_word(len(_CONTRACTION.findall(p.text))),
    ),
    Feature(
        "first_person",
        "{a:.2f} vs {b:.2f} I/we a word",
        0.03,
        lambda p: p.per_word(sum(1 for w in p.words if w.lower() in _FIRST)),
    ),
    Feature(
        "second_person",
        "{a:.2f} vs {b:.2f} you a word",
        0.03,
        lambda p: p.per_word(sum(1 for w in p.words if w.lower() in _SECOND)),
    ),
    Feature("capitals", "{a:.0%} vs {b:.0%} capitalised sentences", 0.3, _capital_start),
    Feature(
        "emoji",
        "{a:.2f} vs {b:.2f} emoji a sentence",
        0.3,
        lambda p: p.per_sentence(len(_EMOJI.findall(p.text))),
    ),
    Feature(
        "lists",
        "{a:.1f} vs {b:.1f} list lines a sentence",
        0.2,
        lambda p: p.per_sentence(len(_LIST_LINE.findall(p.text))),
    ),
)


_VOCAB = next(i for i, f in enumerate(FEATURES) if f.name == "vocabulary")


def _values(p: Profile) -> list[float]:
    return [f.measure(p) for f in FEATURES]


@dataclass(frozen=True)
class Closeness:
    score: float  # 0..1, 1: the sample's style
    differences: tuple[float, ...]  # per feature, in units of its spread
    answer: tuple[float, ...]
    sample: tuple[float, ...]

    def words(self, top: int = 2) -> str:
        order = sorted(range(len(FEATURES)), key=lambda i: -self.differences[i])
        far = [_shown(i, self.answer[i], self.sample[i]) for i in order[:top]]
        near = FEATURES[order[-1]].name.replace("_", " ")
        return (
            f"style closeness {self.score:.2f} to the writing sample; farthest: "
            f"{'; '.join(far)} (answer vs sample); closest: {near}"
        )


def _shown(i: int, a: float, b: float) -> str:
    f = FEATURES[i]
    if f.name in ("sentence_length", "word_length"):  # stored as logs
        a, b = math.exp(a) - 1, math.exp(b) - 1
    return f.words.format(a=a, b=b)


def closeness(answer: str, sample: str | Profile) -> Closeness:
    """How close `answer` is to the style of `sample` (text, or its profile computed once)."""
    sp = sample if isinstance(sample, Profile) else profile(sample)
    ap = profile(answer)
    a, s = _values(ap), _values(sp)
    # vocabulary richness over the same window for both: a short text always looks rich
    window = max(2, min(40, len(ap.words), len(sp.words)))
    a[_VOCAB], s[_VOCAB] = _mattr(ap.words, window), _mattr(sp.words, window)
    diffs = tuple(min(3.0, abs(x - y) / f.scale) for f, x, y in zip(FEATURES, a, s, strict=True))
    score = math.exp(-sum(diffs) / len(diffs))
    if not _WORD.search(answer):
        score = 0.0  # an empty answer has no style
    return Closeness(score, diffs, tuple(a), tuple(s))


def sample_of(signal: str) -> str | None:
    """The writing sample a signal carries, or None for any other signal."""
    reading = reading_of(signal)
    return reading.sample if reading is not None else None


class StyleReflector:
    """Scores writing-sample signals; every other signal's cell is None (cannot tell)."""

    name = NAME

    def score(
        self,
        inp: ReflectionInput,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[ReflectionCell]:
        samples = [sample_of(s) for s in inp.signals]
        profiles = [profile(s) if s is not None else None for s in samples]
        cells = []
        for i, answer in enumerate(inp.candidates):
            for j, sp in enumerate(profiles):
                if sp is None:
                    cells.append(ReflectionCell(i, j, None, NAME, "not a writing sample"))
                    continue
                c = closeness(answer, sp)
                cells.append(ReflectionCell(i, j, round(c.score, 6), NAME, c.words()))
        return cells
