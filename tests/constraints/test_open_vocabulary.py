"""Thresholds on quantities no lexicon knows, general age forms, compared durations.

Every criterion here is written for the test (none comes from a corpus); each
case checks the values and that every span indexes the input.
"""

import pytest

from eligo.trial import Trial


def _parse(parser, text: str):
    doc = parser.parse(Trial(id="t", text=text, source_format="ctgov_v2"))
    (crit,) = doc.criteria
    return doc, crit


# (criterion, [(type, analyte text, low, low_inc, high, high_inc, unit, lexicon id)])
THRESHOLDS = [
    (
        "Endometrial thickness ≤ 4 mm on ultrasound",
        [("measurement", "Endometrial thickness", None, None, 4, True, "mm", None)],
    ),
    (
        "Bladder capacity larger than 300 ml",
        [("measurement", "Bladder capacity", 300, False, None, None, "mL", None)],
    ),
    (
        "Serum cotinine level above 500 ng/mL",
        [("measurement", "Serum cotinine", 500, False, None, None, "ng/mL", None)],
    ),
    (
        "Berg Balance Scale score of at least 20",
        [
            (
                "score",
                "Berg Balance Scale score",
                20,
                True,
                None,
                None,
                None,
                None,
            )
        ],
    ),
    # A comparison joined to the one before shares its analyte.
    (
        "Neck circumference < 30 cm or > 45 cm",
        [
            ("measurement", "Neck circumference", None, None, 30, False, "cm", None),
            ("measurement", "Neck circumference", 45, False, None, None, "cm", None),
        ],
    ),
    # A count per time takes a UCUM annotation unit.
    (
        "Drinks more than 3 cups per day",
        [("measurement", "Drinks", 3, False, None, None, "{cups}/d", None)],
    ),
    # The phrase after the value when nothing stands before it.
    (
        "At least 2 measurable lesions",
        [
            (
                "measurement",
                "measurable lesions",
                2,
                True,
                None,
                None,
                "{measurable_lesions}",
                None,
            )
        ],
    ),
    # New units: angles, micrometres.
    (
        "Knee flexion contracture greater than 15 degrees",
        [
            (
                "measurement",
                "Knee flexion contracture",
                15,
                False,
                None,
                None,
                "deg",
                None,
            )
        ],
    ),
    (
        "Retinal thickness of at least 300 µm",
        [("measurement", "Retinal thickness", 300, True, None, None, "um", None)],
    ),
    # The instrument a value is read on, written after the value.
    (
        "Anxiety of 8 or more on the Hospital Anxiety and Depression Scale (HADS)",
        [
            (
                "score",
                "Hospital Anxiety and Depression Scale (HADS)",
                8,
                True,
                None,
                None,
                None,
                None,
            )
        ],
    ),
    (
        "Tinnitus rated ≥ 38 on the tinnitus THI",
        [("measurement", "tinnitus THI", 38, True, None, None, None, None)],
    ),
    # An itch scale is not the pain NRS, though both are "NRS".
    (
        "Peak pruritus NRS of at least 7",
        [("score", "Peak pruritus NRS", 7, True, None, None, None, "itch_nrs")],
    ),
    # A generic scale names no instrument: the phrase before is the analyte.
    (
        "Fatigue severity ≥ 4 on a 0-10 scale",
        [("measurement", "Fatigue severity", 4, True, None, None, None, None)],
    ),
    # A bracketed restatement of the first value does not break the chain.
    (
        "Core temperature > 39 °C (102.2 °F) or < 35 °C",
        [
            (
                "measurement",
                "Core temperature",
                39,
                False,
                None,
                None,
                "Cel",
                "body_temperature",
            ),
            (
                "measurement",
                "Core temperature",
                None,
                None,
                35,
                False,
                "Cel",
                "body_temperature",
            ),
        ],
    ),
    # A stray "=" before the comparator.
    (
        "Stands unaided = <2",
        [("measurement", "Stands unaided", None, None, 2, False, None, None)],
    ),
    # Two opposite bounds side by side are one range.
    (
        "Calf circumference >30 cm <45 cm",
        [("measurement", "Calf circumference", 30, False, 45, False, "cm", None)],
    ),
    # Not thresholds: a scale's definition, durations, a number with no phrase.
    ("Rated on a 0-100 scale", []),
    ("Symptoms for more than 3 months", []),
]


