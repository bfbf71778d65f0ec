"""The criterion-category classifier: files, safe loading, fast scoring.

A scikit-learn pipeline: TF-IDF of word 1-2-grams -> logistic regression,
calibrated by sigmoid (Platt) scaling on 3-fold out-of-fold predictions
(:class:`~sklearn.calibration.CalibratedClassifierCV` with ``ensemble=False``:
one classifier is kept, not three). It is stored
with skops (never pickle) and loaded with an explicit list of trusted types:
a file that needs any other type is refused. The estimator is built, fitted
and saved by :mod:`eligo_train.categories.fit` (training only).

For speed at start-up, the fitted arrays that prediction needs (vocabulary,
idf, coefficients, calibration) are also exported from the skops model to
``scorer.npz`` (plain arrays, loaded with ``allow_pickle=False``);
:class:`FastScorer` predicts from them without importing scikit-learn, and a
test checks that it agrees with the skops model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple


class ModelFiles(NamedTuple):
    """File names of the model folder ``models/categories/``."""

    folder: str = "categories"
    model: str = "model.skops"
    scorer: str = "scorer.npz"
    metrics: str = "metrics.json"
    card: str = "MODEL_CARD.md"


FILES = ModelFiles()

#: Types the stored model holds beyond those skops trusts by default (its
#: scikit-learn, numpy and scipy containers); anything else is refused.
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)


def default_model_path() -> Path:
    """The model file shipped in ``eligo.models``."""
    root = resources.files("eligo.models").joinpath(FILES.folder, FILES.model)
    return Path(str(root))


def _word_analyzer(
    lowercase: bool, token_pattern: str, ngram_range: tuple[int, int]
) -> Any:
    """scikit-learn's default word analyzer (preprocess, tokenize, n-grams)."""
    import re

    pattern = re.compile(token_pattern)
    low, high = ngram_range

    def analyze(text: str) -> list[str]:
        tokens = pattern.findall(text.lower() if lowercase else text)
        if high == 1:
            return tokens
        out = list(tokens) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            out.extend(
                map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
            )
        return out

    return analyze


class FastScorer:
    """``estimator.predict_proba`` without scikit-learn's per-call overhead.

    The same arithmetic (TF-IDF with the fitted vocabulary, linear scores,
    per-class sigmoid calibration, normalisation) done with the fitted arrays,
    several times faster on the short texts of one document's criteria.
    """

    def __init__(self, estimator: Any) -> None:
        import numpy as np

        calibrated = estimator.calibrated_classifiers_[0]
        pipeline = calibrated.estimator
        self.classes = [str(c) for c in estimator.classes_]
        self.parts: list[tuple[Any, dict[str, int], int]] = []
        self.sublinear = False
        offset = 0
        for _, vectorizer in pipeline.named_steps["features"].transformer_list:
            self.parts.append(
                (
                    vectorizer.build_analyzer(),
                    vectorizer.vocabulary_,
                    offset,
                )
            )
            offset += len(vectorizer.vocabulary_)
            self.sublinear = bool(vectorizer.sublinear_tf)
        self.idf = np.concatenate(
            [v.idf_ for _, v in pipeline.named_steps["features"].transformer_list]
        ).astype(np.float64)
        lr = pipeline.named_steps["lr"]
        self.coef_t = np.ascontiguousarray(lr.coef_.T, dtype=np.float64)
        self.intercept = lr.intercept_.astype(np.float64)
        self.a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        self.b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)

    @classmethod
    def from_arrays(cls, path: Path) -> FastScorer:
        """A scorer from ``scorer.npz``.

        Written by :func:`eligo_train.categories.fit.export_scorer`.
        """
        import json

        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            config = json.loads(str(data["config"]))
            self = cls.__new__(cls)
            self.classes = [str(c) for c in data["classes"]]
            self.sublinear = bool(config["sublinear"])
            self.parts = []
            offset = 0
            for k, part in enumerate(config["parts"]):
                terms = [str(t) for t in data[f"terms_{k}"]]
                analyzer = _word_analyzer(
                    part["lowercase"], part["token_pattern"], tuple(part["ngram_range"])
                )
                self.parts.append(
                    (analyzer, {t: i for i, t in enumerate(terms)}, offset)
                )
                offset += len(terms)
            self.idf = data["idf"].astype(np.float64)
            self.coef_t = np.ascontiguousarray(data["coef_t"], dtype=np.float64)
            self.intercept = data["intercept"].astype(np.float64)
            self.a = data["a"].astype(np.float64)
            self.b = data["b"].astype(np.float64)
        return self

    def predict_proba(self, texts: Sequence[str]) -> Any:
        """Calibrated probabilities, one row per text, columns in ``classes``.

        The terms of all texts are counted in Python, then weighted, normalised
        and scored for all rows at once (numpy calls per text cost more than
        the arithmetic on a registry's short criteria).
        """
        import numpy as np

        indices: list[int] = []
        counts_all: list[int] = []
        starts: list[int] = []
        rows: list[int] = []
        for row, text in enumerate(texts):
            first = len(indices)
            for analyzer, vocab, offset in self.parts:
                for term, count in Counter(analyzer(text)).items():
                    j = vocab.get(term)
                    if j is not None:
                        indices.append(j + offset)
                        counts_all.append(count)
            if len(indices) > first:
                rows.append(row)
                starts.append(first)
        scores = np.tile(self.intercept, (len(texts), 1))
        if rows:
            idx = np.asarray(indices, dtype=np.intp)
            tf = np.asarray(counts_all, dtype=np.float64)
            if self.sublinear:
                tf = np.log(tf) + 1.0
            w = tf * self.idf[idx]
            at = np.asarray(starts, dtype=np.intp)
            norms = np.sqrt(np.add.reduceat(w * w, at))
            w /= np.repeat(norms, np.diff(np.append(at, len(idx))))
            scores[rows] += np.add.reduceat(self.coef_t[idx] * w[:, None], at, axis=0)
        proba = 1.0 / (1.0 + np.exp(self.a * scores + self.b))
        total = proba.sum(axis=1, keepdims=True)
        n = proba.shape[1]
        return np.divide(
            proba, total, out=np.full_like(proba, 1.0 / n), where=total > 0
        )


def load_model(path: Path | None = None) -> Any:
    """Load a classifier stored with skops, trusting only ``TRUSTED_TYPES``.

    Raises:
        skops.io.exceptions.UntrustedTypesFoundException: The file holds a type
            outside the trusted list.
    """
    import skops.io as sio

    return sio.load(path or default_model_path(), trusted=list(TRUSTED_TYPES))
