"""Age forms: one row per form, (text, expected [(evidence, low, low_inc, high, high_inc)])."""

import pytest

from eligo.constraints.age import find_ages

W = 7 / 365.25
M = 1 / 12
D = 1 / 365.25

CASES = [
    ("18-80 years old", [("18-80 years old", 18, True, 80, True)]),
    ("Aged 18\\~65 years.", [("Aged 18\\~65 years", 18, True, 65, True)]),
    ("18~65 years old", [("18~65 years old", 18, True, 65, True)]),
    (
        "18 years old ≤ age ≤ 70 years old, gender is not limited.",
        [("18 years old ≤ age ≤ 70 years old", 18, True, 70, True)],
    ),
    (
        "18 years < age < 70 years",
        [("18 years < age < 70 years", 18, False, 70, False)],
    ),
    (
        "Aged between 20 and 60 (male or female)",
        [("Aged between 20 and 60", 20, True, 60, True)],
    ),
    ("Aged 18 to 70 years old.", [("Aged 18 to 70 years old", 18, True, 70, True)]),
    ("Age 18-65.", [("Age 18-65", 18, True, 65, True)]),
    ("Age: 18 - 75 years", [("Age: 18 - 75 years", 18, True, 75, True)]),
    ("ages 12 through 17 years", [("ages 12 through 17 years", 12, True, 17, True)]),
    ("Women aged 40-70 years", [("aged 40-70 years", 40, True, 70, True)]),
    (
        "Adult patients from 18 to 70 years of age inclusive",
        [("from 18 to 70 years of age inclusive", 18, True, 70, True)],
    ),
    ("Age ≥ 18", [("Age ≥ 18", 18, True, None, None)]),
    ("Age >= 18 years", [("Age >= 18 years", 18, True, None, None)]),
    ("age>18", [("age>18", 18, False, None, None)]),
    ("Age < 75 years", [("Age < 75 years", None, None, 75, False)]),
    ("Aged ≤ 65", [("Aged ≤ 65", None, None, 65, True)]),
    ("Age over 18", [("Age over 18", 18, False, None, None)]),
    ("age at least 21 years", [("age at least 21 years", 21, True, None, None)]),
    ("Age: 18 and over", [("Age: 18 and over", 18, True, None, None)]),
    ("Age 18 or older", [("Age 18 or older", 18, True, None, None)]),
    ("aged 65 years or older", [("aged 65 years or older", 65, True, None, None)]),
    ("18 years and older", [("18 years and older", 18, True, None, None)]),
    ("18 years of age or older", [("18 years of age or older", 18, True, None, None)]),
    (
        "Male or female, 18 years of age or older",
        [("18 years of age or older", 18, True, None, None)],
    ),
    ("18 years old or older", [("18 years old or older", 18, True, None, None)]),
    ("over 18 years of age", [("over 18 years of age", 18, False, None, None)]),
    ("at least 18 years of age", [("at least 18 years of age", 18, True, None, None)]),
    ("≥ 18 years old", [("≥ 18 years old", 18, True, None, None)]),
    ("Woman ≥ 18 years old", [("≥ 18 years old", 18, True, None, None)]),
    ("Patients >= 18 years", [(">= 18 years", 18, True, None, None)]),
    ("Patients aged ≥18 years", [("aged ≥18 years", 18, True, None, None)]),
    ("older than 18 years", [("older than 18 years", 18, False, None, None)]),
    ("Younger than 18", [("Younger than 18", None, None, 18, False)]),
    (
        "Younger than 18 or older than 70 years old",
        [
            ("Younger than 18", None, None, 18, False),
            ("older than 70 years old", 70, False, None, None),
        ],
    ),
    (
        "Be less than 20 years old or more than 60 years old",
        [
            ("less than 20 years old", None, None, 20, False),
            ("more than 60 years old", 60, False, None, None),
        ],
    ),
    ("under 18 years of age", [("under 18 years of age", None, None, 18, False)]),
    ("up to 65 years old", [("up to 65 years old", None, None, 65, True)]),
    ("not older than 75 years", [("not older than 75 years", None, None, 75, True)]),
    (
        "aged eighteen years or older",
        [("aged eighteen years or older", 18, True, None, None)],
    ),
    (
        "twenty-one years of age or older",
        [("twenty-one years of age or older", 21, True, None, None)],
    ),
    (
        "Children 6 months to 5 years of age",
        [("6 months to 5 years of age", 6 * M, True, 5, True)],
    ),
    ("Infants aged 6 to 12 weeks", [("aged 6 to 12 weeks", 6 * W, True, 12 * W, True)]),
    (
        "Neonates less than 28 days old",
        [("less than 28 days old", None, None, 28 * D, False)],
    ),
    ("aged 2-17 yrs", [("aged 2-17 yrs", 2, True, 17, True)]),
    ("Maximum age is 85", [("Maximum age is 85", None, None, 85, True)]),
    ("minimum age: 21", [("minimum age: 21", 21, True, None, None)]),
    (
        "Age at the time of consent ≥ 18 years",
        [("Age at the time of consent ≥ 18 years", 18, True, None, None)],
    ),
    (
        "Boys whose age on the day of dosing is 6 to <24 months",
        [("age on the day of dosing is 6 to <24 months", 0.5, True, 2, False)],
    ),
    ("Age: 6 to under 60", [("Age: 6 to under 60", 6, True, 60, False)]),
    (
        "Newborns less than 72 hours old",
        [("less than 72 hours old", None, None, 3 * D, False)],
    ),
    ("Adults", [("Adults", 18, True, None, None)]),
    ("Adult patients with asthma", [("Adult patients", 18, True, None, None)]),
    ("Healthy adults aged 18 to 45", [("aged 18 to 45", 18, True, 45, True)]),
    ("Children with epilepsy", [("Children", None, None, 18, False)]),
    # Not ages.
    ("≥ 18", []),
    ("Diagnosed with a course of more than 5 years", []),
    ("disease duration of more than 5 years", []),
    ("3-6 months after surgery", []),
    ("Platelets 100-400 x 10^9/L", []),
    ("Adult-onset diabetes", []),
    ("within 1 year", []),
    ("ECOG 0-1", []),
    ("HbA1c between 7 and 10%", []),
    ("Patients at least 2 years after transplant", []),
    ("Patients 2 years or more since diagnosis", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_ages(text: str, expected: list[tuple]) -> None:
    got = [
        (text[c.start : c.end], c.low, c.low_inclusive, c.high, c.high_inclusive)
        for c in find_ages(text.replace("\\", " "))
    ]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[0] == e[0]
        assert g[1] == pytest.approx(e[1])
        assert g[2] == e[2]
        assert g[3] == pytest.approx(e[3])
        assert g[4] == e[4]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("18 and over", 18, None), ("Between 18 and 65", 18, 65), ("≥ 16", 16, None)],
)
def test_age_heading_gives_context(text: str, low, high) -> None:
    assert find_ages(text) == []
    (c,) = find_ages(text, context=True)
    assert (c.low, c.high) == (low, high)
