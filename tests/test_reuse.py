"""Reuse of an identical criterion's results (eligo.parse.reuse).

The criteria below are written for these tests; they repeat across trials at
different offsets, under different headings, after an "Age" line, and twice
in one trial, as registry criteria do.
"""

from __future__ import annotations

import pytest

from eligo.parse import Parser
from eligo.parse.reuse import rebase
from eligo.trial import Trial

SHARED = [
    "Age 18 to 75 years",
    "Platelets < 100 x 10^9/L within 4 weeks before randomization",
    "No history of myocardial infarction or unstable angina",
    "Total bilirubin > 1.5 x ULN, or AST or ALT > 2.5 x ULN",
    "Pregnant or breastfeeding women",
]

TEXTS = [
    "Inclusion Criteria:\n- " + "\n- ".join(SHARED[:2]) + "\n\nExclusion Criteria:\n- "
    + "\n- ".join(SHARED[2:]),
    "Inclusion Criteria:\n- Signed informed consent\n- " + SHARED[1]
    + "\n\nExclusion Criteria:\n- " + SHARED[4] + "\n- " + SHARED[2]
    + "\n- Prior treatment with interferon within 1 year",
    # the same criteria in the other section, and under a heading with a cue
    "Inclusion Criteria:\n- " + SHARED[2] + "\n\nExclusion Criteria:\n"
    "Patients with no history of:\n- " + SHARED[3] + "\n- " + SHARED[1],
    # an "Age" line above a bare range: the range is an age there only
    "Inclusion Criteria:\n- Age\n- 18 to 65\n- " + SHARED[0] + "\n- 18 to 65"
    "\n\nExclusion Criteria:\n- " + SHARED[4] + "\n- " + SHARED[4],
]  # fmt: skip


def _trials(n: int = 12) -> list[Trial]:
    return [Trial(id=f"t{i}", text=TEXTS[i % len(TEXTS)]) for i in range(n)]


def _parse(reuse: int | None, batch_size: int, concepts: bool) -> tuple[list, Parser]:
    parser = Parser(concepts=concepts, reuse=reuse, batch_size=batch_size)
    return [doc.model_dump() for doc in parser.parse_many(_trials())], parser


@pytest.mark.parametrize("concepts", [False, True])
@pytest.mark.parametrize(("reuse", "batch_size"), [(20_000, 1), (20_000, 5), (0, 5)])
def test_reuse_gives_the_documents_a_full_parse_gives(reuse, batch_size, concepts):
    fresh, _ = _parse(None, batch_size, concepts)
    reused, parser = _parse(reuse, batch_size, concepts)
    assert parser.reuse is not None and parser.reuse.hits > 0
    assert reused == fresh


def test_reused_offsets_point_at_their_own_characters():
    docs, parser = _parse(20_000, 1, False)
    assert parser.reuse is not None and parser.reuse.hits > 0
    seen = 0
    for trial, doc in zip(_trials(), docs, strict=True):
        for crit in doc["criteria"]:
            for con in crit["constraints"]:
                assert crit["start"] <= con["start"] < con["end"] <= crit["end"]
                analyte = con.get("analyte")
                if analyte:
                    text = trial.text[analyte["start"] : analyte["end"]]
                    assert text == analyte["text"]
                seen += 1
    assert seen > 20
    # a platelet threshold read in trial t1 (reused from t0) is on t1's digits
    t1 = docs[1]
    (plt,) = [
        c
        for crit in t1["criteria"]
        for c in crit["constraints"]
        if c["type"] == "measurement" and c["analyte"]["text"] == "Platelets"
    ]
    assert TEXTS[1][plt["analyte"]["start"] : plt["analyte"]["end"]] == "Platelets"
    assert TEXTS[1][plt["start"] : plt["end"]] == "Platelets < 100 x 10^9/L"


def test_an_age_line_above_keeps_reuse_apart():
    docs, _ = _parse(20_000, 1, False)
    text = TEXTS[3]
    under_age_line, alone = (
        c for c in docs[3]["criteria"] if text[c["start"] : c["end"]] == "18 to 65"
    )
    assert under_age_line["section"] == alone["section"] == "inclusion"
    assert [c["type"] for c in under_age_line["constraints"]] == ["age"]
    assert "age" not in [c["type"] for c in alone["constraints"]]


def test_rebase_moves_offsets_at_every_depth_and_nothing_else():
    record = {
        "start": 3,
        "end": 9,
        "low": 4,
        "analyte": {"start": 3, "end": 5, "text": "INR"},
        "qualifies": [0, 1],
        "trigger": None,
        "parts": [{"start": 6, "end": 9}],
    }
    moved = rebase(record, 100)
    assert moved == {
        "start": 103,
        "end": 109,
        "low": 4,
        "analyte": {"start": 103, "end": 105, "text": "INR"},
        "qualifies": [0, 1],
        "trigger": None,
        "parts": [{"start": 106, "end": 109}],
    }
    assert record["analyte"]["start"] == 3  # a copy: the cached record stays
