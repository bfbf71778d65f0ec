"""Parsers for the structured eligibility fields that registries keep beside the text.

Every reader (ClinicalTrials.gov v2 JSON, legacy XML, AACT rows, scraped pages)
hands its raw ``minimum_age`` / ``maximum_age`` / sex / healthy-volunteers values
to these functions, so all formats agree on what ``"6 Months"`` or ``"Both"``
means. They never raise: a value they cannot read gives ``None``.

Registry maxima such as ``"100 Years"`` or ``"120 Years"`` are often placeholders
for "no limit", but they are reported as given: readers report, they do not guess.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..trial import Sex, StructuredFields

__all__ = [
    "AGE_UNITS",
    "parse_age",
    "parse_healthy_volunteers",
    "parse_sex",
    "structured_or_none",
]

_DAYS_PER_YEAR = 365.25

#: Unit words (lower case, singular and plural, common abbreviations) -> years.
AGE_UNITS: dict[str, float] = {
    **dict.fromkeys(("year", "years", "yr", "yrs", "y"), 1.0),
    **dict.fromkeys(("month", "months", "mo", "mos", "mon", "mons"), 1.0 / 12),
    **dict.fromkeys(("week", "weeks", "wk", "wks"), 7.0 / _DAYS_PER_YEAR),
    **dict.fromkeys(("day", "days", "d"), 1.0 / _DAYS_PER_YEAR),
    **dict.fromkeys(("hour", "hours", "hr", "hrs", "h"), 1.0 / (_DAYS_PER_YEAR * 24)),
    **dict.fromkeys(
        ("minute", "minutes", "min", "mins"), 1.0 / (_DAYS_PER_YEAR * 24 * 60)
    ),
}

_AGE_RE = re.compile(r"\s*(\d{1,6}(?:\.\d{1,6})?)\s*([A-Za-z]+)\.?\s*")

_SEX_WORDS: dict[str, Sex] = {
    **dict.fromkeys(
        ("all", "both", "any", "male and female", "female and male", "m/f", "f/m"),
        "all",
    ),
    **dict.fromkeys(("female", "f", "women", "woman", "females"), "female"),
    **dict.fromkeys(("male", "m", "men", "man", "males"), "male"),
}

_HV_WORDS: dict[str, bool] = {
    **dict.fromkeys(
        ("yes", "y", "true", "accepts healthy volunteers", "accepts"), True
    ),
    **dict.fromkeys(
        (
            "no",
            "n",
            "false",
            "does not accept healthy volunteers",
            "no healthy volunteers",
        ),
        False,
    ),
}


def parse_age(value: Any) -> float | None:
    """Read a registry age such as ``"18 Years"`` or ``"6 Months"`` in years.

    Args:
        value: The raw field: ``"<number> <unit>"`` with unit years, months,
            weeks, days, hours or minutes (singular, plural or abbreviated).

    Returns:
        The age in years (``"6 Months"`` -> 0.5, ``"2 Weeks"`` -> 14/365.25), or
        ``None`` for ``"N/A"``, an empty value, a non-string or anything else.
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    match = _AGE_RE.fullmatch(value)
    if match is None:
        return None
    factor = AGE_UNITS.get(match.group(2).lower())
    if factor is None:
        return None
    years = float(match.group(1)) * factor
    return years if math.isfinite(years) else None


def parse_sex(value: Any) -> Sex | None:
    """Read a registry sex/gender field.

    Args:
        value: ``"ALL"``, ``"All"``, ``"Both"``, ``"FEMALE"``, ``"Male"``, ``"F"``...

    Returns:
        ``"all"``, ``"female"`` or ``"male"``; ``None`` when not recognised.
    """
    if not isinstance(value, str):
        return None
    key = " ".join(value.split()).lower().rstrip(".")
    return _SEX_WORDS.get(key)


def parse_healthy_volunteers(value: Any) -> bool | None:
    """Read a registry healthy-volunteers field.

    Args:
        value: A JSON bool (API v2), ``"Accepts Healthy Volunteers"`` / ``"No"``
            (legacy XML and AACT), ``"Yes"`` / ``"No"`` (web pages).

    Returns:
        ``True`` when healthy volunteers are accepted, ``False`` when not,
        ``None`` when the value is missing or not recognised.
    """
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    key = " ".join(value.split()).lower().rstrip(".")
    return _HV_WORDS.get(key)


def structured_or_none(
    *, minimum_age: Any, maximum_age: Any, sex: Any, healthy_volunteers: Any
) -> StructuredFields | None:
    """Parse the four raw registry values into :class:`StructuredFields`.

    Args:
        minimum_age: Raw minimum age (e.g. ``"18 Years"``).
        maximum_age: Raw maximum age.
        sex: Raw sex/gender value.
        healthy_volunteers: Raw healthy-volunteers value.

    Returns:
        The parsed fields, or ``None`` when none of them could be read.
    """
    fields = StructuredFields(
        minimum_age=parse_age(minimum_age),
        maximum_age=parse_age(maximum_age),
        sex=parse_sex(sex),
        healthy_volunteers=parse_healthy_volunteers(healthy_volunteers),
    )
    return None if fields.is_empty() else fields
