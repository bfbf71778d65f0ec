"""Thresholds that share an analyte or a comparison, and units the value reader
leaves to the threshold: second values for another group, coordinated analytes,
scores out of a scale's maximum, counts per time, what a count counts, multiples
of a limit."""

import pytest

from eligo.trial import Trial

# (criterion, [(evidence text, analyte text, low, high, unit)]) in text order.
CASES = [
    (
        "Grip strength (<30 kg in men; <20 kg in women)",
        [
            ("Grip strength (<30 kg", "Grip strength", None, 30, "kg"),
            ("<20 kg", "Grip strength", None, 20, "kg"),
        ],
    ),
    (
        "Stroke risk score ≥3 for males and ≥4 for females",
        [
            ("Stroke risk score ≥3", "Stroke risk score", 3, None, None),
            ("≥4", "Stroke risk score", 4, None, None),
        ],
    ),
    (
        "Serum urea >8 mmol/L [men], >7 mmol/L [women]",
        [
            ("Serum urea >8 mmol/L", "Serum urea", 8, None, "mmol/L"),
            (">7 mmol/L", "Serum urea", 7, None, "mmol/L"),
        ],
    ),
    (
        "Lean mass 60kg or higher (female: 48kg or higher)",
        [
            ("Lean mass 60kg or higher", "Lean mass", 60, None, "kg"),
            ("48kg or higher", "Lean mass", 48, None, "kg"),
        ],
    ),
    (
        "Both forced vital capacity (FVC) and diffusion capacity of carbon monoxide (DLCO) >50%",
        [
            (
                "forced vital capacity (FVC) and diffusion capacity of carbon"
                " monoxide (DLCO) >50%",
                "forced vital capacity (FVC)",
                50,
                None,
                "%",
            ),
            (
                "diffusion capacity of carbon monoxide (DLCO) >50%",
                "diffusion capacity of carbon monoxide (DLCO)",
                50,
                None,
                "%",
            ),
        ],
    ),
    (
        "Both measured FVC and measured DLCO >45%",
        [
            ("FVC and measured DLCO >45%", "FVC", 45, None, "%"),
            ("DLCO >45%", "DLCO", 45, None, "%"),
        ],
    ),
    (
        "Plaque index (PLI) and gingival index (GI) ≤ 15%",
        [
            (
                "Plaque index (PLI) and gingival index (GI) ≤ 15%",
                "Plaque index (PLI)",
                None,
                15,
                "%",
            ),
            ("gingival index (GI) ≤ 15%", "gingival index (GI)", None, 15, "%"),
        ],
    ),
    (
        "Average knee pain of at least 5/10",
        [("Average knee pain of at least 5/10", "Average knee pain", 5, None, "/10")],
    ),
    (
        "Itch intensity ≥ 40/100 on the daily diary",
        [("Itch intensity ≥ 40/100", "Itch intensity", 40, None, "/100")],
    ),
    (
        "Stool frequency >3/day",
        [("Stool frequency >3/day", "Stool frequency", 3, None, "/d")],
    ),
    (
        "Measured clearance <40ml/min/m2",
        [("clearance <40ml/min/m2", "clearance", None, 40, "mL/min/m2")],
    ),
    (
        "Urine volume at least 300 ml per day",
        [("Urine volume at least 300 ml per day", "Urine volume", 300, None, "mL/d")],
    ),
    (
        "Visual acuity between 30 and 80 letters",
        [
            (
                "Visual acuity between 30 and 80 letters",
                "Visual acuity",
                30,
                80,
                "{letters}",
            )
        ],
    ),
    # A level at the end of a sentence.
    (
        "WHO performance status scores 0 or 1.",
        [
            (
                "WHO performance status scores 0 or 1",
                "WHO performance status",
                0,
                1,
                None,
            )
        ],
    ),
    # Scales the lexicon names, with their levels.
    (
        "Gross Motor Function Classification System level III or IV",
        [
            (
                "Gross Motor Function Classification System level III or IV",
                "Gross Motor Function Classification System level",
                3,
                4,
                None,
            )
        ],
    ),
    (
        "Beighton score of at least 5",
        [("Beighton score of at least 5", "Beighton score", 5, None, None)],
    ),
    # A multiplier is no counted thing either.
    (
        "Clotting time over 1.3 times the control value",
        [("Clotting time over 1.3", "Clotting time", 1.3, None, None)],
    ),
    # Nor is a phrase with a time word, and "each" ends what is counted.
    (
        "Onset from 13 to 32 gestational weeks",
        [("Onset from 13 to 32", "Onset", 13, 32, None)],
    ),
    (
        "Biopsy with more than 10 nodules each",
        [("Biopsy with more than 10 nodules", "Biopsy", 10, None, "{nodules}")],
    ),
    # A unit the table knows is no counted thing.
    (
        "Sperm concentration below 15 million/mL",
        [
            (
                "Sperm concentration below 15 million/mL",
                "Sperm concentration",
                None,
                15,
                "10*6/mL",
            )
        ],
    ),
    (
        "Lipase > 3 times the upper limit of normal",
        [("Lipase > 3 times the upper limit of normal", "Lipase", 3, None, "{ULN}")],
    ),
    (
        "Serum albumin at least 0.8 x LLN",
        [("Serum albumin at least 0.8 x LLN", "Serum albumin", 0.8, None, "{LLN}")],
    ),
]


def _num(x: float | None) -> object:
    return None if x is None else pytest.approx(x)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_shared_thresholds(parser, text: str, expected: list[tuple]) -> None:
    doc = parser.parse(Trial(id="m", text=text, source_format="ctgov_v2"))
    (crit,) = doc.criteria
    got = [c for c in crit.constraints if c.type in ("measurement", "score")]
    assert [
        (
            text[c.start : c.end],
            text[c.analyte.start : c.analyte.end],
            c.low,
            c.high,
            c.unit,
        )
        for c in got
    ] == [(e, a, _num(lo), _num(hi), u) for e, a, lo, hi, u in expected]
    for c in got:
        assert c.analyte.text == text[c.analyte.start : c.analyte.end]


# A slash after a number is a score's maximum only for /10 and /100 and a value
# no larger than it; other slashes stay fractions, pairs and dates.
NOT_SCORES = [
    "Blood pressure < 140/100",
    "Visual acuity better than 20/200",
    "Enrolled after 5/10/2020",
]


@pytest.mark.parametrize("text", NOT_SCORES)
def test_no_score_maximum(parser, text: str) -> None:
    doc = parser.parse(Trial(id="m", text=text, source_format="ctgov_v2"))
    units = [c.unit for cr in doc.criteria for c in cr.constraints]
    assert "/10" not in units and "/100" not in units
