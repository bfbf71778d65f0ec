"""Cases of eligo's own gold set of constraint negation
(``corpus/negation_constraints``, scored by
``benchmarks/negation_constraints.py``), through the whole pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import eligo

CORPUS = (
    Path(__file__).resolve().parents[2]
    / "corpus"
    / "negation_constraints"
    / "criteria.jsonl"
)
CASES = {
    c["id"]: c for c in map(json.loads, CORPUS.read_text(encoding="utf-8").splitlines())
}
CHOSEN = [
    "neg-001",  # "No myocardial infarction within the last 6 months"
    "neg-006",  # "No change in ... within the past 8 weeks"
    "neg-010",  # "Can not have received ... within 28 days"
    "neg-013",  # relative clause under a negated head
    "neg-021",  # capitalised "No" opening a run-together item
    "neg-024",  # the next run-together item is not negated
    "neg-032",  # "No more than 2 prior lines": a comparison
    "neg-037",  # a new sentence ends the negation
    "neg-058",  # "... with a negative pregnancy test result"
    "neg-067",  # "Hemoglobin not less than 9 g/dL": a comparison
]


def test_corpus_is_well_formed() -> None:
    assert 60 <= len(CASES) <= 100
    for case in CASES.values():
        assert set(case) == {
            "id",
            "section",
            "text",
            "type",
            "anchor",
            "negated",
            "note",
        }
        assert case["anchor"] in case["text"]
        assert case["section"] in ("inclusion", "exclusion")
        assert isinstance(case["negated"], bool)


@pytest.mark.parametrize("case_id", CHOSEN)
def test_gold_case(case_id: str) -> None:
    case: dict[str, Any] = CASES[case_id]
    head = f"{case['section'].capitalize()} Criteria:\n- "
    doc = eligo.parse_text(head + case["text"], concepts=False)
    lo = len(head) + case["text"].index(case["anchor"])
    hi = lo + len(case["anchor"])
    found = [
        c
        for crit in doc.criteria
        for c in crit.constraints
        if c.type == case["type"] and c.start < hi and lo < c.end
    ]
    assert found, case["text"]
    assert all(c.negated is case["negated"] for c in found), case["text"]
