"""One-line method configurations for an evaluation session's two sides.

    baseline
    baseline:max_tokens=128,seed=0
    personaco:k=8,reflector=auto,temperature=1.0,seed=0,max_tokens=256,model=NAME

Any subset of keys may be given; missing ones come from the settings when the session runs.
`parse_config` returns a plain dict (stored as JSON in the session); `run_config` turns it
into a `RunConfig`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ..config import REFLECTORS
from ..core.personaco import RunConfig
from ..errors import PersonacoError

METHODS = ("baseline", "personaco")


class ConfigSyntaxError(PersonacoError):
    """A method configuration line that cannot be read."""


def _int(lo: int, hi: int | None) -> Callable[[str], int]:
    def conv(v: str) -> int:
        n = int(v)
        if n < lo or (hi is not None and n > hi):
            raise ValueError(f"between {lo} and {hi}" if hi is not None else f"at least {lo}")
        return n

    return conv


def _temperature(v: str) -> float:
    t = float(v)
    if not 0.0 <= t <= 5.0:  # also refuses nan
        raise ValueError("between 0 and 5")
    return t


def _reflector(v: str) -> str:
    if v not in REFLECTORS:
        raise ValueError(f"one of {', '.join(REFLECTORS)}")
    return v


def _model(v: str) -> str:
    if not v:
        raise ValueError("a model name or .gguf path")
    return v


_KEYS: dict[str, tuple[Callable[[str], Any], str]] = {
    "k": (_int(1, 32), "an integer from 1 to 32"),
    "reflector": (_reflector, f"one of {', '.join(REFLECTORS)}"),
    "temperature": (_temperature, "a number from 0 to 5"),
    "seed": (_int(0, 2**31 - 1), "a non-negative integer"),
    "max_tokens": (_int(1, 32768), "an integer from 1 to 32768"),
    "model": (_model, "a model name or .gguf path"),
}
_BASELINE_KEYS = ("temperature", "seed", "max_tokens", "model")


def parse_config(text: str) -> dict[str, Any]:
    """`baseline` or `personaco:key=value,...` -> {"method": ..., key: value, ...}."""
    line = (text or "").strip()
    method, _, rest = line.partition(":")
    method = method.strip()
    if method not in METHODS:
        raise ConfigSyntaxError(
            f"Unknown method {method!r} in configuration {line!r}.",
            "Start with `baseline` or `personaco`, e.g. personaco:k=8,reflector=auto.",
        )
    cfg: dict[str, Any] = {"method": method}
    for part in rest.split(",") if rest.strip() else []:
        key, eq, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not key:
            raise ConfigSyntaxError(
                f"Cannot read {part.strip()!r} in configuration {line!r}.", "Write key=value."
            )
        allowed = _BASELINE_KEYS if method == "baseline" else tuple(_KEYS)
        if key not in allowed:
            raise ConfigSyntaxError(
                f"Unknown key {key!r} for {method} in configuration {line!r}.",
                f"Known keys: {', '.join(allowed)}.",
            )
        if key in cfg:
            raise ConfigSyntaxError(f"Key {key!r} is given twice in configuration {line!r}.")
        conv, want = _KEYS[key]
        try:
            cfg[key] = conv(value)
        except ValueError:
            raise ConfigSyntaxError(
                f"Bad value {value!r} for key {key!r} in configuration {line!r}.",
                f"It must be {want}.",
            ) from None
    return cfg


def describe(cfg: Mapping[str, Any]) -> str:
    """The configuration back as one line (keys in a fixed order)."""
    parts = [f"{k}={cfg[k]}" for k in _KEYS if k in cfg]
    return str(cfg.get("method", "?")) + (":" + ",".join(parts) if parts else "")


def run_config(cfg: Mapping[str, Any], base: RunConfig | None = None) -> RunConfig:
    """The RunConfig for a parsed configuration; keys it lacks come from `base` (the
    settings' run config) or RunConfig's defaults. Early stopping is off: both sides of a
    comparison sample exactly as configured."""
    rc = dataclasses.replace(base) if base is not None else RunConfig()
    rc.method = cfg.get("method", "personaco")
    for key in ("k", "temperature", "seed", "max_tokens"):
        if key in cfg:
            setattr(rc, key, cfg[key])
    rc.early_stop = False
    if rc.method == "baseline":
        rc.k = 1
    return rc
