"""Which kind of check a signal asks for: TF-IDF word and character n-grams with a
multinomial logistic regression, trained on the generated paraphrase corpus (corpus.py).

Training takes seconds, so it happens once and the result is cached as plain arrays (the
vocabularies, IDF weights and coefficients in an .npz file named by the corpus fingerprint)
rather than as a pickle, which would tie the cache to one scikit-learn version. Inference is
numpy only (importing scikit-learn alone costs seconds on a busy machine): the same n-grams,
sublinear TF, IDF, L2 norm and softmax the training pipeline used.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from ... import locations
from ...fileio import atomic_write
from . import corpus

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

# (analyzer, ngram_range, min_df): words catch the verbs and nouns, characters catch
# inflections and spellings the templates never wrote ("capitalised", "commas,").
_VIEWS: tuple[tuple[str, tuple[int, int], int], ...] = (
    ("word", (1, 2), 2),
    ("char_wb", (3, 5), 3),
)
_C = 10.0
_VERSION = 1


@dataclass(frozen=True)
class Prediction:
    """The classifier's reading of one signal: a probability per label, best first."""

    ranked: tuple[tuple[str, float], ...]

    @property
    def label(self) -> str:
        return self.ranked[0][0]

    @property
    def p(self) -> float:
        return self.ranked[0][1]

    def prob(self, label: str) -> float:
        return next((p for lab, p in self.ranked if lab == label), 0.0)


_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_SPACES = re.compile(r"\s\s+")


def word_ngrams(text: str, ngram: tuple[int, int]) -> list[str]:
    """scikit-learn's "word" analyzer (lowercase, its default token pattern), so training and
    inference see the same terms without importing scikit-learn to answer."""
    tokens = _TOKEN.findall(text.lower())
    lo, hi = ngram
    return [
        " ".join(tokens[i : i + n]) for n in range(lo, hi + 1) for i in range(len(tokens) - n + 1)
    ]


