"""The shipped concepts of rules/match_concepts.json: codes and phrase mapping."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from eligo.document import Criterion, Document, Entity
from eligo.match.evaluate import Context, evaluate
from eligo.match.patient import Patient
from eligo.match.rules import concept_index

AS_OF = date(2026, 11, 22)
ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def _icd_prefixes() -> list[tuple[str, str]]:
    index = concept_index()
    return [
        (cid, prefix)
        for cid, concept in index.concepts.items()
        for prefix in concept.codes.get("icd10cm", ())
    ]


def test_shipped_concepts_load() -> None:
    index = concept_index()
    assert len(index.concepts) > 300
    # every parent is a concept and no concept is its own ancestor
    for cid, concept in index.concepts.items():
        assert cid not in concept.ancestors
        assert concept.ancestors <= set(index.concepts)


def test_icd10cm_prefixes_are_valid_items() -> None:
    cm = pytest.importorskip("simple_icd_10_cm")
    prefixes = _icd_prefixes()
    assert prefixes
    bad = []
    for cid, prefix in prefixes:
        if len(prefix) == 1:
            # a chapter letter ("C": every malignant neoplasm) names no item;
            # it must at least start real categories
            ok = any(cm.is_valid_item(f"{prefix}{n:02d}") for n in range(100))
        else:
            ok = cm.is_valid_item(prefix)
        if not ok:
            bad.append((cid, prefix))
    assert not bad


def test_icd10cm_child_codes_within_parent_codes() -> None:
    """A child concept's codes sit under its coded ancestors' codes (a code of
    hepatocellular carcinoma is a code of malignancy)."""
    index = concept_index()
    bad = []
    for cid, concept in index.concepts.items():
        for prefix in concept.codes.get("icd10cm", ()):
            for aid in concept.ancestors:
                parent = index.concepts[aid].codes.get("icd10cm", ())
                if parent and not any(prefix.startswith(p) for p in parent):
                    bad.append((cid, prefix, aid))
    assert not bad


@pytest.mark.parametrize(
    ("text", "expected", "ancestors"),
    [
        ("type 2 diabetes", {"type_2_diabetes"}, {"diabetes", "endocrine_disease"}),
        ("Type II diabetes mellitus", {"type_2_diabetes"}, {"diabetes"}),
        ("breast cancer", {"breast_cancer"}, {"malignancy"}),
        ("known brain metastases", {"brain_metastases"}, {"metastasis", "malignancy"}),
        ("brain metastasis", {"brain_metastases"}, {"cns_metastases"}),
        ("untreated CNS metastases", {"cns_metastases"}, {"metastasis"}),
        ("leptomeningeal disease", {"leptomeningeal_metastases"}, {"malignancy"}),
        ("acute myelogenous leukaemia", {"aml"}, {"hematologic_malignancy"}),
        ("AML", {"aml"}, {"leukemia", "malignancy"}),
        ("non-Hodgkin's lymphoma", {"non_hodgkin_lymphoma"}, {"lymphoma"}),
        ("Hodgkin's disease", {"hodgkin_lymphoma"}, {"lymphoma", "malignancy"}),
        ("multiple myeloma", {"multiple_myeloma"}, {"hematologic_malignancy"}),
        ("Kaposi's sarcoma", {"kaposi_sarcoma"}, {"sarcoma", "malignancy"}),
        ("ductal carcinoma in situ", {"dcis"}, {"carcinoma_in_situ"}),
        ("unstable angina", {"angina"}, {"coronary_artery_disease", "heart_disease"}),
        ("myocardial infarction", {"myocardial_infarction"}, {"heart_disease"}),
        ("significant cardiac disease", {"heart_disease"}, {"cardiovascular_disease"}),
        ("ventricular tachycardia", {"ventricular_arrhythmia"}, {"arrhythmia"}),
        ("prolonged QTc interval", {"qt_prolongation"}, set()),
        ("peptic ulcer disease", {"peptic_ulcer"}, {"gastrointestinal_disease"}),
        ("Crohn's disease", {"crohns_disease"}, {"inflammatory_bowel_disease"}),
        ("chronic hepatitis B", {"hepatitis_b"}, {"viral_hepatitis", "hepatitis"}),
        ("acute renal failure", {"acute_kidney_injury"}, {"renal_impairment"}),
        ("end-stage renal disease", {"ckd"}, {"kidney_disease"}),
        ("hepatic insufficiency", {"hepatic_impairment"}, {"chronic_liver_disease"}),
        ("seizure disorder", {"epilepsy"}, {"seizure", "neurological_disease"}),
        ("Alzheimer's disease", {"alzheimers_disease"}, {"dementia"}),
        ("major depressive disorder", {"depression"}, {"mental_illness"}),
        ("schizophrenia", {"schizophrenia"}, {"psychotic_disorder", "mental_illness"}),
        ("rheumatoid arthritis", {"rheumatoid_arthritis"}, {"autoimmune_disease"}),
        ("bleeding diathesis", {"bleeding_disorder"}, {"hematologic_disease"}),
        ("deep vein thrombosis", {"dvt"}, {"venous_thromboembolism", "thrombosis"}),
        ("bone marrow transplantation", {"hsct"}, {"stem_cell_therapy"}),
        ("kidney transplant", {"kidney_transplant"}, {"organ_transplant"}),
        ("CABG", {"cabg"}, {"cardiac_surgery", "surgery"}),
        (
            "paclitaxel",
            {"paclitaxel"},
            {"taxane", "chemotherapy", "anticancer_therapy"},
        ),
        ("doxorubicin", {"doxorubicin"}, {"anthracycline", "chemotherapy"}),
        ("letrozole", {"letrozole"}, {"aromatase_inhibitor", "endocrine_therapy"}),
        ("pembrolizumab", {"pembrolizumab"}, {"checkpoint_inhibitor", "immunotherapy"}),
        ("anti-PD-1 antibody", {"checkpoint_inhibitor"}, {"monoclonal_antibody"}),
        ("AZT", {"zidovudine"}, {"nrti", "antiretroviral", "antiviral"}),
        ("ddI", {"didanosine"}, {"antiretroviral"}),
        ("entecavir", {"entecavir"}, {"antiviral"}),
        ("rifampicin", {"rifampin"}, {"antimycobacterial", "antibiotic"}),
        ("NSAIDs", {"nsaid"}, set()),
        ("non-steroidal anti-inflammatory drugs", {"nsaid"}, set()),
        ("beta-blockers", {"beta_blocker"}, {"antihypertensive"}),
        ("live attenuated vaccines", {"live_vaccine"}, set()),
        ("G-CSF", {"hematopoietic_growth_factor"}, set()),
        ("anticancer therapy", {"anticancer_therapy"}, set()),
    ],
)
def test_phrase_maps_to_concept(
    text: str, expected: set[str], ancestors: set[str]
) -> None:
    index = concept_index()
    ids, _ = index.keys(text)
    assert ids == expected
    assert ancestors <= index.expand(ids)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # a chemotherapy drug is not an endocrine therapy and vice versa
        ("letrozole", "chemotherapy"),
        ("doxorubicin", "endocrine_therapy"),
        # hepatocellular carcinoma is not a metastasis
        ("hepatocellular carcinoma", "metastasis"),
        # lamivudine for hepatitis B is an antiviral, not an antiretroviral class
        ("lamivudine", "antiretroviral"),
        # vaccines in general are not a concept (only live vaccines)
        ("hepatitis B vaccine allergy", "live_vaccine"),
        ("HIV test", "opportunistic_infection"),
    ],
)
def test_phrase_does_not_map_to(text: str, absent: str) -> None:
    index = concept_index()
    ids, _ = index.keys(text)
    assert absent not in index.expand(ids)


@pytest.mark.parametrize(
    "text",
    [
        "hepatitis B vaccination",
        "hepatitis B vaccine",
        "hepatitis B screening",
        "negative HIV test",
    ],
)
def test_not_instance_words_stay_content(text: str) -> None:
    """A new concept phrase must not swallow a not_instance word: "hepatitis B
    vaccination" is not a fact of hepatitis B."""
    index = concept_index()
    _, content = index.keys(text)
    assert content & set(index.rules.not_instance_words)


