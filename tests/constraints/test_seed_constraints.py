"""Every constraint of the five real pages in ../shared/seeds, checked by hand.

Each row: (page prefix, criterion index, evidence text, expected fields). The
test fails on a missing constraint, an extra one, or a wrong field. Reads the
pages at run time; skips without ../shared.
"""

import pytest

from eligo.readers import read_paths

Y = 365.25
M = 30.4375

EXPECTED = {
    "000_": [
        (
            0,
            "18-80 years old",
            {
                "type": "age",
                "low": 18,
                "low_inclusive": True,
                "high": 80,
                "high_inclusive": True,
                "unit": "a",
            },
        ),
        (
            8,
            "within 1 year",
            {
                "type": "temporal",
                "low_days": 0,
                "high_days": Y,
                "direction": "before",
                "anchor": None,
                "subject": "Interferon or glucocorticoid therapy",
            },
        ),
        (
            10,
            "within 30 days",
            {
                "type": "temporal",
                "low_days": 0,
                "high_days": 30,
                "direction": "before",
                "subject": "Participation in other clinical trials",
            },
        ),
        (11, "Pregnant", {"type": "pregnancy", "negated": False}),
        (11, "breastfeeding", {"type": "breastfeeding", "negated": False}),
    ],
    "001_": [
        (
            0,
            "Aged 18\\~65 years",
            {
                "type": "age",
                "low": 18,
                "high": 65,
                "low_inclusive": True,
                "high_inclusive": True,
            },
        ),
        (
            3,
            "during the last two months before enrolment",
            {
                "type": "temporal",
                "low_days": 0,
                "high_days": 2 * M,
                "direction": "before",
                "anchor": "enrolment",
            },
        ),
        (
            4,
            "Prothrombin time is less than 30s",
            {
                "type": "measurement",
                "high": 30,
                "high_inclusive": False,
                "low": None,
                "unit": "s",
                "analyte_code": "5902-2",
            },
        ),
        (7, "Pregnant", {"type": "pregnancy"}),
        (7, "lactating", {"type": "breastfeeding"}),
    ],
    "002_": [
        (
            0,
            "18 years old ≤ age ≤ 70 years old",
            {
                "type": "age",
                "low": 18,
                "high": 70,
                "low_inclusive": True,
                "high_inclusive": True,
            },
        ),
        (0, "gender is not limited", {"type": "sex", "value": "all"}),
        (
            1,
            "previously",
            {
                "type": "temporal",
                "value": "ever",
                "subject": "diagnosed or undiagnosed chronic liver disease or cirrhosis",
            },
        ),
        (
            1,
            "within 4 weeks",
            {"type": "temporal", "low_days": 0, "high_days": 28, "direction": "before"},
        ),
        (
            1,
            "total bilirubin levels of 5 mg/dl or more",
            {
                "type": "measurement",
                "low": 5,
                "low_inclusive": True,
                "high": None,
                "unit": "mg/dL",
                "analyte": "total bilirubin",
                "analyte_code": "1975-2",
                "canonical": (85.5, None, "umol/L"),
            },
        ),
        (
            1,
            "INR of 1.5 or more",
            {
                "type": "measurement",
                "low": 1.5,
                "low_inclusive": True,
                "high": None,
                "analyte_code": "6301-6",
                "canonical": (1.5, None, "1"),
            },
        ),
        (
            1,
            "prothrombin activity of less than 40%",
            {"type": "measurement", "high": 40, "high_inclusive": False, "unit": "%"},
        ),
        (
            3,
            "hepatic encephalopathy above grade II (inclusive)",
            {
                "type": "score",
                "low": 2,
                "low_inclusive": True,
                "high": None,
                "value": "II",
            },
        ),
        (4, "previous", {"type": "temporal", "value": "ever"}),
        (
            4,
            "PLT\\<50×10\\^9/L",
            {
                "type": "measurement",
                "high": 50,
                "high_inclusive": False,
                "low": None,
                "unit": "10*9/L",
                "analyte": "PLT",
                "analyte_code": "777-3",
                "canonical": (None, 50, "10*9/L"),
            },
        ),
        (
            4,
            "Child-Pugh score\\>9",
            {"type": "score", "low": 9, "low_inclusive": False, "high": None},
        ),
        (
            6,
            "within 3 months",
            {
                "type": "temporal",
                "low_days": 0,
                "high_days": 3 * M,
                "direction": "after",
            },
        ),
        (9, "Pregnant", {"type": "pregnancy", "negated": False}),
        (9, "breastfeeding", {"type": "breastfeeding"}),
        (9, "have a baby", {"type": "pregnancy", "direction": "after"}),
        (
            11,
            "within 1 month",
            {"type": "temporal", "low_days": 0, "high_days": M, "direction": "before"},
        ),
        (
            12,
            "in the past 5 years",
            {
                "type": "temporal",
                "low_days": 0,
                "high_days": 5 * Y,
                "direction": "before",
                "subject": "Drug abuse",
            },
        ),
        (
            14,
            "within 24 months before screening",
            {
                "type": "temporal",
                "low_days": 0,
                "high_days": 24 * M,
                "anchor": "screening",
            },
        ),
        (
            15,
            "within three months before screening",
            {
                "type": "temporal",
                "low_days": 0,
                "high_days": 3 * M,
                "anchor": "screening",
            },
        ),
        (
            15,
            "previously",
            {
                "type": "temporal",
                "value": "ever",
                "direction": "before",
                "subject": "received stem cell therapy",
            },
        ),
    ],
    "003_": [
        (0, "Aged 18 to 70 years old", {"type": "age", "low": 18, "high": 70}),
        (
            3,
            "Younger than 18",
            {"type": "age", "low": None, "high": 18, "high_inclusive": False},
        ),
        (
            3,
            "older than 70 years old",
            {"type": "age", "low": 70, "low_inclusive": False, "high": None},
        ),
    ],
    "004_": [
        (
            0,
            "Aged between 20 and 60",
            {
                "type": "age",
                "low": 20,
                "high": 60,
                "low_inclusive": True,
                "high_inclusive": True,
            },
        ),
        (0, "male or female", {"type": "sex", "value": "all"}),
        (
            1,
            "course of more than 5 years",
            {
                "type": "duration",
                "low_days": 5 * Y,
                "low_inclusive": False,
                "high_days": None,
            },
        ),
        (
            5,
            "for more than 6 months",
            {"type": "duration", "low_days": 6 * M, "low_inclusive": False},
        ),
        (
            7,
            "less than 20 years old",
            {"type": "age", "high": 20, "high_inclusive": False, "low": None},
        ),
        (
            7,
            "more than 60 years old",
            {"type": "age", "low": 60, "low_inclusive": False, "high": None},
        ),
        (
            12,
            "PT prolongation is greater than 3 seconds",
            {
                "type": "measurement",
                "low": 3,
                "low_inclusive": False,
                "unit": "s",
                "relative_to": "control",
                "canonical": None,
            },
        ),
        (
            13,
            "within 3 weeks prior to clinical registration",
            {
                "type": "temporal",
                "low_days": 0,
                "high_days": 21,
                "anchor": "enrolment",
                "subject": "Use of human serum albumin",
            },
        ),
        (
            14,
            "within 4 weeks before clinical registration",
            {"type": "temporal", "low_days": 0, "high_days": 28, "anchor": "enrolment"},
        ),
        (17, "Pregnant", {"type": "pregnancy"}),
        (17, "lactating", {"type": "breastfeeding"}),
    ],
}

