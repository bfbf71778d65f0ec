"""Comparisons: comparators with their values read as bounds, ranges, equality."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.errors import RuleError
from eligo.normalise.comparisons import (
    comparator_table,
    find_comparisons,
    load_comparator_table,
)
from eligo.pipeline.resources import read_rule_json
from eligo.segment.view import reading_view

T, F = True, False

# fmt: off
CASES = [
    # (text, [(kind, low, low_inclusive, high, high_inclusive, unit, relative_to,
    #          evidence text), ...])
    ("INR >= 1.5", [("bound", 1.5, T, None, None, None, None, ">= 1.5")]),
    ("INR>=1.5", [("bound", 1.5, T, None, None, None, None, ">=1.5")]),
    ("INR => 1.5", [("bound", 1.5, T, None, None, None, None, "=> 1.5")]),
    ("≥ 1.5", [("bound", 1.5, T, None, None, None, None, "≥ 1.5")]),
    ("≥18", [("bound", 18, T, None, None, None, None, "≥18")]),
    ("≧ 2", [("bound", 2, T, None, None, None, None, "≧ 2")]),
    ("⩾ 2", [("bound", 2, T, None, None, None, None, "⩾ 2")]),
    ("> 3", [("bound", 3, F, None, None, None, None, "> 3")]),
    ("< 50", [("bound", None, None, 50, F, None, None, "< 50")]),
    ("PLT<50", [("bound", None, None, 50, F, None, None, "<50")]),
    ("≤ 2", [("bound", None, None, 2, T, None, None, "≤ 2")]),
    ("<= 2", [("bound", None, None, 2, T, None, None, "<= 2")]),
    ("=< 2", [("bound", None, None, 2, T, None, None, "=< 2")]),
    ("≦ 2", [("bound", None, None, 2, T, None, None, "≦ 2")]),
    ("⩽ 2", [("bound", None, None, 2, T, None, None, "⩽ 2")]),
    ("= 5", [("equal", 5, T, 5, T, None, None, "= 5")]),
    ("~5 mg", [("equal", 5, T, 5, T, "mg", None, "~5 mg")]),
    ("approximately 10 kg", [("equal", 10, T, 10, T, "kg", None, "approximately 10 kg")]),
    ("greater than 3", [("bound", 3, F, None, None, None, None, "greater than 3")]),
    ("more than 3 months", [("bound", 3, F, None, None, "mo", None, "more than 3 months")]),
    ("higher than 3", [("bound", 3, F, None, None, None, None, "higher than 3")]),
    ("above 60", [("bound", 60, F, None, None, None, None, "above 60")]),
    ("over 18 years", [("bound", 18, F, None, None, "a", None, "over 18 years")]),
    ("exceeding 5 mg", [("bound", 5, F, None, None, "mg", None, "exceeding 5 mg")]),
    ("exceeds 5", [("bound", 5, F, None, None, None, None, "exceeds 5")]),
    ("in excess of 5", [("bound", 5, F, None, None, None, None, "in excess of 5")]),
    ("at least 18 years", [("bound", 18, T, None, None, "a", None, "at least 18 years")]),
    ("minimum of 3 months", [("bound", 3, T, None, None, "mo", None, "minimum of 3 months")]),
    ("a minimum of 3 months", [("bound", 3, T, None, None, "mo", None, "a minimum of 3 months")]),
    ("not less than 12 weeks", [("bound", 12, T, None, None, "wk", None, "not less than 12 weeks")]),
    ("no less than 12", [("bound", 12, T, None, None, None, None, "no less than 12")]),
    ("equal to or greater than 18", [("bound", 18, T, None, None, None, None, "equal to or greater than 18")]),
    ("greater than or equal to 18", [("bound", 18, T, None, None, None, None, "greater than or equal to 18")]),
    ("> or = 18 years", [("bound", 18, T, None, None, "a", None, "> or = 18 years")]),
    ("\\>/= 18 years", [("bound", 18, T, None, None, "a", None, ">/= 18 years")]),
    ("less than 30s", [("bound", None, None, 30, F, "s", None, "less than 30s")]),
    ("lower than 2", [("bound", None, None, 2, F, None, None, "lower than 2")]),
    ("fewer than 3 lines", [("bound", None, None, 3, F, None, None, "fewer than 3")]),
    ("below 5", [("bound", None, None, 5, F, None, None, "below 5")]),
    ("under 18", [("bound", None, None, 18, F, None, None, "under 18")]),
    ("under the age of 18", [("bound", None, None, 18, F, None, None, "under the age of 18")]),
    ("up to 2 times ULN", [("bound", None, None, 2, T, None, "ULN", "up to 2 times ULN")]),
    ("at most 2", [("bound", None, None, 2, T, None, None, "at most 2")]),
    ("maximum of 4 cycles", [("bound", None, None, 4, T, None, None, "maximum of 4")]),
    ("a maximum of 4", [("bound", None, None, 4, T, None, None, "a maximum of 4")]),
    ("not more than 2 times the upper limit of normal", [("bound", None, None, 2, T, None, "ULN", "not more than 2 times the upper limit of normal")]),
    ("no more than 10%", [("bound", None, None, 10, T, "%", None, "no more than 10%")]),
    ("not greater than 1.5", [("bound", None, None, 1.5, T, None, None, "not greater than 1.5")]),
    ("no greater than 1.5", [("bound", None, None, 1.5, T, None, None, "no greater than 1.5")]),
    ("not exceeding 2 × ULN", [("bound", None, None, 2, T, None, "ULN", "not exceeding 2 × ULN")]),
    # Reference-range wordings of the limits.
    ("> 2 times the upper reference limit", [("bound", 2, F, None, None, None, "ULN", "> 2 times the upper reference limit")]),
    ("below the lower reference limit", [("bound", None, None, 1, F, None, "LLN", "below the lower reference limit")]),
    ("not to exceed 400 mg", [("bound", None, None, 400, T, "mg", None, "not to exceed 400 mg")]),
    ("does not exceed 10", [("bound", None, None, 10, T, None, None, "does not exceed 10")]),
    ("less than or equal to 2", [("bound", None, None, 2, T, None, None, "less than or equal to 2")]),
    ("equal to or less than 2", [("bound", None, None, 2, T, None, None, "equal to or less than 2")]),
    # postfix
    ("5 mg/dl or more", [("bound", 5, T, None, None, "mg/dL", None, "5 mg/dl or more")]),
    ("1.5 or more", [("bound", 1.5, T, None, None, None, None, "1.5 or more")]),
    ("3 or greater", [("bound", 3, T, None, None, None, None, "3 or greater")]),
    ("grade 2 or higher", [("bound", 2, T, None, None, None, None, "2 or higher")]),
    ("60 or above", [("bound", 60, T, None, None, None, None, "60 or above")]),
    ("60 and above", [("bound", 60, T, None, None, None, None, "60 and above")]),
    ("65 and over", [("bound", 65, T, None, None, None, None, "65 and over")]),
    ("18 years and older", [("bound", 18, T, None, None, "a", None, "18 years and older")]),
    ("18 years of age or older", [("bound", 18, T, None, None, "a", None, "18 years of age or older")]),
    ("Age: 18 years old or older", [("bound", 18, T, None, None, "a", None, "18 years old or older")]),
    ("18+", [("bound", 18, T, None, None, None, None, "18+")]),
    ("2 or less", [("bound", None, None, 2, T, None, None, "2 or less")]),
    ("1 or lower", [("bound", None, None, 1, T, None, None, "1 or lower")]),
    ("1 or below", [("bound", None, None, 1, T, None, None, "1 or below")]),
    ("2 or fewer", [("bound", None, None, 2, T, None, None, "2 or fewer")]),
    ("60 years and under", [("bound", None, None, 60, T, "a", None, "60 years and under")]),
    ("5 and below", [("bound", None, None, 5, T, None, None, "5 and below")]),
    ("≥ 18 years or older", [("bound", 18, T, None, None, "a", None, "≥ 18 years or older")]),
    # ranges
    ("between 20 and 60", [("range", 20, T, 60, T, None, None, "between 20 and 60")]),
    ("HbA1c between 7.0% and 10.0%", [("range", 7, T, 10, T, "%", None, "between 7.0% and 10.0%")]),
    ("between the ages of 18 and 65", [("range", 18, T, 65, T, None, None, "between the ages of 18 and 65")]),
    ("Age 18-65 years", [("range", 18, T, 65, T, "a", None, "18-65 years")]),
    ("18–65", [("range", 18, T, 65, T, None, None, "18–65")]),
    ("18 - 65 years", [("range", 18, T, 65, T, "a", None, "18 - 65 years")]),
    ("18 to 65", [("range", 18, T, 65, T, None, None, "18 to 65")]),
    ("from 18 to 65 years", [("range", 18, T, 65, T, "a", None, "from 18 to 65 years")]),
    ("18~65", [("range", 18, T, 65, T, None, None, "18~65")]),
    ("18\\~65", [("range", 18, T, 65, T, None, None, "18\\~65")]),
    ("18.5-30 kg/m2", [("range", 18.5, T, 30, T, "kg/m2", None, "18.5-30 kg/m2")]),
    ("BMI 18.5 – 30 kg/m2", [("range", 18.5, T, 30, T, "kg/m2", None, "18.5 – 30 kg/m2")]),
    ("18 years to 65 years", [("range", 18, T, 65, T, "a", None, "18 years to 65 years")]),
    ("ECOG 0-1", [("range", 0, T, 1, T, None, None, "0-1")]),
    ("1.5-3 x ULN", [("range", 1.5, T, 3, T, None, "ULN", "1.5-3 x ULN")]),
    ("between -2 and 2", [("range", -2, T, 2, T, None, None, "between -2 and 2")]),
    ("6 months to 2 years", [("range", 0.5, T, 2, T, "a", None, "6 months to 2 years")]),
    ("≥ 18 and ≤ 65 years", [("range", 18, T, 65, T, "a", None, "≥ 18 and ≤ 65 years")]),
    ("> 18 and < 65", [("range", 18, F, 65, F, None, None, "> 18 and < 65")]),
    # Forms written by non-native writers: calques and "then" for "than".
    ("glucose major than 126 mg/dL", [("bound", 126, F, None, None, "mg/dL", None, "major than 126 mg/dL")]),
    ("score superior or equal to 3", [("bound", 3, T, None, None, None, None, "superior or equal to 3")]),
    ("Hb less then 9", [("bound", None, None, 9, F, None, None, "less then 9")]),
    # Two opposite bounds side by side; two bounds of one side stay apart.
    ("> 25 < 40 kg/m2", [("range", 25, F, 40, F, "kg/m2", None, "> 25 < 40 kg/m2")]),
    ("> 4 > 6", [("bound", 4, F, None, None, None, None, "> 4"), ("bound", 6, F, None, None, None, None, "> 6")]),
    # "and less": a conjunction and the prefix "less than", not the postfix "and less".
    ("at least 3 months and less than 4 years", [("range", 0.25, T, 4, F, "a", None, "at least 3 months and less than 4 years")]),
    ("20 years and less or equal 55 years", [("bound", None, None, 55, T, "a", None, "less or equal 55 years")]),
    ("100 mg and less", [("bound", None, None, 100, T, "mg", None, "100 mg and less")]),
    ("≥ 2 × 10^9/L and ≤ 400 x 10^9/L", [("range", 2, T, 400, T, "10*9/L", None, "≥ 2 × 10^9/L and ≤ 400 x 10^9/L")]),
    ("18 years or older and 75 years or younger", [("range", 18, T, 75, T, "a", None, "18 years or older and 75 years or younger")]),
    # relative limits, escapes, units
    ("bilirubin ≤ 1.5 × ULN", [("bound", None, None, 1.5, T, None, "ULN", "≤ 1.5 × ULN")]),
    ("≤ 1.5 × the institutional ULN", [("bound", None, None, 1.5, T, None, "ULN", "≤ 1.5 × the institutional ULN")]),
    ("AST ≤ 2.5 times the upper limit of normal", [("bound", None, None, 2.5, T, None, "ULN", "≤ 2.5 times the upper limit of normal")]),
    ("< 0.8 x LLN", [("bound", None, None, 0.8, F, None, "LLN", "< 0.8 x LLN")]),
    ("≥ 1.5 x upper normal limit", [("bound", 1.5, T, None, None, None, "ULN", "≥ 1.5 x upper normal limit")]),
    ("bilirubin ≤ ULN", [("bound", None, None, 1, T, None, "ULN", "≤ ULN")]),
    ("above the upper limit of normal", [("bound", 1, F, None, None, None, "ULN", "above the upper limit of normal")]),
    ("mRSS\\>10", [("bound", 10, F, None, None, None, None, ">10")]),
    ("mRSS \\> 10", [("bound", 10, F, None, None, None, None, "> 10")]),
    ("PLT\\<50×10\\^9/L", [("bound", None, None, 50, F, "10*9/L", None, "<50×10\\^9/L")]),
    ("Hb<9g/dL", [("bound", None, None, 9, F, "g/dL", None, "<9g/dL")]),
    ("ANC ≥ 1,500/mm3", [("bound", 1500, T, None, None, "/mm3", None, "≥ 1,500/mm3")]),
    ("platelets ≥ 75 x 109/L", [("bound", 75, T, None, None, "10*9/L", None, "≥ 75 x 109/L")]),
    ("QTc > 470 ms", [("bound", 470, F, None, None, "ms", None, "> 470 ms")]),
    ("temperature > 38.5 C", [("bound", 38.5, F, None, None, "Cel", None, "> 38.5 C")]),
    ("creatinine clearance ≥ 60 mL/min/1.73 m²", [("bound", 60, T, None, None, "mL/min/{1.73_m2}", None, "≥ 60 mL/min/1.73 m²")]),
    ("SDS < -2", [("bound", None, None, -2, F, None, None, "< -2")]),
    ("at least eighteen (18) years of age", [("bound", 18, T, None, None, "a", None, "at least eighteen (18) years")]),
    ("more than three months", [("bound", 3, F, None, None, "mo", None, "more than three months")]),
    ("GREATER THAN 5", [("bound", 5, F, None, None, None, None, "GREATER THAN 5")]),
    ("greater\n  than 5", [("bound", 5, F, None, None, None, None, "greater\n  than 5")]),
    # normal
    ("within normal limits", [("normal", None, None, None, None, None, None, "within normal limits")]),
    ("within normal range", [("normal", None, None, None, None, None, None, "within normal range")]),
    ("within the institutional normal range", [("normal", None, None, None, None, None, None, "within the institutional normal range")]),
    ("LFTs WNL", [("normal", None, None, None, None, None, None, "WNL")]),
    ("normal renal function", [("normal", None, None, None, None, None, None, "normal")]),
    # several
    (
        "ANC ≥ 1,500/mm3 and platelets ≥ 100,000/mm3",
        [
            ("bound", 1500, T, None, None, "/mm3", None, "≥ 1,500/mm3"),
            ("bound", 100000, T, None, None, "/mm3", None, "≥ 100,000/mm3"),
        ],
    ),
    (
        "bilirubin ≤ 1.5 × ULN (≤ 3 x ULN if Gilbert)",
        [
            ("bound", None, None, 1.5, T, None, "ULN", "≤ 1.5 × ULN"),
            ("bound", None, None, 3, T, None, "ULN", "≤ 3 x ULN"),
        ],
    ),
    (
        "Age ≥ 18 years; ECOG 0-2; Hb > 9 g/dL, electrolytes within normal limits",
        [
            ("bound", 18, T, None, None, "a", None, "≥ 18 years"),
            ("range", 0, T, 2, T, None, None, "0-2"),
            ("bound", 9, F, None, None, "g/dL", None, "> 9 g/dL"),
            ("normal", None, None, None, None, None, None, "within normal limits"),
        ],
    ),
]
# fmt: on

NOTHING = [
    "Signed informed consent",
    "grade 2 toxicity",
    "HbA1c > normal? no: HbA1c",
    "CD4 count",
    "COVID-19 infection",
    "upper limit of normal",
    "abnormal liver function",
    "over the past year",
    "less than adequate",
    "Type 2 diabetes",
    "2020-01-01 to 2021-01-01",
    "between visits",
    "65 to 18",  # a reversed range is no range
    "5 mg to 2 mL",  # nor are values of different dimensions
    "IL-6 > normal-ish",
    "x > y",
]


def _row(c, text: str) -> tuple:
    return (
        c.kind,
        c.low,
        c.low_inclusive,
        c.high,
        c.high_inclusive,
        c.unit,
        c.relative_to,
        text[c.start : c.end],
    )


def _num(x):
    return None if x is None else float(x)


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_find_comparisons(text: str, expected: list[tuple]) -> None:
    view = reading_view(text)
    found = find_comparisons(view)
    got = [_row(c, text) for c in found]
    want = [
        (k, _num(lo), li, _num(hi), hi_, u, r, t)
        for k, lo, li, hi, hi_, u, r, t in expected
    ]
    assert len(got) == len(want), got
    for g, w in zip(got, want, strict=True):
        assert g[0] == w[0] and g[2] == w[2] and g[4:] == w[4:], (g, w)
        for a, b in ((g[1], w[1]), (g[3], w[3])):
            assert (a is None) == (b is None) and (a is None or abs(a - b) < 1e-9), (
                g,
                w,
            )
    for c in found:
        assert c.comparator_text
        for q in c.quantities:
            assert c.start <= q.start < q.end <= c.end


@pytest.mark.parametrize("text", NOTHING)
def test_no_comparison(text: str) -> None:
    assert [c for c in find_comparisons(text) if c.kind != "normal"] == []


def test_normal_is_not_read_inside_a_limit_name() -> None:
    assert find_comparisons("upper limit of normal") == []
    assert [c.kind for c in find_comparisons("≤ upper limit of normal")] == ["bound"]


def test_comparator_text_and_quantities() -> None:
    (c,) = find_comparisons("between 7.0% and 10.0%")
    assert c.comparator_text == "between … and"
    assert [q.text for q in c.quantities] == ["7.0%", "10.0%"]
    (c,) = find_comparisons("INR ≥ 1.5")
    assert (c.comparator_text, c.quantities[0].text) == ("≥", "1.5")


def test_start_and_end_limit_the_search() -> None:
    text = "Age ≥ 18; Hb < 9"
    assert [c.high for c in find_comparisons(text, 9)] == [9.0]
    assert [c.low for c in find_comparisons(text, 0, 9)] == [18.0]


def test_every_comparator_form_reads() -> None:
    table = comparator_table()
    for rule in table.data.comparators:
        for form in rule.forms:
            text = f"{form} 5" if rule.position == "prefix" else f"5 {form}"
            found = find_comparisons(text)
            assert len(found) == 1, form
            c = found[0]
            if rule.bound == "low":
                assert (c.low, c.low_inclusive, c.high) == (
                    5.0,
                    rule.inclusive,
                    None,
                ), form
            elif rule.bound == "high":
                assert (c.high, c.high_inclusive, c.low) == (
                    5.0,
                    rule.inclusive,
                    None,
                ), form
            else:
                assert (c.kind, c.low, c.high) == ("equal", 5.0, 5.0), form


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="red"), "Extra inputs are not permitted"),
        (lambda d: d["comparators"][0].update(bound="sideways"), "comparators.0.bound"),
        (
            lambda d: d["comparators"][1]["forms"].append("≥"),
            "prefix form '≥' has two meanings",
        ),
    ],
)
def test_bad_comparator_rules_are_rejected_clearly(change, message: str) -> None:
    data = copy.deepcopy(read_rule_json("comparators.json"))
    change(data)
    with pytest.raises(RuleError, match=r"rules/comparators\.json") as info:
        load_comparator_table(data)
    assert message in str(info.value)


# fmt: off
_FRAGMENTS = st.sampled_from(
    [
        " ", "≥", ">=", "<", "≤", "=", "~", "-", "–", " to ", " and ", "between ",
        "from ", " or more", " or less", "+", "at least ", "up to ", "not more than ",
        "less than ", "greater than ", " x ", "×", "ULN", " the upper limit of normal",
        "LLN", "10^9/L", "x 109/L", "mg/dL", "%", " years", "months", "ms", "/mm3",
        "within normal limits", "WNL", "(", ")", ",", ";", "\\", "^", "18", "65",
        "1.5", "0", "-2", "1,500", "100,000", "0,5", "eighteen", "twice", "three ",
    ]
)
# fmt: on


@given(st.lists(_FRAGMENTS, max_size=25).map("".join))
def test_fragment_soup_never_raises_and_bounds_are_ordered(text: str) -> None:
    for c in find_comparisons(text):
        assert 0 <= c.start < c.end <= len(text)
        if c.low is not None and c.high is not None:
            assert c.low <= c.high
        if c.kind == "normal":
            assert c.quantities == ()
        else:
            assert c.quantities


@given(st.text(max_size=60))
def test_random_text_never_raises(text: str) -> None:
    for c in find_comparisons(text):
        assert 0 <= c.start < c.end <= len(text)
