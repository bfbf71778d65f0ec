"""The spans a concept model finds in each text, flat (never overlapping).

Two kinds of model are read alike:

- a flat NER (``ner``): its entities;
- a span categorizer (``spancat``): every candidate span (the suggester's
  n-grams) gets a score per label. A candidate keeps its best label when that
  label's probability is at least ``no_span_ratio`` times that of the "no
  span" class (a single-label categorizer, ``eligo_spancat``, as shipped) or
  reaches the component's ``threshold`` (a multi-label one); overlaps are then
  resolved greedily, the highest score first (then the shorter span). spaCy's
  own ``set_annotations`` would keep every label over the threshold, nested,
  in a Python loop over all candidates and labels; here the candidates of a
  whole batch are filtered with numpy and only the kept ones are looped over.

Offsets are characters into the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy
from spacy.language import Language
from spacy.tokens import Doc

#: A span: start and end character offsets, and the label.
Span = tuple[int, int, str]

NER = "ner"
SPANCAT = "spancat"


def model_kind(nlp: Language) -> str:
    """``"spancat"`` or ``"ner"``: which head the concept model has."""
    if SPANCAT in nlp.pipe_names:
        return SPANCAT
    if NER in nlp.pipe_names:
        return NER
    raise ValueError(f"a concept model needs a {NER} or {SPANCAT} component")


def model_spans(
    nlp: Language, texts: Iterable[str | Doc], *, batch_size: int = 128
) -> Iterator[list[Span]]:
    """The flat spans of each text (or Doc not yet through the model), in order."""
    if model_kind(nlp) == NER:
        for doc in nlp.pipe(texts, batch_size=batch_size):
            yield [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        return
    spancat = nlp.get_pipe(SPANCAT)
    batch: list[str | Doc] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= batch_size:
            yield from _spancat_batch(nlp, spancat, batch)
            batch = []
    if batch:
        yield from _spancat_batch(nlp, spancat, batch)


def _spancat_batch(
    nlp: Language, spancat: object, texts: list[str | Doc]
) -> list[list[Span]]:
    # Every component before the span categorizer (the tok2vec sets
    # doc.tensor, which the categorizer's listener reads outside training).
    docs = list(nlp.pipe(texts, disable=[SPANCAT], batch_size=len(texts)))
    indices, scores = spancat.predict(docs)  # type: ignore[attr-defined]
    # A multi-label categorizer keeps a label at or over its threshold; a
    # single-label one (spancat_singlelabel) has a "no span" column instead.
    threshold = float(spancat.cfg.get("threshold") or 0.0)  # type: ignore[attr-defined]
    ratio = float(spancat.cfg.get("no_span_ratio", 1.0))  # type: ignore[attr-defined]
    negative = (
        spancat._negative_label_i  # type: ignore[attr-defined]
        if getattr(spancat, "add_negative_label", False)
        else None
    )
    labels = spancat.labels  # type: ignore[attr-defined]
    lengths = numpy.asarray(indices.lengths)
    per_doc = _kept(
        numpy.asarray(indices.dataXd),
        numpy.asarray(scores),
        threshold,
        negative,
        ratio,
    )
    # candidates are grouped by doc: split the kept ones at the docs' bounds
    bounds = numpy.cumsum(lengths)[:-1]
    row, start, end, best, top = per_doc
    cuts = numpy.searchsorted(row, bounds, side="left")
    return [
        _greedy(doc, s_, e_, b_, t_, labels)
        for doc, s_, e_, b_, t_ in zip(
            docs,
            numpy.split(start, cuts),
            numpy.split(end, cuts),
            numpy.split(best, cuts),
            numpy.split(top, cuts),
            strict=True,
        )
    ]


def _kept(
    starts_ends: numpy.ndarray,
    scores: numpy.ndarray,
    threshold: float,
    negative: int | None,
    ratio: float = 1.0,
) -> tuple[numpy.ndarray, ...]:
    """Row, start, end, best label and its score of the candidates kept.

    With a ``negative`` ("no span") column, the best label is the best of the
    others, kept when its score is at least ``ratio`` times "no span"'s.
    """
    if not len(scores):
        empty = numpy.zeros(0, dtype="int64")
        return empty, empty, empty, empty, numpy.zeros(0, dtype="float32")
    rows = numpy.arange(len(scores))
    if negative is None:
        best = scores.argmax(axis=1)
        top = scores[rows, best]
        keep = top >= threshold
    else:
        labelled = scores.copy()
        labelled[:, negative] = -numpy.inf
        best = labelled.argmax(axis=1)
        top = labelled[rows, best]
        keep = (top >= threshold) & (top >= ratio * scores[:, negative])
    row = numpy.flatnonzero(keep)
    return row, starts_ends[row, 0], starts_ends[row, 1], best[row], top[row]


def _greedy(
    doc: Doc,
    start: numpy.ndarray,
    end: numpy.ndarray,
    best: numpy.ndarray,
    top: numpy.ndarray,
    labels: tuple[str, ...] | list[str],
) -> list[Span]:
    """Highest score first (then the shorter), each span only if it overlaps
    none taken; as character offsets, in text order."""
    if not len(start):
        return []
    order = numpy.lexsort((end - start, -top)).tolist()
    starts, ends, bests = start.tolist(), end.tolist(), best.tolist()
    taken = bytearray(len(doc))
    chosen: list[tuple[int, int, int]] = []
    for i in order:
        s, e = starts[i], ends[i]
        if any(taken[s:e]):
            continue
        taken[s:e] = b"\x01" * (e - s)
        chosen.append((s, e, bests[i]))
    chosen.sort()
    return [
        (doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), labels[k]) for s, e, k in chosen
    ]


def resolve(
    doc: Doc,
    starts_ends: numpy.ndarray,
    scores: numpy.ndarray,
    threshold: float,
    labels: tuple[str, ...] | list[str],
    negative: int | None = None,
    ratio: float = 1.0,
) -> list[Span]:
    """Non-overlapping spans from one doc's candidates (token start/end rows)
    and their label scores: best label per candidate, kept at or over
    ``threshold`` (and, with a ``negative`` "no span" column, only when its
    score is at least ``ratio`` times "no span"'s), overlaps resolved highest
    score first, then shortest."""
    _, start, end, best, top = _kept(starts_ends, scores, threshold, negative, ratio)
    return _greedy(doc, start, end, best, top, labels)
