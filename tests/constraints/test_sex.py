import pytest

from eligo.constraints.sex import find_sex
from eligo.trial import Trial

CASES = [
    # (text, section, [(type, evidence, value, negated, planned)])
    (
        "Aged between 20 and 60 (male or female)",
        "inclusion",
        [("sex", "male or female", "all", False, False)],
    ),
    (
        "Men and women aged 18-65",
        "inclusion",
        [("sex", "Men and women", "all", False, False)],
    ),
    (
        "gender is not limited",
        "inclusion",
        [("sex", "gender is not limited", "all", False, False)],
    ),
    ("Both sexes", "inclusion", [("sex", "Both sexes", "all", False, False)]),
    (
        "Female patients with breast cancer",
        "inclusion",
        [("sex", "Female patients", "female", False, False)],
    ),
    (
        "Postmenopausal women",
        "inclusion",
        [("sex", "Postmenopausal women", "female", False, False)],
    ),
    ("Women aged 18-45", "inclusion", [("sex", "Women", "female", False, False)]),
    (
        "Healthy male volunteers",
        "inclusion",
        [("sex", "male volunteers", "male", False, False)],
    ),
    ("Men with prostate cancer", "inclusion", [("sex", "Men", "male", False, False)]),
    ("Women only", "inclusion", [("sex", "Women only", "female", False, False)]),
    (
        "Study open to men only",
        "inclusion",
        [("sex", "men only", "male", False, False)],
    ),
    # Subjects that do not restrict sex.
    ("Women of childbearing potential must use contraception", "inclusion", []),
    ("Men with partners of childbearing potential must use condoms", "inclusion", []),
    ("Female patients", "exclusion", []),
    # Pregnancy and breastfeeding.
    (
        "Pregnant or lactating women.",
        "exclusion",
        [
            ("pregnancy", "Pregnant", None, False, False),
            ("breastfeeding", "lactating", None, False, False),
        ],
    ),
    (
        "Pregnant or breastfeeding subjects",
        "exclusion",
        [
            ("pregnancy", "Pregnant", None, False, False),
            ("breastfeeding", "breastfeeding", None, False, False),
        ],
    ),
    (
        "Not pregnant or nursing",
        "inclusion",
        [
            ("pregnancy", "pregnant", None, True, False),
            ("breastfeeding", "nursing", None, True, False),
        ],
    ),
    ("non-pregnant", "inclusion", [("pregnancy", "pregnant", None, True, False)]),
    (
        "Negative serum pregnancy test at screening",
        "inclusion",
        [("pregnancy", "pregnancy", None, True, False)],
    ),
    (
        "plan to become pregnant during the study",
        "exclusion",
        [("pregnancy", "pregnant", None, False, True)],
    ),
    (
        "Pregnant, breastfeeding women or those who plan to have a baby in the near future;",
        "exclusion",
        [
            ("pregnancy", "Pregnant", None, False, False),
            ("breastfeeding", "breastfeeding", None, False, False),
            ("pregnancy", "have a baby", None, False, True),
        ],
    ),
    (
        "Breast-feeding",
        "exclusion",
        [("breastfeeding", "Breast-feeding", None, False, False)],
    ),
    (
        "History of pregnancy loss",
        "exclusion",
        [("pregnancy", "pregnancy", None, False, False)],
    ),
    ("No pregnancy", "inclusion", [("pregnancy", "pregnancy", None, True, False)]),
    ("Nursing home residents", "exclusion", []),
    (
        "Lactating or nursing mothers",
        "exclusion",
        [
            ("breastfeeding", "Lactating", None, False, False),
            ("breastfeeding", "nursing", None, False, False),
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "section", "expected"), CASES, ids=[c[0][:40] for c in CASES]
)
def test_sex(parser, text: str, section: str, expected: list[tuple]) -> None:
    """The grammar finds the constraints; negation is eligo_context's (the
    whole pipeline)."""
    found = find_sex(text, section=section)
    assert [(c.type, text[c.start : c.end], c.value, c.planned) for c in found] == [
        (t, ev, v, planned) for t, ev, v, _, planned in expected
    ]
    doc = parser.parse(
        Trial(
            id="s",
            text=f"{section.title()} Criteria:\n- {text}\n",
            source_format="ctgov_v2",
        )
    )
    (crit,) = doc.criteria
    got = [
        (
            c.type,
            doc.text[c.start : c.end],
            c.value,
            c.negated,
            c.direction == "after",
        )
        for c in crit.constraints
        if c.type in ("sex", "pregnancy", "breastfeeding")
    ]
    assert got == expected
