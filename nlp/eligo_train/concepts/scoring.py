"""Strict and relaxed entity scores, per type and micro-averaged.

The scheme of the Chia NER literature (e.g. Kury et al. 2020, and the
strict/relaxed convention of the i2b2/n2c2 shared tasks):

- *strict*: a prediction is correct when its start, end and label equal a
  gold span's.
- *relaxed*: a prediction is correct when it overlaps a gold span of the same
  label; a gold span is found when a prediction of its label overlaps it.
  Precision counts correct predictions, recall counts found gold spans.

Predictions that lie in an out-of-scope region (Chia's error types) and
overlap no gold span are not scored: the annotators left those regions
unannotated on purpose.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from eligo.concepts.decode import model_spans

from .brat import SCORED_TYPES, Criterion, Split, iter_chia, read_pair

Spans = Sequence[tuple[int, int, str]]
#: ``doc.spans`` key a span categorizer writes (spaCy's default ``"sc"``).
SPANS_KEY = "sc"


@dataclass
class Counts:
    """Counts for one label (or the micro average)."""

    strict_tp: int = 0
    relaxed_pred_tp: int = 0
    relaxed_gold_tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def scores(self) -> dict[str, float | int]:
        """Precision, recall and F1, strict and relaxed, rounded to 4 places."""

        def f1(p: float, r: float) -> float:
            return 2 * p * r / (p + r) if p + r else 0.0

        sp = self.strict_tp / self.pred if self.pred else 0.0
        sr = self.strict_tp / self.gold if self.gold else 0.0
        rp = self.relaxed_pred_tp / self.pred if self.pred else 0.0
        rr = self.relaxed_gold_tp / self.gold if self.gold else 0.0
        return {
            "strict_p": round(sp, 4),
            "strict_r": round(sr, 4),
            "strict_f": round(f1(sp, sr), 4),
            "relaxed_p": round(rp, 4),
            "relaxed_r": round(rr, 4),
            "relaxed_f": round(f1(rp, rr), 4),
            "gold": self.gold,
            "pred": self.pred,
        }


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Scorer:
    """Accumulate counts over documents; ``labels`` are the scored types."""

    labels: tuple[str, ...]
    counts: dict[str, Counts] = field(default_factory=dict)

    def add(
        self,
        pred: Spans,
        gold: Spans,
        out_of_scope: Iterable[tuple[int, int]] = (),
    ) -> None:
        """Score one document's predicted spans against its gold spans."""
        regions = list(out_of_scope)
        gold_all = list(gold)
        kept = [
            p
            for p in pred
            if not any(_overlaps(p[:2], r) for r in regions)
            or any(_overlaps(p[:2], g[:2]) for g in gold_all)
        ]
        gold_set = set(gold_all)
        for label in self.labels:
            c = self.counts.setdefault(label, Counts())
            ps = [p for p in kept if p[2] == label]
            gs = [g for g in gold_all if g[2] == label]
            c.pred += len(ps)
            c.gold += len(gs)
            c.strict_tp += sum(1 for p in ps if p in gold_set)
            c.relaxed_pred_tp += sum(
                1 for p in ps if any(_overlaps(p[:2], g[:2]) for g in gs)
            )
            c.relaxed_gold_tp += sum(
                1 for g in gs if any(_overlaps(p[:2], g[:2]) for p in ps)
            )

    def report(self) -> dict[str, dict[str, float | int]]:
        """Scores per label and ``"micro"`` over all labels."""
        out: dict[str, dict[str, float | int]] = {}
        micro = Counts()
        for label in self.labels:
            c = self.counts.get(label, Counts())
            micro.add(c)
            out[label] = c.scores()
        out["micro"] = micro.scores()
        return out


def predicted_spans(doc: Doc, spans_key: str = SPANS_KEY) -> list[tuple[int, int, str]]:
    """A model's spans: ``doc.spans[spans_key]`` (a span categorizer's, which
    may nest) when the pipeline set that group, else ``doc.ents``."""
    group = doc.spans.get(spans_key)
    spans = group if group is not None else doc.ents
    return [(s.start_char, s.end_char, s.label_) for s in spans]


def evaluate_on_chia(
    nlp: Language,
    chia_dir: Path,
    *,
    split: Split = "dev",
    batch_size: int = 256,
    nested_spans: bool = False,
) -> dict[str, Any]:
    """Score a concept model on one Chia split (see :mod:`eligo_train.concepts.brat`).

    The predictions scored are the flat spans eligo outputs
    (:func:`eligo.concepts.decode.model_spans`). Two gold references:
    ``all_gold`` holds every annotation of the scored types (nested ones too,
    which flat output cannot all match), ``flat_gold`` the overlap-resolved
    spans a flat NER is trained to produce.

    Args:
        nlp: A concept model (``ner`` or ``spancat``).
        chia_dir: The Chia folder.
        split: Which split to score.
        batch_size: Texts per model batch.
        nested_spans: Also score a span categorizer's own, nested output
            (``doc.spans["sc"]``) against all gold, as ``all_gold_nested``.

    Returns:
        ``{"all_gold": report, "flat_gold": report, "docs", "trials", "bytes",
        "seconds", "mb_per_s", "cpu_seconds", "mb_per_cpu_s"}``; reports as in
        :meth:`Scorer.report`. Speed is wall-clock and CPU time of one
        process (CPU time is steadier on a shared machine).
    """
    criteria: list[Criterion] = []
    trials = set()
    for _, path in iter_chia(chia_dir, splits=(split,)):
        criteria.extend(read_pair(path)[0])
        trials.add(path.stem.partition("_")[0])
    texts = [c.text for c in criteria]
    started, cpu_started = time.perf_counter(), time.process_time()
    predictions = list(model_spans(nlp, texts, batch_size=batch_size))
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    all_gold = Scorer(SCORED_TYPES)
    flat_gold = Scorer(SCORED_TYPES)
    for crit, pred in zip(criteria, predictions, strict=True):
        all_gold.add(pred, crit.gold, crit.out_of_scope)
        flat_gold.add(pred, crit.entities, crit.out_of_scope)
    nested: dict[str, Any] = {}
    if nested_spans:
        scorer = Scorer(SCORED_TYPES)
        docs = nlp.pipe(texts, batch_size=batch_size)
        for crit, doc in zip(criteria, docs, strict=True):
            scorer.add(predicted_spans(doc), crit.gold, crit.out_of_scope)
        nested = {"all_gold_nested": scorer.report()}
    size = sum(len(t.encode("utf-8")) for t in texts)
    return {
        "split": split,
        "trials": len(trials),
        "docs": len(predictions),
        "bytes": size,
        "seconds": round(seconds, 3),
        "mb_per_s": round(size / seconds / 1e6, 3) if seconds else None,
        "cpu_seconds": round(cpu_seconds, 3),
        "mb_per_cpu_s": round(size / cpu_seconds / 1e6, 3) if cpu_seconds else None,
        "all_gold": all_gold.report(),
        "flat_gold": flat_gold.report(),
        **nested,
    }
