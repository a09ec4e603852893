"""Sampling settings: temperature and the truncation before it (top-k, top-p, min-p).

Each model's manifest may carry the values measured best for it (models/*.toml, the
[sampling] table, chosen with scripts/sampling_grid.py); `generation.sampling = paper`
uses the paper's instead (temperature 1.0, plain sampling: nothing truncated); and an
explicitly set generation.temperature / top_p / min_p / top_k wins over both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Sampling:
    temperature: float = 1.0
    top_p: float = 0.95  # 1.0: off
    min_p: float = 0.05  # 0.0: off
    top_k: int = 40  # 0: off

    def describe(self) -> str:
        return (
            f"temperature {self.temperature:g}, top-p {self.top_p:g}, "
            f"min-p {self.min_p:g}, top-k {self.top_k}"
        )


# The engine's chain before per-model settings: a model whose manifest has no [sampling]
# table (a user's manifest, a .gguf path, a remote server) samples as it always did.
ENGINE_DEFAULT = Sampling()
# The paper's: temperature 1.0, every token of the distribution allowed.
PAPER = Sampling(temperature=1.0, top_p=1.0, min_p=0.0, top_k=0)

# name -> (lowest, highest, lowest excluded, type): what a value of each field may be.
LIMITS: dict[str, tuple[float, float, bool, type]] = {
    "temperature": (0.0, 5.0, False, float),
    "top_p": (0.0, 1.0, True, float),
    "min_p": (0.0, 1.0, False, float),
    "top_k": (0.0, 1_000_000.0, False, int),
}


def problem(name: str, value: object) -> str | None:
    """Why `value` cannot be the sampling field `name`, in a few words; None when it can."""
    if name not in LIMITS:
        return f"unknown key {name!r} (the keys are {', '.join(LIMITS)})"
    lo, hi, above, kind = LIMITS[name]
    want = "an integer" if kind is int else "a number"
    if isinstance(value, bool) or not isinstance(value, int if kind is int else (int, float)):
        return f"{name} must be {want}, not {value!r}"
    assert isinstance(value, (int, float))
    if not (lo < value if above else lo <= value) or not value <= hi:  # NaN fails both
        side = "above" if above else "from"
        return f"{name} must be {want} {side} {lo:g} to {hi:g}, not {value!r}"
    return None


def from_table(table: Mapping[str, object], base: Sampling = ENGINE_DEFAULT) -> Sampling:
    """`base` with the values of a table whose every value passed `problem`."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        assert isinstance(value, (int, float)), key
        values[key] = int(value) if LIMITS[key][3] is int else float(value)
    return replace(base, **values)


def sampling_for(preset: str, model: Sampling, explicit: Mapping[str, Any]) -> Sampling:
    """The values to sample with: the model's measured ones (`preset` "model") or the paper's
    ("paper"), with every value the user set explicitly (`explicit`) winning over both."""
    return replace(PAPER if preset == "paper" else model, **explicit)
