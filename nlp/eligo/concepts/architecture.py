"""The concept span categorizer: its component and its model.

``eligo_spancat`` is spaCy's single-label span categorizer with one more
setting for decoding, ``no_span_ratio`` (see :func:`make_eligo_spancat`).

``eligo.SpanCategorizer.v1`` is spaCy's ``spacy.SpanCategorizer.v1`` (tok2vec →
extract each candidate's token vectors → reducer → scorer) with one layer
swapped: spaCy's ``extract_spans`` builds the row indices of every candidate
in a Python loop over the candidates (~8 per token here), which took as long
as the rest of the categorizer's head. ``eligo.extract_spans.v1`` computes
the same indices with numpy. The two models have the same layers and
weights, so either config loads the other's weights; a test checks that the
layers give the same output and gradient.
"""

# No ``from __future__ import annotations``: spaCy validates registered
# functions' signatures with pydantic, which needs real annotations.

from collections.abc import Callable
from typing import Any, cast

import numpy
from spacy.language import Language
from spacy.pipeline.spancat import DEFAULT_SPANCAT_SINGLELABEL_MODEL, SpanCategorizer
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, chain, list2ragged, to_numpy, with_getitem
from thinc.types import Floats2d, Ints1d, Ragged


@registry.layers("eligo.extract_spans.v1")
def extract_spans() -> Model[tuple[Ragged, Ragged], Ragged]:
    """Each candidate span's token vectors, as a ragged array (as spaCy's)."""
    return Model("extract_spans", _forward, layers=[], refs={}, attrs={}, dims={})


def _forward(
    model: Model, source_spans: tuple[Ragged, Ragged], is_train: bool
) -> tuple[Ragged, Callable[[Ragged], tuple[Ragged, Ragged]]]:
    ops = model.ops
    X, spans = source_spans
    rows: Any = X.dataXd
    indices: Any = span_indices(spans, X.lengths)
    if len(indices):
        bounds: Any = spans.dataXd
        Y = Ragged(rows[indices], ops.asarray1i(bounds[:, 1] - bounds[:, 0]))
    else:
        Y = Ragged(
            ops.xp.zeros(rows.shape, dtype=rows.dtype),
            ops.xp.zeros((len(X.lengths),), dtype="i"),
        )
    x_shape, x_lengths = rows.shape, X.lengths

    def backprop(dY: Ragged) -> tuple[Ragged, Ragged]:
        dX = Ragged(ops.alloc2f(*x_shape), x_lengths)
        ops.scatter_add(dX.dataXd, indices, dY.dataXd)  # type: ignore[arg-type]
        return dX, spans

    return Y, backprop


def span_indices(spans: Ragged, lengths: Ints1d) -> numpy.ndarray:
    """Row indices of every candidate's tokens, candidates in order.

    ``spans`` holds (start, end) token offsets per doc (``spans.lengths``
    candidates each), ``lengths`` the docs' token counts: spans (5, 9) and
    (8, 10) of the first doc give [5, 6, 7, 8, 8, 9].
    """
    data = to_numpy(spans.dataXd).astype("int64")
    if not len(data):
        return numpy.zeros(0, dtype="int32")
    counts = to_numpy(spans.lengths).astype("int64")
    doc_lengths = to_numpy(lengths).astype("int64")
    doc_starts = numpy.cumsum(doc_lengths) - doc_lengths
    starts = data[:, 0] + numpy.repeat(doc_starts, counts)
    widths = data[:, 1] - data[:, 0]
    first = numpy.cumsum(widths) - widths  # where each span's run begins
    run = numpy.arange(int(widths.sum())) - numpy.repeat(first, widths)
    return (numpy.repeat(starts, widths) + run).astype("int32")


@registry.architectures("eligo.SpanCategorizer.v1")
def build_spancat_model(
    tok2vec: Model[list[Doc], list[Floats2d]],
    reducer: Model[Ragged, Floats2d],
    scorer: Model[Floats2d, Floats2d],
) -> Model[tuple[list[Doc], Ragged], Floats2d]:
    """spaCy's ``spacy.SpanCategorizer.v1`` with :func:`extract_spans`."""
    model: Model[Any, Any] = chain(
        cast(
            Model[tuple[list[Doc], Ragged], tuple[Ragged, Ragged]],
            with_getitem(0, chain(tok2vec, list2ragged())),
        ),
        extract_spans(),
        reducer,
        scorer,
    )
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("reducer", reducer)
    model.set_ref("scorer", scorer)
    return cast(Model[tuple[list[Doc], Ragged], Floats2d], model)


@Language.factory(
    "eligo_spancat",
    assigns=["doc.spans"],
    default_config={
        "spans_key": "sc",
        "model": DEFAULT_SPANCAT_SINGLELABEL_MODEL,
        "negative_weight": 1.0,
        "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": [1, 2, 3]},
        "scorer": {"@scorers": "spacy.spancat_scorer.v1"},
        "allow_overlap": True,
        "no_span_ratio": 1.0,
    },
    default_score_weights={"spans_sc_f": 1.0, "spans_sc_p": 0.0, "spans_sc_r": 0.0},
)
def make_eligo_spancat(
    nlp: Language,
    name: str,
    suggester: Callable[..., Ragged],
    model: Model[tuple[list[Doc], Ragged], Floats2d],
    spans_key: str,
    negative_weight: float,
    allow_overlap: bool,
    scorer: Callable | None,
    no_span_ratio: float,
) -> SpanCategorizer:
    """spaCy's ``spancat_singlelabel`` (a softmax over the labels and "no
    span"), with the decoding setting ``no_span_ratio``: eligo keeps a
    candidate when its best label's probability is at least ``no_span_ratio``
    times the probability of "no span" (1.0: the label must win;
    :mod:`eligo.concepts.decode`). Kept in the component's ``cfg``, so it is
    saved with the model. Training is unchanged."""
    if no_span_ratio <= 0:
        raise ValueError(f"no_span_ratio must be positive, got {no_span_ratio}")
    component = SpanCategorizer(
        nlp.vocab,
        model=model,
        suggester=suggester,
        name=name,
        spans_key=spans_key,
        negative_weight=negative_weight,
        allow_overlap=allow_overlap,
        max_positive=1,
        add_negative_label=True,
        threshold=None,
        scorer=scorer,
    )
    component.cfg["no_span_ratio"] = no_span_ratio
    return component
