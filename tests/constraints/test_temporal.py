from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligo.constraints.temporal import (
    TemporalMatcher,
    TimeWindow,
    default_matcher,
    find_windows,
)
from eligo.errors import RuleError
from eligo.pipeline.resources import read_rule_json

Y, M, W = 365.25, 30.4375, 7.0


def only(text: str) -> TimeWindow:
    found = find_windows(text)
    assert len(found) == 1, found
    return found[0]


def check(window: TimeWindow, expected: dict) -> None:
    for key, value in expected.items():
        got = getattr(window, key)
        if isinstance(value, float) and got is not None:
            assert got == pytest.approx(value), key
        else:
            assert got == value, key


WINDOWS = [
    (
        "within 1 year",
        {
            "type": "window",
            "low_days": 0.0,
            "high_days": Y,
            "direction": "before",
            "anchor": None,
            "text": "within 1 year",
        },
    ),
    (
        "Chemotherapy within 30 days",
        {
            "low_days": 0.0,
            "high_days": 30.0,
            "low_inclusive": True,
            "high_inclusive": True,
            "text": "within 30 days",
        },
    ),
    (
        "Stroke in the past 5 years",
        {"high_days": 5 * Y, "direction": "before", "text": "in the past 5 years"},
    ),
    (
        "during the last two months before enrolment",
        {"high_days": 2 * M, "anchor": "enrolment"},
    ),
    (
        "within 3 weeks prior to clinical registration",
        {
            "high_days": 21.0,
            "anchor": "enrolment",
            "text": "within 3 weeks prior to clinical registration",
        },
    ),
    (
        "within 24 months before screening",
        {"high_days": 24 * M, "anchor": "screening", "direction": "before"},
    ),
    (
        "within 4 weeks before clinical registration",
        {"high_days": 28.0, "anchor": "enrolment"},
    ),
    ("in the last 6 months", {"high_days": 6 * M, "anchor": None}),
    ("within the previous 12 months", {"high_days": 12 * M}),
    ("within the past year", {"high_days": Y, "text": "within the past year"}),
    ("over the past 6 months", {"high_days": 6 * M, "direction": "before"}),
    ("last 3 months", {"high_days": 3 * M}),
    ("in last 12 months", {"high_days": 12 * M}),
    (
        "within 6 months of study entry",
        {"high_days": 6 * M, "anchor": "enrolment", "direction": "before"},
    ),
    (
        "within 14 days prior to the first dose of study drug",
        {
            "high_days": 14.0,
            "anchor": "first_dose",
            "text": "within 14 days prior to the first dose of study drug",
        },
    ),
    ("within 28 days of randomization", {"high_days": 28.0, "anchor": "randomisation"}),
    ("within 28 days of randomisation", {"anchor": "randomisation"}),
    ("within 7 days before baseline", {"high_days": 7.0, "anchor": "baseline"}),
    ("within 2 years of diagnosis", {"high_days": 2 * Y, "anchor": "diagnosis"}),
    (
        "within 4 weeks after surgery",
        {"high_days": 28.0, "direction": "after", "anchor": "surgery"},
    ),
    ("within 4 weeks of starting study treatment", {"anchor": "first_dose"}),
    ("within 6 weeks prior to Day 1", {"high_days": 42.0, "anchor": "first_dose"}),
    ("within 10 days before the start of study treatment", {"anchor": "first_dose"}),
    (
        "within the last 90 days prior to study enrollment",
        {"high_days": 90.0, "anchor": "enrolment"},
    ),
    ("within 30 days prior to inclusion", {"anchor": "enrolment"}),
    (
        "within 1 month before signing informed consent",
        {"high_days": M, "anchor": "consent"},
    ),
    (
        "In the 3 months prior to the screening visit, no use of X",
        {
            "high_days": 3 * M,
            "anchor": "screening",
            "text": "In the 3 months prior to the screening visit",
        },
    ),
    (
        "within the 6 months preceding screening",
        {"anchor": "screening", "direction": "before"},
    ),
    (
        "Hb ≥ 9 g/dL within 7 days prior to registration",
        {"high_days": 7.0, "text": "within 7 days prior to registration"},
    ),
    (
        "Patients who received chemotherapy 4 weeks prior to registration",
        {"low_days": 0.0, "high_days": 28.0, "text": "4 weeks prior to registration"},
    ),
    # older than: the event must lie at least N in the past
    (
        "at least 4 weeks since",
        {
            "low_days": 28.0,
            "high_days": None,
            "low_inclusive": True,
            "high_inclusive": None,
            "direction": "before",
        },
    ),
    (
        "at least 4 weeks prior to",
        {"low_days": 28.0, "high_days": None, "direction": "before"},
    ),
    (
        "more than 6 months before",
        {"low_days": 6 * M, "low_inclusive": False, "high_days": None},
    ),
    (
        "≥ 4 weeks from the last dose",
        {
            "low_days": 28.0,
            "high_days": None,
            "direction": "before",
            "anchor": "last_dose",
        },
    ),
    ("≥4 weeks from prior chemotherapy", {"low_days": 28.0, "anchor": None}),
    (
        "4 weeks or more prior to randomization",
        {"low_days": 28.0, "low_inclusive": True, "anchor": "randomisation"},
    ),
    ("over 6 months before", {"low_days": 6 * M, "low_inclusive": False}),
    ("more than 1.5 years before enrolment", {"low_days": 1.5 * Y}),
    (
        "at least 4 weeks after surgery",
        {"low_days": 28.0, "direction": "after", "anchor": "surgery"},
    ),
    # upper bounds without "within"
    (
        "no more than 4 weeks before screening",
        {"low_days": 0.0, "high_days": 28.0, "high_inclusive": True},
    ),
    (
        "<=30 days before first dose of study treatment",
        {"high_days": 30.0, "anchor": "first_dose"},
    ),
    (
        "less than 3 months before randomization",
        {"high_days": 3 * M, "high_inclusive": False},
    ),
    # ranges
    (
        "between 2 and 6 weeks before screening",
        {
            "low_days": 14.0,
            "high_days": 42.0,
            "low_inclusive": True,
            "high_inclusive": True,
            "anchor": "screening",
        },
    ),
    (
        "3-6 months ago",
        {
            "low_days": 3 * M,
            "high_days": 6 * M,
            "direction": "before",
            "text": "3-6 months ago",
        },
    ),
    ("6-3 months ago", {"low_days": 3 * M, "high_days": 6 * M}),
    # future
    (
        "planned liver transplantation within 3 months",
        {"direction": "after", "high_days": 3 * M},
    ),
    (
        "plan to become pregnant within the next 6 months",
        {"direction": "after", "high_days": 6 * M, "text": "within the next 6 months"},
    ),
    (
        "within 3 months after the last dose",
        {"direction": "after", "anchor": "last_dose"},
    ),
    (
        "Use contraception for 6 months after the last dose",
        {
            "type": "window",
            "direction": "after",
            "high_days": 6 * M,
            "anchor": "last_dose",
        },
    ),
    (
        "pregnant during the study",
        {
            "type": "window",
            "direction": "after",
            "anchor": "enrolment",
            "low_days": 0.0,
            "high_days": None,
            "text": "during the study",
        },
    ),
    ("for the duration of the study", {"direction": "after"}),
    (
        "at any time during the study",
        {
            "type": "window",
            "direction": "after",
            "text": "at any time during the study",
        },
    ),
    # units and number words
    ("within three months", {"high_days": 3 * M}),
    ("within twenty-four hours", {"high_days": 1.0}),
    ("within a year", {"high_days": Y}),
    ("within one year", {"high_days": Y}),
    ("within 1 yr", {"high_days": Y}),
    ("within 6 mo", {"high_days": 6 * M}),
    ("within 12 wks", {"high_days": 84.0}),
    ("within 48 h", {"high_days": 2.0}),
    ("within 72 hours", {"high_days": 3.0}),
    ("within 24hrs", {"high_days": 1.0}),
    ("within 30 minutes", {"high_days": 30 / 1440}),
    (
        "within 2-week period before screening",
        {"high_days": 14.0, "anchor": "screening"},
    ),
    (
        "within a 6-month period",
        {"high_days": 6 * M, "text": "within a 6-month period"},
    ),
    ("within 1,5 years", {"high_days": 1.5 * Y}),
    ("within the previous two weeks", {"high_days": 14.0}),
    # a quantity without days
    (
        "within 5 half-lives of the first dose",
        {
            "low_days": None,
            "high_days": None,
            "note": "5 half-lives",
            "anchor": "first_dose",
        },
    ),
]

