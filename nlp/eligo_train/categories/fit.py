"""Build, fit and save the criterion-category classifier (training only).

The estimator of :mod:`eligo.categories.model`: TF-IDF of word 1-2-grams ->
logistic regression, calibrated by sigmoid (Platt) scaling on 3-fold
out-of-fold predictions. :func:`save_model` writes it with skops,
:func:`export_scorer` the plain arrays :class:`eligo.categories.model.FastScorer`
reads at run time.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eligo.categories.model import FastScorer


def build_estimator(seed: int = 0, *, cv: int = 3) -> Any:
    """An untrained classifier (see the module docstring)."""
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    min_df=2,
                    max_features=40000,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    classifier = LogisticRegression(
        C=8.0, max_iter=1000, class_weight="balanced", random_state=seed
    )
    return CalibratedClassifierCV(
        Pipeline([("features", features), ("lr", classifier)]),
        method="sigmoid",
        cv=cv,
        ensemble=False,
    )


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    seed: int = 0,
    repeats: Sequence[int] | None = None,
    cv: int = 3,
) -> Any:
    """Fit a classifier on criteria texts and their categories.

    Args:
        texts: Criteria.
        labels: Their categories.
        seed: Random seed.
        repeats: How many times each example counts (an integer weight: the
            pipeline's vectorizers take no sample weights).
        cv: Folds of the calibration.

    Returns:
        The fitted classifier.
    """
    if repeats is not None:
        texts = [t for t, n in zip(texts, repeats, strict=True) for _ in range(n)]
        labels = [c for c, n in zip(labels, repeats, strict=True) for _ in range(n)]
    estimator = build_estimator(seed, cv=cv)
    estimator.fit(list(texts), list(labels))
    _strip(estimator)
    return estimator


def _strip(estimator: Any) -> None:
    """Drop the vectorizers' ``stop_words_`` (every pruned term: large, unused)."""
    pipeline = estimator.calibrated_classifiers_[0].estimator
    for _, vectorizer in pipeline.named_steps["features"].transformer_list:
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_


def export_scorer(estimator: Any, path: Path) -> None:
    """Write the arrays :meth:`FastScorer.from_arrays` reads.

    Only the default word analyzer is supported (what :func:`build_estimator`
    makes); anything else is refused rather than exported wrongly.
    """
    import json

    import numpy as np

    pipeline = estimator.calibrated_classifiers_[0].estimator
    vectorizers = [v for _, v in pipeline.named_steps["features"].transformer_list]
    parts = []
    arrays: dict[str, Any] = {}
    for k, v in enumerate(vectorizers):
        if not (
            v.analyzer == "word"
            and v.preprocessor is None
            and v.tokenizer is None
            and v.stop_words is None
            and v.strip_accents is None
            and v.norm == "l2"
        ):
            raise ValueError("only the default word TF-IDF analyzer can be exported")
        parts.append(
            {
                "lowercase": bool(v.lowercase),
                "token_pattern": v.token_pattern,
                "ngram_range": list(v.ngram_range),
            }
        )
        terms = sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)
        arrays[f"terms_{k}"] = np.array(terms, dtype=str)
    scorer = FastScorer(estimator)
    config = {"parts": parts, "sublinear": scorer.sublinear}
    np.savez_compressed(
        path,
        config=np.array(json.dumps(config)),
        classes=np.array(scorer.classes, dtype=str),
        idf=scorer.idf,
        coef_t=scorer.coef_t,
        intercept=scorer.intercept,
        a=scorer.a,
        b=scorer.b,
        **arrays,
    )


def save_model(estimator: Any, path: Path) -> None:
    """Write ``estimator`` with skops."""
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(estimator, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
