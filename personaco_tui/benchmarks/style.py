"""Writing-sample benchmark: is the answer PersonaCo picks for a writing-sample signal closer
to the sample's style than the baseline answer, by measures the `style` reflector does not use?

For each writing sample and question (seed = the item's position): one baseline answer (the
paper's prompt with the sample signal, k=1) and k candidates scored by the `auto` reflector
(which hands writing samples to `style`). Both are then measured against the sample by two
independent measures, implemented here and never used for picking:
- char 3-gram TF-IDF cosine (IDF over every text of the run), and
- function-word profile cosine (relative frequencies of 60 articles, prepositions,
  conjunctions and auxiliaries; no pronouns, which the reflector counts).
The mean over the k candidates is reported too: the pick must beat a random candidate, not
only the baseline's single sample.

Run: personaco style-bench --samples DIR --k 8 --max-tokens 128
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import personaco
from ..core.reflectors.auto import AutoReflector
from ..core.signals.kinds import (
    ReadingError,
    read_sample_file,
    sample_reading,
    sample_signal_text,
)
from ..core.types import SignalText
from ..engines.base import Engine
from ..errors import PersonacoError

QUESTIONS = (
    "How do I make a good cup of tea?",
    "What is photosynthesis?",
    "Give me some advice on starting to run.",
    "Why is the sky blue?",
    "How can I save money each month?",
    "What is a good way to learn a new language?",
    "Describe a rainy day in the city.",
    "How does a bicycle stay upright?",
)

FUNCTION_WORDS = (
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "to",
    "into",
    "onto",
    "upon",
    "about",
    "over",
    "under",
    "between",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "and",
    "or",
    "but",
    "nor",
    "so",
    "yet",
    "because",
    "although",
    "though",
    "while",
    "if",
    "unless",
    "until",
    "whether",
    "than",
    "as",
    "that",
    "which",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "do",
    "does",
    "did",
    "shall",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
    "can",
    "could",
    "not",
)


def _char_ngrams(text: str, n: int = 3) -> Counter[str]:
    t = " ".join(text.split())
    return Counter(t[i : i + n] for i in range(max(0, len(t) - n + 1)))


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


class CharTfidf:
    """Char 3-gram TF-IDF vectors with the IDF of a fixed pool of texts."""

    def __init__(self, pool: Sequence[str]) -> None:
        df: Counter[str] = Counter()
        for text in pool:
            df.update(set(_char_ngrams(text)))
        self.n = len(pool)
        self.df = df

    def vector(self, text: str) -> dict[str, float]:
        tf = _char_ngrams(text)
        return {g: c * math.log((1 + self.n) / (1 + self.df.get(g, 0))) + c for g, c in tf.items()}

    def similarity(self, a: str, b: str) -> float:
        return _cosine(self.vector(a), self.vector(b))


def function_word_similarity(a: str, b: str) -> float:
    def profile(text: str) -> dict[str, float]:
        words = re.findall(r"[a-z]+", text.lower())
        counts = Counter(w for w in words if w in FUNCTION_WORDS)
        total = max(1, len(words))
        return {w: counts[w] / total for w in FUNCTION_WORDS}

    return _cosine(profile(a), profile(b))


@dataclass
class Row:
    sample: str  # its name
    sample_text: str
    question: str
    pick: str
    baseline: str
    candidates: list[str]


Similarity = Callable[[str, str], float]


def _summary(rows: Sequence[Row], sim: Similarity) -> dict[str, float]:
    pick = [sim(r.pick, r.sample_text) for r in rows]
    base = [sim(r.baseline, r.sample_text) for r in rows]
    mean = [sum(sim(c, r.sample_text) for c in r.candidates) / len(r.candidates) for r in rows]
    n = max(1, len(rows))
    return {
        "pick": sum(pick) / n,
        "baseline": sum(base) / n,
        "candidate_mean": sum(mean) / n,
        "pick_beats_baseline": sum(p > b for p, b in zip(pick, base, strict=True)) / n,
        "pick_beats_candidate_mean": sum(p > m for p, m in zip(pick, mean, strict=True)) / n,
    }


def measures(rows: Sequence[Row]) -> dict[str, dict[str, dict[str, float]]]:
    """measure -> ("all" | sample name) -> pick / baseline / candidate_mean similarities and
    the share of items where the pick is closer than the baseline / the candidate mean."""
    pool = [t for r in rows for t in (r.sample_text, r.baseline, *r.candidates)]
    tfidf = CharTfidf(pool)
    sims: dict[str, Similarity] = {
        "char3_tfidf": tfidf.similarity,
        "function_words": function_word_similarity,
    }
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, sim in sims.items():
        by: dict[str, dict[str, float]] = {"all": _summary(rows, sim)}
        for sample in dict.fromkeys(r.sample for r in rows):
            by[sample] = _summary([r for r in rows if r.sample == sample], sim)
        out[name] = by
    return out


def run_style(
    engine: Engine,
    samples: dict[str, str],
    questions: Sequence[str] = QUESTIONS,
    *,
    k: int = 8,
    max_tokens: int = 128,
    temperature: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> list[Row]:
    reflector = AutoReflector(fallback=None)
    rows: list[Row] = []
    position = 0
    for name, text in samples.items():
        signal = SignalText(sample_signal_text(text), sample_reading(text))
        for question in questions:
            cfg = personaco.RunConfig(
                method="baseline",
                k=1,
                temperature=temperature,
                max_tokens=max_tokens,
                seed=position,
            )
            base = personaco.run(engine, question, [signal], cfg, reflector)
            cfg = personaco.RunConfig(
                method="personaco",
                k=k,
                temperature=temperature,
                max_tokens=max_tokens,
                seed=position,
            )
            gen = personaco.run(engine, question, [signal], cfg, reflector)
            rows.append(
                Row(
                    name,
                    text,
                    question,
                    gen.response,
                    base.response,
                    [c.text for c in gen.candidates],
                )
            )
            position += 1
            if progress is not None:
                progress(f"{name}: {question}")
    return rows


_SAMPLE_TODO = "Each *.txt sample must be a paragraph or more of plain UTF-8 text."


def load_samples(folder: Path) -> dict[str, str]:
    """The writing samples of a folder, name -> text: each regular *.txt file in it, which
    must be UTF-8 text long enough to show a style; a PersonacoError naming the file if not."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise PersonacoError(f"{folder} {what}.", "Pass --samples DIR, a folder of *.txt files.")
    samples = {}
    for path in sorted(p for p in folder.glob("*.txt") if p.is_file()):
        text = read_sample_file(path)
        try:
            sample_reading(text)
        except ReadingError as e:
            raise PersonacoError(f"{path}: {e}", _SAMPLE_TODO) from None
        samples[path.stem] = text
    return samples


def table(report: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """The report as lines: per measure, per sample, pick / baseline / candidate mean."""
    lines = []
    for measure, by in report.items():
        lines.append(f"{measure}: similarity to the sample (higher = closer)")
        lines.append(
            f"  {'sample':<12} {'pick':>6} {'base':>6} {'cand':>6} {'>base':>6} {'>cand':>6}"
        )
        for sample, m in by.items():
            lines.append(
                f"  {sample:<12} {m['pick']:6.3f} {m['baseline']:6.3f} "
                f"{m['candidate_mean']:6.3f} {m['pick_beats_baseline']:6.0%} "
                f"{m['pick_beats_candidate_mean']:6.0%}"
            )
    return lines