# Summary of each page: (age low, age high, sex) and the registry fields read
# from the page, with no mismatch between them.
SUMMARY = {
    "000_": (18, 80, None, (18, 80, "all")),
    "001_": (18, 65, None, (18, 65, "all")),
    "002_": (18, 70, "all", (None, None, "all")),
    "003_": (18, 70, None, None),
    "004_": (20, 60, "all", (20, 60, "all")),
}


def field(con, name: str):
    if name == "analyte":
        return con.analyte.text
    if name == "analyte_code":
        return con.analyte.code
    if name == "subject":
        return con.subject.text if con.subject else None
    if name == "canonical":
        c = con.canonical
        return None if c is None else (c.low, c.high, c.unit)
    return getattr(con, name)


@pytest.fixture(scope="module")
def seed_docs(shared_dir):
    from eligo.parse import Parser

    parser = Parser()
    trials = list(read_paths([shared_dir / "seeds"]))
    return {t.path.rsplit("/", 1)[-1][:4]: parser.parse(t) for t in trials}


@pytest.mark.shared
@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_constraints(seed_docs, prefix: str) -> None:
    doc = seed_docs[prefix]
    got = [
        (i, doc.text[k.start : k.end], k)
        for i, c in enumerate(doc.criteria)
        for k in c.constraints
    ]
    assert [(i, t) for i, t, _ in got] == [(i, t) for i, t, _ in EXPECTED[prefix]]
    for (_, _, con), (_, _, want) in zip(got, EXPECTED[prefix], strict=True):
        for name, value in want.items():
            actual = field(con, name)
            if isinstance(value, float | int) and not isinstance(value, bool):
                assert actual == pytest.approx(value), (con, name)
            elif isinstance(value, tuple):
                assert actual is not None and all(
                    a == pytest.approx(v) if isinstance(v, float | int) else a == v
                    for a, v in zip(actual, value, strict=True)
                ), (con, name)
            else:
                assert actual == value, (con, name)


@pytest.mark.shared
@pytest.mark.parametrize("prefix", sorted(SUMMARY))
def test_seed_summary(seed_docs, prefix: str) -> None:
    doc = seed_docs[prefix]
    low, high, sex, registry = SUMMARY[prefix]
    assert (doc.summary.age.low, doc.summary.age.high, doc.summary.sex) == (
        low,
        high,
        sex,
    )
    if registry is None:
        assert doc.structured is None
    else:
        st = doc.structured
        assert (st.minimum_age, st.maximum_age, st.sex) == registry
    assert doc.summary.mismatches == []
