"""Numbers the CLI takes (ids and seeds), checked where they come in: SQLite stores integers
up to 2**63-1, and a bigger one given to the store fails with a traceback, for a seed only
after the answer was generated. Each refusal is one line naming the value and the range."""

from __future__ import annotations

import re
from typing import Any

import click

from ..core.types import Profile
from ..errors import NotFoundError, PersonacoError
from ..runtime import Runtime
from ..store import profiles as P

MAX_INT = 2**63 - 1  # SQLite's INTEGER


class _Bounded(click.ParamType):
    def __init__(self, name: str, lo: int, allowed: str) -> None:
        self.name = name
        self.lo = lo
        self.allowed = allowed

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise PersonacoError(
                f"{_where(param)} {text[:40]!r} is not a whole number.", f"Use {self.allowed}."
            )
        # past 19 digits it is out of range: int() of thousands of digits would refuse them
        digits = text.lstrip("+-").lstrip("0")
        if len(digits) > len(str(MAX_INT)) or not self.lo <= int(text) <= MAX_INT:
            raise PersonacoError(
                f"{_where(param)} {text[:40]} is out of range.", f"Use {self.allowed}."
            )
        return int(text)


def _where(param: click.Parameter | None) -> str:
    if param is None:
        return "The value"
    if isinstance(param, click.Option):
        return param.opts[0]
    return (param.metavar or param.name or "value").upper()


ID = _Bounded("id", 1, f"an id from 1 to {MAX_INT} (the # numbers the lists show)")
SEED = _Bounded("seed", -1, "-1 (a new seed every turn) or an integer from 0 to 2**63-1")


def find_profile(rt: Runtime, name: str) -> Profile:
    """The profile named `name`, or numbered so: a name of digits beyond any id is looked up
    by name only, where the store would take it for an id too big to store."""
    digits = name.strip()
    an_id = digits.isdecimal() and len(digits) <= len(str(MAX_INT)) and int(digits) <= MAX_INT
    if digits.isdigit() and not an_id:
        for p in P.list_profiles(rt.store):
            if p.name == digits:
                return p
        raise NotFoundError(
            f"Unknown profile {digits[:40]!r}: no profile has that name, and ids go up to "
            f"{MAX_INT}.",
            "See: personaco profile list",
        )
    return P.get_profile(rt.store, name)
