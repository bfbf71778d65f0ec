"""Tests of eligo.readers.fields: registry ages, sex and healthy volunteers."""

from __future__ import annotations

from typing import Any

import pytest

from eligo.readers.fields import (
    parse_age,
    parse_healthy_volunteers,
    parse_sex,
    structured_or_none,
)
from eligo.trial import StructuredFields

HOURS_PER_YEAR = 365.25 * 24


@pytest.mark.parametrize(
    ("value", "years"),
    [
        ("18 Years", 18.0),
        ("1 Year", 1.0),
        ("0 Years", 0.0),
        ("6 Months", 0.5),
        ("1 Month", 1 / 12),
        ("2 Weeks", 14 / 365.25),
        ("3 Days", 3 / 365.25),
        ("1 Day", 1 / 365.25),
        ("12 Hours", 12 / HOURS_PER_YEAR),
        ("30 Minutes", 30 / (HOURS_PER_YEAR * 60)),
        ("1 Minute", 1 / (HOURS_PER_YEAR * 60)),
        ("  65 years ", 65.0),
        ("2.5 Years", 2.5),
        ("18yrs", 18.0),
        ("100 Years", 100.0),
        ("120 Years", 120.0),
    ],
)
def test_parse_age(value: str, years: float) -> None:
    assert parse_age(value) == pytest.approx(years)


@pytest.mark.parametrize(
    "value",
    [
        "N/A",
        "",
        "   ",
        None,
        18,
        True,
        "eighteen years",
        "18",
        "18 Parsecs",
        "Years 18",
        "-5 Years",
        "18 Years and older",
        "9" * 400 + " Years",
        ["18 Years"],
    ],
)
def test_parse_age_unreadable_is_none(value: Any) -> None:
    assert parse_age(value) is None


@pytest.mark.parametrize(
    ("value", "sex"),
    [
        ("ALL", "all"),
        ("All", "all"),
        ("Both", "all"),
        ("FEMALE", "female"),
        ("Female", "female"),
        ("F", "female"),
        ("MALE", "male"),
        ("Male", "male"),
        ("M", "male"),
        (" male ", "male"),
        ("", None),
        ("N/A", None),
        ("Gender is not limited", None),
        (None, None),
        (1, None),
    ],
)
def test_parse_sex(value: Any, sex: str | None) -> None:
    assert parse_sex(value) == sex


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (True, True),
        (False, False),
        ("Yes", True),
        ("Accepts Healthy Volunteers", True),
        ("No", False),
        ("no", False),
        ("", None),
        (None, None),
        ("Maybe", None),
        (0, None),
    ],
)
def test_parse_healthy_volunteers(value: Any, accepted: bool | None) -> None:
    assert parse_healthy_volunteers(value) is accepted


def test_structured_or_none_parses_all_four() -> None:
    fields = structured_or_none(
        minimum_age="6 Months",
        maximum_age="120 Years",
        sex="Female",
        healthy_volunteers="No",
    )
    assert fields == StructuredFields(0.5, 120.0, "female", False)


def test_structured_or_none_is_none_when_nothing_reads() -> None:
    fields = structured_or_none(
        minimum_age="N/A", maximum_age=None, sex="", healthy_volunteers=None
    )
    assert fields is None
