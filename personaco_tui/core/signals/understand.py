"""One reading of a personalization signal for everything that checks signals: the rules
reflector (the pick), the verifiable judge (evaluation/ifeval.py) and `personaco signal
explain`.

The combination rule, with false positives worse than misses:
- the rules parser's check stands when it recognises the signal, unless the classifier is
  confident the signal is a persona fact or an unchecked wish ("I'm a teacher who uses bullet
  points in class", "My IELTS essays need at least 250 words") and either the parser's hit is
  weak (no number and no quoted text pins it down) or the sentence's grammar asks nothing of
  the answers (mood.is_wish). Neither the classifier nor the grammar knows other languages
  than English, so a signal written in another keeps the parser's reading ("Réponds toujours
  en français.");
- where the parser sees nothing, the classifier adds a check only when it is confident the
  signal asks for something checkable (P(none) small), and then takes the most probable kind
  whose parameters can be extracted from the text;
- otherwise the signal is left to the model (no check).

A reading the user chose (a `Reading` passed in, or carried by a `SignalText`) overrides all
of this: its check, or the model for "judge by the model", with source "user".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ..reflectors.rules.checks import Check
from ..reflectors.rules.lang import detect_language
from ..reflectors.rules.parser import parse_signal
from ..reflectors.rules.text import QOPEN, prepare
from ..types import MODEL_READING, Reading, reading_of
from . import classifier
from .corpus import NONE
from .extract import extract
from .kinds import ReadingError, build_check
from .mood import is_wish

log = logging.getLogger(__name__)

# A weak parser hit is dropped when P(none) reaches this.
VETO_NONE = 0.80
# The classifier adds a check only when P(none) is at most this.
MAX_NONE = 0.30
# Kinds tried, most probable first, down to this probability: several kinds may share the
# mass ("your final sentence should be: ..." is split between ends_with and sentence_count),
# and the one whose parameters are really in the text is the reading.
TRY_KIND = 0.20
RULES_FLOOR = 0.90

Source = Literal["rules", "classifier", "none", "vetoed", "user"]


@dataclass(frozen=True)
class Understanding:
    """What a signal becomes: its check (None: judged by the model), where the reading came
    from, the classifier's top kind, and a confidence in the reading, 0..1."""

    signal: str
    check: Check | None
    source: Source
    kind: str
    confidence: float

    @property
    def checkable(self) -> bool:
        return self.check is not None

    @property
    def parts(self) -> tuple[Check, ...]:
        if self.check is None:
            return ()
        return self.check.parts if self.check.kind == "all" else (self.check,)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(c.kind for c in self.parts)


def _weak(text: str) -> bool:
    """No number and no quoted phrase anchors the parser's reading."""
    p = prepare(text)
    return not re.search(r"\d", p.t) and QOPEN not in p.t


def _foreign(text: str) -> bool:
    """Written in another language than English: the classifier and the grammar of wishes
    (mood.py) only know English, so neither may overrule the parser there."""
    return detect_language(text) not in (None, "en")


def _understand(text: str) -> Understanding:
    parsed = parse_signal(text)
    try:
        pred = classifier.get().predict(text)
    except Exception:  # the classifier only adds to the rules: without it, the rules stand
        log.exception("signal classifier unavailable")
        if parsed is None:
            return Understanding(text, None, "none", NONE, 0.5)
        return Understanding(text, parsed, "rules", parsed.kind, RULES_FLOOR)
    p_none = pred.prob(NONE)
    if parsed is not None:
        if p_none >= VETO_NONE and not _foreign(text) and (_weak(text) or not is_wish(text)):
            return Understanding(text, None, "vetoed", NONE, p_none)
        return Understanding(text, parsed, "rules", parsed.kind, max(RULES_FLOOR, 1.0 - p_none))
    if p_none <= MAX_NONE:
        for kind, p in pred.ranked:
            if kind == NONE or p < TRY_KIND:
                break
            check = extract(kind, text)
            if check is not None:
                return Understanding(text, check, "classifier", kind, p)
    return Understanding(text, None, "none", pred.label, p_none)


@lru_cache(maxsize=2048)
def _cached(text: str) -> Understanding:
    return _understand(text)


def _chosen(text: str, reading: Reading) -> Understanding | None:
    try:
        check = build_check(reading)
    except ReadingError as e:  # a stored reading this version cannot build: read it afresh
        log.warning("ignoring the stored reading of %r: %s", text[:80], e)
        return None
    kind = (
        (reading.kind if reading.sample is not None else MODEL_READING)
        if check is None
        else check.kind
    )
    return Understanding(str(text), check, "user", kind, 1.0)


def understand(text: str, reading: Reading | None = None) -> Understanding:
    """The reading of `text`: the user's `reading` when given (or carried by a SignalText),
    else the automatic one. Never raises (a strange signal is simply not checkable)."""
    reading = reading if reading is not None else reading_of(text)
    if reading is not None and isinstance(text, str):
        chosen = _chosen(text, reading)
        if chosen is not None:
            return chosen
    if not isinstance(text, str) or not text.strip():
        return Understanding(str(text), None, "none", NONE, 1.0)
    try:
        return _cached(str(text))
    except Exception:
        log.exception("understanding failed on %r", text[:200])
        return Understanding(text, None, "none", NONE, 0.0)


def understood_check(text: str) -> Check | None:
    """The check `text` states (honouring a reading it carries), or None: the drop-in for
    `parse_signal`."""
    return understand(text).check
