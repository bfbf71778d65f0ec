"""Criteria splitting: one parametrized table of texts and expected criteria."""

import pytest

import eligo

CASES = [
    # (name, text, [(section, criterion text), ...])
    (
        "dash bullets",
        "Inclusion Criteria:\n- Age 18 or older\n- Signed consent\n"
        "Exclusion Criteria:\n- Pregnancy",
        [
            ("inclusion", "Age 18 or older"),
            ("inclusion", "Signed consent"),
            ("exclusion", "Pregnancy"),
        ],
    ),
    (
        "star and bullet symbols",
        "Inclusion Criteria:\n* A\n• B\n· C",
        [("inclusion", "A"), ("inclusion", "B"), ("inclusion", "C")],
    ),
    (
        "numbered with dots and parens",
        "Inclusion Criteria:\n1. First\n2) Second\n(3) Third",
        [("inclusion", "First"), ("inclusion", "Second"), ("inclusion", "Third")],
    ),
    (
        "letters and roman numerals",
        "Exclusion Criteria:\n(a) One\nb. Two\ni. Three\nii) Four",
        [
            ("exclusion", "One"),
            ("exclusion", "Two"),
            ("exclusion", "Three"),
            ("exclusion", "Four"),
        ],
    ),
    (
        "stacked markers",
        "- Inclusion Criteria:\n- • 1. Adults\n- • 2. Consent\n- Exclusion Criteria:\n"
        "- • 1. Cancer",
        [("inclusion", "Adults"), ("inclusion", "Consent"), ("exclusion", "Cancer")],
    ),
    (
        "wrapped lines (registry XML layout)",
        "        Inclusion Criteria:\n\n          -  Patients with a histologically\n"
        "             confirmed diagnosis\n\n          -  Age over 18\n      ",
        [
            (
                "inclusion",
                "Patients with a histologically\n             confirmed diagnosis",
            ),
            ("inclusion", "Age over 18"),
        ],
    ),
    (
        "hyphen at a wrapped line start is not a bullet",
        "Exclusion Criteria:\n\n          -  Treatment more often than once a month for 5\n"
        "             - 7 days.\n\n          -  Cimetidine.",
        [
            (
                "exclusion",
                "Treatment more often than once a month for 5\n             - 7 days.",
            ),
            ("exclusion", "Cimetidine."),
        ],
    ),
    (
        "flattened numbered list with dashes",
        "Inclusion Criteria: - 1. 18-80 years old - 2. End-stage liver disease - 3. "
        "Signed informed consent Exclusion Criteria: - 1. Tumours - 2. Acute-on-chronic "
        "liver failure",
        [
            ("inclusion", "18-80 years old"),
            ("inclusion", "End-stage liver disease"),
            ("inclusion", "Signed informed consent"),
            ("exclusion", "Tumours"),
            ("exclusion", "Acute-on-chronic liver failure"),
        ],
    ),
    (
        "flattened star list",
        "Inclusion Criteria: * Aged 18 to 70 years old. * Diagnosed cirrhosis * Consent. "
        "Exclusion Criteria: * Younger than 18 * Recent infection",
        [
            ("inclusion", "Aged 18 to 70 years old."),
            ("inclusion", "Diagnosed cirrhosis"),
            ("inclusion", "Consent."),
            ("exclusion", "Younger than 18"),
            ("exclusion", "Recent infection"),
        ],
    ),
    (
        "flattened numbers without dashes, in sequence only",
        "Inclusion Criteria: 1. Version 2. of the form is signed 2. Age 18",
        [("inclusion", "Version 2. of the form is signed"), ("inclusion", "Age 18")],
    ),
    (
        "flattened bullets symbol",
        "Exclusion: • HIV • Hepatitis B • Pregnancy",
        [
            ("exclusion", "HIV"),
            ("exclusion", "Hepatitis B"),
            ("exclusion", "Pregnancy"),
        ],
    ),
    (
        "single inline dash is a hyphen",
        "Inclusion Criteria:\n- Stage III - IV disease",
        [("inclusion", "Stage III - IV disease")],
    ),
    (
        "empty bullets yield nothing",
        "Exclusion Criteria:\n\\-\n- Pregnancy\n\\-\n-\n",
        [("exclusion", "Pregnancy")],
    ),
    (
        "paragraph split into sentences, abbreviations kept",
        "Inclusion Criteria\n\nAged 18\\~65 years. Evidence of cirrhosis, e.g. on "
        "ultrasound. hepatic patients with ascites.\n",
        [
            ("inclusion", "Aged 18\\~65 years."),
            ("inclusion", "Evidence of cirrhosis, e.g. on ultrasound."),
            ("inclusion", "hepatic patients with ascites."),
        ],
    ),
    (
        "decimals and parentheses do not end sentences",
        "Exclusion Criteria:\nINR > 1.5. Severe disease (e.g. heart. lungs). Women.",
        [
            ("exclusion", "INR > 1.5."),
            ("exclusion", "Severe disease (e.g. heart. lungs)."),
            ("exclusion", "Women."),
        ],
    ),
    (
        "unpunctuated lines are one criterion each",
        "Inclusion Criteria:\nAge 18 or older\nType 2 diabetes\nHbA1c 7-10%",
        [
            ("inclusion", "Age 18 or older"),
            ("inclusion", "Type 2 diabetes"),
            ("inclusion", "HbA1c 7-10%"),
        ],
    ),
    (
        "lowercase continuation joins",
        "Inclusion Criteria:\nPatients with a confirmed diagnosis of\nmultiple myeloma",
        [("inclusion", "Patients with a confirmed diagnosis of\nmultiple myeloma")],
    ),
    (
        "nested items stay with their parent",
        "Exclusion Criteria:\n\n  -  Any of the following:\n\n       -  Stroke\n\n"
        "       -  Myocardial infarction\n\n  -  Pregnancy",
        [
            (
                "exclusion",
                "Any of the following:\n\n       -  Stroke\n\n       -  Myocardial "
                "infarction",
            ),
            ("exclusion", "Pregnancy"),
        ],
    ),
    (
        "style change after a colon nests",
        "Inclusion Criteria:\n1. Adequate organ function:\na. ANC >= 1.5\nb. Platelets >= 100\n"
        "2. Consent",
        [
            (
                "inclusion",
                "Adequate organ function:\na. ANC >= 1.5\nb. Platelets >= 100",
            ),
            ("inclusion", "Consent"),
        ],
    ),
    (
        "headings are not criteria; lead-ins set the section",
        "Inclusion Criteria\n\nConcurrent Medication:\n\nAllowed:\n\n  -  Antibiotics.\n\n"
        "Excluded:\n\n  -  Steroids.\n\nPatients must have:\n\n  -  HIV infection.",
        [
            ("inclusion", "Antibiotics."),
            ("exclusion", "Steroids."),
            ("inclusion", "HIV infection."),
        ],
    ),
    (
        "old NCI layout is inclusion; sub-headings are headings",
        "DISEASE CHARACTERISTICS:\n\n  -  Histologically confirmed melanoma\n\n"
        "PATIENT CHARACTERISTICS:\n\nAge:\n\n  -  18 and over\n\nHepatic:\n\n"
        "  -  Bilirubin no greater than 1.5 mg/dL\n\nPRIOR CONCURRENT THERAPY:\n\n"
        "Chemotherapy:\n\n  -  No prior chemotherapy",
        [
            ("inclusion", "Histologically confirmed melanoma"),
            ("inclusion", "18 and over"),
            ("inclusion", "Bilirubin no greater than 1.5 mg/dL"),
            ("inclusion", "No prior chemotherapy"),
        ],
    ),
    (
        "CRLF line endings",
        "Inclusion Criteria:\r\n- A\r\n- B\r\nExclusion Criteria:\r\n- C\r\n",
        [("inclusion", "A"), ("inclusion", "B"), ("exclusion", "C")],
    ),
    (
        "unknown section without headers",
        "- A\n- B",
        [("unknown", "A"), ("unknown", "B")],
    ),
    (
        "markdown escapes of API v2",
        "Inclusion Criteria:\n\n* mRSS \\> 10\n* PLT \\<50×10\\^9/L\n\nExclusion Criteria:\n\n"
        "1. eGFR \\< 45 mL/min",
        [
            ("inclusion", "mRSS \\> 10"),
            ("inclusion", "PLT \\<50×10\\^9/L"),
            ("exclusion", "eGFR \\< 45 mL/min"),
        ],
    ),
    ("empty text", "", []),
    ("only headers", "Inclusion Criteria:\n\nExclusion Criteria:\n", []),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_criteria(
    parser, name: str, text: str, expected: list[tuple[str, str]]
) -> None:
    from eligo.trial import Trial

    doc = parser.parse(Trial(id="t", text=text, source_format="ctgov_v2"))
    got = [(c.section, text[c.start : c.end]) for c in doc.criteria]
    assert got == expected


def test_nested_items_are_listed(parser) -> None:
    from eligo.trial import Trial

    text = "Exclusion Criteria:\n- Any of:\n    - Stroke\n    - Angina\n- Pregnancy"
    doc = parser.parse(Trial(id="t", text=text, source_format="ctgov_v2"))
    first = doc.criteria[0]
    assert [text[i.start : i.end] for i in first.items] == ["Stroke", "Angina"]
    assert doc.criteria[1].items == []


def test_heading_is_reported(parser) -> None:
    from eligo.trial import Trial

    text = "Inclusion Criteria:\nHepatic:\n  - Bilirubin < 2 mg/dL\n"
    doc = parser.parse(Trial(id="t", text=text, source_format="ctgov_v2"))
    (crit,) = doc.criteria
    assert crit.heading is not None
    assert crit.heading.text == "Hepatic:"
    assert text[crit.heading.start : crit.heading.end] == "Hepatic:"


def test_default_section_option() -> None:
    doc = eligo.parse_text("- A\n- B", default_section="exclusion")
    assert [c.section for c in doc.criteria] == ["exclusion", "exclusion"]