def char_wb_ngrams(text: str, ngram: tuple[int, int]) -> list[str]:
    """scikit-learn's "char_wb" analyzer: character n-grams inside space-padded words."""
    lo, hi = ngram
    out: list[str] = []
    for w in _SPACES.sub(" ", text.lower()).split():
        w = f" {w} "
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset : offset + n])
            while offset + n < len(w):
                offset += 1
                out.append(w[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return out


_ANALYZERS = {"word": word_ngrams, "char_wb": char_wb_ngrams}


class _View:
    """One TF-IDF view: sublinear TF times IDF, L2-normalised, as sparse (indices, values)."""

    def __init__(
        self, analyzer: str, ngram: tuple[int, int], vocab: Sequence[str], idf: FloatArray
    ):
        self._analyze = _ANALYZERS[analyzer]
        self._ngram = ngram
        self._index = {t: i for i, t in enumerate(vocab)}
        self._idf = idf

    def features(self, text: str) -> tuple[npt.NDArray[np.intp], FloatArray]:
        counts: dict[int, int] = {}
        for term in self._analyze(text, self._ngram):
            i = self._index.get(term)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        idx = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        x = (1.0 + np.log(tf)) * self._idf[idx]
        norm = float(np.linalg.norm(x))
        return idx, (x / norm if norm > 0 else x)

    @property
    def size(self) -> int:
        return len(self._index)


class SignalClassifier:
    def __init__(
        self,
        views: list[_View],
        coef: FloatArray,
        intercept: FloatArray,
        classes: Sequence[str],
    ) -> None:
        self._views = views
        self._coef = coef
        self._intercept = intercept
        self.classes = tuple(classes)

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self._predict(t) for t in texts]

    def _predict(self, text: str) -> Prediction:
        z = self._intercept.copy()
        offset = 0
        for v in self._views:
            idx, x = v.features(text)
            z += self._coef[:, idx + offset] @ x
            offset += v.size
        z -= z.max()
        e = np.exp(z)
        row = e / e.sum()
        order = np.argsort(-row)
        return Prediction(tuple((self.classes[i], float(row[i])) for i in order))


def train(examples: Sequence[corpus.Example]) -> dict[str, npt.NDArray[np.generic]]:
    """Fit on `examples`; the model as named arrays (what `save` writes and `from_arrays`
    reads)."""
    from scipy.sparse import hstack  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [e.text for e in examples]
    labels = [e.label for e in examples]
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    mats = []
    for i, (analyzer, ngram, min_df) in enumerate(_VIEWS):
        vec = TfidfVectorizer(
            analyzer=analyzer, ngram_range=ngram, min_df=min_df, sublinear_tf=True
        )  # the analyzers above copy these; tests/core/signals compare the two
        mats.append(vec.fit_transform(texts))
        vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        arrays[f"vocab{i}"] = np.array(vocab, dtype=str)
        arrays[f"idf{i}"] = np.asarray(vec.idf_, dtype=np.float64)
    # tol 1e-3: half the fitting time of the default, the same readings on the phrasing sets
    model = LogisticRegression(C=_C, max_iter=3000, tol=1e-3)
    model.fit(hstack(mats).tocsr(), labels)
    arrays["coef"] = np.asarray(model.coef_, dtype=np.float64)
    arrays["intercept"] = np.asarray(model.intercept_, dtype=np.float64)
    arrays["classes"] = np.array(model.classes_, dtype=str)
    return arrays


def from_arrays(arrays: dict[str, npt.NDArray[np.generic]]) -> SignalClassifier:
    views = [
        _View(
            analyzer,
            ngram,
            [str(t) for t in arrays[f"vocab{i}"]],
            np.asarray(arrays[f"idf{i}"], dtype=np.float64),
        )
        for i, (analyzer, ngram, _) in enumerate(_VIEWS)
    ]
    coef = np.asarray(arrays["coef"], dtype=np.float64)
    intercept = np.asarray(arrays["intercept"], dtype=np.float64)
    if coef.shape[0] == 1:  # two classes: one row for the second; softmax of ±z/2 is its sigmoid
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.concatenate([-intercept / 2, intercept / 2])
    return SignalClassifier(views, coef, intercept, [str(c) for c in arrays["classes"]])


def cache_path(fingerprint: str) -> Path:
    cache_dir = locations.resolve().cache_dir
    assert cache_dir is not None
    return cache_dir / "signals" / f"classifier-v{_VERSION}-{fingerprint}.npz"


def _save(path: Path, arrays: dict[str, npt.NDArray[np.generic]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # atomic: a parallel process reads the old file or the new one, never half of one

    def write(f: BinaryIO) -> None:
        np.savez_compressed(f, **arrays)  # type: ignore[arg-type]

    atomic_write(path, write, "wb")


def _load(path: Path) -> SignalClassifier | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return from_arrays({k: data[k] for k in data.files})
    except (OSError, ValueError, KeyError) as e:
        log.warning("signal classifier cache %s unreadable (%s); training again", path, e)
        return None


def _prune(keep: Path) -> None:
    """Models of older data are never read again: drop those named like `keep`."""
    prefix = keep.name.split("-v", 1)[0]
    for old in keep.parent.glob(f"{prefix}-v*.npz"):
        if old != keep:
            old.unlink(missing_ok=True)


def cached_model(
    path: Path, build: Callable[[], dict[str, npt.NDArray[np.generic]]]
) -> SignalClassifier:
    """The model cached at `path`, else `build()` trained now and cached there (a cache that
    cannot be written costs a retraining next time, no more)."""
    model = _load(path) if path.is_file() else None
    if model is None:
        arrays = build()
        model = from_arrays(arrays)
        try:
            _save(path, arrays)
            _prune(path)
        except OSError as e:
            log.warning("cannot cache the model at %s: %s", path, e)
    return model


_lock = threading.Lock()
_model: SignalClassifier | None = None


def loaded() -> bool:
    """Whether `get()` answers at once (the TUI shows "reading…" until it does)."""
    return _model is not None


def get() -> SignalClassifier:
    """The classifier: from memory, else the cache, else trained now (and cached)."""
    global _model
    with _lock:
        if _model is not None:
            return _model
        _model = cached_model(
            cache_path(corpus.source_fingerprint()), lambda: train(corpus.build())
        )
        return _model
