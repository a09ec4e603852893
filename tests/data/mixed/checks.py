"""Checks of the mixed set: each line pairs a persona_holdout fact with a wish from
instructions_dev/holdout.jsonl, so each signal is checked by its own set's checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_DATA = Path(__file__).resolve().parents[1]


def _load(folder: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"mixed_{folder}", _DATA / folder / "checks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_FACTS = _load("persona_holdout")
_WISHES = _load("instructions_dev")
KINDS = {**_FACTS.KINDS, **_WISHES.KINDS}


def check(c: dict, text: str) -> bool:
    return (_FACTS if c["kind"] in _FACTS.KINDS else _WISHES).check(c, text)
