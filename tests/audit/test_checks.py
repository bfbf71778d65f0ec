"""The audit's checks: every finding kind found on our invented trials, and the
interval logic behind contradictions and redundancies."""

from __future__ import annotations

import pytest

from eligo.audit.checks import Interval, check_contradictions, normalised_key
from eligo.audit.cohort import modified_z, washout_days
from eligo.audit.findings import KINDS
from eligo.audit.rules import audit_rules, drug_class_of, drug_classes
from eligo.document import Constraint, Criterion, Document

# kind -> (trial, evidence text)
EXPECTED = [
    ("contradiction", "NCT99000001", "older than 65 years"),
    ("contradiction", "NCT99000002", "Platelet count ≥ 50 x 10^9/L"),
    ("implausible_value", "NCT99000001", "Hemoglobin ≥ 9 mg/dL"),
    ("implausible_unit", "NCT99000001", "Creatinine ≤ 1.5 mg"),
    ("registry_age_mismatch", "NCT99000001", "Age ≥ 70 years"),
    ("registry_sex_mismatch", "NCT99000002", "Female patients"),
    (
        "duplicate",
        "NCT99000001",
        "Known hypersensitivity to the study drug or its excipients",
    ),
    ("redundancy", "NCT99000002", "Age under 18 years"),
    ("unparsed_number", "NCT99000002", "more than 45"),
    ("not_computable", "NCT99000001", "In the opinion of the investigator"),
    ("threshold_outlier", "NCT99000007", "Platelet count ≥ 10,000/mm3"),
    ("age_outlier", "NCT99000001", "Age ≥ 70 years"),
    ("washout_outlier", "NCT99000007", "within 2 years before enrolment"),
    ("unit_heterogeneity", "NCT99000002", "Platelet count ≥ 100 x 10^9/L"),
    ("unusual_criterion", "NCT99000007", "Serum magnesium ≥ 0.5 mmol/L"),
]


def test_every_kind_has_a_fixture_case():
    assert {kind for kind, _, _ in EXPECTED} == set(KINDS)


@pytest.mark.parametrize(("kind", "trial", "evidence"), EXPECTED)
def test_finding_is_found(audit_result, kind, trial, evidence):
    found = [
        f
        for f in audit_result.findings
        if f.kind == kind and f.trial_id == trial and f.evidence == evidence
    ]
    assert found, [
        (f.trial_id, f.evidence) for f in audit_result.findings if f.kind == kind
    ]
    f = found[0]
    doc = audit_result.documents[trial]
    assert doc.text[f.start : f.end] == evidence
    crit = doc.criteria[f.criterion]
    assert crit.start <= f.start <= f.end <= crit.end
    assert f.severity == audit_rules().severities[kind]
    assert f.message


def test_no_contradiction_where_patients_remain(audit_result):
    flagged = {(f.trial_id, f.evidence) for f in audit_result.findings}
    # inclusion age >= 18 vs the exclusion "under 18" is redundancy, not contradiction
    assert not any(
        f.kind == "contradiction" and f.evidence == "Age under 18 years"
        for f in audit_result.findings
    )
    assert ("NCT99000003", "Age 18 years or older") not in flagged


def test_not_computable_share(audit_result):
    (f,) = [f for f in audit_result.findings if f.kind == "not_computable"]
    assert f.data["count"] == 1
    assert f.data["share"] == pytest.approx(1 / f.data["criteria"], abs=1e-4)
    assert audit_result.not_computable["NCT99000001"] > 0
    assert audit_result.not_computable["NCT99000003"] == 0


def _doc(inclusion: list[dict], exclusion: list[dict]) -> Document:
    text = "x" * 40
    criteria = [
        Criterion(
            section=section,
            start=0,
            end=10,
            constraints=[Constraint(start=0, end=10, **c)],
        )
        for section, group in (("inclusion", inclusion), ("exclusion", exclusion))
        for c in group
    ]
    return Document(id="T", text=text.replace("x", "1", 10), criteria=criteria)


PLT = {"start": 0, "end": 3, "text": "PLT"}


