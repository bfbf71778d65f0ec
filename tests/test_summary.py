import pytest

from eligo.parse import Parser
from eligo.trial import StructuredFields, Trial


@pytest.fixture(scope="module")
def parse():
    parser = Parser()

    def run(text: str, structured: StructuredFields | None = None):
        return parser.parse(
            Trial(id="t", text=text, source_format="ctgov_v2", structured=structured)
        )

    return run


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Inclusion Criteria:\n- Aged 18 to 70 years\n", (18, True, 70, True)),
        (
            "Inclusion Criteria:\n- Age ≥ 18\nExclusion Criteria:\n- Older than 75 years\n",
            (18, True, 75, True),
        ),
        (
            "Exclusion Criteria:\n- Younger than 18 or older than 70 years old\n",
            (18, True, 70, True),
        ),
        (
            "Exclusion Criteria:\n- Be less than 20 years old or more than 60 years old\n",
            (20, True, 60, True),
        ),
        ("Inclusion Criteria:\n- Adults\n- Aged 18-65 years\n", (18, True, 65, True)),
        ("Inclusion Criteria:\n- over 18 years of age\n", (18, False, None, True)),
        # An excluded two-sided range has a two-piece complement: left out.
        ("Exclusion Criteria:\n- aged 40-50 years\n", None),
        ("Inclusion Criteria:\n- Signed consent\n", None),
        # An age that only conditions something else is not the trial's age.
        (
            "Inclusion Criteria:\n- Aged 18 to 70 years\n"
            "- Assent of a guardian for those younger than 18\n",
            (18, True, 70, True),
        ),
        (
            "Inclusion Criteria:\n- Age 40 years or older\n"
            "- A mammogram within a year if over 50 years of age\n",
            (40, True, None, True),
        ),
        # Several inclusion ages are cohorts: the summary spans them.
        (
            "Inclusion Criteria:\n- Young volunteers aged 20 to 35\n"
            "- Older volunteers aged 65 to 80\n",
            (20, True, 80, True),
        ),
        # Completed years: an exclusive whole-year maximum is the year below.
        ("Inclusion Criteria:\n- Aged under 65 years\n", (None, True, 64, True)),
        ("Inclusion Criteria:\n- Under 6 months of age\n", (None, True, 0.5, False)),
        # Below two years a maximum stays as written (registries: "1 Year").
        (
            "Inclusion Criteria:\n- Infants under 1 year of age\n",
            (None, True, 1, False),
        ),
        # Completed units in the unit written: "<36 months" is at most 35 months.
        ("Inclusion Criteria:\n- Aged 12 to <36 months\n", (1, True, 35 / 12, True)),
        # An exclusion list of groups opened by an age excludes that age.
        (
            "Exclusion Criteria:\n- Children under 3 years of age, prisoners, students\n",
            (3, True, None, True),
        ),
        # Ages that condition something else, or are about other people.
        (
            "Inclusion Criteria:\n- Aged 1 to 21 years\n"
            "- Lansky 50-100% (age 10 and under)\n",
            (1, True, 21, True),
        ),
        (
            "Inclusion Criteria:\n- Adults 18 years or older\n"
            "- An echocardiogram if any of these applies: - over age 60 - diabetes\n"
            "- Able to avoid household contacts under 5 years of age\n",
            (18, True, None, True),
        ),
        # A label heading about something else: "At least 5 years" is no age.
        (
            "PATIENT CHARACTERISTICS: Age: 20 to 60 Life expectancy: At least 5 years\n",
            (20, True, 60, True),
        ),
    ],
)
def test_summary_age(parse, text: str, age) -> None:
    summary = parse(text).summary
    if age is None:
        assert summary.age is None
    else:
        got = summary.age
        assert (got.low, got.low_inclusive, got.high, got.high_inclusive) == age


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("Inclusion Criteria:\n- Male or female\n", "all"),
        ("Inclusion Criteria:\n- Postmenopausal women\n", "female"),
        ("Inclusion Criteria:\n- Men and women\n- Women only\n", "female"),
        ("Exclusion Criteria:\n- Pregnant women\n", None),
    ],
)
def test_summary_sex(parse, text: str, sex) -> None:
    assert parse(text).summary.sex == sex


def test_mismatch_with_registry_is_reported(parse) -> None:
    doc = parse(
        "Inclusion Criteria:\n- Aged 18 to 70 years\n- Women\n",
        StructuredFields(minimum_age=18, maximum_age=65, sex="all"),
    )
    assert doc.summary.mismatches == [
        "maximum age: text says 70, registry says 65",
        "sex: text says female, registry says all",
    ]
    assert doc.structured.maximum_age == 65  # reported, never merged


@pytest.mark.parametrize(
    ("text", "minimum", "maximum"),
    [
        ("Inclusion Criteria:\n- Under 51 years of age\n", None, 50),
        ("Inclusion Criteria:\n- over 18 years of age\n", 18, None),
        ("Inclusion Criteria:\n- over 18 years of age\n", 19, None),
        ("Inclusion Criteria:\n- Aged 18 to 65 years\n", 18, 65),
    ],
)
def test_exclusive_bounds_agree_with_whole_registry_years(
    parse, text: str, minimum, maximum
) -> None:
    doc = parse(text, StructuredFields(minimum_age=minimum, maximum_age=maximum))
    assert doc.summary.mismatches == []


def test_no_mismatch_when_they_agree(parse) -> None:
    doc = parse(
        "Inclusion Criteria:\n- Aged 18 to 65 years\n",
        StructuredFields(minimum_age=18, maximum_age=65, sex="all"),
    )
    assert doc.summary.mismatches == []
