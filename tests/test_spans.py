"""eligo's results as spaCy span groups (eligo.pipeline.spans)."""

from __future__ import annotations

import pytest
from spacy import displacy
from spacy.tokens import Doc, DocBin

import eligo
from eligo.parse import to_document
from eligo.pipeline.spans import (
    CONSTRAINTS,
    CRITERIA,
    ENTITIES,
    SECTIONS,
    criterion_records,
)
from eligo.trial import Trial

TEXT = (
    "Inclusion Criteria:\n"
    "- Men and women aged 18 to 75 years\n"
    "- Platelets >= 100 x 10^9/L and INR < 1.5\n"
    "Exclusion Criteria:\n"
    "- No prior chemotherapy within 4 weeks before screening\n"
    "- Pregnant or breastfeeding women\n"
    "- History of myocardial infarction\n"
)
GROUPS = (SECTIONS, CRITERIA, CONSTRAINTS, ENTITIES)


@pytest.fixture(scope="module")
def doc() -> Doc:
    return eligo.load()(TEXT)


def test_every_group_is_filled(doc: Doc) -> None:
    assert all(doc.spans[g] for g in GROUPS)
    assert [c.label_ for c in doc.spans[CRITERIA]] == ["inclusion"] * 2 + [
        "exclusion"
    ] * 3
    assert {"age", "measurement", "temporal", "pregnancy"} <= {
        k.label_ for k in doc.spans[CONSTRAINTS]
    }


@pytest.mark.parametrize("group", GROUPS)
def test_span_tokens_cover_the_exact_offsets(doc: Doc, group: str) -> None:
    for span in doc.spans[group]:
        rec = span._.fields
        assert span.start_char <= rec["start"] <= rec["end"] <= span.end_char
        assert TEXT[rec["start"] : rec["end"]].strip() or rec["start"] == rec["end"]


def test_label_is_the_type_of_the_record(doc: Doc) -> None:
    for span in doc.spans[CONSTRAINTS]:
        assert span.label_ == span._.fields["type"]
    for span in doc.spans[ENTITIES]:
        assert span.label_ == span._.fields["label"]
        assert span._.assertion == span._.fields["assertion"]


def test_children_and_parent(doc: Doc) -> None:
    for crit in doc.spans[CRITERIA]:
        for child in [*crit._.constraints, *crit._.entities]:
            assert child._.criterion == crit
            assert crit.start <= child.start <= child.end <= crit.end
    chemo = next(c for c in doc.spans[CRITERIA] if "chemotherapy" in c.text)
    (window,) = [k for k in chemo._.constraints if k.label_ == "temporal"]
    assert window._.negated
    assert window._.fields["high_days"] == 28


def test_the_document_is_built_from_the_spans(doc: Doc) -> None:
    document = to_document(Trial(id="t", text=TEXT), doc)
    records = criterion_records(doc)
    assert len(document.criteria) == len(records)
    for criterion, rec in zip(document.criteria, records, strict=True):
        assert len(criterion.constraints) == len(rec["constraints"])
        assert [e.label for e in criterion.entities] == [
            e["label"] for e in rec["entities"]
        ]


def test_docs_round_trip_through_bytes_and_docbin(doc: Doc) -> None:
    nlp = eligo.load()
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    for group in GROUPS:
        assert [(s.start, s.end, s.label_) for s in back.spans[group]] == [
            (s.start, s.end, s.label_) for s in doc.spans[group]
        ]
        assert [s._.fields for s in back.spans[group]] == [
            s._.fields for s in doc.spans[group]
        ]
    (again,) = DocBin(docs=[doc], store_user_data=True).get_docs(nlp.vocab)
    assert again.spans[CRITERIA][1]._.constraints[0].label_ == "measurement"


def test_displacy_renders_the_constraints(doc: Doc) -> None:
    html = displacy.render(doc, style="span", options={"spans_key": CONSTRAINTS})
    assert "measurement" in html and "Platelets" in html
    html = displacy.render(doc, style="span", options={"spans_key": ENTITIES})
    assert "myocardial" in html


def test_two_spans_over_the_same_characters_keep_their_own_values() -> None:
    # An age bound read twice from one phrase, or a measurement and its entity,
    # share characters: their records must not (spaCy 3.7 keys Span._ by
    # characters, eligo by span id).
    doc = eligo.load()("Inclusion Criteria:\n- Hemoglobin >= 9 g/dL\n")
    (measurement,) = doc.spans[CONSTRAINTS]
    entity = next(e for e in doc.spans[ENTITIES] if e.text == "Hemoglobin")
    assert measurement.id != entity.id
    assert measurement._.fields["type"] == "measurement"
    assert entity._.fields["label"] == "Measurement"
