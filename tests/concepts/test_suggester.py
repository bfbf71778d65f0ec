"""The span categorizer's candidates: n-grams whose edges can edge a mention."""

import numpy
import pytest
import spacy
from spacy.pipeline.spancat import build_ngram_range_suggester

from eligo.concepts.suggester import build_edge_ngram_suggester

TEXTS = [
    "History of type 2 diabetes mellitus (T2DM) or HbA1c > 7 %",
    "",
    "No prior chemotherapy, radiotherapy and/or surgery",
    "Pregnant",
]


@pytest.fixture(scope="module")
def docs():
    nlp = spacy.blank("en")
    return [nlp(t) for t in TEXTS]


def by_doc(ragged) -> list[list[tuple[int, int]]]:
    out, offset = [], 0
    data = numpy.asarray(ragged.dataXd)
    for n in numpy.asarray(ragged.lengths).tolist():
        out.append([tuple(r) for r in data[offset : offset + n].tolist()])
        offset += n
    return out


@pytest.mark.parametrize(("low", "high"), [(1, 1), (1, 3), (2, 6)])
def test_without_word_lists_it_is_spacys_ngram_suggester(docs, low, high) -> None:
    ours = build_edge_ngram_suggester(low, high, [], [], [], [])
    # no punctuation may edge a span, so compare on docs without any
    plain = [d for d in docs if not any(t.is_punct for t in d)]
    spacy_ = build_ngram_range_suggester(low, high)
    assert by_doc(ours(plain)) == by_doc(spacy_(plain))


def test_edges_exclude_listed_words_and_punctuation(docs) -> None:
    suggest = build_edge_ngram_suggester(1, 6, ["of", "or"], ["of", "or"], ["("], [")"])
    found = by_doc(suggest(docs))
    assert len(found) == len(docs)
    assert found[1] == []
    first = docs[0]
    texts = {first[s:e].text for s, e in found[0]}
    assert "type 2 diabetes mellitus" in texts
    assert "(T2DM)" in texts  # brackets listed as allowed edges
    assert "History" in texts
    assert not any(
        t.startswith(("of ", "or ")) or t.endswith((" of", " or")) for t in texts
    )
    assert "of" not in texts
    assert not any(
        t.endswith((",", "/"))
        for t in {d[s:e].text for d in docs[2:3] for s, e in found[2]}
    )
    assert found[3] == [(0, 1)]


def test_lengths_count_each_docs_candidates(docs) -> None:
    suggest = build_edge_ngram_suggester(1, 4, ["and"], ["and"], [], [])
    ragged = suggest(docs)
    lengths = numpy.asarray(ragged.lengths).tolist()
    assert len(lengths) == len(docs)
    assert sum(lengths) == ragged.dataXd.shape[0]
    assert lengths[1] == 0
    data = numpy.asarray(ragged.dataXd)
    assert (data[:, 1] > data[:, 0]).all()
    assert (data[:, 1] - data[:, 0] <= 4).all()


def test_only_empty_docs(docs) -> None:
    ragged = build_edge_ngram_suggester(1, 3, [], [], [], [])([docs[1], docs[1]])
    assert numpy.asarray(ragged.lengths).tolist() == [0, 0]
    assert ragged.dataXd.shape[0] == 0


def test_sizes_must_make_sense() -> None:
    with pytest.raises(ValueError, match="min_size"):
        build_edge_ngram_suggester(3, 2, [], [], [], [])
