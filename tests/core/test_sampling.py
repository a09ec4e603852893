"""Sampling values: what a manifest's [sampling] table may hold, and which values win."""

from __future__ import annotations

import pytest

from personaco_tui.core.sampling import (
    ENGINE_DEFAULT,
    PAPER,
    Sampling,
    from_table,
    problem,
    sampling_for,
)

MEASURED = Sampling(temperature=0.7, top_p=1.0, min_p=0.1, top_k=40)


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("temperature", -0.1, "temperature must be a number from 0 to 5"),
        ("temperature", 6, "from 0 to 5"),
        ("temperature", float("nan"), "from 0 to 5"),
        ("temperature", "0.7", "must be a number, not '0.7'"),
        ("top_p", 0.0, "top_p must be a number above 0 to 1"),
        ("top_p", 1.2, "above 0 to 1"),
        ("min_p", True, "min_p must be a number, not True"),
        ("top_k", 2.5, "top_k must be an integer"),
        ("top_k", -1, "top_k must be an integer from 0"),
        ("topp", 0.9, "unknown key 'topp' (the keys are temperature, top_p, min_p, top_k)"),
    ],
)
def test_a_bad_value_says_what_is_allowed(name: str, value: object, why: str) -> None:
    message = problem(name, value)
    assert message is not None and why in message


def test_good_values_pass_and_a_table_keeps_the_defaults_it_leaves_out() -> None:
    for name, value in [("temperature", 0), ("top_p", 1), ("min_p", 0.0), ("top_k", 0)]:
        assert problem(name, value) is None
    got = from_table({"temperature": 0.5, "top_k": 0})
    assert got == Sampling(0.5, ENGINE_DEFAULT.top_p, ENGINE_DEFAULT.min_p, 0)
    assert isinstance(got.temperature, float) and isinstance(got.top_k, int)


def test_model_paper_and_explicit_values() -> None:
    assert sampling_for("model", MEASURED, {}) == MEASURED
    assert sampling_for("paper", MEASURED, {}) == PAPER == Sampling(1.0, 1.0, 0.0, 0)
    # an explicitly set value wins over either preset; the rest stay the preset's
    assert sampling_for("model", MEASURED, {"temperature": 1.0}) == Sampling(1.0, 1.0, 0.1, 40)
    assert sampling_for("paper", MEASURED, {"min_p": 0.2}) == Sampling(1.0, 1.0, 0.2, 0)
