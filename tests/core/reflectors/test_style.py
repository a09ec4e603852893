"""The `style` reflector: closeness of an answer's style to the user's writing sample, in
[0, 1], different between answers, said in words; `auto` uses it for writing samples only."""

from __future__ import annotations

from pathlib import Path

import pytest

from personaco_tui.core.reflectors.auto import AutoReflector
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.core.reflectors.style import StyleReflector, closeness
from personaco_tui.core.signals import ReadingError, make_reading, understand
from personaco_tui.core.signals.kinds import sample_reading, sample_signal_text
from personaco_tui.core.types import ReflectionCell, SignalText

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "writing_samples"

TERSE_ANSWER = "Boil the water. Warm the pot. Add the tea. Wait three minutes. Pour. Drink it hot."
FORMAL_ANSWER = (
    "The preparation of tea, considered in its traditional form, requires attention to the "
    "temperature of the water; moreover, the duration of infusion substantially determines "
    "the resulting flavour, insofar as prolonged steeping releases additional tannins."
)
EXCITED_ANSWER = (
    "Tea time!!! Grab your favourite mug! Boil the water! Add the tea! You got this! 🎉"
)


def _sample(name: str) -> str:
    return (SAMPLES / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("sample", "closest"),
    [("terse", TERSE_ANSWER), ("academic", FORMAL_ANSWER), ("enthusiast", EXCITED_ANSWER)],
)
def test_the_answer_in_the_samples_style_scores_highest(sample: str, closest: str) -> None:
    text = _sample(sample)
    scores = {a: closeness(a, text).score for a in (TERSE_ANSWER, FORMAL_ANSWER, EXCITED_ANSWER)}
    assert max(scores, key=lambda a: scores[a]) == closest
    assert all(0.0 <= s <= 1.0 for s in scores.values()) and len(set(scores.values())) == 3


def test_a_text_is_closest_to_itself_and_empty_answers_score_zero() -> None:
    text = _sample("legal")
    assert closeness(text, text).score == pytest.approx(1.0)
    assert closeness("", text).score == 0.0 and closeness("…  ", text).score == 0.0


def test_reflector_cells_and_words() -> None:
    sample = _sample("terse")
    signal = SignalText(sample_signal_text(sample), sample_reading(sample))
    inp = ReflectionInput([], "tea?", [TERSE_ANSWER, FORMAL_ANSWER], [signal, "Be brief."])
    cells = StyleReflector().score(inp)
    by = {(c.candidate, c.signal): c for c in cells}
    assert by[(0, 1)].score is None and by[(1, 1)].score is None  # not a writing sample
    assert by[(0, 0)].score is not None and by[(1, 0)].score is not None
    assert by[(0, 0)].score > by[(1, 0)].score
    assert "style closeness" in by[(1, 0)].raw and "words a sentence" in by[(1, 0)].raw


class _Fallback:
    name = "self"

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def score(self, inp, *, on_progress=None, cancel=None):
        self.seen.append(list(inp.signals))
        return [
            ReflectionCell(i, j, 0.5, "self", "")
            for i in range(len(inp.candidates))
            for j in range(len(inp.signals))
        ]


def test_auto_scores_samples_by_style_and_sends_only_the_rest_to_the_model() -> None:
    sample = _sample("academic")
    signal = SignalText(sample_signal_text(sample), sample_reading(sample))
    fallback = _Fallback()
    inp = ReflectionInput(
        [], "tea?", [TERSE_ANSWER, FORMAL_ANSWER], [signal, "Be kind.", "Never use commas."]
    )
    cells = AutoReflector(fallback).score(inp)
    kinds = {(c.candidate, c.signal): c.reflector for c in cells}
    assert kinds[(0, 0)] == "style" and kinds[(0, 1)] == "self" and kinds[(0, 2)] == "rules"
    assert fallback.seen == [["Be kind."]]


def test_the_sample_reading_is_validated_and_understood() -> None:
    with pytest.raises(ReadingError, match="at least 20 words"):
        sample_reading("too short to be a style")
    with pytest.raises(ReadingError, match="no parameter 'x'"):
        make_reading("writing_sample", {"text": _sample("terse"), "x": 1})
    reading = make_reading("writing_sample", {"text": _sample("terse")})
    assert reading.sample == _sample("terse").strip()
    u = understand(SignalText("Write like me.", reading))
    assert u.source == "user" and u.check is None and u.kind == "writing_sample"
    assert sample_signal_text("one two", "emails").startswith("Write in the style of my")
