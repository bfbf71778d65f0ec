"""Training and evaluation examples for the category classifier.

Two sources: Chia lines labelled by :func:`eligo_train.categories.chia.chia_category`
(dev split fixed by :func:`eligo_train.categories.chia.is_dev`), and our own invented
criteria in ``corpus/categories/*.jsonl`` (``{"text", "category"}`` per line),
of which a fixed fifth (by SHA-1 of the text) is held out. Also the metrics
reported for both: accuracy, macro-F1, multiclass Brier score and expected
calibration error of the top label (10 equal-width bins).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from eligo.categories.labels import CATEGORIES

from .chia import chia_category, is_dev, read_corpus

_MARKER = re.compile(r"^\s*(?:(?:[-*•·]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+)+")


@dataclass(frozen=True)
class Example:
    """One labelled criterion."""

    text: str
    category: str
    source: str


def chia_examples(root: Path, *, dev: bool) -> list[Example]:
    """Labelled Chia lines of the training (``dev=False``) or dev split."""
    out = []
    for f in read_corpus(root):
        if is_dev(f.trial) != dev:
            continue
        for line in f.lines():
            category = chia_category(line)
            text = _MARKER.sub("", line.text).strip()
            if category is not None and text:
                out.append(Example(text, category, f"chia:{f.trial}"))
    return out


def is_held_out(text: str) -> bool:
    """Whether one of our own criteria is in the held-out fifth."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 5 == 0


def corpus_examples(folder: Path, *, held_out: bool) -> list[Example]:
    """Our own labelled criteria (``*.jsonl``), training part or held-out part.

    Raises:
        ValueError: A line is not ``{"text", "category"}`` with a known category.
    """
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            row = json.loads(raw)
            if set(row) != {"text", "category"} or row["category"] not in CATEGORIES:
                raise ValueError(f"{path.name}:{n}: expected text and a category")
            if is_held_out(row["text"]) == held_out:
                out.append(Example(row["text"], row["category"], f"ours:{path.name}"))
    return out


def evaluate(
    estimator: Any, texts: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro-F1, Brier score and ECE of ``estimator`` on examples."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    if not texts:
        return {"n": 0}
    proba = estimator.predict_proba(list(texts))
    classes = list(estimator.classes_)
    pred = [classes[i] for i in proba.argmax(axis=1)]
    onehot = np.zeros_like(proba)
    for row, label in enumerate(labels):
        if label in classes:
            onehot[row, classes.index(label)] = 1.0
    brier = float(((proba - onehot) ** 2).sum(axis=1).mean())
    conf = proba.max(axis=1)
    correct = np.array([p == g for p, g in zip(pred, labels, strict=True)])
    ece = 0.0
    edges = np.linspace(0.0, 1.0, 11)
    for lo, hi in pairwise(edges):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    present = sorted(set(labels))
    return {
        "n": len(texts),
        "accuracy": round(float(accuracy_score(labels, pred)), 4),
        "macro_f1": round(
            float(
                f1_score(labels, pred, labels=present, average="macro", zero_division=0)
            ),
            4,
        ),
        "brier": round(brier, 4),
        "ece": round(float(ece), 4),
        "per_class_f1": {
            c: round(float(v), 4)
            for c, v in zip(
                present,
                f1_score(labels, pred, labels=present, average=None, zero_division=0),
                strict=True,
            )
        },
    }
