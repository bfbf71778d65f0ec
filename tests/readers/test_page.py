"""Tests of eligo.readers.page: labelled registry fields on scraped pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligo.errors import RuleError
from eligo.pipeline.resources import load_rules
from eligo.readers.page import (
    RULES_FILE,
    PageFieldRule,
    page_fields,
    page_nct_id,
    scan_page,
)
from eligo.trial import StructuredFields

S = StructuredFields


@pytest.mark.parametrize(
    ("page", "fields"),
    [
        ("Minimum Eligible Age\n\n18 Years\n", S(minimum_age=18.0)),
        ("Maximum Eligible Age\n\n65 Years\n", S(maximum_age=65.0)),
        ("Eligible Sex\n\nALL\n", S(sex="all")),
        ("Accepts Healthy Volunteers\n\nNo\n", S(healthy_volunteers=False)),
        ("Age group 18 Years to 80 Years\n", S(minimum_age=18.0, maximum_age=80.0)),
        ("Gender All\n", S(sex="all")),
        ("Accepts healthy volunteers No\n", S(healthy_volunteers=False)),
        ("Gender\nALL\n", S(sex="all")),
        ("Ages Eligible for Study: 18 Years and older\n", S(minimum_age=18.0)),
        ("Ages Eligible for Study: up to 17 Years (Child)\n", S(maximum_age=17.0)),
        (
            "Ages Eligible for Study: 18 Years to 65 Years (Adult, Older Adult)\n",
            S(minimum_age=18.0, maximum_age=65.0),
        ),
        ("Age range: 6 Months - 2 Years\n", S(minimum_age=0.5, maximum_age=2.0)),
        ("Age range: 18 to 70 years\n", S(minimum_age=18.0, maximum_age=70.0)),
        ("Sexes Eligible for Study: All\n", S(sex="all")),
        ("Accepts Healthy Volunteers: No\n", S(healthy_volunteers=False)),
        ("Accepts Healthy Volunteers?: Yes\n", S(healthy_volunteers=True)),
        ("Minimum age: 18 Years\n", S(minimum_age=18.0)),
        ("Maximum age: N/A\nMinimum age: 3 Days\n", S(minimum_age=3 / 365.25)),
        ("  Sex: Female (pregnant women only)\n", S(sex="female")),
        ("GENDER:\tMale\r\n", S(sex="male")),
        ("Gender Based: No\nGender: Female\n", S(sex="female")),
        (
            "Age group 18 Years to 80 Years\nMinimum Eligible Age\n21 Years\n",
            S(minimum_age=21.0, maximum_age=80.0),
        ),
        ("Gender\r\n\r\nFemale\r\n", S(sex="female")),
    ],
)
def test_page_fields(page: str, fields: StructuredFields) -> None:
    assert page_fields(page) == fields


@pytest.mark.parametrize(
    "page",
    [
        "",
        "Inclusion Criteria:\n- Age 18 to 65 years\n- Female\n",
        "The Gender All column is ignored mid-line: Gender All\n",
        "Genders All\n",
        "Gender is not limited\n",
        "Minimum Eligible Age\n\nN/A\n",
        "Age group: Adult\n",
        "Eligible Sex\n",
    ],
)
def test_page_fields_none(page: str) -> None:
    assert page_fields(page) is None


@pytest.mark.parametrize(
    ("page", "nct_id"),
    [
        ("NCT number NCT06000001\nSee also NCT06000002\n", "NCT06000001"),
        ("NCT ID: NCT06000003\n", "NCT06000003"),
        ("NCT Number:\n\nNCT06000004\n", "NCT06000004"),
        ("ClinicalTrials.gov Identifier: NCT06000005\n", "NCT06000005"),
        ("Mentions NCT06000006 without a label\n", None),
        ("NCT ID: not registered\n", None),
    ],
)
def test_page_nct_id(page: str, nct_id: str | None) -> None:
    assert page_nct_id(page) == nct_id


def test_fixture_page(fixtures: Path) -> None:
    info = scan_page((fixtures / "page.txt").read_text(encoding="utf-8"))
    assert info.nct_id == "NCT09000099"
    assert info.fields == S(40.0, 85.0, "all", False)


def test_shipped_rules_load() -> None:
    rules = load_rules(RULES_FILE, PageFieldRule)
    assert {rule.field for rule in rules} == {
        "nct_id",
        "minimum_age",
        "maximum_age",
        "age_range",
        "sex",
        "healthy_volunteers",
    }


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"field": "sex", "label": "Sex", "regex": "x"}, "regex"),
        ({"field": "height", "label": "Height"}, "field"),
        ({"field": "sex", "label": "  "}, "label"),
        ({"field": "sex"}, "label"),
    ],
)
def test_bad_rule_entries_are_rejected(entry: dict[str, str], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_rules(RULES_FILE, PageFieldRule, data=[entry])


def test_custom_rules_and_duplicate_labels() -> None:
    rules = [PageFieldRule(field="sex", label="Participant  sex")]
    assert scan_page("participant sex: Male\n", rules).fields == S(sex="male")
    twice = [*rules, PageFieldRule(field="sex", label="participant sex")]
    with pytest.raises(RuleError, match="duplicate"):
        scan_page("", twice)


def test_long_single_line_is_cheap() -> None:
    page = "Gender All " + "x" * 2_000_000
    assert page_fields(page) is None


SEED_FIELDS = {
    "000": S(18.0, 80.0, "all", False),
    "001": S(18.0, 65.0, "all", False),
    "002": S(sex="all"),
    "003": None,
    "004": S(20.0, 60.0, "all", False),
}


@pytest.mark.shared
@pytest.mark.parametrize(("prefix", "fields"), sorted(SEED_FIELDS.items()))
def test_seed_page_fields(
    shared: Path, prefix: str, fields: StructuredFields | None
) -> None:
    (seed,) = sorted((shared / "seeds").glob(f"{prefix}_*.txt"))
    assert page_fields(seed.read_text(encoding="utf-8")) == fields