@pytest.mark.parametrize(
    ("inclusion", "exclusion", "kind"),
    [
        # Age 18–65 vs older than 50: 50–65 remains.
        (
            [{"type": "age", "low": 18, "high": 65}],
            [{"type": "age", "low": 50, "low_inclusive": False}],
            None,
        ),
        # Age >= 70 vs older than 65: nothing remains.
        (
            [{"type": "age", "low": 70}],
            [{"type": "age", "low": 65, "low_inclusive": False}],
            "contradiction",
        ),
        # Age >= 18 vs younger than 18: the exact complement.
        (
            [{"type": "age", "low": 18, "low_inclusive": True}],
            [{"type": "age", "high": 18, "high_inclusive": False}],
            "redundancy",
        ),
        # Platelets >= 100 vs < 150: 100–150 is excluded, >= 150 remains.
        (
            [
                {
                    "type": "measurement",
                    "low": 100,
                    "analyte": PLT,
                    "canonical": {"low": 100, "unit": "10*9/L"},
                }
            ],
            [
                {
                    "type": "measurement",
                    "high": 150,
                    "high_inclusive": False,
                    "analyte": PLT,
                    "canonical": {"high": 150, "unit": "10*9/L"},
                }
            ],
            None,
        ),
        # Platelets >= 100 vs >= 50: every allowed patient is excluded.
        (
            [
                {
                    "type": "measurement",
                    "low": 100,
                    "analyte": PLT,
                    "canonical": {"low": 100, "unit": "10*9/L"},
                }
            ],
            [
                {
                    "type": "measurement",
                    "low": 50,
                    "analyte": PLT,
                    "canonical": {"low": 50, "unit": "10*9/L"},
                }
            ],
            "contradiction",
        ),
        # Different canonical units are never compared.
        (
            [
                {
                    "type": "measurement",
                    "low": 100,
                    "analyte": PLT,
                    "canonical": {"low": 100, "unit": "10*9/L"},
                }
            ],
            [
                {
                    "type": "measurement",
                    "low": 50,
                    "analyte": PLT,
                    "canonical": {"low": 50, "unit": "/mm3"},
                }
            ],
            None,
        ),
        # A negated exclusion is left out.
        (
            [{"type": "age", "low": 70}],
            [{"type": "age", "low": 65, "negated": True}],
            None,
        ),
    ],
)
def test_contradiction_logic(inclusion, exclusion, kind):
    found = [f.kind for f in check_contradictions(_doc(inclusion, exclusion))]
    assert found == ([kind] if kind else [])


@pytest.mark.parametrize(
    ("a", "b", "within"),
    [
        (Interval(70, True, None), Interval(65, False, None), True),
        (Interval(18, True, 65, True), Interval(50, False, None), False),
        (Interval(100, True, None), Interval(None, True, 150, False), False),
        (Interval(100, True, 150, False), Interval(None, True, 150, False), True),
        (Interval(100, True, None), Interval(100, False, None), False),
    ],
)
def test_interval_within(a, b, within):
    assert a.within(b) is within


def test_interval_empty_and_complement():
    assert Interval(5, True, 5, False).is_empty()
    assert not Interval(5, True, 5, True).is_empty()
    assert Interval(18, True, None).is_complement_of(Interval(None, True, 18, False))
    assert not Interval(18, True, None).is_complement_of(Interval(None, True, 18, True))


def test_normalised_key():
    assert normalised_key("- 1. Known  HIV-infection.") == normalised_key(
        "known hiv infection"
    )


def test_modified_z():
    z = modified_z([2, 2, 2, 2, 1])
    assert abs(z[-1]) > 3.5 and z[0] == 0
    assert modified_z([3, 3, 3]) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "days"),
    [
        ({"high_days": 28, "low_days": 0, "direction": "before"}, 28),
        ({"low_days": 14, "direction": "before"}, 14),
        ({"high_days": 28, "direction": "after"}, None),
        ({"value": "ever", "direction": "before"}, None),
    ],
)
def test_washout_days(kwargs, days):
    con = Constraint(type="temporal", start=0, end=1, **kwargs)
    assert washout_days(con) == days


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("prior chemotherapy", "chemotherapy"),
        ("systemic corticosteroids", "corticosteroids"),
        ("any investigational drug", "investigational"),
        ("warfarin", "anticoagulants"),
        ("a sunny day", None),
    ],
)
def test_drug_classes(text, cls):
    found = drug_class_of(text)
    assert (found.id if found else None) == cls


def test_rules_load():
    rules = audit_rules()
    assert set(rules.severities) == set(KINDS)
    assert len(drug_classes()) >= 8