@pytest.mark.parametrize(
    ("text", "expected"), THRESHOLDS, ids=[c[0][:40] for c in THRESHOLDS]
)
def test_open_vocabulary_thresholds(parser, text: str, expected: list[tuple]) -> None:
    doc, crit = _parse(parser, text)
    got = [c for c in crit.constraints if c.type in ("measurement", "score")]
    assert len(got) == len(expected), [(c.analyte, c.low, c.high) for c in got]
    for con, want in zip(got, expected, strict=True):
        ctype, analyte, low, low_inc, high, high_inc, unit, lexicon_id = want
        assert con.type == ctype
        assert con.analyte is not None
        assert con.analyte.text == analyte
        assert doc.text[con.analyte.start : con.analyte.end] == analyte
        # A chained value ("or > 45 cm") shares an analyte written before it.
        assert crit.start <= con.analyte.start < con.analyte.end <= crit.end
        assert 0 <= con.start < con.end <= len(doc.text)
        assert (con.low, con.low_inclusive) == (
            pytest.approx(low) if low is not None else None,
            low_inc,
        )
        assert (con.high, con.high_inclusive) == (
            pytest.approx(high) if high is not None else None,
            high_inc,
        )
        assert con.unit == unit
        assert con.analyte.id == lexicon_id
        if lexicon_id is None:
            assert con.analyte.code is None  # never a guessed code


def test_lexicon_thresholds_carry_the_entry_id(parser) -> None:
    _, crit = _parse(parser, "Platelet count ≥ 100 x 10^9/L")
    (con,) = crit.constraints
    assert con.analyte.id == "platelets"
    assert con.analyte.code is not None


def test_ordinal_scores_have_no_unit(parser) -> None:
    _, crit = _parse(parser, "NYHA class III or IV heart failure")
    (con,) = [c for c in crit.constraints if c.type == "score"]
    assert (con.low, con.high, con.value, con.unit) == (3, 4, "III-IV", None)


# (criterion, [(evidence text, low, low_inc, high, high_inc)])
AGES = [
    ("Boys and girls under age 12", [("under age 12", None, None, 12, False)]),
    (
        "Volunteers between the ages of 21 and 45",
        [("between the ages of 21 and 45", 21, True, 45, True)],
    ),
    ("Age 40 and greater", [("40 and greater", 40, True, None, None)]),
    (
        "Aged ≥ 30 years and ≤ 75 years",
        # Two bounds joined by "and" stay two ages (the logic joins them).
        [
            ("Aged ≥ 30 years", 30, True, None, None),
            ("≤ 75 years", None, None, 75, True),
        ],
    ),
    (
        "Age at least 3 months and less than 4 years",
        [
            ("Age at least 3 months", 0.25, True, None, None),
            ("less than 4 years", None, None, 4, False),
        ],
    ),
    ("Boys aged 6 to <48 months", [("aged 6 to <48 months", 0.5, True, 4, False)]),
    (
        "Volunteers were from 20 to 65 years, both inclusive",
        [("from 20 to 65 years", 20, True, 65, True)],
    ),
    (
        "Newborns < 48 hours of age",
        [("< 48 hours of age", None, None, 2 / 365.25, False)],
    ),
    (
        "more or equal 20 years-old and less or equal 55 years-old",
        [
            ("more or equal 20 years-old", 20, True, None, None),
            ("less or equal 55 years-old", None, None, 55, True),
        ],
    ),
    (
        "Age < 16 or > 85",
        [("Age < 16", None, None, 16, False), ("> 85", 85, False, None, None)],
    ),
    ("Students ≥16 who attend the clinic", [("≥16", 16, True, None, None)]),
    ("Elderly residents (≥ 70 years)", [("≥ 70 years", 70, True, None, None)]),
    ("Age [≥ 21]", [("≥ 21", 21, True, None, None)]),
    (
        "Older than 6 months and under 12 years",
        [
            ("Older than 6 months", 0.5, False, None, None),
            ("under 12 years", None, None, 12, False),
        ],
    ),
    # Not ages.
    ("Gestational age below 34 weeks", []),
    ("Patients ≥ 3 prior regimens", []),
    ("Life expectancy of less than 2 years", []),
    ("Patients at least 6 months since prior chemotherapy", []),
    ("Patients ≥ 1 and ≤ 6 months after a stroke", []),
    ("Subjects between 2 and 5 years after transplant", []),
    ("Women with pain from 2 to 5 years", []),
]


