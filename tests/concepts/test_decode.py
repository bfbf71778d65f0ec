"""Flat spans from a concept model: a span categorizer's candidates resolved."""

import itertools

import numpy
import pytest
import spacy

import eligo.concepts.architecture  # noqa: F401  (registers eligo_spancat)
from eligo.concepts.component import load_model
from eligo.concepts.decode import model_kind, model_spans, resolve

LABELS = ("Condition", "Drug", "Qualifier")


@pytest.fixture(scope="module")
def doc():
    # tokens: 0 severe, 1 chronic, 2 kidney, 3 disease, 4 on, 5 insulin
    return spacy.blank("en")("severe chronic kidney disease on insulin")


def rows(*candidates):
    starts_ends = numpy.array([c[:2] for c in candidates], dtype="int32")
    scores = numpy.array([c[2] for c in candidates], dtype="float32")
    return starts_ends, scores


def test_best_label_over_the_threshold_wins_overlaps_by_score(doc) -> None:
    starts_ends, scores = rows(
        (1, 4, [0.70, 0.0, 0.0]),  # chronic kidney disease
        (2, 4, [0.60, 0.0, 0.0]),  # kidney disease (nested: loses)
        (0, 1, [0.0, 0.0, 0.45]),  # severe
        (5, 6, [0.1, 0.90, 0.0]),  # insulin
        (4, 5, [0.2, 0.3, 0.1]),  # on: under the threshold
    )
    got = resolve(doc, starts_ends, scores, 0.4, LABELS)
    assert got == [
        (0, 6, "Qualifier"),
        (7, 29, "Condition"),
        (33, 40, "Drug"),
    ]
    assert [doc.text[s:e] for s, e, _ in got] == [
        "severe",
        "chronic kidney disease",
        "insulin",
    ]


def test_equal_scores_keep_the_shorter_span(doc) -> None:
    starts_ends, scores = rows((1, 4, [0.5, 0, 0]), (2, 4, [0.5, 0, 0]))
    assert resolve(doc, starts_ends, scores, 0.4, LABELS) == [(15, 29, "Condition")]


@pytest.mark.parametrize("threshold", [0.95, 1.0])
def test_nothing_over_the_threshold_gives_nothing(doc, threshold: float) -> None:
    starts_ends, scores = rows((0, 2, [0.9, 0, 0]))
    assert resolve(doc, starts_ends, scores, threshold, LABELS) == []


def test_a_no_span_column_drops_candidates_it_wins(doc) -> None:
    starts_ends, scores = rows(
        (0, 1, [0.1, 0.0, 0.2, 0.7]),  # "no span" wins
        (5, 6, [0.0, 0.6, 0.0, 0.4]),
    )
    got = resolve(doc, starts_ends, scores, 0.0, (*LABELS, ""), negative=3)
    assert got == [(33, 40, "Drug")]


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(1.0, [(33, 40, "Drug")]), (0.5, [(0, 6, "Condition"), (33, 40, "Drug")])],
)
def test_a_no_span_ratio_under_one_keeps_likely_labels(doc, ratio, expected) -> None:
    starts_ends, scores = rows(
        (0, 1, [0.35, 0.0, 0.05, 0.6]),  # "no span" wins, but not by 2x
        (5, 6, [0.0, 0.6, 0.0, 0.4]),
        (4, 5, [0.1, 0.1, 0.0, 0.8]),  # "no span" wins by far
    )
    got = resolve(doc, starts_ends, scores, 0.0, (*LABELS, ""), negative=3, ratio=ratio)
    assert got == expected


def test_eligo_spancat_keeps_its_ratio_in_cfg() -> None:
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe("eligo_spancat", config={"no_span_ratio": 0.5})
    assert pipe.cfg["no_span_ratio"] == 0.5
    assert pipe.add_negative_label
    with pytest.raises(ValueError, match="no_span_ratio"):
        spacy.blank("en").add_pipe("eligo_spancat", config={"no_span_ratio": 0})


def test_no_candidates(doc) -> None:
    empty = numpy.zeros((0, 2), dtype="int32"), numpy.zeros((0, 3), dtype="float32")
    assert resolve(doc, *empty, 0.4, LABELS) == []


def test_the_packaged_model_gives_flat_spans_on_the_text() -> None:
    nlp = load_model()
    texts = [
        "History of type 2 diabetes mellitus treated with metformin",
        "",
        "Platelet count < 100,000/mm3 or severe chronic kidney disease",
    ]
    out = list(model_spans(nlp, texts, batch_size=2))
    assert len(out) == len(texts)
    assert out[1] == []
    labels = set()
    for text, spans in zip(texts, out, strict=True):
        for (_, e1, _), (s2, _, _) in itertools.pairwise(spans):
            assert e1 <= s2  # sorted, never overlapping
        for s, e, label in spans:
            assert 0 <= s < e <= len(text)
            assert text[s:e] == text[s:e].strip()
            labels.add(label)
    assert "Condition" in labels
    assert model_kind(nlp) in ("ner", "spancat")
