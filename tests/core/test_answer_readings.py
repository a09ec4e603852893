"""A turn reads each (ask, answer) once: the helpfulness term and the persona reflector's wish
cells share the readings they both need (with one wish, the answers after "WISH QUESTION")."""

from __future__ import annotations

from collections import Counter

from support.fake_engine import FakeEngine

from personaco_tui.core import personaco
from personaco_tui.core.helpfulness import AnswerReadings
from personaco_tui.core.reflectors.auto import AutoReflector
from personaco_tui.core.reflectors.persona import PersonaReflector

ANSWERS = ["Think of it like simmering a stew.", "It is a long process in the Earth."]


def _turn(engine: FakeEngine, signals: list[str]) -> personaco.Generation:
    return personaco.run(
        engine,
        "How do mountains form?",
        signals,
        personaco.RunConfig(k=2, max_tokens=16, seed=0, steer=False),
        AutoReflector(PersonaReflector(engine)),
    )


def test_one_wish_reads_every_answer_once_per_ask() -> None:
    engine = FakeEngine(ANSWERS)
    gen = _turn(engine, ["Use a cooking analogy."])
    assert gen.steering is not None and gen.steering["addresses_after_wishes"]
    reads = Counter((tuple(p), tuple(c)) for p, c in engine.scored)
    assert reads and max(reads.values()) == 1, reads.most_common(2)
    # neutral, the question alone, and the wish with the question: 3 asks of 2 answers
    assert len(reads) == 3 * len(ANSWERS)


def test_readings_are_kept_per_ask_and_read_in_one_pass() -> None:
    engine = FakeEngine(ANSWERS)
    readings = AnswerReadings(engine, [], ANSWERS)
    first = readings.read(["a", "b", "a"])
    assert len(engine.scored) == 2 * len(ANSWERS) and first[0] == first[2]
    again = readings.read(["b"])
    assert len(engine.scored) == 2 * len(ANSWERS) and again[0] == first[1]
