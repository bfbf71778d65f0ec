"""Each matching rule on hand-built Documents (independent of the concept model)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from eligo.document import Constraint, Criterion, Document, Entity, Logic
from eligo.match.engine import match_document
from eligo.match.evaluate import Context, evaluate
from eligo.match.measures import _range_holds, measurement_atom
from eligo.match.patient import Patient, ValueRange

AS_OF = date(2026, 11, 22)


def span(text: str, part: str, nth: int = 0) -> dict[str, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return {"start": start, "end": start + len(part)}


def criterion(
    text: str,
    section: str = "inclusion",
    constraints: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Document:
    """A one-criterion Document; constraint/entity dicts name their span by
    ``at`` (a substring of ``text``)."""
    cons = []
    for c in constraints or []:
        c = dict(c)
        where = span(text, c.pop("at"))
        if "analyte_at" in c:
            a = span(text, c.pop("analyte_at"))
            c["analyte"] = {**a, "text": text[a["start"] : a["end"]], "code": None}
        if "subject_at" in c:
            s = span(text, c.pop("subject_at"))
            c["subject"] = {**s, "text": text[s["start"] : s["end"]]}
        cons.append(Constraint(**where, **c))
    ents = []
    for e in entities or []:
        e = dict(e)
        ents.append(Entity(**span(text, e.pop("at")), **e))
    crit = Criterion(
        start=0,
        end=len(text),
        section=section,
        constraints=cons,
        entities=ents,
        **extra,
    )
    return Document(id="T1", text=text, criteria=[crit])


def verdict(doc: Document, patient: dict[str, Any], as_of: date = AS_OF) -> Any:
    ctx = Context(patient=Patient(**patient), as_of=as_of, lab_max_age_days=90)
    return evaluate(doc, 0, ctx)


AGE = {
    "type": "age",
    "low": 18.0,
    "low_inclusive": True,
    "high": 65.0,
    "high_inclusive": True,
    "at": "aged 18 to 65",
}


@pytest.mark.parametrize(
    ("patient", "holds"),
    [
        ({"birth_date": "1990-01-15"}, True),
        ({"birth_date": "2008-11-23"}, False),  # 17 until tomorrow
        ({"birth_date": "2008-11-22"}, True),  # 18 today
        ({"birth_date": "1961-06-01"}, True),  # 65 years and 5 months: still 65
        ({"birth_date": "1960-11-21"}, False),  # 66
        ({"age": 40}, True),
        ({"birth_date": "2008"}, None),  # 17 or 18 depending on the day
        ({"birth_date": "1990"}, True),  # partial but decided
        ({}, None),
    ],
)
def test_age_at_reference_date(patient: dict[str, Any], holds: bool | None) -> None:
    result = verdict(criterion("Adults aged 18 to 65", constraints=[AGE]), patient)
    assert result.holds is holds
    if holds is None:
        assert result.verdict == "unknown" and result.missing


def test_exclusive_month_bound_uses_exact_age() -> None:
    doc = criterion(
        "Infants older than 6 months",
        constraints=[
            {
                "type": "age",
                "low": 0.5,
                "low_inclusive": False,
                "at": "older than 6 months",
            }
        ],
    )
    assert verdict(doc, {"birth_date": "2026-06-01"}).holds is False
    assert verdict(doc, {"birth_date": "2026-04-01"}).holds is True


@pytest.mark.parametrize(
    ("section", "patient", "expected"),
    [
        ("inclusion", {"sex": "female"}, "met"),
        ("inclusion", {"sex": "male"}, "not_met"),
        ("exclusion", {"sex": "female"}, "not_met"),
        ("exclusion", {"sex": "male"}, "met"),
        ("inclusion", {}, "unknown"),
    ],
)
def test_sex_and_polarity(section: str, patient: dict[str, Any], expected: str) -> None:
    doc = criterion(
        "Women", section, [{"type": "sex", "value": "female", "at": "Women"}]
    )
    assert verdict(doc, patient).verdict == expected


@pytest.mark.parametrize(
    ("negated", "patient", "expected"),
    [
        (False, {"pregnant": True}, "not_met"),
        (False, {"pregnant": False}, "met"),
        (False, {"sex": "male"}, "met"),  # a man is not pregnant
        (False, {"sex": "female"}, "unknown"),
        (True, {"pregnant": False}, "not_met"),  # exclusion "not pregnant"
    ],
)
def test_pregnancy_in_exclusion(
    negated: bool, patient: dict[str, Any], expected: str
) -> None:
    doc = criterion(
        "Pregnant women",
        "exclusion",
        [{"type": "pregnancy", "negated": negated, "at": "Pregnant"}],
    )
    assert verdict(doc, patient).verdict == expected


BILI = {
    "type": "measurement",
    "high": 2.0,
    "high_inclusive": True,
    "unit": "mg/dL",
    "canonical": {"low": None, "high": 34.2, "unit": "umol/L"},
    "at": "total bilirubin <= 2 mg/dL",
    "analyte_at": "total bilirubin",
}


@pytest.mark.parametrize(
    ("obs", "holds", "in_reason"),
    [
        ({"value": 1.5, "unit": "mg/dL", "date": "2026-11-01"}, True, "25.65 umol/L"),
        ({"value": 40, "unit": "µmol/L", "date": "2026-11-01"}, False, "40"),
        ({"value": 34.2, "unit": "umol/L", "date": "2026-11-01"}, True, "34.2"),
        ({"value": 1.5, "unit": "furlongs", "date": "2026-11-01"}, None, "cannot"),
        ({"value": 1.5, "unit": "mg/dL", "date": "2026-01-01"}, None, "outside"),
        ({"value": 1.5, "unit": "mg/dL"}, None, "no "),
    ],
)
def test_lab_threshold_with_conversion(
    obs: dict[str, Any], holds: bool | None, in_reason: str
) -> None:
    doc = criterion(
        "Adequate liver function: total bilirubin <= 2 mg/dL", constraints=[BILI]
    )
    result = verdict(doc, {"observations": [{"name": "Total bilirubin", **obs}]})
    assert result.holds is holds
    assert in_reason in result.evidence[0].reason


def test_lab_found_by_loinc_code_without_name() -> None:
    doc = criterion(
        "Adequate liver function: total bilirubin <= 2 mg/dL", constraints=[BILI]
    )
    obs = {
        "codes": [{"system": "http://loinc.org", "code": "1975-2"}],
        "value": 3.0,
        "unit": "mg/dL",
        "date": "2026-11-20",
    }
    assert verdict(doc, {"observations": [obs]}).holds is False


def test_window_qualifying_a_lab_excludes_older_results() -> None:
    text = "Platelets >= 100 x 10^9/L within 14 days before enrollment"
    doc = criterion(
        text,
        constraints=[
            {
                "type": "temporal",
                "high_days": 14.0,
                "direction": "before",
                "anchor": "enrolment",
                "qualifies": [1],
                "at": "within 14 days before enrollment",
                "subject_at": "Platelets >= 100 x 10^9/L",
            },
            {
                "type": "measurement",
                "low": 100.0,
                "low_inclusive": True,
                "unit": "10*9/L",
                "canonical": {"low": 100.0, "unit": "10*9/L"},
                "at": "Platelets >= 100 x 10^9/L",
                "analyte_at": "Platelets",
            },
        ],
    )
    fresh = {
        "name": "platelet count",
        "value": 150,
        "unit": "10^9/L",
        "date": "2026-11-15",
    }
    stale = {**fresh, "date": "2026-10-01"}
    assert verdict(doc, {"observations": [fresh]}).holds is True
    result = verdict(doc, {"observations": [stale]})
    assert result.holds is None
    assert any("2026-11-08" in m for m in result.missing)
    # The latest result in the window is used.
    low = {**fresh, "value": 50, "date": "2026-11-20"}
    assert verdict(doc, {"observations": [fresh, low]}).holds is False


@pytest.mark.parametrize(
    ("ref", "value", "holds"),
    [(40, 80, True), (40, 120, False), (None, 80, None)],
)
def test_uln_multiple_needs_the_reference_range(
    ref: float | None, value: float, holds: bool | None
) -> None:
    doc = criterion(
        "ALT <= 2.5 x ULN",
        constraints=[
            {
                "type": "measurement",
                "high": 2.5,
                "high_inclusive": True,
                "relative_to": "ULN",
                "at": "ALT <= 2.5 x ULN",
                "analyte_at": "ALT",
            }
        ],
    )
    obs = {
        "name": "ALT",
        "value": value,
        "unit": "U/L",
        "date": "2026-11-20",
        "reference_high": ref,
    }
    result = verdict(doc, {"observations": [obs]})
    assert result.holds is holds
    if holds is None:
        assert any("ULN" in m for m in result.missing)


@pytest.mark.parametrize(
    ("obs", "holds"),
    [({"value_text": "B"}, True), ({"value_text": "C"}, False), ({"value": 1}, True)],
)
def test_ordinal_score(obs: dict[str, Any], holds: bool) -> None:
    doc = criterion(
        "Child-Pugh class A or B",
        constraints=[
            {
                "type": "score",
                "value": "A-B",
                "low": 1.0,
                "low_inclusive": True,
                "high": 2.0,
                "high_inclusive": True,
                "unit": "{rank}",
                "at": "Child-Pugh class A or B",
                "analyte_at": "Child-Pugh class",
            }
        ],
    )
    full = {"name": "Child-Pugh class", "date": "2026-11-01", **obs}
    assert verdict(doc, {"observations": [full]}).holds is holds


def test_or_logic_between_constraints() -> None:
    text = "creatinine < 1.5 mg/dl or creatinine clearance > 60 mL/min"
    doc = criterion(
        text,
        constraints=[
            {
                "type": "measurement",
                "high": 1.5,
                "high_inclusive": False,
                "unit": "mg/dL",
                "canonical": {"high": 132.6, "unit": "umol/L"},
                "at": "creatinine < 1.5 mg/dl",
                "analyte_at": "creatinine",
            },
            {
                "type": "measurement",
                "low": 60.0,
                "low_inclusive": False,
                "unit": "mL/min",
                "canonical": {"low": 60.0, "unit": "mL/min"},
                "at": "creatinine clearance > 60 mL/min",
                "analyte_at": "creatinine clearance",
            },
        ],
        logic=Logic(op="or", args=[0, 1]),
    )
    high_creat = {
        "name": "creatinine",
        "value": 2.0,
        "unit": "mg/dL",
        "date": "2026-11-20",
    }
    good_clear = {
        "name": "creatinine clearance",
        "value": 75,
        "unit": "mL/min",
        "date": "2026-11-20",
    }
    assert verdict(doc, {"observations": [high_creat, good_clear]}).holds is True
    # One side false, the other missing: an OR stays unknown.
    assert verdict(doc, {"observations": [high_creat]}).holds is None


STROKE = "History of stroke"


@pytest.mark.parametrize(
    ("patient", "verdict_"),
    [
        ({"conditions": [{"text": "ischemic stroke", "onset": "2015"}]}, "not_met"),
        ({"conditions": [{"text": "CVA", "onset": "2015"}]}, "not_met"),  # abbreviation
        (
            {
                "conditions": [
                    {
                        "codes": [
                            {
                                "system": "http://hl7.org/fhir/sid/icd-10-cm",
                                "code": "I63.9",
                            }
                        ]
                    }
                ]
            },
            "not_met",
        ),  # by code
        ({"conditions": []}, "unknown"),  # open record: absence is not known
        ({"conditions": [], "complete": ["conditions"]}, "met"),
        ({"conditions": [{"text": "stroke", "present": False}]}, "met"),  # refuted
        ({"conditions": [{"text": "asthma"}], "complete": ["conditions"]}, "met"),
        # A fact eligo does not understand keeps a complete list from ruling out.
        ({"conditions": [{"text": "moyamoya"}], "complete": ["conditions"]}, "unknown"),
        # "stroke" in a fact that is about something else.
        ({"conditions": [{"text": "stroke risk screening"}]}, "unknown"),
    ],
)
def test_condition_history_in_exclusion(patient: dict[str, Any], verdict_: str) -> None:
    doc = criterion(
        STROKE,
        "exclusion",
        entities=[{"label": "Condition", "at": "stroke", "assertion": "historical"}],
    )
    assert verdict(doc, patient).verdict == verdict_


def test_textual_negation_is_not_polarity() -> None:
    # "No history of stroke" in an exclusion section: the statement holds when
    # the patient never had a stroke, so the patient is excluded.
    doc = criterion(
        "No history of stroke",
        "exclusion",
        entities=[
            {
                "label": "Condition",
                "at": "stroke",
                "negated": True,
                "assertion": "negated",
            }
        ],
    )
    result = verdict(doc, {"conditions": [], "complete": ["conditions"]})
    assert (result.holds, result.verdict) == (True, "not_met")
    result = verdict(doc, {"conditions": [{"text": "stroke", "onset": "2020"}]})
    assert (result.holds, result.verdict) == (False, "met")


@pytest.mark.parametrize(
    ("facts", "holds"),
    [
        ([{"text": "hepatocellular carcinoma"}], True),  # synonym
        ([{"text": "HCC"}], True),  # abbreviation
        ([{"codes": [{"system": "icd10cm", "code": "C22.0"}]}], True),
        ([{"codes": [{"system": "icd10cm", "code": "C50.9"}]}], False),  # coded, other
        ([{"text": "liver cancer"}], None),  # less specific than the criterion
    ],
)
def test_concepts_by_synonym_code_and_specificity(
    facts: list[dict[str, Any]], holds: bool | None
) -> None:
    doc = criterion(
        "Diagnosis of hepatocellular carcinoma",
        entities=[{"label": "Condition", "at": "hepatocellular carcinoma"}],
    )
    patient = {"conditions": facts, "complete": ["conditions"]}
    assert verdict(doc, patient).holds is holds


def test_a_child_concept_satisfies_its_parent() -> None:
    doc = criterion(
        "Any malignancy",
        "exclusion",
        entities=[{"label": "Condition", "at": "malignancy"}],
    )
    result = verdict(doc, {"conditions": [{"text": "hepatocellular carcinoma"}]})
    assert result.verdict == "not_met"
    assert "hepatocellular carcinoma" in (result.evidence[0].fact or "")


@pytest.mark.parametrize(
    ("med", "holds"),
    [
        ({"text": "prednisone 10 mg", "start": "2026-06-01"}, True),  # ongoing
        ({"text": "dexamethasone", "start": "2024-01-01", "end": "2024-02-01"}, False),
        ({"text": "dexamethasone", "start": "2025", "end": "2025-12"}, True),
        (
            {"text": "dexamethasone", "start": "2025", "end": "2025"},
            None,
        ),  # may end before
    ],
)
def test_medication_window(med: dict[str, Any], holds: bool | None) -> None:
    text = "Glucocorticoid therapy within 1 year"
    doc = criterion(
        text,
        "exclusion",
        constraints=[
            {
                "type": "temporal",
                "high_days": 365.25,
                "direction": "before",
                "at": "within 1 year",
                "subject_at": "Glucocorticoid therapy",
            }
        ],
        entities=[{"label": "Drug", "at": "Glucocorticoid"}],
    )
    patient = {"medications": [med], "complete": ["medications"]}
    assert verdict(doc, patient).holds is holds


def test_subject_phrase_matches_trials_list() -> None:
    text = "Participation in another clinical trial within 30 days"
    doc = criterion(
        text,
        "exclusion",
        constraints=[
            {
                "type": "temporal",
                "high_days": 30.0,
                "direction": "before",
                "at": "within 30 days",
                "subject_at": "Participation in another clinical trial",
            }
        ],
    )
    recent = {"trials": [{"id": "NCT01", "start": "2026-09-01", "end": "2026-11-01"}]}
    old = {
        "trials": [{"id": "NCT01", "start": "2020-01-01", "end": "2020-06-01"}],
        "complete": ["trials"],
    }
    assert verdict(doc, recent).verdict == "not_met"
    assert verdict(doc, old).verdict == "met"
    assert verdict(doc, {}).verdict == "unknown"


def test_window_anchored_on_a_patient_event_is_not_guessed() -> None:
    text = "Surgery within 4 weeks after diagnosis"
    doc = criterion(
        text,
        constraints=[
            {
                "type": "temporal",
                "high_days": 28.0,
                "direction": "before",
                "anchor": "diagnosis",
                "at": "within 4 weeks after diagnosis",
                "subject_at": "Surgery",
            }
        ],
        entities=[{"label": "Procedure", "at": "Surgery"}],
    )
    result = verdict(doc, {"procedures": [{"text": "surgery", "date": "2026-11-01"}]})
    assert result.holds is None and "diagnosis" in result.evidence[0].reason


def test_qualifier_the_fact_does_not_state_keeps_unknown() -> None:
    doc = criterion(
        "Uncontrolled hypertension",
        "exclusion",
        entities=[{"label": "Condition", "at": "hypertension"}],
    )
    assert verdict(doc, {"conditions": [{"text": "hypertension"}]}).holds is None
    both = {"conditions": [{"text": "uncontrolled hypertension"}]}
    assert verdict(doc, both).holds is True
    # Without hypertension at all there is no uncontrolled hypertension.
    none = {"conditions": [], "complete": ["conditions"]}
    assert verdict(doc, none).holds is False


@pytest.mark.parametrize("assertion", ["family", "hypothetical"])
def test_family_and_hypothetical_mentions_stay_unknown(assertion: str) -> None:
    doc = criterion(
        "Family history of breast cancer",
        "exclusion",
        entities=[
            {"label": "Condition", "at": "breast cancer", "assertion": assertion}
        ],
    )
    patient = {"conditions": [{"text": "breast cancer"}]}
    assert verdict(doc, patient).holds is None


def test_list_of_alternatives_is_an_or() -> None:
    text = "HIV, hepatitis B or hepatitis C infection"
    doc = criterion(
        text,
        "exclusion",
        entities=[
            {"label": "Condition", "at": "HIV"},
            {"label": "Condition", "at": "hepatitis B"},
            {"label": "Condition", "at": "hepatitis C"},
        ],
    )
    one = {"conditions": [{"text": "chronic hepatitis C", "onset": "2010"}]}
    assert verdict(doc, one).verdict == "not_met"


def test_mentions_joined_otherwise_need_agreement() -> None:
    text = "Diabetes treated with insulin"
    doc = criterion(
        text,
        entities=[
            {"label": "Condition", "at": "Diabetes"},
            {"label": "Drug", "at": "insulin"},
        ],
    )
    patient = {"conditions": [{"text": "type 2 diabetes"}], "medications": []}
    assert verdict(doc, patient).holds is None  # AND or OR? unsure: unknown
    patient["medications"] = [{"text": "insulin glargine", "start": "2020"}]
    assert verdict(doc, patient).holds is True


def test_not_computable_and_permission_and_nothing_to_check() -> None:
    doc = criterion(
        "Signed informed consent", computable=False, category="consent_compliance"
    )
    assert verdict(doc, {}).verdict == "not_computable"
    allowed = criterion(
        "Prior radiotherapy", heading={"start": 0, "end": 5, "text": "Allowed:"}
    )
    assert verdict(allowed, {}).verdict == "met"
    vague = criterion("Any condition that would interfere with the study")
    result = verdict(vague, {})
    assert result.verdict == "unknown" and result.missing


def test_trial_verdicts_and_counts() -> None:
    text = "Adults aged 18 to 65"
    doc = criterion(text, constraints=[AGE])
    ctx = Context(patient=Patient(age=30), as_of=AS_OF, lab_max_age_days=90)
    assert match_document(doc, ctx).verdict == "eligible"
    ctx = Context(patient=Patient(age=70), as_of=AS_OF, lab_max_age_days=90)
    trial = match_document(doc, ctx)
    assert (trial.verdict, trial.excluded_by) == ("excluded", [0])
    ctx = Context(patient=Patient(), as_of=AS_OF, lab_max_age_days=90)
    trial = match_document(doc, ctx)
    assert trial.verdict == "needs_review"
    assert trial.missing == ["date of birth or age"]


def test_evidence_offsets_point_into_the_text() -> None:
    text = "Women aged 18 to 65"
    doc = criterion(
        text, constraints=[{"type": "sex", "value": "female", "at": "Women"}, AGE]
    )
    result = verdict(doc, {"sex": "female", "age": 30})
    assert result.evidence
    for ev in result.evidence:
        assert text[ev.start : ev.end] == ev.text
    assert text[result.start : result.end] == result.text


@pytest.mark.parametrize(
    ("med", "holds"),
    [
        # Stopped on a day not known: may have ended before the window.
        ({"text": "dexamethasone", "start": "2024-01-01", "status": "stopped"}, None),
        ({"text": "dexamethasone", "start": "2026-01-01", "status": "stopped"}, True),
        ({"text": "dexamethasone", "start": "2024-01-01", "status": "active"}, True),
    ],
)
def test_stopped_medication_without_end_date(
    med: dict[str, Any], holds: bool | None
) -> None:
    text = "Glucocorticoid therapy within 1 year"
    doc = criterion(
        text,
        "exclusion",
        constraints=[
            {
                "type": "temporal",
                "high_days": 365.25,
                "direction": "before",
                "at": "within 1 year",
                "subject_at": "Glucocorticoid therapy",
            }
        ],
        entities=[{"label": "Drug", "at": "Glucocorticoid"}],
    )
    patient = {"medications": [med], "complete": ["medications"]}
    assert verdict(doc, patient).holds is holds


@pytest.mark.parametrize(
    ("condition", "assertion", "holds"),
    [
        ({"text": "asthma", "status": "resolved"}, None, None),  # current? not known
        ({"text": "asthma", "status": "resolved"}, "historical", True),
        ({"text": "asthma", "resolved": "2020"}, None, None),
        ({"text": "asthma"}, None, True),  # ongoing
    ],
)
def test_resolved_condition(
    condition: dict[str, Any], assertion: str | None, holds: bool | None
) -> None:
    doc = criterion(
        "Asthma",
        "exclusion",
        entities=[{"label": "Condition", "at": "Asthma", "assertion": assertion}],
    )
    assert verdict(doc, {"conditions": [condition]}).holds is holds


@pytest.mark.parametrize(
    ("status_date", "holds"),
    [(None, False), ("2026-11-10", False), ("2026-06-01", None)],
)
def test_old_pregnancy_status_is_unknown(
    status_date: str | None, holds: bool | None
) -> None:
    doc = criterion(
        "Pregnant women", "exclusion", [{"type": "pregnancy", "at": "Pregnant"}]
    )
    patient = {"sex": "female", "pregnant": False, "status_date": status_date}
    result = verdict(doc, patient)
    assert result.holds is holds
    if holds is None:
        assert "2026-06-01" in result.evidence[0].reason


@pytest.mark.parametrize(
    ("mention", "facts", "holds"),
    [
        # "non-X" negates X ...
        ("Non-diabetic", [{"text": "type 2 diabetes"}], False),
        ("Non-diabetic", [], True),
        ("Non-smoker", [{"text": "smoker"}], False),
        # ... but "non-small cell lung cancer" says more than lung cancer: a fact
        # coded lung cancer may or may not be it.
        (
            "non-small cell lung carcinoma",
            [{"codes": [{"system": "icd10cm", "code": "C34.90"}]}],
            None,
        ),
    ],
)
def test_leading_non(
    mention: str, facts: list[dict[str, Any]], holds: bool | None
) -> None:
    doc = criterion(mention, entities=[{"label": "Condition", "at": mention}])
    patient = {"conditions": facts, "complete": ["conditions"]}
    assert verdict(doc, patient).holds is holds


# --------------------------------------- the branches of each atom, pinned
# Expected values as the code gave them before item 5 of issue 19 split
# measurement_atom, mention_atom and evaluate into named steps.

BILI_TEXT = "total bilirubin <= 2 mg/dL"
ECOG_TEXT = "ECOG 0-1"
ECOG = {
    "type": "score",
    "low": 0.0,
    "low_inclusive": True,
    "high": 1.0,
    "high_inclusive": True,
    "at": ECOG_TEXT,
    "analyte_at": "ECOG",
}
HB_TEXT = "hemoglobin > 9"
HB = {
    "type": "measurement",
    "low": 9.0,
    "low_inclusive": False,
    "at": HB_TEXT,
    "analyte_at": "hemoglobin",
}
HB_UNIT = {**HB, "unit": "g/dL"}
CREAT_TEXT = "creatinine <= 1.5 x baseline"
CREAT = {
    "type": "measurement",
    "high": 1.5,
    "high_inclusive": True,
    "relative_to": "baseline",
    "at": CREAT_TEXT,
    "analyte_at": "creatinine",
}
ALT_TEXT = "ALT >= 0.5 x LLN"
ALT = {
    "type": "measurement",
    "low": 0.5,
    "low_inclusive": True,
    "relative_to": "LLN",
    "at": ALT_TEXT,
    "analyte_at": "ALT",
}
D = "2026-11-20"


@pytest.mark.parametrize(
    ("text", "con", "obs", "window", "expected"),
    [
        pytest.param(
            "frobnium <= 2",
            {
                "type": "measurement",
                "high": 2.0,
                "at": "frobnium <= 2",
                "analyte_at": "frobnium",
            },
            [],
            None,
            (
                None,
                "'frobnium' is not in the analyte lexicon",
                ["review: frobnium <= 2"],
                None,
            ),
            id="not in the lexicon",
        ),
        pytest.param(
            BILI_TEXT,
            BILI,
            [{"name": "total bilirubin", "value": 1.0, "unit": "mg/dL", "date": D}],
            "the anchor is a patient event",
            (
                None,
                "the anchor is a patient event",
                ["Total bilirubin (the anchor is a patient event)"],
                None,
            ),
            id="window not known",
        ),
        pytest.param(
            BILI_TEXT,
            BILI,
            [
                {
                    "name": "total bilirubin",
                    "value": 1.0,
                    "unit": "mg/dL",
                    "date": "2026-01-01",
                }
            ],
            None,
            (
                None,
                "no Total bilirubin result between 2026-08-24 and 2026-11-22 (no window in the criterion: results up to 90 days old count); 1 result(s) outside it",
                ["Total bilirubin result dated between 2026-08-24 and 2026-11-22"],
                None,
            ),
            id="no result in the default window",
        ),
        pytest.param(
            BILI_TEXT,
            BILI,
            [],
            None,
            (
                None,
                "no Total bilirubin result between 2026-08-24 and 2026-11-22 (no window in the criterion: results up to 90 days old count)",
                ["Total bilirubin result dated between 2026-08-24 and 2026-11-22"],
                None,
            ),
            id="no result at all",
        ),
        pytest.param(
            BILI_TEXT,
            BILI,
            [{"name": "total bilirubin", "value": 30, "unit": "umol/L", "date": D}],
            None,
            (
                True,
                "Total bilirubin 30 umol/L; criterion <= 2 mg/dL = <= 34.2 umol/L",
                [],
                "total bilirubin: 30 umol/L on 2026-11-20",
            ),
            id="canonical, converted",
        ),
        pytest.param(
            BILI_TEXT,
            {**BILI, "negated": True},
            [{"name": "total bilirubin", "value": 1.0, "unit": "mg/dL", "date": D}],
            None,
            (
                False,
                "Total bilirubin 1 mg/dL = 17.1 umol/L; criterion <= 2 mg/dL = <= 34.2 umol/L; the criterion is negated",
                [],
                "total bilirubin: 1 mg/dL on 2026-11-20",
            ),
            id="canonical, negated",
        ),
        pytest.param(
            BILI_TEXT,
            BILI,
            [{"name": "total bilirubin", "value_text": "normal", "date": D}],
            None,
            (
                None,
                "'total bilirubin: normal on 2026-11-20' has no numeric value",
                ["Total bilirubin numeric result"],
                "total bilirubin: normal on 2026-11-20",
            ),
            id="canonical, no numeric value",
        ),
        pytest.param(
            BILI_TEXT,
            BILI,
            [{"name": "total bilirubin", "value": 1.0, "unit": "furlongs", "date": D}],
            None,
            (
                None,
                "unit 'furlongs' cannot be converted to umol/L",
                ["Total bilirubin in a unit convertible to umol/L"],
                "total bilirubin: 1 furlongs on 2026-11-20",
            ),
            id="canonical, unit not convertible",
        ),
        pytest.param(
            ECOG_TEXT,
            ECOG,
            [{"name": "ECOG", "value": 2, "date": D}],
            None,
            (
                False,
                "ECOG performance status 2; criterion: >= 0 and <= 1",
                [],
                "ECOG: 2 on 2026-11-20",
            ),
            id="rank, by number",
        ),
        pytest.param(
            ECOG_TEXT,
            ECOG,
            [{"name": "ECOG", "value_text": "ambulatory", "date": D}],
            None,
            (
                None,
                "cannot read 'ECOG: ambulatory on 2026-11-20' as a ECOG performance status value",
                ["ECOG performance status as a number or class"],
                "ECOG: ambulatory on 2026-11-20",
            ),
            id="rank, unreadable",
        ),
        pytest.param(
            HB_TEXT,
            HB,
            [{"name": "hemoglobin", "value": 10, "unit": "g/dL", "date": D}],
            None,
            (
                True,
                "Haemoglobin 10; criterion > 9",
                [],
                "hemoglobin: 10 g/dL on 2026-11-20",
            ),
            id="as written, no unit",
        ),
        pytest.param(
            HB_TEXT,
            HB_UNIT,
            [{"name": "hemoglobin", "value": 9, "unit": "g/dL", "date": D}],
            None,
            (
                False,
                "Haemoglobin 9; criterion > 9 g/dL",
                [],
                "hemoglobin: 9 g/dL on 2026-11-20",
            ),
            id="as written, same unit",
        ),
        pytest.param(
            HB_TEXT,
            HB_UNIT,
            [{"name": "hemoglobin", "value": 100, "unit": "g/L", "date": D}],
            None,
            (
                None,
                "no conversion from 'g/L' to 'g/dL'",
                ["Haemoglobin in g/dL"],
                "hemoglobin: 100 g/L on 2026-11-20",
            ),
            id="as written, other unit",
        ),
        pytest.param(
            HB_TEXT,
            HB_UNIT,
            [{"name": "hemoglobin", "value_text": "low", "date": D}],
            None,
            (
                None,
                "'hemoglobin: low on 2026-11-20' has no numeric value",
                ["Haemoglobin numeric result"],
                "hemoglobin: low on 2026-11-20",
            ),
            id="as written, no numeric value",
        ),
        pytest.param(
            CREAT_TEXT,
            CREAT,
            [{"name": "creatinine", "value": 1.0, "unit": "mg/dL", "date": D}],
            None,
            (
                None,
                "a threshold relative to baseline is not computed",
                ["review: creatinine <= 1.5 x baseline"],
                "creatinine: 1 mg/dL on 2026-11-20",
            ),
            id="relative to something else",
        ),
        pytest.param(
            ALT_TEXT,
            ALT,
            [
                {
                    "name": "ALT",
                    "value": 30,
                    "unit": "U/L",
                    "date": D,
                    "reference_low": 10,
                }
            ],
            None,
            (
                True,
                "Alanine aminotransferase 30 U/L, LLN 10: criterion >= 0.5 x LLN = >= 5 U/L",
                [],
                "ALT: 30 U/L on 2026-11-20",
            ),
            id="LLN given",
        ),
        pytest.param(
            ALT_TEXT,
            ALT,
            [
                {
                    "name": "ALT",
                    "value": 30,
                    "unit": "U/L",
                    "date": D,
                    "reference_high": 40,
                }
            ],
            None,
            (
                None,
                "LLN of the Alanine aminotransferase result is not given",
                ["LLN (reference range) of the Alanine aminotransferase result"],
                "ALT: 30 U/L on 2026-11-20",
            ),
            id="LLN not given",
        ),
    ],
)
def test_measurement_atom_branches(
    text: str,
    con: dict[str, Any],
    obs: list[dict[str, Any]],
    window: str | None,
    expected: tuple[Any, ...],
) -> None:
    """(holds, reason, missing, fact) of each way a lab value or score is
    checked, or is not."""
    doc = criterion(text, constraints=[con])
    ctx = Context(patient=Patient(observations=obs), as_of=AS_OF, lab_max_age_days=90)
    atom = measurement_atom(doc, doc.criteria[0].constraints[0], ctx, window)
    got = (atom.holds, atom.evidence.reason, atom.missing, atom.evidence.fact)
    assert got == expected


SEX_F = [{"type": "sex", "value": "female", "at": "Women"}]
ALLOWED = {"start": 0, "end": 5, "text": "Allowed:"}


@pytest.mark.parametrize(
    ("text", "section", "extra", "patient", "expected"),
    [
        pytest.param(
            "Women willing to comply",
            "inclusion",
            dict(computable=False, category="consent_compliance", constraints=SEX_F),
            {"consent": False},
            ("not_met", False, None, []),
            id="consent known decides first",
        ),
        pytest.param(
            "Women unable to comply",
            "exclusion",
            dict(category="consent_compliance", constraints=SEX_F),
            {"consent": True},
            ("met", False, None, []),
            id="consent known, exclusion",
        ),
        pytest.param(
            "Women willing to comply",
            "inclusion",
            dict(computable=False, category="consent_compliance"),
            {},
            (
                "not_computable",
                None,
                "consent_compliance: not computable from a record",
                [],
            ),
            id="consent unknown: not computable",
        ),
        pytest.param(
            "Women allowed",
            "inclusion",
            dict(computable=False, heading=ALLOWED),
            {},
            (
                "not_computable",
                None,
                "this criterion: not computable from a record",
                [],
            ),
            id="not computable before permission",
        ),
        pytest.param(
            "Women allowed",
            "exclusion",
            dict(heading=ALLOWED, constraints=SEX_F),
            {"sex": "male"},
            ("met", None, "under 'Allowed:': a permission, not a requirement", []),
            id="permission",
        ),
        pytest.param(
            "Women",
            "inclusion",
            dict(constraints=SEX_F),
            {"sex": "female"},
            ("met", True, None, []),
            id="inclusion holds",
        ),
        pytest.param(
            "Women",
            "exclusion",
            dict(constraints=SEX_F),
            {"sex": "female"},
            ("not_met", True, None, []),
            id="exclusion holds",
        ),
        pytest.param(
            "Women",
            "exclusion",
            dict(constraints=SEX_F),
            {"sex": "male"},
            ("met", False, None, []),
            id="exclusion does not hold",
        ),
        pytest.param(
            "Women",
            "exclusion",
            dict(constraints=SEX_F),
            {},
            ("unknown", None, None, ["sex"]),
            id="exclusion unknown",
        ),
        pytest.param(
            "Women",
            "unknown",
            dict(constraints=SEX_F),
            {"sex": "male"},
            ("not_met", False, "no section: read as inclusion", []),
            id="no section, checked",
        ),
        pytest.param(
            "Women",
            "unknown",
            {},
            {},
            (
                "unknown",
                None,
                "nothing in this criterion that eligo can check; no section: read as inclusion",
                ["review: Women"],
            ),
            id="no section, nothing to check",
        ),
    ],
)
def test_early_decisions_and_verdict_by_section(
    text: str,
    section: str,
    extra: dict[str, Any],
    patient: dict[str, Any],
    expected: tuple[Any, ...],
) -> None:
    """Consent, then not computable, then a permission heading decide before
    any atom; otherwise the section turns holds into a verdict."""
    result = verdict(criterion(text, section, **extra), patient)
    got = (result.verdict, result.holds, result.note, result.missing)
    assert got == expected


STROKE_MENTION = [{"label": "Condition", "at": "stroke"}]
STEROID_TEXT = "Glucocorticoid therapy within 1 year"
STEROID_WINDOW = [
    {
        "type": "temporal",
        "high_days": 365.25,
        "direction": "before",
        "at": "within 1 year",
        "subject_at": "Glucocorticoid therapy",
    }
]
STEROID = (STEROID_TEXT, [{"label": "Drug", "at": "Glucocorticoid"}], STEROID_WINDOW)
STROKE_CASE = (STROKE, STROKE_MENTION, [])
OLD_STEROID = {"text": "dexamethasone", "start": "2024-01-01", "end": "2024-02-01"}
HCC = (
    "Diagnosis of hepatocellular carcinoma",
    [{"label": "Condition", "at": "hepatocellular carcinoma"}],
    [],
)
HTN = ("Uncontrolled hypertension", [{"label": "Condition", "at": "hypertension"}], [])
EVENT = (
    "Surgery within 4 weeks after diagnosis",
    [{"label": "Procedure", "at": "Surgery"}],
    [
        {
            "type": "temporal",
            "high_days": 28.0,
            "direction": "before",
            "anchor": "diagnosis",
            "at": "within 4 weeks after diagnosis",
            "subject_at": "Surgery",
        }
    ],
)


@pytest.mark.parametrize(
    ("case", "patient", "expected"),
    [
        pytest.param(
            (
                STROKE,
                [{"label": "Condition", "at": "stroke", "assertion": "family"}],
                [],
            ),
            {"conditions": [{"text": "stroke"}]},
            (
                None,
                "family mention: not checked against the record",
                None,
                ["review: stroke"],
            ),
            id="family history",
        ),
        pytest.param(
            EVENT,
            {"procedures": [{"text": "surgery", "date": "2026-11-01"}]},
            (
                None,
                "a window anchored on diagnosis is not computed",
                None,
                ["review: Surgery"],
            ),
            id="window not known",
        ),
        pytest.param(
            ("Any disease", [{"label": "Condition", "at": "disease"}], []),
            {"conditions": [{"text": "stroke"}]},
            (None, "'disease' is too general to look up", None, ["review: disease"]),
            id="too general",
        ),
        pytest.param(
            (
                "Frobnication within 4 weeks",
                [],
                [
                    {
                        "type": "temporal",
                        "high_days": 28.0,
                        "direction": "before",
                        "at": "within 4 weeks",
                        "subject_at": "Frobnication",
                    }
                ],
            ),
            {},
            (
                None,
                "'Frobnication': no patient list holds this",
                None,
                ["review: Frobnication"],
            ),
            id="no patient list",
        ),
        pytest.param(
            STROKE_CASE,
            {
                "conditions": [
                    {"text": "stroke", "onset": "2015"},
                    {"text": "stroke", "present": False},
                ]
            },
            (True, "the patient has 'stroke'", "condition 'stroke' onset 2015", []),
            id="has it",
        ),
        pytest.param(
            (STROKE, [{"label": "Condition", "at": "stroke", "negated": True}], []),
            {"conditions": [{"text": "stroke", "onset": "2015"}]},
            (
                False,
                "the patient has 'stroke'; the criterion negates it",
                "condition 'stroke' onset 2015",
                [],
            ),
            id="has it, negated",
        ),
        pytest.param(
            HTN,
            {"conditions": [{"text": "hypertension"}]},
            (
                None,
                "the patient has 'hypertension'; not known whether uncontrolled",
                "condition 'hypertension' onset ?",
                ["whether 'hypertension' is uncontrolled"],
            ),
            id="qualifier not stated",
        ),
        pytest.param(
            STEROID,
            {
                "medications": [
                    {"text": "dexamethasone", "start": "2025", "end": "2025"}
                ]
            },
            (
                None,
                "a matching fact cannot be placed between 2025-11-22 and 2026-11-22",
                "medication 'dexamethasone' 2025 to 2025",
                ["dates of medication 'dexamethasone' 2025 to 2025"],
            ),
            id="cannot be placed",
        ),
        pytest.param(
            HCC,
            {
                "conditions": [
                    {"text": "liver cancer"},
                    {"text": "hepatocellular carcinoma", "present": False},
                ]
            },
            (
                None,
                "a less specific fact may be 'hepatocellular carcinoma'",
                "condition 'liver cancer' onset ?",
                [
                    "whether condition 'liver cancer' onset ? is 'hepatocellular carcinoma'"
                ],
            ),
            id="less specific",
        ),
        pytest.param(
            STROKE_CASE,
            {"conditions": [{"text": "stroke", "present": False}]},
            (
                False,
                "recorded as absent: 'stroke'",
                "condition 'stroke' onset ? (recorded as absent)",
                [],
            ),
            id="recorded absent",
        ),
        pytest.param(
            STEROID,
            {
                "medications": [
                    OLD_STEROID,
                    {"text": "dexamethasone", "present": False},
                ],
                "complete": ["medications"],
            },
            (
                False,
                "no 'Glucocorticoid' between 2025-11-22 and 2026-11-22 in the complete medications list (1 outside the window)",
                None,
                [],
            ),
            id="absent, but one outside the window",
        ),
        pytest.param(
            STROKE_CASE,
            {"conditions": [{"text": "moyamoya"}], "complete": ["conditions"]},
            (
                None,
                "no 'stroke' recognised, but 1 fact(s) in the list are not understood well enough to rule it out",
                "condition 'moyamoya' onset ?",
                ["whether condition 'moyamoya' onset ? is 'stroke'"],
            ),
            id="not understood",
        ),
        pytest.param(
            STROKE_CASE,
            {"conditions": [{"text": "asthma"}], "complete": ["conditions"]},
            (False, "no 'stroke' in the complete conditions list", None, []),
            id="none in the complete list",
        ),
        pytest.param(
            STROKE_CASE,
            {"conditions": []},
            (
                None,
                "no 'stroke' recorded (the record is not marked complete)",
                None,
                ["whether the patient has or had 'stroke'"],
            ),
            id="not recorded",
        ),
        pytest.param(
            STEROID,
            {"medications": [OLD_STEROID]},
            (
                None,
                "no 'Glucocorticoid' between 2025-11-22 and 2026-11-22 recorded (the record is not marked complete); 1 matching fact(s) outside the window",
                None,
                [
                    "whether the patient has or had 'Glucocorticoid' between 2025-11-22 and 2026-11-22"
                ],
            ),
            id="not recorded, one outside the window",
        ),
    ],
)
def test_mention_conclusions(
    case: tuple[str, list[dict[str, Any]], list[dict[str, Any]]],
    patient: dict[str, Any],
    expected: tuple[Any, ...],
) -> None:
    """(holds, reason, fact, missing) of each reason not to look a mention up
    and of each conclusion of a lookup, the first that applies winning (a
    present fact over one recorded absent, a fact outside the window over
    one recorded absent)."""
    text, entities, constraints = case
    doc = criterion(text, "inclusion", constraints=constraints, entities=entities)
    result = verdict(doc, patient)
    ev = result.evidence[-1]
    assert (ev.holds, ev.reason, ev.fact, result.missing) == expected


@pytest.mark.parametrize(
    ("value_range", "holds", "in_reason"),
    [
        ({"high": 1.0, "high_inclusive": False}, True, "< 1 mg/dL"),
        ({"high": 2.0}, True, "<= 2"),  # every value <= 2
        ({"low": 3.0}, False, ">= 3"),
        ({"low": 2.0, "low_inclusive": False}, False, "> 2"),  # none <= 2
        ({"low": 2.0}, None, "partly"),  # 2 itself is within, above it not
        ({"low": 1.0, "high": 3.0}, None, "partly"),
        ({"low": 0.5, "high": 1.5}, True, "= 8.55 and <= 25.65 umol/L"),
    ],
)
def test_lab_threshold_against_a_result_range(
    value_range: dict[str, Any], holds: bool | None, in_reason: str
) -> None:
    doc = criterion(
        "Adequate liver function: total bilirubin <= 2 mg/dL", constraints=[BILI]
    )
    obs = {
        "name": "Total bilirubin",
        "value_range": value_range,
        "unit": "mg/dL",
        "date": "2026-11-01",
    }
    result = verdict(doc, {"observations": [obs]})
    assert result.holds is holds
    assert in_reason in result.evidence[0].reason


@pytest.mark.parametrize(
    ("bounds", "value_range", "holds"),
    [
        # criterion > 100 (strict) against a result >= 100 / > 100
        ({"low": 100.0, "low_inclusive": False}, {"low": 100.0}, None),
        (
            {"low": 100.0, "low_inclusive": False},
            {"low": 100.0, "low_inclusive": False},
            True,
        ),
        # criterion < 60 against a result >= 60 / <= 60
        ({"high": 60.0, "high_inclusive": False}, {"low": 60.0}, False),
        ({"high": 60.0, "high_inclusive": False}, {"high": 60.0}, None),
        # criterion between 18.5 and 30 against an interval inside / across
        ({"low": 18.5, "high": 30.0}, {"low": 25.0, "high": 30.0}, True),
        ({"low": 18.5, "high": 30.0}, {"low": 25.0}, None),
        ({"low": 18.5, "high": 30.0}, {"high": 18.5, "high_inclusive": False}, False),
    ],
)
def test_range_holds_at_the_bounds(
    bounds: dict[str, Any], value_range: dict[str, Any], holds: bool | None
) -> None:
    con = Constraint(start=0, end=1, type="measurement", **bounds)
    rng = ValueRange(**value_range)
    assert _range_holds(rng, con, con.low, con.high) is holds


def test_value_no_constraint_reads_keeps_the_condition_unsure() -> None:
    text = "Hypertension of > 170/100 mm of Hg"
    doc = criterion(
        text,
        "exclusion",
        entities=[
            {"label": "Condition", "at": "Hypertension"},
            {"label": "Value", "at": "> 170/100 mm of Hg"},
        ],
    )
    has_it = {"conditions": [{"text": "hypertension"}]}
    result = verdict(doc, has_it)
    assert result.holds is None  # the pressure is not known
    assert any(
        "'> 170/100 mm of Hg' is not checked" in e.reason for e in result.evidence
    )
    without = {"conditions": [], "complete": ["conditions"]}
    assert verdict(doc, without).holds is False  # no hypertension at all


RR = {
    "type": "measurement",
    "low": 20.0,
    "low_inclusive": True,
    "unit": "/min",
    "canonical": {"low": 20.0, "unit": "/min"},
    "at": "respiratory rate of at least 20/min",
    "analyte_at": "respiratory rate",
}


@pytest.mark.parametrize(
    ("joint", "holds"),
    [("or the use of", True), ("and the use of", None), ("with", None)],
)
def test_constraints_and_mentions_in_one_or(joint: str, holds: bool | None) -> None:
    text = f"A respiratory rate of at least 20/min {joint} mechanical ventilation"
    doc = criterion(
        text,
        constraints=[RR],
        entities=[{"label": "Procedure", "at": "mechanical ventilation"}],
    )
    obs = {"name": "Respiratory rate", "value": 26, "unit": "/min"}
    patient = {"observations": [{**obs, "date": "2026-11-20"}], "procedures": []}
    assert verdict(doc, patient).holds is holds
