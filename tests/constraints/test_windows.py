"""Time windows through the pipeline: subject, qualifies, negation, types."""

import pytest

from eligo.trial import Trial

Y, M = 365.25, 30.4375


def constraints(parser, text: str, section: str = "Exclusion Criteria"):
    doc = parser.parse(
        Trial(id="w", text=f"{section}:\n- {text}\n", source_format="ctgov_v2")
    )
    (crit,) = doc.criteria
    return doc.text, crit.constraints


@pytest.mark.parametrize(
    ("text", "evidence", "fields"),
    [
        (
            "Interferon or glucocorticoid therapy within 1 year",
            "within 1 year",
            {
                "type": "temporal",
                "high_days": Y,
                "direction": "before",
                "subject": "Interferon or glucocorticoid therapy",
            },
        ),
        (
            "No prior therapy with rituximab within 6 months",
            "within 6 months",
            {
                "type": "temporal",
                "negated": True,
                "high_days": 6 * M,
                "subject": "No prior therapy with rituximab",
            },
        ),
        (
            "Previously received stem cell therapy",
            "Previously",
            {"type": "temporal", "value": "ever", "low_days": None, "high_days": None},
        ),
        (
            "Diagnosed with a course of more than 5 years",
            "course of more than 5 years",
            {
                "type": "duration",
                "low_days": 5 * Y,
                "low_inclusive": False,
                "subject": None,
            },
        ),
        (
            "Life expectancy of at least 12 weeks",
            "Life expectancy of at least 12 weeks",
            {"type": "duration", "low_days": 84, "anchor": "life_expectancy"},
        ),
        (
            "Planned surgery within 3 months",
            "within 3 months",
            {"type": "temporal", "direction": "after", "high_days": 3 * M},
        ),
    ],
)
def test_window_fields(parser, text: str, evidence: str, fields: dict) -> None:
    full, cons = constraints(parser, text)
    (con,) = [c for c in cons if full[c.start : c.end] == evidence]
    for name, value in fields.items():
        got = getattr(con, name)
        if name == "subject":
            got = got.text if got is not None else None
            assert got == value
            if con.subject is not None:
                assert full[con.subject.start : con.subject.end] == value
        elif isinstance(value, float | int) and not isinstance(value, bool):
            assert got == pytest.approx(value)
        else:
            assert got == value


def test_window_qualifies_the_constraints_in_its_subject(parser) -> None:
    full, cons = constraints(
        parser, "ALT > 3 x ULN and bilirubin > 2 mg/dL within 14 days"
    )
    window = next(c for c in cons if c.type == "temporal")
    assert sorted(full[cons[i].start : cons[i].end] for i in window.qualifies) == [
        "ALT > 3 x ULN",
        "bilirubin > 2 mg/dL",
    ]


def test_whichever_longer_joins_both_windows(parser) -> None:
    _, cons = constraints(
        parser,
        "Investigational drug within 4 weeks or 5 half-lives, whichever is longer",
    )
    windows = [c for c in cons if c.type == "temporal"]
    assert len(windows) == 2
    assert {w.rule for w in windows} == {"longer"}
    first, second = windows
    assert cons[first.joined[0]] is second and cons[second.joined[0]] is first
    assert first.high_days == 28 and second.note == "5 half-lives"


@pytest.mark.parametrize(
    ("text", "evidence", "low_days"),
    [
        ("ICU stay > 7 days", "> 7 days", 7),
        ("Mechanical ventilation more than 24h", "more than 24h", 1),
        ("Smoking history ≥ 2 yrs", "≥ 2 yrs", 2 * Y),
        ("Symptoms at least 3 wks", "at least 3 wks", 21),
        ("Stable dose over 6 mos", "over 6 mos", 6 * M),
        ("Status epilepticus > 30 min", "> 30 min", 30 / 1440),
        ("Hospital stay >5d", ">5d", 5),
        ("Stable disease > 1 Y", "> 1 Y", Y),
    ],
)
def test_durations_in_every_written_time_unit(parser, text, evidence, low_days):
    # the duration reading runs only where a time unit form is written: each
    # form of the unit table still gives its duration
    full, found = constraints(parser, text)
    (dur,) = [c for c in found if c.type == "duration"]
    assert full[dur.start : dur.end] == evidence
    assert dur.low_days == pytest.approx(low_days)
    assert dur.high_days is None