DURATIONS = [
    (
        "with a course of more than 5 years",
        {
            "type": "duration",
            "low_days": 1826.25,
            "low_inclusive": False,
            "high_days": None,
            "text": "course of more than 5 years",
        },
    ),
    (
        "HIV positive for more than 6 months",
        {"type": "duration", "low_days": 6 * M, "low_inclusive": False},
    ),
    (
        "for at least 3 months",
        {
            "type": "duration",
            "low_days": 3 * M,
            "low_inclusive": True,
            "direction": "before",
            "anchor": None,
        },
    ),
    (
        "disease duration ≥ 18 months",
        {
            "type": "duration",
            "low_days": 18 * M,
            "text": "disease duration ≥ 18 months",
        },
    ),
    (
        "diagnosed for less than 2 years",
        {
            "type": "duration",
            "low_days": None,
            "high_days": 2 * Y,
            "high_inclusive": False,
            "anchor": "diagnosis",
        },
    ),
    (
        "life expectancy of at least 12 weeks",
        {
            "type": "duration",
            "low_days": 84.0,
            "low_inclusive": True,
            "anchor": "life_expectancy",
            "direction": "after",
            "text": "life expectancy of at least 12 weeks",
        },
    ),
    (
        "life expectancy > 3 months",
        {
            "type": "duration",
            "low_days": 3 * M,
            "low_inclusive": False,
            "anchor": "life_expectancy",
        },
    ),
    ("Expected survival ≥ 6 months", {"anchor": "life_expectancy", "low_days": 6 * M}),
    ("diabetes since at least 1 year", {"type": "duration", "low_days": Y}),
    ("symptoms lasting at least 6 weeks", {"type": "duration", "low_days": 42.0}),
    (
        "treatment-free interval of at least 6 months",
        {"type": "duration", "low_days": 6 * M},
    ),
    (
        "fasting for 8 hours",
        {
            "type": "duration",
            "low_days": 8 / 24,
            "low_inclusive": True,
            "high_days": None,
        },
    ),
    (
        "stable dose for at least 4 weeks prior to randomization",
        {"type": "window", "low_days": 28.0, "anchor": "randomisation"},
    ),
    ("diagnosed within the last 5 years", {"type": "window", "high_days": 5 * Y}),
]

