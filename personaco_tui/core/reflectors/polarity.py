"""Does a persona fact rule something out ("I'm vegetarian.", "I can't swim.", "There's no TV
in our house.") or shape the answer ("I live in Germany.", "I'm 8 years old.")? The loaded
model's own reading, for the persona reflector (persona.py), which reads the two kinds
differently.

The user's two replies pull opposite ways by kind. After an answer that mentions meat,
"Thanks, that suits me perfectly because I'm vegetarian." gets likelier, not less likely (the
answer primes the fact's words), so for a fact that rules something out the "suits me"
reply ranks fitting answers under chance (AUC 0.260 on tests/data/persona_holdout2, seven
kinds of it) and "Hmm, that doesn't work for me because ..." alone ranks them well (0.813);
for a fact that shapes the answer the contrast of the two does better.

The reading: the next word after "FACT So I", said by the user in a chat turn. A fact that rules
something out makes " avoid", " don't", " never", " only" likely, one that shapes the answer
" am", " love", " have". log P of each of WORDS is a feature, and a logistic regression
(scikit-learn) fitted on the 40 facts of TRAINING (written for this, 20 of each kind, none
from a persona set) turns them into P(rules something out). The weights depend on the model,
so they are fitted on the loaded model's own log-probabilities on first use (40 prompts,
600 short readings) and cached per model name in the cache dir, with one training fact's
reading to tell a model that shares the name (a fit removes the file an earlier version of
this module cached for the same name); each fact's reading is kept for the engine's lifetime.

Measured on the bundled model, fitted on TRAINING alone: on the 97 distinct facts of
implicit/dev, persona_dev and persona_holdout it ranks the ruling-out ones first at AUC 0.96
(balanced accuracy 0.88); read as plain text instead of a user's turn 0.90 (0.82), the single
word " avoid" as plain text 0.84 (0.74).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ... import locations
from ...engines.base import CancelToken, ChatMessage, Engine
from ...errors import Cancelled, EngineError
from .base import split_continuation

log = logging.getLogger(__name__)

PROMPT = "{fact} So I"
# fmt: off
WORDS = (" avoid", " can", " don't", " never", " need", " like", " love", " prefer", " use",
         " want", " am", " have", " only", " stay", " try")
# (fact, rules something out): written for this reading, none from a persona set
TRAINING: tuple[tuple[str, bool], ...] = (
    *((f, True) for f in (
        "I'm lactose intolerant.", "I'm pregnant.", "I'm a recovering alcoholic.", "I'm Muslim.",
        "I'm blind.", "I don't own a TV.", "I'm allergic to shellfish.",
        "I'm on a low-sodium diet.", "I don't have a dishwasher.", "I don't drink coffee.",
        "I'm colorblind.", "I don't use social media.", "I hate spicy food.",
        "I'm afraid of heights.", "I have no internet at home.", "I can't swim.",
        "I don't have a garden.", "I'm allergic to cats.", "I've quit smoking.",
        "I can't stand onions.",
    )),
    *((f, False) for f in (
        "I live in Japan.", "I'm a retired engineer.", "I'm 70 years old.",
        "I'm a beginner at chess.", "I use a Mac.", "I'm a nurse.", "I work night shifts.",
        "I have two toddlers.", "I live in Australia.", "I'm learning Spanish.",
        "I'm a professional chef.", "I play guitar.", "I use Linux.",
        "I'm studying for the bar exam.", "I run marathons.", "I'm a high school teacher.",
        "I love history.", "I drive a Tesla.", "I'm 15.", "I'm a software developer.",
    )),
)
# fmt: on
THRESHOLD = 0.5
_VERSION = 2
# a cache written for another model of the same name reads this fact otherwise (nats; the
# same model in another batch layout differs by a few hundredths)
_SAME_MODEL = 0.5


def fingerprint() -> str:
    """A digest of this module (its words, facts and fitting): names the cached weights."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


