"""The five real registry pages in ../shared/seeds, counted by hand.

Each page comes from a different registry site. The expected counts and the
first and last criterion of each section were read off the pages by a person;
the test reads the pages at run time and skips without ../shared.
"""

import pytest

from eligo.trial import Trial

# file prefix -> (inclusion count, exclusion count,
#                 (first inclusion, last inclusion), (first exclusion, last exclusion))
SEEDS = {
    "000_": (
        3,
        11,
        ("18-80 years old", "Signed informed consent"),
        (
            "Tumours of the liver or other organs",
            "Other circumstances that are unsuitable for participation in this study",
        ),
    ),
    "001_": (
        3,
        6,
        ("Aged 18\\~65 years.", "hepatic cirrhosis patients with refractory ascite."),
        (
            "history of moderate to severe hepatic encephalopathy or variceal bleeding "
            "during the last two months before enrolment.",
            "Imaging evidences of vascular thromboses.",
        ),
    ),
    "002_": (
        3,
        14,
        (
            "18 years old ≤ age ≤ 70 years old, gender is not limited.",
            "Willing to sign the informed consent form.",
        ),
        (
            "Patients with acute kidney injury, upper gastrointestinal hemorrhage, hepatic "
            "encephalopathy above grade II (inclusive) or uncontrolled infection at "
            "baseline;",
            "Other conditions that the investigator thinks that the patient is not "
            "suitable to participate in this study.",
        ),
    ),
    "003_": (
        3,
        4,
        (
            "Aged 18 to 70 years old.",
            "Be willing to complete the study and sign the consent form.",
        ),
        (
            "Younger than 18 or older than 70 years old",
            "Any clinically significant blood coagulation disorder(s)",
        ),
    ),
    "004_": (
        7,
        12,
        (
            "Aged between 20 and 60 (male or female)",
            "Subjects voluntarily participate in this study and sign informed consent",
        ),
        (
            "Be less than 20 years old or more than 60 years old",
            "The researcher considers it inappropriate to participate in this study",
        ),
    ),
}


@pytest.mark.shared
@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_page(shared_dir, parser, prefix: str) -> None:
    (path,) = sorted((shared_dir / "seeds").glob(f"{prefix}*.txt"))
    text = path.read_bytes().decode("utf-8")
    doc = parser.parse(Trial(id=path.stem, text=text, source_format="text"))
    n_inc, n_exc, inc_ends, exc_ends = SEEDS[prefix]
    inc = [text[c.start : c.end] for c in doc.criteria if c.section == "inclusion"]
    exc = [text[c.start : c.end] for c in doc.criteria if c.section == "exclusion"]
    assert (len(inc), len(exc)) == (n_inc, n_exc)
    assert len(doc.criteria) == n_inc + n_exc  # nothing left in "unknown"
    assert (inc[0], inc[-1]) == inc_ends
    assert (exc[0], exc[-1]) == exc_ends
    # No criterion runs into page text after the criteria.
    assert all("\n\n" not in c for c in inc + exc)