EVER = [
    ("previously received anti-PD-1 therapy", {"text": "previously"}),
    ("prior history of stroke", {"text": "prior history of"}),
    ("Has the patient ever smoked", {"text": "ever"}),
    ("at any time", {"text": "at any time"}),
    ("Prior chemotherapy for metastatic disease", {"text": "Prior"}),
    ("previous treatment with a taxane", {"text": "previous"}),
    ("smoking in the past", {"text": "in the past"}),
    (
        "Any investigational drug prior to screening",
        {"text": "prior to screening", "anchor": "screening"},
    ),
]

NOT_WINDOWS = [
    "History of stroke",
    "18 years old",
    "aged 18-65 years",
    "≥ 18 years of age",
    "Age ≥ 18 years",
    "at least 18 years old at screening",
    "≥ 18 years at the time of signing informed consent",
    "Children younger than 2 years",
    "grade 2",
    "24-hour urine protein < 1 g",
    "a 2-week washout",
    "twice daily",
    "3 times a week",
    "2 days per week",
    "every 3 weeks",
    "q3 weeks",
    "proteinuria < 1 g/24 h",
    "proteinuria < 1 g per 24 hours",
    "infusion over 30 min",
    "QTc > 450 ms",
    "Creatinine clearance > 60 mL/min",
    "Results in 3 months",
    "more than 6 months",
    "2 weeks",
    "whichever is longer",
    "previously untreated",
    "PRIOR CONCURRENT THERAPY:",
    "Pregnant women",
    "",
]