def _one(text: str, part: str, label: str, patient: dict[str, Any]) -> Any:
    start = text.index(part)
    crit = Criterion(
        start=0,
        end=len(text),
        section="exclusion",
        entities=[Entity(start=start, end=start + len(part), label=label)],
    )
    doc = Document(id="T1", text=text, criteria=[crit])
    ctx = Context(patient=Patient(**patient), as_of=AS_OF, lab_max_age_days=90)
    return evaluate(doc, 0, ctx)


def test_vaccination_is_not_hepatitis_b() -> None:
    patient = {
        "birth_date": "1990-01-01",
        "conditions": [{"text": "hepatitis B vaccination", "onset": "2000"}],
        "complete": ["conditions"],
    }
    result = _one("History of hepatitis B", "hepatitis B", "Condition", patient)
    assert result.holds is None


def test_coded_breast_cancer_rules_out_brain_metastases() -> None:
    patient = {
        "birth_date": "1971-09-30",
        "conditions": [
            {"text": "ca", "codes": [{"system": ICD, "code": "C50.912"}]},
        ],
        "complete": ["conditions"],
    }
    result = _one("Known brain metastases", "brain metastases", "Condition", patient)
    assert result.holds is False
    coded_mets = {
        **patient,
        "conditions": [{"text": "x", "codes": [{"system": ICD, "code": "C79.31"}]}],
    }
    result = _one("Known brain metastases", "brain metastases", "Condition", coded_mets)
    assert result.holds is True
