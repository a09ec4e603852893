"""One setting's value, checked the same way whatever its source (the file, the environment,
the command line, the settings screen): the type its field declares (no silent 4.9 -> 4 or
true -> 1.0; text is parsed where it came as text), the choices of a `Literal` field, and the
field's `Rule` (a range, choices, a further test). A value that does not fit is a
ConfigError that says what the setting allows. config.py declares the settings and reads them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from .errors import ConfigError


@dataclass(frozen=True)
class Rule:
    """What a field allows beyond its type: an inclusive range (`lo` excluded when
    `above`), or a fixed set of text `choices`; `allowed` overrides the generated wording."""

    lo: float | None = None
    hi: float | None = None
    above: bool = False
    choices: tuple[str, ...] = ()
    allowed: str = ""
    todo: str = ""  # what to do instead of the generic hint
    unset: float | None = None  # a value outside the range meaning "not set here"
    test: Callable[[Any], bool] | None = None  # any further check of the typed value


@dataclass(frozen=True)
class Spec:
    key: str  # section.name
    hint: object  # int, float, bool, str or a Literal
    rule: Rule
    doc: str
    default: object


def show(value: object) -> str:
    """The value as the user wrote it (TOML's true/false), cut short if long."""
    text = str(value).lower() if isinstance(value, bool) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Invalid(Exception):
    """The value does not fit; `checked` turns it into a ConfigError saying what is allowed."""


def allowed(spec: Spec) -> str:
    r, hint = spec.rule, spec.hint
    if r.allowed:
        return r.allowed
    choices = get_args(hint) if get_origin(hint) is Literal else r.choices
    if choices:
        return "one of " + ", ".join(choices)
    if hint is bool:
        return "true or false"
    if hint is str:
        return "text"
    kind = "an integer" if hint is int else "a finite number"
    if r.lo is not None and r.hi is not None:
        return f"{kind} between {r.lo} and {r.hi}"
    if r.lo is not None:
        return f"{kind} {'above' if r.above else 'of at least'} {r.lo}"
    return kind


def as_type(hint: object, value: object, parse: bool) -> object:
    """`value` as the field's type; text is parsed when `parse` (it came from the
    environment, the command line or a form), other types must already match."""
    if isinstance(value, str) and not parse and hint not in (str,) and get_origin(hint) is None:
        raise Invalid  # TOML has numbers and booleans: k = "4" is a slip, not a number
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("1", "true", "yes", "on"):
                return True
            if word in ("0", "false", "no", "off"):
                return False
        raise Invalid
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise Invalid from None
        raise Invalid  # a float is never rounded: 4.9 is not 4
    if hint is float:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise Invalid from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid
        if not math.isfinite(value):
            raise Invalid
        return float(value)
    if not isinstance(value, str):  # str and Literal[str, ...]
        raise Invalid
    return value


def checked(spec: Spec, value: object, source: str, parse: bool = True) -> object:
    """The value to store for `spec`, or ConfigError saying what is allowed."""
    try:
        typed = as_type(spec.hint, value, parse)
        r = spec.rule
        choices = get_args(spec.hint) if get_origin(spec.hint) is Literal else r.choices
        if choices and typed not in choices:
            raise Invalid
        unset = r.unset is not None and typed == r.unset  # "not set here" is always allowed
        if isinstance(typed, (int, float)) and not isinstance(typed, bool) and not unset:
            if r.lo is not None and (typed <= r.lo if r.above else typed < r.lo):
                raise Invalid
            if r.hi is not None and typed > r.hi:
                raise Invalid
        if r.test is not None and not r.test(typed):
            raise Invalid
    except Invalid:
        raise ConfigError(
            f"Setting {spec.key} must be {allowed(spec)}, not {show(value)} (from {source}).",
            spec.rule.todo or "Fix it there (`personaco config show` describes every setting).",
        ) from None
    return typed