@pytest.mark.parametrize(("text", "expected"), WINDOWS)
def test_windows(text: str, expected: dict) -> None:
    window = only(text)
    check(window, {"type": "window", **expected})
    assert window.text == text[window.start : window.end]


@pytest.mark.parametrize(("text", "expected"), DURATIONS)
def test_durations(text: str, expected: dict) -> None:
    check(only(text), expected)


@pytest.mark.parametrize(("text", "expected"), EVER)
def test_ever(text: str, expected: dict) -> None:
    window = only(text)
    check(
        window,
        {
            "type": "ever",
            "low_days": None,
            "high_days": None,
            "direction": "before",
            **expected,
        },
    )


@pytest.mark.parametrize("text", NOT_WINDOWS)
def test_not_windows(text: str) -> None:
    assert find_windows(text) == []


@pytest.mark.parametrize(
    ("text", "rule", "anchor"),
    [
        (
            "within 4 weeks or 5 half-lives, whichever is longer (before randomization)",
            "longer",
            "randomisation",
        ),
        (
            "within 4 weeks or 5 half-lives, whichever is shorter, prior to the first dose",
            "shorter",
            "first_dose",
        ),
        (
            "within 4 weeks prior to randomization or 5 half-lives, whichever is longer",
            "longer",
            "randomisation",
        ),
        (
            "within 28 days or five half-lives (whichever is longer) before screening",
            "longer",
            "screening",
        ),
    ],
)
def test_whichever_joins_two_windows(text: str, rule: str, anchor: str) -> None:
    first, second = find_windows(text)
    assert first.high_days is not None and first.low_days == 0.0
    assert (second.low_days, second.high_days) == (None, None)
    assert second.note is not None and "half-lives" in second.note
    for w, other in ((first, second), (second, first)):
        assert w.join_rule == rule
        assert w.direction == "before"
        assert w.anchor == anchor
        assert [(j.start, j.end) for j in w.joined] == [(other.start, other.end)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Surgery within 4 weeks or planned surgery within 3 months",
            [("within 4 weeks", "before"), ("within 3 months", "after")],
        ),
        (
            "myocardial infarction within 6 months, or stroke within 3 months",
            [("within 6 months", "before"), ("within 3 months", "before")],
        ),
        (
            "Women who intend to become pregnant during the study or within 6 months after the last dose",
            [
                ("during the study", "after"),
                ("within 6 months after the last dose", "after"),
            ],
        ),
        (
            "Prior chemotherapy within 4 weeks; previously received radiotherapy",
            [("within 4 weeks", "before"), ("previously", "before")],
        ),
        (
            "A history of severe mental disorders within 24 months",
            [("within 24 months", "before")],
        ),
    ],
)
def test_several_phrases(text: str, expected: list[tuple[str, str]]) -> None:
    found = find_windows(text)
    assert [(w.text, w.direction) for w in found] == expected
    assert all(w.type in ("window", "ever") for w in found)


