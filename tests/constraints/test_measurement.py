"""Lab, vital and score thresholds through the whole pipeline (one criterion each)."""

import pytest

from eligo.trial import Trial

CASES = [
    # (criterion, [(type, analyte, low, low_inc, high, high_inc, unit, relative_to, canonical)])
    (
        "INR of 1.5 or more",
        [("measurement", "INR", 1.5, True, None, None, None, None, (1.5, None, "1"))],
    ),
    (
        "INR>=1.5",
        [("measurement", "INR", 1.5, True, None, None, None, None, (1.5, None, "1"))],
    ),
    (
        "PLT\\<50×10\\^9/L",
        [
            (
                "measurement",
                "PLT",
                None,
                None,
                50,
                False,
                "10*9/L",
                None,
                (None, 50, "10*9/L"),
            )
        ],
    ),
    (
        "Platelets < 100,000/mm3",
        [
            (
                "measurement",
                "Platelets",
                None,
                None,
                100000,
                False,
                "/mm3",
                None,
                (None, 100, "10*9/L"),
            )
        ],
    ),
    (
        "platelet count ≥ 75 x 109/L",
        [
            (
                "measurement",
                "platelet count",
                75,
                True,
                None,
                None,
                "10*9/L",
                None,
                (75, None, "10*9/L"),
            )
        ],
    ),
    (
        "total bilirubin ≥ 5 mg/dl",
        [
            (
                "measurement",
                "total bilirubin",
                5,
                True,
                None,
                None,
                "mg/dL",
                None,
                (85.5, None, "umol/L"),
            )
        ],
    ),
    (
        "total bilirubin levels of 5 mg/dl or more",
        [
            (
                "measurement",
                "total bilirubin",
                5,
                True,
                None,
                None,
                "mg/dL",
                None,
                (85.5, None, "umol/L"),
            )
        ],
    ),
    (
        "Serum creatinine > 1.5 mg/dL",
        [
            (
                "measurement",
                "Serum creatinine",
                1.5,
                False,
                None,
                None,
                "mg/dL",
                None,
                (132.6, None, "umol/L"),
            )
        ],
    ),
    (
        "Hb < 9 g/dL",
        [("measurement", "Hb", None, None, 9, False, "g/dL", None, (None, 90, "g/L"))],
    ),
    (
        "ALT > 5 × ULN",
        [("measurement", "ALT", 5, False, None, None, "{ULN}", "ULN", None)],
    ),
    # "AST or ALT" is one lexicon entry (transaminases).
    (
        "AST or ALT ≤ 2.5 times the upper limit of normal",
        [("measurement", "AST or ALT", None, None, 2.5, True, "{ULN}", "ULN", None)],
    ),
    (
        "ALT and bilirubin ≤ 2 x ULN",
        [
            ("measurement", "ALT", None, None, 2, True, "{ULN}", "ULN", None),
            ("measurement", "bilirubin", None, None, 2, True, "{ULN}", "ULN", None),
        ],
    ),
    (
        "Prothrombin time is less than 30s",
        [
            (
                "measurement",
                "Prothrombin time",
                None,
                None,
                30,
                False,
                "s",
                None,
                (None, 30, "s"),
            )
        ],
    ),
    (
        "PT prolongation is greater than 3 seconds",
        [("measurement", "PT", 3, False, None, None, "s", "control", None)],
    ),
    (
        "prothrombin activity of less than 40%",
        [
            (
                "measurement",
                "prothrombin activity",
                None,
                None,
                40,
                False,
                "%",
                None,
                (None, 40, "%"),
            )
        ],
    ),
    (
        "HbA1c between 7.0% and 10.0%",
        [("measurement", "HbA1c", 7, True, 10, True, "%", None, (7, 10, "%"))],
    ),
    (
        "eGFR \\< 45 mL/min",
        [
            (
                "measurement",
                "eGFR",
                None,
                None,
                45,
                False,
                "mL/min",
                None,
                (None, 45, "mL/min/{1.73_m2}"),
            )
        ],
    ),
    (
        "Absolute neutrophil count (ANC) ≥ 1,500/mm3",
        [
            (
                "measurement",
                "Absolute neutrophil count (ANC)",
                1500,
                True,
                None,
                None,
                "/mm3",
                None,
                (1.5, None, "10*9/L"),
            )
        ],
    ),
    (
        "BMI 18.5-30 kg/m2",
        [
            (
                "measurement",
                "BMI",
                18.5,
                True,
                30,
                True,
                "kg/m2",
                None,
                (18.5, 30, "kg/m2"),
            )
        ],
    ),
    (
        "QTcF > 470 ms",
        [
            (
                "measurement",
                "QTcF",
                470,
                False,
                None,
                None,
                "ms",
                None,
                (470, None, "ms"),
            )
        ],
    ),
    (
        "LVEF < 50%",
        [("measurement", "LVEF", None, None, 50, False, "%", None, (None, 50, "%"))],
    ),
    (
        "ECOG performance status 0-1",
        [
            (
                "score",
                "ECOG performance status",
                0,
                True,
                1,
                True,
                None,
                None,
                (0, 1, "{score}"),
            )
        ],
    ),
    (
        "ECOG performance status 0 or 1",
        [("score", "ECOG performance status", 0, True, 1, True, None, None, None)],
    ),
    (
        "Karnofsky performance status ≥ 70%",
        [
            (
                "score",
                "Karnofsky performance status",
                70,
                True,
                None,
                None,
                "%",
                None,
                (70, None, "{score}"),
            )
        ],
    ),
    (
        "Child-Pugh score\\>9",
        [
            (
                "score",
                "Child-Pugh score",
                9,
                False,
                None,
                None,
                None,
                None,
                (9, None, "{score}"),
            )
        ],
    ),
    (
        "Child-Pugh class A",
        [("score", "Child-Pugh class", 1, True, 1, True, None, None, None)],
    ),
    (
        "Child-Pugh B or C",
        [("score", "Child-Pugh", 2, True, 3, True, None, None, None)],
    ),
    (
        "NYHA class III or IV heart failure",
        [("score", "NYHA class", 3, True, 4, True, None, None, None)],
    ),
    (
        "hepatic encephalopathy above grade II (inclusive)",
        [
            (
                "score",
                "hepatic encephalopathy",
                2,
                True,
                None,
                None,
                None,
                None,
                None,
            )
        ],
    ),
    (
        "MELD score < 15",
        [
            (
                "score",
                "MELD score",
                None,
                None,
                15,
                False,
                None,
                None,
                (None, 15, "{score}"),
            )
        ],
    ),
    # A bare number: no unit is guessed, so no canonical value.
    (
        "Creatinine > 2",
        [("measurement", "Creatinine", 2, False, None, None, None, None, None)],
    ),
    # Not measurements.
    ("History of hepatic encephalopathy", []),
    ("Alternative therapy for 3 months", []),
    ("Patients 18 years or older", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_measurements(parser, text: str, expected: list[tuple]) -> None:
    doc = parser.parse(Trial(id="m", text=text, source_format="ctgov_v2"))
    (crit,) = doc.criteria
    got = [c for c in crit.constraints if c.type in ("measurement", "score")]
    assert len(got) == len(expected)
    for con, want in zip(got, expected, strict=True):
        ctype, analyte, low, low_inc, high, high_inc, unit, rel, canonical = want
        assert con.type == ctype
        assert con.analyte.text == analyte
        assert text[con.analyte.start : con.analyte.end] == analyte
        assert (con.low, con.low_inclusive) == (
            pytest.approx(low) if low is not None else None,
            low_inc,
        )
        assert (con.high, con.high_inclusive) == (
            pytest.approx(high) if high is not None else None,
            high_inc,
        )
        assert con.unit == unit
        assert con.relative_to == rel
        if canonical is None:
            assert con.canonical is None
        else:
            c = con.canonical
            assert (c.low, c.high, c.unit) == (
                pytest.approx(canonical[0]) if canonical[0] is not None else None,
                pytest.approx(canonical[1]) if canonical[1] is not None else None,
                canonical[2],
            )


# (criterion, [(analyte id, low, high, evidence)], logic op)
PRESSURE_PAIRS = [
    # Away from the normal pair: either value is enough.
    (
        "Uncontrolled hypertension (BP > 170/110 mmHg)",
        [
            ("systolic_bp", 170, None, "BP > 170"),
            ("diastolic_bp", 110, None, "110 mmHg"),
        ],
        "or",
    ),
    (
        "Hypotension with arterial pressure below 85/55 mm Hg",
        [
            ("systolic_bp", None, 85, "arterial pressure below 85"),
            ("diastolic_bp", None, 55, "55 mm Hg"),
        ],
        "or",
    ),
    # Toward it: both must hold.
    (
        "Blood pressure controlled to < 150/95",
        [
            ("systolic_bp", None, 150, "Blood pressure controlled to < 150/"),
            ("diastolic_bp", None, 95, "95"),
        ],
        "and",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "op"), PRESSURE_PAIRS, ids=[c[0][:30] for c in PRESSURE_PAIRS]
)
def test_pressure_pairs_are_two_thresholds(
    parser, text: str, expected: list[tuple], op: str
) -> None:
    doc = parser.parse(Trial(id="t", text=text, source_format="ctgov_v2"))
    (crit,) = doc.criteria
    got = [c for c in crit.constraints if c.type == "measurement"]
    assert [
        (c.analyte.id, c.low, c.high, doc.text[c.start : c.end]) for c in got
    ] == expected
    for con in got:
        assert con.analyte.code is not None  # systolic / diastolic LOINC
        assert doc.text[con.analyte.start : con.analyte.end] == con.analyte.text
    assert crit.logic is not None and crit.logic.op == op


def test_a_pair_without_comparator_is_no_threshold(parser) -> None:
    doc = parser.parse(
        Trial(id="t", text="BP 118/76 at rest", source_format="ctgov_v2")
    )
    assert not [c for c in doc.criteria[0].constraints if c.type == "measurement"]


def test_pressure_pairs_name_known_analytes() -> None:
    from eligo.constraints.measurement import MeasurementComponent
    from eligo.errors import RuleError
    from eligo.pipeline.resources import read_rule_json

    rules = read_rule_json("measurements.json")
    pair = {**rules["pressure_pairs"][0], "second": "no_such_pressure"}
    data = {
        "analytes.json": read_rule_json("analytes.json"),
        "measurements.json": {**rules, "pressure_pairs": [pair]},
    }
    with pytest.raises(RuleError, match="no_such_pressure"):
        MeasurementComponent("eligo_measurements").build(data)
