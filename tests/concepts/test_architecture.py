"""eligo's span extraction equals spaCy's, forward and backward."""

import numpy
import pytest
from spacy.ml.extract_spans import extract_spans as spacy_extract_spans
from thinc.types import Ragged

from eligo.concepts.architecture import extract_spans, span_indices


def ragged_input(seed: int):
    rng = numpy.random.default_rng(seed)
    doc_lengths = rng.integers(0, 12, size=5)
    doc_lengths[2] = 0  # an empty doc
    X = Ragged(
        rng.normal(size=(int(doc_lengths.sum()), 4)).astype("float32"),
        doc_lengths.astype("int32"),
    )
    spans, counts = [], []
    for n in doc_lengths:
        mine = [(s, s + w) for w in (1, 2, 3) for s in range(n - w + 1)]
        keep = [sp for sp in mine if rng.random() < 0.6]
        spans.extend(keep)
        counts.append(len(keep))
    data = numpy.array(spans, dtype="int32").reshape(-1, 2)
    return X, Ragged(data, numpy.array(counts, dtype="int32"))


def test_span_indices_example() -> None:
    spans = Ragged(
        numpy.array([[5, 9], [8, 10], [0, 1]], "int32"), numpy.array([2, 1], "int32")
    )
    lengths = numpy.array([10, 3], "int32")
    assert span_indices(spans, lengths).tolist() == [5, 6, 7, 8, 8, 9, 10]


@pytest.mark.parametrize("seed", range(5))
def test_same_output_and_gradient_as_spacy(seed: int) -> None:
    X, spans = ragged_input(seed)
    ours, theirs = extract_spans(), spacy_extract_spans()
    Y1, back1 = ours((X, spans), is_train=True)
    Y2, back2 = theirs((X, spans), is_train=True)
    numpy.testing.assert_array_equal(Y1.dataXd, Y2.dataXd)
    numpy.testing.assert_array_equal(Y1.lengths, Y2.lengths)
    dY = Ragged(numpy.ones_like(Y1.dataXd), Y1.lengths)
    numpy.testing.assert_array_equal(back1(dY)[0].dataXd, back2(dY)[0].dataXd)


def test_no_spans() -> None:
    X, _ = ragged_input(0)
    none = Ragged(numpy.zeros((0, 2), "int32"), numpy.zeros(5, "int32"))
    Y, _ = extract_spans()((X, none), is_train=False)
    assert Y.dataXd.shape == X.dataXd.shape
    assert not Y.lengths.any()