def test_offsets_index_the_whole_view() -> None:
    view = "Inclusion: age 18. Exclusion: surgery within 4 weeks before screening."
    start = view.index("Exclusion")
    found = find_windows(view, start, len(view) - 1)
    assert [view[w.start : w.end] for w in found] == ["within 4 weeks before screening"]
    assert found[0].text == "within 4 weeks before screening"
    assert find_windows(view, 0, start) == []


def test_offsets_of_joined_windows_are_shifted() -> None:
    view = "xxxx within 4 weeks or 5 half-lives, whichever is longer"
    found = find_windows(view, 5)
    assert found[0].joined[0] == replace_joined(found[1])


def replace_joined(w: TimeWindow) -> TimeWindow:
    return replace(w, joined=(), join_rule=None)


def test_to_constraint() -> None:
    con = only("within 14 days prior to randomization").to_constraint(offset=100)
    assert con.type == "window"
    assert (con.start, con.end) == (100, 137)
    assert (con.low_days, con.high_days, con.direction, con.anchor) == (
        0.0,
        14.0,
        "before",
        "randomisation",
    )


def test_shipped_rules_validate_and_compile_once() -> None:
    assert default_matcher() is default_matcher()
    assert {a.anchor for a in default_matcher().rules.anchors} >= {
        "screening",
        "enrolment",
        "randomisation",
        "first_dose",
        "baseline",
        "diagnosis",
        "surgery",
    }


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"colour": "red"}, "colour"),
        ({"anchors": [{"anchor": "x", "pattern": "(x"}]}, "pattern does not compile"),
        ({"units": [{"unit": "day", "days": -1, "forms": ["days"]}]}, "units.0.days"),
        (
            {"relations": [{"pattern": "of", "direction": "sideways"}]},
            "relations.0.direction",
        ),
    ],
)
def test_bad_rules_are_rejected_clearly(patch: dict, message: str) -> None:
    data = {**read_rule_json("temporal.json"), **patch}
    with pytest.raises(RuleError, match=r"rules/temporal\.json") as info:
        TemporalMatcher.from_data(data)
    assert message in str(info.value)


FRAGMENTS = [
    "within",
    "in the past",
    "during the last",
    "for",
    "since",
    "at least",
    "more than",
    "≥",
    "<",
    "between",
    "and",
    "or",
    "-",
    "to",
    "before",
    "after",
    "prior to",
    "of",
    "ago",
    "from",
    "whichever is longer",
    "whichever is shorter",
    "(",
    ")",
    ",",
    "1",
    "4",
    "1.5",
    "1,000",
    "0",
    "twenty-four",
    "three",
    "a",
    "half a",
    "year",
    "years",
    "months",
    "mo",
    "wks",
    "days",
    "d",
    "h",
    "hours",
    "half-lives",
    "screening",
    "randomization",
    "the first dose of study drug",
    "day 1",
    "baseline",
    "surgery",
    "the last dose",
    "study entry",
    "life expectancy",
    "disease duration",
    "planned",
    "previously",
    "ever",
    "prior",
    "history of",
    "during the study",
    "aged",
    "old",
    "of age",
    "per",
    "times",
    "mg/dL",
    "grade",
    "x",
    "\n",
    "  ",
    "\\",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=25),
    st.lists(st.sampled_from(["", " ", "-", ""]), min_size=25, max_size=25),
    st.integers(min_value=0, max_value=10),
)
def test_random_fragments_never_break_the_invariants(
    parts: list[str], joins: list[str], trim: int
) -> None:
    view = "".join(p + j for p, j in zip(parts, joins, strict=False))
    start = min(trim, len(view))
    for w in find_windows(view, start):
        assert start <= w.start < w.end <= len(view)
        assert w.text == view[w.start : w.end]
        if w.low_days is not None and w.high_days is not None:
            assert w.low_days <= w.high_days
        assert (w.low_inclusive is None) == (w.low_days is None)
        assert (w.high_inclusive is None) == (w.high_days is None)
        for j in w.joined:
            assert 0 <= j.start < j.end <= len(view)