@pytest.mark.parametrize(("text", "expected"), AGES, ids=[c[0][:40] for c in AGES])
def test_general_age_forms(parser, text: str, expected: list[tuple]) -> None:
    doc, crit = _parse(parser, text)
    got = [c for c in crit.constraints if c.type == "age"]
    assert [
        (doc.text[c.start : c.end], c.low, c.low_inclusive, c.high, c.high_inclusive)
        for c in got
    ] == [
        (t, pytest.approx(lo) if lo is not None else None, li, hi, hinc)
        for t, lo, li, hi, hinc in expected
    ]


def test_population_words_are_age_groups(parser) -> None:
    doc, crit = _parse(parser, "Adults with chronic kidney disease")
    (con,) = [c for c in crit.constraints if c.type in ("age", "age_group")]
    assert con.type == "age_group"
    assert (con.low, con.value) == (18, "adults")
    assert doc.text[con.start : con.end] == "Adults"


# (criterion, evidence, low_days, high_days)
DURATIONS = [
    ("Hospital stay longer than 10 days", "longer than 10 days", 10, None),
    ("Recent flare (< 8 weeks)", "< 8 weeks", None, 56),
    ("Mechanical ventilation more than 72 hours", "more than 72 hours", 3, None),
    # A bare length of time: a duration of exactly that.
    ("Completed 6 weeks of physiotherapy", "6 weeks", 42, 42),
]


@pytest.mark.parametrize(("text", "evidence", "low", "high"), DURATIONS)
def test_compared_durations(parser, text: str, evidence: str, low, high) -> None:
    doc, crit = _parse(parser, text)
    got = [
        c for c in crit.constraints if c.low_days is not None or c.high_days is not None
    ]
    (con,) = got
    assert doc.text[con.start : con.end] == evidence
    assert con.low_days == (pytest.approx(low) if low is not None else None)
    assert con.high_days == (pytest.approx(high) if high is not None else None)


def test_a_frequency_is_no_duration(parser) -> None:
    _, crit = _parse(parser, "Able to attend visits every 3 months")
    assert not [c for c in crit.constraints if c.type == "duration"]


def test_two_bounds_joined_by_and_stay_two_durations(parser) -> None:
    doc, crit = _parse(parser, "Pain duration more than 6 weeks and less than 2 years")
    got = [
        (doc.text[c.start : c.end], c.low_days, c.high_days)
        for c in crit.constraints
        if c.low_days is not None or c.high_days is not None
    ]
    assert [g[1:] for g in got] == [
        (pytest.approx(42), None),
        (None, pytest.approx(730.5)),
    ]
    assert got[1][0] == "less than 2 years"
    assert got[0][0].endswith("more than 6 weeks")


def test_half_a_unit_is_a_number(parser) -> None:
    doc, crit = _parse(parser, "No systemic steroids in the last half year")
    (con,) = [c for c in crit.constraints if c.high_days is not None]
    assert doc.text[con.start : con.end] == "in the last half year"
    assert con.high_days == pytest.approx(182.625)
