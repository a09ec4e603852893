"""The learned half of telling a wish from a fact (mood.py holds the grammar): the same TF-IDF
word and character n-grams and logistic regression as the signal classifier (classifier.py),
fitted on 500 signals labelled wish or fact (mood_data/: 300 written for the grammar, 200 in
45 people's own voices), cached as plain arrays and answered with numpy alone.

The grammar reads what a sentence's shape says (a request, an imperative, a condition and
then what to do); people also write wishes with no verb at all ("Straight to the point.",
"Formal tone.", "Numbers over adjectives.", "code first, explanation after"), which it
cannot read and this model can. It only ever adds a wish the grammar missed, and only where
the sentence is not about the person (mood.py decides that) and is English.

The two mistakes cost differently: a wish read as a fact is scored by the user's replies,
which rank wishes under chance (AUC 0.41 and 0.48 on the two wish sets), a fact read as a
wish by the wish's likelihood gain, which ranks facts about as well as the replies do
(0.61 / 0.50 / 0.52 against 0.64 / 0.51 / 0.61 on the three persona sets). THRESHOLD was
chosen by 5-fold cross-validation on the 500 alone, as the lowest that reads at most 3% of
their facts as wishes; the held-out set (tests/data/mood/holdout.jsonl) was measured after.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path

from ... import locations
from . import classifier, corpus

log = logging.getLogger(__name__)

DATA = Path(__file__).with_name("mood_data")
FILES = ("dev.jsonl", "dev2.jsonl")
THRESHOLD = 0.8
_VERSION = 1
WISH, FACT = "wish", "fact"

_lock = threading.Lock()
_model: classifier.SignalClassifier | None = None
_failed = False


def examples() -> list[corpus.Example]:
    """The labelled signals the model is fitted on."""
    out = []
    for name in FILES:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append(corpus.Example(row["text"], WISH if row["wish"] else FACT))
    return out


def fingerprint() -> str:
    """A digest of the data and the code that fits and reads it: names the cached model."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(classifier.__file__).read_bytes())
    for name in FILES:
        h.update((DATA / name).read_bytes())
    return h.hexdigest()[:16]


def cache_path() -> Path:
    cache_dir = locations.resolve().cache_dir
    assert cache_dir is not None
    return cache_dir / "signals" / f"mood-v{_VERSION}-{fingerprint()}.npz"


def loaded() -> bool:
    """Whether `p_wish` answers at once."""
    return _model is not None or _failed


def get() -> classifier.SignalClassifier | None:
    """The model: from memory, else the cache, else fitted now (and cached); None where it
    cannot be had (the grammar then reads alone, as before the model)."""
    global _model, _failed
    with _lock:
        if _model is None and not _failed:
            try:
                _model = classifier.cached_model(cache_path(), lambda: classifier.train(examples()))
            except Exception:  # the model only adds to the grammar: without it, the grammar stands
                log.exception("wish model unavailable; wishes are read by their grammar alone")
                _failed = True
        return _model


def p_wish(text: str) -> float:
    """The model's probability that `text` is a wish about the answers (0.0 without it)."""
    model = get()
    return model.predict(text).prob(WISH) if model is not None else 0.0
