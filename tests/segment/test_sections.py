import pytest

from eligo.pipeline.resources import load_rules
from eligo.segment.sections import SectionRule, SectionRules, find_sections


@pytest.fixture(scope="module")
def rules() -> SectionRules:
    return SectionRules(load_rules("sections.json", SectionRule))


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("Inclusion Criteria:", "inclusion"),
        ("Inclusion criteria", "inclusion"),
        ("INCLUSION CRITERIA", "inclusion"),
        ("Key inclusion criteria", "inclusion"),
        ("Key Inclusion Criteria:", "inclusion"),
        ("- Inclusion Criteria:", "inclusion"),
        ("-  INCLUSION CRITERIA:", "inclusion"),
        ("**Inclusion Criteria**", "inclusion"),
        ("Inclusion:", "inclusion"),
        ("Criteria for inclusion:", "inclusion"),
        ("Inclusion Criteria for Donors/Recipients:", "inclusion"),
        ("Exclusion criteria for mother-infant pairs:", "exclusion"),
        ("Patients are eligible if they meet the following criteria:", "inclusion"),
        ("You may be eligible for this study if you:", "inclusion"),
        ("DISEASE CHARACTERISTICS:", "inclusion"),
        ("PATIENT CHARACTERISTICS:", "inclusion"),
        ("PRIOR CONCURRENT THERAPY:", "inclusion"),
        ("--Disease Characteristics--", "inclusion"),
        ("--Prior/Concurrent Therapy--", "inclusion"),
        ("Exclusion Criteria:", "exclusion"),
        ("EXCLUSION CRITERIA", "exclusion"),
        ("Key Exclusion Criteria", "exclusion"),
        ("Exclusion criteria (any of the following)", "exclusion"),
        ("Exclusion criteria (any of the following):", "exclusion"),
        ("Patients are not eligible if:", "exclusion"),
        ("Patients will not be eligible for this study if they:", "exclusion"),
        (
            "Subjects will be excluded if they meet any of the following criteria:",
            "exclusion",
        ),
        ("Non-inclusion criteria:", "exclusion"),
        ("Eligibility Criteria", "unknown"),
        ("ELIGIBILITY CRITERIA:", "unknown"),
    ],
)
def test_header_lines(rules: SectionRules, line: str, section: str) -> None:
    rule = rules.match_line(line)
    assert rule is not None
    assert (rule.section if rule.kind == "header" else "unknown") == section


@pytest.mark.parametrize(
    "line",
    [
        "Patients with inclusion body myositis",
        "Meets the inclusion criteria of study ABC-1 and has signed consent",
        "History of exclusion from another trial for non-compliance",
        "Age 18 or older",
        "Protocol",  # a page field, not a header
    ],
)
def test_not_header_lines(rules: SectionRules, line: str) -> None:
    assert rules.match_line(line) is None


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("Excluded:", "exclusion"),
        ("Excluded within 4 weeks of study entry:", "exclusion"),
        (
            "Patients with the following symptoms or conditions are excluded:",
            "exclusion",
        ),
        ("Required:", "inclusion"),
        ("Patients must have:", "inclusion"),
    ],
)
def test_lead_in(rules: SectionRules, line: str, section: str) -> None:
    rule = rules.match_lead_in(line)
    assert rule is not None and rule.section == section


@pytest.mark.parametrize(
    "line", ["Hepatic:", "Allowed:", "Age:", "Concurrent Medication:"]
)
def test_plain_headings_have_no_polarity(rules: SectionRules, line: str) -> None:
    assert rules.match_lead_in(line) is None


def sections_of(
    text: str, rules: SectionRules, fmt: str = "ctgov_v2", default="unknown"
):
    return [
        (b.section, text[b.start : b.end].strip())
        for b in find_sections(text, rules, source_format=fmt, default_section=default)
    ]


def test_registry_field_keeps_preamble(rules: SectionRules) -> None:
    text = "Adults only.\nInclusion Criteria:\n- A\nExclusion Criteria:\n- B"
    assert sections_of(text, rules) == [
        ("unknown", "Adults only."),
        ("inclusion", "- A"),
        ("exclusion", "- B"),
    ]


def test_default_section_applies_before_headers(rules: SectionRules) -> None:
    assert sections_of("- A\n- B", rules, default="exclusion") == [
        ("exclusion", "- A\n- B")
    ]


def test_page_drops_text_before_first_header_and_after_end_marker(
    rules: SectionRules,
) -> None:
    text = (
        "Some page title\nTo take part you must be 18 to 70.\n\n"
        "Eligibility Criteria\n\nCheck the requirements below.\n\n"
        "Inclusion Criteria\n\n* A\n\nExclusion Criteria\n\n* B\n"
        "Minimum Eligible Age\n\n18 Years\n"
    )
    assert sections_of(text, rules, fmt="text") == [
        ("inclusion", "* A"),
        ("exclusion", "* B"),
    ]


def test_inline_headers_on_a_flattened_line(rules: SectionRules) -> None:
    text = "Eligibility Inclusion Criteria: - 1. A - 2. B Exclusion Criteria: - 1. C"
    assert sections_of(text, rules, fmt="text") == [
        ("inclusion", "- 1. A - 2. B"),
        ("exclusion", "- 1. C"),
    ]


def test_lowercase_mid_sentence_is_not_a_header(rules: SectionRules) -> None:
    text = "Inclusion Criteria:\n- Meets all inclusion criteria: see protocol"
    assert [s for s, _ in sections_of(text, rules)] == ["inclusion"]