class Polarity:
    """One engine's reading of facts: weights fitted once, each fact read once."""

    def __init__(self, engine: Engine, cache_dir: Path | None = None) -> None:
        self.engine = engine
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._weights: tuple[np.ndarray, float] | None = None
        self._read: dict[str, float] = {}

    def rules_out(self, facts: Sequence[str], cancel: CancelToken | None = None) -> list[bool]:
        """Whether each fact reads as ruling something out."""
        return [p > THRESHOLD for p in self.probabilities(facts, cancel)]

    def probabilities(self, facts: Sequence[str], cancel: CancelToken | None = None) -> list[float]:
        """P(rules something out) of each fact. Raises EngineError where the engine cannot
        score text."""
        with self._lock:
            coef, bias = self._fitted(cancel)
            todo = [f for f in dict.fromkeys(facts) if f not in self._read]
            if todo:
                z = self._features(todo, cancel) @ coef + bias
                self._read.update(zip(todo, (1.0 / (1.0 + np.exp(-z))).tolist(), strict=True))
            return [self._read[f] for f in facts]

    def known(self, facts: Sequence[str]) -> dict[str, bool]:
        """Whether each of `facts` read already rules something out; reads nothing."""
        read = dict(self._read)  # a copy: a reading in another thread may add to it
        return {f: read[f] > THRESHOLD for f in facts if f in read}

    def _features(self, facts: Sequence[str], cancel: CancelToken | None) -> np.ndarray:
        """log P(word | "FACT So I") of each of WORDS, a row per fact: the words read inside
        the user's turn, so a remote server reads them with its own tokenizer and template."""
        convs: list[list[ChatMessage]] = []
        for fact in facts:
            stem = PROMPT.format(fact=fact.strip())
            convs += [[{"role": "user", "content": stem + w}] for w in ("", *WORDS)]
        ids = self.engine.prompt_tokens_batch(convs)
        prefixes, conts = [], []
        n = len(WORDS) + 1
        for f in range(len(facts)):
            for w in range(1, n):
                prefix, cont = split_continuation(ids[f * n + w], ids[f * n])
                prefixes.append(prefix)
                conts.append(cont)
        lps = self.engine.continuation_logprobs(prefixes, conts, cancel=cancel)
        return np.array([sum(lp) for lp in lps], dtype=np.float64).reshape(len(facts), n - 1)

    def _fitted(self, cancel: CancelToken | None) -> tuple[np.ndarray, float]:
        if self._weights is None:
            self._weights = self._load(cancel) or self._fit(cancel)
        return self._weights

    def _path(self) -> Path | None:
        if self.cache_dir is None:
            return None
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", self.engine.name)[:80]
        return self.cache_dir / "persona" / f"polarity-v{_VERSION}-{fingerprint()}-{name}.json"

    def _load(self, cancel: CancelToken | None) -> tuple[np.ndarray, float] | None:
        """The cached weights, where they were fitted on this model: the first training
        fact, whose reading the cache keeps, must read the same (another model may share
        the name)."""
        path = self._path()
        try:
            if path is None or not path.is_file():
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
            coef = np.array(data["coef"], dtype=np.float64)
            check = np.array(data["check"], dtype=np.float64)
            bias = float(data["bias"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("ignoring the cached fact polarity weights at %s: %s", path, e)
            return None
        if coef.shape != (len(WORDS),) or check.shape != coef.shape:
            return None
        if np.max(np.abs(self._features([TRAINING[0][0]], cancel)[0] - check)) > _SAME_MODEL:
            log.info("the cached fact polarity weights at %s are another model's", path)
            return None
        return coef, bias

    def _fit(self, cancel: CancelToken | None) -> tuple[np.ndarray, float]:
        from sklearn.linear_model import LogisticRegression  # 1.7 s to import: only here

        x = self._features([f for f, _ in TRAINING], cancel)
        y = [int(out) for _, out in TRAINING]
        model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
        coef, bias = model.coef_[0].astype(np.float64), float(model.intercept_[0])
        path = self._path()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                data = {
                    "model": self.engine.name,
                    "coef": coef.tolist(),
                    "bias": bias,
                    "check": x[0].tolist(),  # TRAINING[0]'s reading
                }
                path.write_text(json.dumps(data), encoding="utf-8")
            except OSError as e:
                log.warning("cannot cache the fact polarity weights at %s: %s", path, e)
            else:
                _prune(path)
        return coef, bias


_CACHED = re.compile(r"polarity-v\d+-[0-9a-f]{12}-(?P<name>.+)\.json")


def _prune(kept: Path) -> None:
    """Remove the weights cached for the same model name by an earlier version of this
    module (another fingerprint): nothing reads them again. Other models' files stay."""
    mine = _CACHED.fullmatch(kept.name)
    if mine is None:
        return
    for old in kept.parent.glob("polarity-*.json"):
        other = _CACHED.fullmatch(old.name)
        if old != kept and other is not None and other["name"] == mine["name"]:
            try:
                old.unlink()
            except OSError as e:
                log.info("cannot remove the stale fact polarity weights at %s: %s", old, e)


_readers: weakref.WeakKeyDictionary[Engine, Polarity] = weakref.WeakKeyDictionary()
_readers_lock = threading.Lock()


def of(engine: Engine) -> Polarity:
    """The engine's reader, kept while the engine lives."""
    with _readers_lock:
        reader = _readers.get(engine)
        if reader is None:
            reader = _readers[engine] = Polarity(engine, _cache_dir())
        return reader


def known(engine: Engine | None, facts: Sequence[str]) -> dict[str, bool]:
    """Whether each of `facts` that the engine's reader has already read rules something out;
    reads nothing (a front end shows what the next turn will use, without waiting for it)."""
    with _readers_lock:
        reader = _readers.get(engine) if engine is not None else None
    return reader.known(facts) if reader is not None else {}


def warm(engine: Engine) -> None:
    """Fit or load the engine's weights now (an app does this once the model is loaded, so
    the first turn with a fact does not wait for it); a failure only waits for that turn."""
    if not engine.capabilities.scores_text:
        return
    try:
        of(engine).probabilities([])
    except (EngineError, Cancelled) as e:
        log.info("fact polarity not warmed: %s", e)


def _cache_dir() -> Path | None:
    try:
        return locations.resolve().cache_dir
    except (OSError, EngineError) as e:  # no cache: the weights are fitted per process
        log.warning("no cache dir for the fact polarity weights: %s", e)
        return None
