"""Constraint components emit constraints without deciding negation: that is
``eligo_context``'s alone (``rules/context_rules.json``)."""

import pytest

from eligo.pipeline import PIPE_NAMES, build_pipeline


@pytest.fixture(scope="module")
def without_context():
    nlp = build_pipeline(concepts=False)
    nlp.remove_pipe("eligo_context")
    assert "eligo_context" in PIPE_NAMES and "eligo_context" not in nlp.pipe_names
    return nlp


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("No prior chemotherapy within 6 months", "temporal"),
        ("No prior radiotherapy", "temporal"),
        ("without platelet count < 50", "measurement"),
        ("None of the following: creatinine > 2 mg/dL", "measurement"),
        ("Free of steroids for at least 4 weeks", "duration"),
        ("Not pregnant or breastfeeding", "pregnancy"),
        ("Negative serum pregnancy test", "pregnancy"),
    ],
)
def test_component_alone_sets_no_negation(without_context, text, kind) -> None:
    doc = without_context("Exclusion Criteria:\n- " + text)
    found = [s for s in doc.spans["eligo"] if s.label_ == kind]
    assert found
    for span in found:
        assert "negated" not in span._.fields
        assert span._.negated is False


def test_context_decides(parser) -> None:
    from eligo.trial import Trial

    doc = parser.parse(
        Trial(
            id="n",
            text="Exclusion Criteria:\n- No prior chemotherapy within 6 months\n",
            source_format="ctgov_v2",
        )
    )
    (crit,) = doc.criteria
    assert crit.constraints
    assert all(c.negated for c in crit.constraints)
