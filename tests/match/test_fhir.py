"""Reading a FHIR R4 Bundle into the patient profile (eligo.match.fhir)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eligo.match.fhir import patient_from_bundle
from eligo.match.load import load_patient, patient_from_data
from eligo.match.patient import Code, Patient, PatientError, ValueRange

FIXTURES = Path(__file__).parent / "fixtures"
HCV = FIXTURES / "hcv_cirrhosis_bundle.json"

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CLIN = "http://terminology.hl7.org/CodeSystem/condition-clinical"
SUBJECT = {"reference": "Patient/p1"}
PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female"}


def bundle(*resources: dict[str, Any], patient: dict[str, Any] | None = None):
    """A collection bundle: one Patient, then the given resources."""
    entries = [{"fullUrl": "urn:uuid:patient-1", "resource": patient or PATIENT}]
    entries += [{"resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def read(*resources: dict[str, Any], **kw: Any) -> Patient:
    return patient_from_bundle(bundle(*resources, **kw), where="test.json")


def concept(text: str | None = None, *codings: tuple[str, str, str | None]):
    out: dict[str, Any] = {}
    if codings:
        out["coding"] = [
            {"system": s, "code": c, **({"display": d} if d else {})}
            for s, c, d in codings
        ]
    if text is not None:
        out["text"] = text
    return out


def status(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def load_hcv() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(HCV.read_text(encoding="utf-8"))
    return data


# --- the realistic bundle ------------------------------------------------------


@pytest.fixture(scope="module")
def hcv() -> Patient:
    return load_patient(HCV)


def test_hcv_patient(hcv: Patient) -> None:
    assert (hcv.id, hcv.birth_date, hcv.sex) == ("hcv-058", "1968-03-12", "female")
    assert hcv.age is None and hcv.breastfeeding is None
    assert hcv.pregnant is False  # LOINC 82810-3 = LA26683-5 "Not pregnant"
    assert hcv.complete == []  # a bundle never claims to be the whole record


def test_hcv_conditions(hcv: Patient) -> None:
    got = {c.text: c for c in hcv.conditions}
    assert list(got) == [
        "Chronic hepatitis C, genotype 1b",
        "Unspecified cirrhosis of liver",
        "Hepatocellular carcinoma",
        "Ascites",
    ]
    hcv_c = got["Chronic hepatitis C, genotype 1b"]
    assert hcv_c.codes == [
        Code(system=ICD, code="B18.2", display="Chronic viral hepatitis C")
    ]
    assert (hcv_c.onset, hcv_c.resolved, hcv_c.present) == ("2009-06", None, True)
    # The date as written, not converted to UTC.
    assert got["Unspecified cirrhosis of liver"].onset == "2019-04-17"
    hcc = got["Hepatocellular carcinoma"]
    assert hcc.present is False and hcc.codes[0].code == "C22.0"
    ascites = got["Ascites"]
    assert (ascites.onset, ascites.resolved) == ("2021-11-03", "2022-05-02")


def test_hcv_observations(hcv: Patient) -> None:
    got = {o.codes[0].code: o for o in hcv.observations}
    # The entered-in-error platelet count (9) is gone.
    assert sorted(got) == ["1975-2", "777-3", "82810-3", "89247-1"]
    plt = got["777-3"]
    assert (plt.name, plt.value, plt.unit, plt.date) == (
        "Platelet count",
        92.0,
        "10*3/uL",
        "2026-10-30",
    )
    assert (plt.reference_low, plt.reference_high) == (150.0, 400.0)
    bili = got["1975-2"]
    # No `unit`: the UCUM code stands in, and the range shares it.
    assert (bili.value, bili.unit) == (2.1, "mg/dL")
    assert (bili.reference_low, bili.reference_high) == (0.1, 1.2)
    assert bili.name == "Bilirubin.total [Mass/volume] in Serum or Plasma"
    ecog = got["89247-1"]
    assert (ecog.value, ecog.unit, ecog.date) == (1.0, None, "2026-11-02")
    assert got["82810-3"].value_text == "Not pregnant"


def test_hcv_medications_procedures_trials(hcv: Patient) -> None:
    ifn, propranolol = hcv.medications
    assert ifn.text == "Peginterferon alfa-2a 180 mcg weekly"
    assert ifn.codes == [
        Code(system=ATC, code="L03AB11", display="peginterferon alfa-2a")
    ]
    assert (ifn.start, ifn.end, ifn.present) == ("2025-02-10", "2025-08-04", True)
    # medicationReference "Medication/propranolol" -> the bundled Medication.
    assert propranolol.text == "propranolol"
    assert propranolol.codes[0].code == "C07AA05"
    assert (propranolol.start, propranolol.end) == ("2024-01-15", None)
    (biopsy,) = hcv.procedures
    assert (biopsy.text, biopsy.date, biopsy.present) == (
        "Percutaneous liver biopsy",
        "2019-04-17",
        True,
    )
    (trial,) = hcv.trials
    assert trial.id == "ResearchStudy/hcv-daa-2015"
    assert trial.text == "Sofosbuvir-based regimen in genotype 1 chronic hepatitis C"
    assert (trial.start, trial.end) == ("2015-03", "2015-11-20")


def test_patient_from_data_dispatches_bundles() -> None:
    data = load_hcv()
    assert patient_from_data(data) == patient_from_bundle(data)
    assert patient_from_data(data).id == "hcv-058"
    del data["entry"][0]
    with pytest.raises(PatientError, match=r"^where\.json: no Patient resource"):
        patient_from_data(data, where="where.json")


def test_fhir_resources_is_imported_lazily() -> None:
    code = "import sys, eligo.match.fhir; print('fhir.resources' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# --- Patient -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patient", "expected"),
    [
        ({"gender": "female"}, {"sex": "female"}),
        ({"gender": "male"}, {"sex": "male"}),
        ({"gender": "other"}, {"sex": None}),
        ({"gender": "unknown"}, {"sex": None}),
        ({}, {"sex": None, "birth_date": None, "id": "patient"}),
        ({"id": "abc-1"}, {"id": "abc-1"}),
        ({"birthDate": "1968"}, {"birth_date": "1968"}),
        ({"birthDate": "1968-03"}, {"birth_date": "1968-03"}),
        ({"birthDate": "1968-03-12"}, {"birth_date": "1968-03-12"}),
    ],
)
def test_patient_mapping(patient: dict[str, Any], expected: dict[str, Any]) -> None:
    got = read(patient={"resourceType": "Patient", **patient})
    assert {k: getattr(got, k) for k in expected} == expected


def test_same_patient_twice_is_one_patient() -> None:
    data = bundle(dict(PATIENT))
    assert patient_from_bundle(data).id == "p1"


# --- Condition -----------------------------------------------------------------


def condition(**fields: Any) -> dict[str, Any]:
    return {"resourceType": "Condition", "subject": SUBJECT, **fields}


HCV_CODE = concept(None, (ICD, "B18.2", "Chronic viral hepatitis C"))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # text: code.text, else the first coding display
        (
            {"code": concept("Hep C", (ICD, "B18.2", "Chronic viral hepatitis C"))},
            {"text": "Hep C"},
        ),
        ({"code": HCV_CODE}, {"text": "Chronic viral hepatitis C"}),
        (
            {"code": concept(None, (ICD, "B18.2", None), (SNOMED, "1", "Second"))},
            {"text": "Second"},
        ),
        # every coding becomes a Code; a coding without system or code cannot
        (
            {
                "code": {
                    "coding": [
                        {"system": ICD, "code": "B18.2"},
                        {"code": "no-system", "display": "Hepatitis C"},
                        {"system": SNOMED, "code": "x1", "display": "HCV"},
                    ]
                }
            },
            {
                "text": "Hepatitis C",
                "codes": [
                    Code(system=ICD, code="B18.2"),
                    Code(system=SNOMED, code="x1", display="HCV"),
                ],
            },
        ),
        # onset
        ({"code": HCV_CODE, "onsetDateTime": "2019"}, {"onset": "2019"}),
        ({"code": HCV_CODE, "onsetDateTime": "2019-06"}, {"onset": "2019-06"}),
        (
            {"code": HCV_CODE, "onsetDateTime": "2019-06-30T23:30:00-05:00"},
            {"onset": "2019-06-30"},
        ),
        (
            {"code": HCV_CODE, "onsetPeriod": {"start": "2018-02", "end": "2018-03"}},
            {"onset": "2018-02"},
        ),
        ({"code": HCV_CODE, "onsetString": "in her twenties"}, {"onset": None}),
        # resolution
        (
            {"code": HCV_CODE, "abatementDateTime": "2021-01-05T10:00:00Z"},
            {"resolved": "2021-01-05"},
        ),
        (
            {"code": HCV_CODE, "abatementPeriod": {"start": "2020", "end": "2021-02"}},
            {"resolved": "2021-02"},
        ),
        (
            {"code": HCV_CODE, "abatementString": "after treatment"},
            {"resolved": None, "present": True},
        ),
        *(
            (
                {"code": HCV_CODE, "clinicalStatus": status(CLIN, code)},
                {"resolved": None, "present": True},
            )
            for code in ("inactive", "resolved", "remission")
        ),
        # verification
        (
            {"code": HCV_CODE, "verificationStatus": status(VER, "refuted")},
            {"present": False},
        ),
        (
            {"code": HCV_CODE, "verificationStatus": status(VER, "confirmed")},
            {"present": True},
        ),
        (
            {"code": HCV_CODE, "verificationStatus": status(VER, "entered-in-error")},
            None,
        ),
        ({"code": HCV_CODE, "verificationStatus": status(VER, "differential")}, None),
        ({"code": HCV_CODE, "verificationStatus": status(VER, "provisional")}, None),
        ({"code": HCV_CODE, "verificationStatus": status(VER, "unconfirmed")}, None),
        # nothing to match it by
        ({}, None),
        ({"code": {"coding": [{"display": "   "}]}}, None),
        ({"code": {"coding": [{"system": ICD}]}}, None),
    ],
)
def test_condition_mapping(
    fields: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    got = read(condition(**fields)).conditions
    if expected is None:
        assert got == []
        return
    (only,) = got
    assert {k: getattr(only, k) for k in expected} == expected


# --- MedicationStatement / MedicationRequest ---------------------------------------

IFN = concept("interferon alfa", (ATC, "L03AB04", "interferon alfa-2a"))


def statement(**fields: Any) -> dict[str, Any]:
    base = {"resourceType": "MedicationStatement", "status": "completed"}
    return {**base, "subject": SUBJECT, "medicationCodeableConcept": IFN, **fields}


def request(**fields: Any) -> dict[str, Any]:
    base = {"resourceType": "MedicationRequest", "status": "active", "intent": "order"}
    return {**base, "subject": SUBJECT, "medicationCodeableConcept": IFN, **fields}


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (statement(), {"text": "interferon alfa", "start": None, "end": None}),
        (
            statement(
                effectivePeriod={"start": "2024-03-01T08:00:00+01:00", "end": "2025"}
            ),
            {"start": "2024-03-01", "end": "2025"},
        ),
        (statement(effectiveDateTime="2023-07"), {"start": "2023-07", "end": None}),
        (statement(status="not-taken"), {"present": False}),
        (statement(status="active"), {"present": True}),
        (statement(status="stopped"), {"present": True, "end": None}),
        (statement(status="entered-in-error"), None),
        (statement(status="intended"), None),
        (
            request(authoredOn="2024-01-15T14:02:00Z"),
            {"start": "2024-01-15", "end": None},
        ),
        (
            request(
                authoredOn="2024-01-15",
                dosageInstruction=[
                    {"text": "as needed"},
                    {
                        "timing": {
                            "repeat": {
                                "boundsPeriod": {
                                    "start": "2024-02-01",
                                    "end": "2024-05-01",
                                }
                            }
                        }
                    },
                ],
            ),
            {"start": "2024-02-01", "end": "2024-05-01"},
        ),
        (
            request(
                authoredOn="2024-01-15",
                dispenseRequest={
                    "validityPeriod": {"start": "2024-01-16", "end": "2024-07-16"}
                },
            ),
            {"start": "2024-01-16", "end": "2024-07-16"},
        ),
        (
            request(
                authoredOn="2024-01-15",
                dispenseRequest={"validityPeriod": {"end": "2024-07"}},
            ),
            {"start": "2024-01-15", "end": "2024-07"},
        ),
        (request(status="completed"), {"present": True, "start": None}),
        (request(status="entered-in-error"), None),
        (request(status="cancelled"), None),
        (request(status="draft"), None),
        (request(doNotPerform=True), None),
    ],
)
def test_medication_mapping(
    resource: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    got = read(resource).medications
    if expected is None:
        assert got == []
        return
    (only,) = got
    assert only.codes == [
        Code(system=ATC, code="L03AB04", display="interferon alfa-2a")
    ]
    assert {k: getattr(only, k) for k in expected} == expected


RIBAVIRIN = {
    "resourceType": "Medication",
    "id": "rbv",
    "code": concept(None, (ATC, "J05AP01", "ribavirin")),
}


def by_reference(
    ref: dict[str, Any], kind: str = "MedicationStatement"
) -> dict[str, Any]:
    resource = statement() if kind == "MedicationStatement" else request()
    del resource["medicationCodeableConcept"]
    resource["medicationReference"] = ref
    resource["resourceType"] = kind
    return resource


def test_medication_reference_to_contained_medication() -> None:
    resource = by_reference({"reference": "#rbv"})
    resource["contained"] = [RIBAVIRIN]
    (med,) = read(resource).medications
    assert med.text == "ribavirin"
    assert med.codes == [Code(system=ATC, code="J05AP01", display="ribavirin")]


@pytest.mark.parametrize(
    "reference",
    [
        "urn:uuid:med-1",
        "Medication/rbv",
        "https://other.example/fhir/Medication/rbv",
        "Medication/rbv/_history/2",
    ],
)
@pytest.mark.parametrize("kind", ["MedicationStatement", "MedicationRequest"])
def test_medication_reference_to_bundled_medication(reference: str, kind: str) -> None:
    data = bundle(by_reference({"reference": reference}, kind))
    data["entry"].append({"fullUrl": "urn:uuid:med-1", "resource": RIBAVIRIN})
    (med,) = patient_from_bundle(data).medications
    assert med.codes[0].code == "J05AP01"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (
            {"reference": "Medication/missing", "display": "Ribavirin 200 mg"},
            "Ribavirin 200 mg",
        ),
        ({"reference": "Medication/missing"}, None),
        ({"reference": "#nothing"}, None),
        ({"reference": "Patient/p1"}, None),  # not a Medication
    ],
)
def test_medication_reference_unresolved(
    ref: dict[str, Any], expected: str | None
) -> None:
    got = read(by_reference(ref)).medications
    assert [m.text for m in got] == ([expected] if expected else [])
    assert all(m.codes == [] for m in got)


def test_medication_reference_to_medication_without_code_is_skipped() -> None:
    resource = by_reference({"reference": "#rbv"})
    resource["contained"] = [{"resourceType": "Medication", "id": "rbv"}]
    assert read(resource).medications == []


# --- Procedure -----------------------------------------------------------------

BIOPSY = concept("Liver biopsy")


def procedure(**fields: Any) -> dict[str, Any]:
    base = {"resourceType": "Procedure", "status": "completed", "subject": SUBJECT}
    return {**base, "code": BIOPSY, **fields}


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (procedure(), {"text": "Liver biopsy", "date": None, "present": True}),
        (
            procedure(performedDateTime="2019-04-17T09:30:00+02:00"),
            {"date": "2019-04-17"},
        ),
        (procedure(performedDateTime="2019"), {"date": "2019"}),
        (
            procedure(performedPeriod={"start": "2019-04", "end": "2019-05"}),
            {"date": "2019-04"},
        ),
        (procedure(performedString="as a child"), {"date": None}),
        (procedure(status="not-done"), {"present": False}),
        (procedure(status="in-progress"), {"present": True}),
        (procedure(status="entered-in-error"), None),
        (procedure(status="preparation"), None),
        (procedure(code={"coding": [{"system": SNOMED}]}), None),
    ],
)
def test_procedure_mapping(
    resource: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    got = read(resource).procedures
    if expected is None:
        assert got == []
        return
    (only,) = got
    assert {k: getattr(only, k) for k in expected} == expected


def test_procedure_without_code_is_skipped() -> None:
    resource = procedure()
    del resource["code"]
    assert read(resource).procedures == []


# --- Observation ---------------------------------------------------------------

PLT = concept(
    None, (LOINC, "777-3", "Platelets [#/volume] in Blood by Automated count")
)


def quantity(
    value: float | None,
    unit: str | None = None,
    code: str | None = None,
    system: str = UCUM,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if value is not None:
        out["value"] = value
    if unit is not None:
        out["unit"] = unit
    if code is not None:
        out["system"], out["code"] = system, code
    return out


def observation(**fields: Any) -> dict[str, Any]:
    base = {"resourceType": "Observation", "status": "final", "subject": SUBJECT}
    return {**base, "code": PLT, **fields}


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (
            observation(valueQuantity=quantity(92, "10^3/µL", "10*3/uL")),
            {"value": 92.0, "unit": "10^3/µL", "value_text": None},
        ),
        (observation(valueQuantity=quantity(92, code="10*3/uL")), {"unit": "10*3/uL"}),
        (
            observation(
                valueQuantity=quantity(
                    92, code="K/uL", system="http://example.org/units"
                )
            ),
            {"value": 92.0, "unit": None},
        ),
        (
            observation(valueQuantity=quantity(0.5, "mg/dL") | {"comparator": "<"}),
            {
                "value": None,
                "value_text": "<0.5",
                "unit": "mg/dL",
                "value_range": ValueRange(high=0.5, high_inclusive=False),
            },
        ),
        (
            observation(valueQuantity=quantity(60, "mL/min") | {"comparator": ">="}),
            {"value": None, "value_range": ValueRange(low=60), "unit": "mL/min"},
        ),
        (
            observation(valueQuantity=quantity(1, "mL") | {"comparator": "ad"}),
            {"value": None, "value_text": "ad1", "value_range": None},
        ),
        (
            observation(
                valueRange={
                    "low": quantity(100, "10*9/L"),
                    "high": quantity(150, "10*9/L"),
                }
            ),
            {"value": None, "value_range": ValueRange(low=100, high=150)},
        ),
        (
            observation(valueRange={"high": quantity(5, "10*9/L")}),
            {"value_range": ValueRange(high=5), "unit": "10*9/L"},
        ),
        (observation(valueInteger=2), {"value": 2.0, "unit": None}),
        (
            observation(
                valueCodeableConcept=concept("Child-Pugh B", (SNOMED, "x", "Class B"))
            ),
            {"value": None, "value_text": "Child-Pugh B"},
        ),
        (
            observation(valueCodeableConcept=concept(None, (SNOMED, "x", "Class B"))),
            {"value_text": "Class B"},
        ),
        (observation(valueString="  positive  "), {"value_text": "positive"}),
        # names
        (
            observation(valueInteger=1),
            {"name": "Platelets [#/volume] in Blood by Automated count"},
        ),
        (
            observation(code=concept("PLT"), valueInteger=1),
            {"name": "PLT", "codes": []},
        ),
        # dates
        (observation(valueInteger=1), {"date": None}),
        (
            observation(valueInteger=1, effectiveDateTime="2026-10-30T23:59:00-08:00"),
            {"date": "2026-10-30"},
        ),
        (observation(valueInteger=1, effectiveDateTime="2026-10"), {"date": "2026-10"}),
        (
            observation(
                valueInteger=1,
                effectivePeriod={"start": "2026-10-01", "end": "2026-10-03"},
            ),
            {"date": "2026-10-01"},
        ),
        (
            observation(valueInteger=1, issued="2026-10-31T06:00:00Z"),
            {"date": "2026-10-31"},
        ),
        (
            observation(
                valueInteger=1,
                effectiveDateTime="2026-10-30",
                issued="2026-11-02T06:00:00Z",
            ),
            {"date": "2026-10-30"},
        ),
        # statuses that keep a result
        (observation(status="preliminary", valueInteger=1), {"value": 1.0}),
        (observation(status="amended", valueInteger=1), {"value": 1.0}),
    ],
)
def test_observation_mapping(
    resource: dict[str, Any], expected: dict[str, Any]
) -> None:
    (only,) = read(resource).observations
    assert {k: getattr(only, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("value", "ranges", "expected"),
    [
        (
            quantity(92, "10*3/uL"),
            [{"low": quantity(150, "10*3/uL"), "high": quantity(400, "10*3/uL")}],
            (150.0, 400.0),
        ),
        (
            quantity(92, "10*3/uL"),
            [{"low": quantity(150), "high": quantity(400)}],
            (150.0, 400.0),
        ),
        (
            quantity(92, "10*3/uL"),
            [{"low": quantity(150000, "/uL"), "high": quantity(400, "10*3/uL")}],
            (None, 400.0),
        ),
        (
            quantity(92, code="10*3/uL"),
            [{"high": quantity(400, code="10*3/uL")}],
            (None, 400.0),
        ),
        (quantity(92, "10*3/uL"), [{"text": "150-400"}], (None, None)),
        (
            quantity(92, "10*3/uL"),
            [{"low": quantity(1)}, {"low": quantity(150), "high": quantity(400)}],
            (1.0, None),
        ),
        (quantity(92), [{"low": quantity(150, "10*3/uL")}], (None, None)),
        (quantity(92, "10*3/uL"), [], (None, None)),
    ],
)
def test_observation_reference_range(
    value: dict[str, Any], ranges: list[dict[str, Any]], expected: tuple[Any, Any]
) -> None:
    resource = observation(valueQuantity=value)
    if ranges:
        resource["referenceRange"] = ranges
    (only,) = read(resource).observations
    assert (only.reference_low, only.reference_high) == expected


@pytest.mark.parametrize(
    "resource",
    [
        observation(),  # no value at all
        observation(valueQuantity=quantity(None, "10*3/uL")),
        observation(valueString="   "),
        observation(valueBoolean=True),  # not a value eligo reads
        observation(  # a range with its bounds in two units
            valueRange={"low": quantity(1, "10*9/L"), "high": quantity(5, "/uL")}
        ),
        observation(valueRange={"low": quantity(5), "high": quantity(1)}),
        observation(dataAbsentReason=concept("not performed")),
        observation(status="entered-in-error", valueInteger=1),
        observation(status="cancelled", valueInteger=1),
        observation(code={"coding": [{"system": LOINC}]}, valueInteger=1),
    ],
)
def test_observation_skipped(resource: dict[str, Any]) -> None:
    assert read(resource).observations == []


def test_observation_components_are_observations() -> None:
    bp = observation(
        code=concept("Blood pressure", (LOINC, "85354-9", None)),
        effectiveDateTime="2026-11-02T09:10:00+01:00",
        component=[
            {
                "code": concept(None, (LOINC, "8480-6", "Systolic blood pressure")),
                "valueQuantity": quantity(128, "mm[Hg]"),
            },
            {
                "code": concept(None, (LOINC, "8462-4", "Diastolic blood pressure")),
                "valueQuantity": quantity(82, "mm[Hg]"),
            },
            {"code": concept("no value")},
        ],
    )
    got = read(bp).observations
    assert [(o.name, o.value, o.unit, o.date) for o in got] == [
        ("Systolic blood pressure", 128.0, "mm[Hg]", "2026-11-02"),
        ("Diastolic blood pressure", 82.0, "mm[Hg]", "2026-11-02"),
    ]


# --- pregnancy -----------------------------------------------------------------

PREGNANT = (LOINC, "LA15173-0", "Pregnant")
NOT_PREGNANT = (LOINC, "LA26683-5", "Not pregnant")
UNKNOWN = (LOINC, "LA4489-6", "Unknown")


def pregnancy(
    answer: tuple[str, str, str], when: str | None = None, code: str = "82810-3"
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "code": concept(None, (LOINC, code, "Pregnancy status")),
        "valueCodeableConcept": concept(None, answer),
    }
    if when:
        fields["effectiveDateTime"] = when
    return observation(**fields)


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        ([], None),
        ([pregnancy(PREGNANT)], True),
        ([pregnancy(NOT_PREGNANT)], False),
        ([pregnancy((SNOMED, "77386006", "Pregnant"))], True),
        ([pregnancy((SNOMED, "60001007", "Not pregnant"))], False),
        ([pregnancy(UNKNOWN)], None),
        ([pregnancy((SNOMED, "0", "Pregnant"))], None),  # a code we do not know
        # Another code whose value is a pregnancy answer is a status all the same.
        ([pregnancy(PREGNANT, code="11111-1")], True),
        (
            [
                observation(
                    code=concept("Pregnancy status", (LOINC, "82810-3", None)),
                    valueString="pregnant",
                )
            ],
            None,
        ),
        (
            [pregnancy(PREGNANT, "2025-01-10"), pregnancy(NOT_PREGNANT, "2026-10-30")],
            False,
        ),
        (
            [pregnancy(NOT_PREGNANT, "2026-10-30"), pregnancy(PREGNANT, "2025-01-10")],
            False,
        ),
        ([pregnancy(NOT_PREGNANT, "2025"), pregnancy(PREGNANT, "2026-02")], True),
        ([pregnancy(NOT_PREGNANT, "2026-02-10"), pregnancy(PREGNANT, "2026-02")], None),
        (
            [pregnancy(NOT_PREGNANT, "2026-10-30"), pregnancy(PREGNANT, "2026-10-30")],
            None,
        ),
        ([pregnancy(NOT_PREGNANT), pregnancy(PREGNANT, "2026-10-30")], None),
        ([pregnancy(NOT_PREGNANT, "2026-01"), pregnancy(NOT_PREGNANT)], False),
        ([pregnancy(UNKNOWN, "2025-01"), pregnancy(NOT_PREGNANT, "2026-01")], False),
        ([pregnancy(NOT_PREGNANT, "2025-01"), pregnancy(UNKNOWN, "2026-01")], None),
        (
            [
                pregnancy(PREGNANT, "2026-01") | {"status": "entered-in-error"},
                pregnancy(NOT_PREGNANT, "2025-01"),
            ],
            False,
        ),
    ],
)
def test_pregnancy(resources: list[dict[str, Any]], expected: bool | None) -> None:
    assert read(*resources).pregnant is expected


# --- pregnancy from Conditions and other Observations ------------------------------

CDA_ASSERTION = ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "ASSERTION")
ACTIVE = status(CLIN, "active")
RESOLVED = status(CLIN, "resolved")


def pregnancy_condition(code: str, system: str = ICD, **fields: Any) -> dict[str, Any]:
    return condition(code=concept(None, (system, code, None)), **fields)


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        # A pregnancy now: pregnant, dated by recordedDate, else onset.
        (
            pregnancy_condition(
                "Z33.1", clinicalStatus=ACTIVE, recordedDate="2026-10-01"
            ),
            (True, "2026-10-01"),
        ),
        (pregnancy_condition("Z331", recordedDate="2026-10-01"), (True, "2026-10-01")),
        (pregnancy_condition("z33.3", onsetDateTime="2026-06"), (True, "2026-06")),
        (
            pregnancy_condition(
                "Z34.83",
                onsetDateTime="2026-03-02",
                recordedDate="2026-10-01T09:00:00Z",
            ),
            (True, "2026-10-01"),
        ),
        (pregnancy_condition("Z3A.24"), (True, None)),
        (pregnancy_condition("O00.10"), (True, None)),  # ectopic pregnancy
        (pregnancy_condition("O09.522"), (True, None)),  # high-risk supervision
        (pregnancy_condition("O24.410"), (True, None)),  # gestational diabetes
        (pregnancy_condition("O9A.111"), (True, None)),
        (pregnancy_condition("77386006", SNOMED), (True, None)),
        (
            pregnancy_condition("Z33.1", verificationStatus=status(VER, "confirmed")),
            (True, None),
        ),
        # ... that is over: not pregnant, on the abatement date, else the onset
        (
            pregnancy_condition(
                "Z34.80", onsetDateTime="2025-01", abatementDateTime="2025-09-30"
            ),
            (False, "2025-09-30"),
        ),
        (
            pregnancy_condition(
                "77386006", SNOMED, clinicalStatus=RESOLVED, onsetDateTime="2019-02"
            ),
            (False, "2019-02"),
        ),
        (
            pregnancy_condition("Z33.1", clinicalStatus=status(CLIN, "inactive")),
            (False, None),
        ),
        # A pregnancy that ended (delivery, abortive outcome, puerperium): not
        # pregnant from its onset; without one, nothing.
        (pregnancy_condition("O80", onsetDateTime="2026-10-02"), (False, "2026-10-02")),
        (
            pregnancy_condition(
                "O82", clinicalStatus=RESOLVED, onsetDateTime="2026-09"
            ),
            (False, "2026-09"),
        ),
        (
            pregnancy_condition("O03.9", onsetDateTime="2026-04-11"),
            (False, "2026-04-11"),
        ),
        (pregnancy_condition("O85", onsetDateTime="2026-10-09"), (False, "2026-10-09")),
        (pregnancy_condition("O90.6", onsetDateTime="2026-11"), (False, "2026-11")),
        (pregnancy_condition("O92.3", onsetDateTime="2026-11"), (False, "2026-11")),
        (pregnancy_condition("O80", recordedDate="2026-10-02"), (None, None)),
        # Neither: labour and delivery, sequelae, elective termination, outcome
        # of delivery, a pregnancy history.
        (pregnancy_condition("O70.0", onsetDateTime="2026-10-02"), (None, None)),
        (pregnancy_condition("O60.00", onsetDateTime="2026-10-02"), (None, None)),
        (pregnancy_condition("O94", onsetDateTime="2026-10-02"), (None, None)),
        (pregnancy_condition("Z33.2", onsetDateTime="2026-10-02"), (None, None)),
        (pregnancy_condition("Z37.0", onsetDateTime="2026-10-02"), (None, None)),
        (pregnancy_condition("Z87.59", onsetDateTime="2026-10-02"), (None, None)),
        # Not established, refuted or entered in error: nothing.
        *(
            (
                pregnancy_condition("Z33.1", verificationStatus=status(VER, v)),
                (None, None),
            )
            for v in (
                "refuted",
                "entered-in-error",
                "provisional",
                "differential",
                "unconfirmed",
            )
        ),
        # The code in another system: ICD-10 (WHO), a local one, no system.
        (pregnancy_condition("O26.9", "http://hl7.org/fhir/sid/icd-10"), (None, None)),
        (pregnancy_condition("Z33.1", "urn:oid:1.2.3.4"), (None, None)),
        (pregnancy_condition("77386006", "http://loinc.org"), (None, None)),
        (condition(code={"coding": [{"code": "Z33.1"}]}), (None, None)),
        # Codings that disagree say nothing; agreeing ones are one.
        (
            condition(code=concept(None, (ICD, "Z34.90", None), (ICD, "O80", None))),
            (None, None),
        ),
        (
            condition(
                code=concept(None, (ICD, "Z34.90", None), (SNOMED, "77386006", None))
            ),
            (True, None),
        ),
        (condition(code=HCV_CODE, onsetDateTime="2026-01"), (None, None)),
    ],
)
def test_pregnancy_from_a_condition(
    resource: dict[str, Any], expected: tuple[bool | None, str | None]
) -> None:
    got = read(resource)
    assert (got.pregnant, got.status_date) == expected


def test_a_pregnancy_condition_is_a_condition_too() -> None:
    got = read(pregnancy_condition("Z34.80", onsetDateTime="2026-05"))
    assert got.pregnant is True
    assert [(c.codes[0].code, c.onset) for c in got.conditions] == [
        ("Z34.80", "2026-05")
    ]


def other_observation(code: tuple[str, str], **fields: Any) -> dict[str, Any]:
    return observation(code=concept(None, (*code, None)), **fields)


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        # SNOMED CT 77386006 as the Observation's code
        (other_observation((SNOMED, "77386006")), True),
        (other_observation((SNOMED, "77386006"), valueBoolean=True), True),
        (other_observation((SNOMED, "77386006"), valueBoolean=False), False),
        (
            other_observation(
                (SNOMED, "77386006"), valueCodeableConcept=concept(None, NOT_PREGNANT)
            ),
            False,
        ),
        (
            other_observation(
                (SNOMED, "77386006"), dataAbsentReason=concept("asked but unknown")
            ),
            None,
        ),
        (other_observation((SNOMED, "77386006"), valueString="yes"), None),
        (
            other_observation(
                (SNOMED, "77386006"), valueBoolean=True, status="entered-in-error"
            ),
            None,
        ),
        # Any code with a pregnancy answer as its value (C-CDA "ASSERTION")
        (
            other_observation(
                CDA_ASSERTION,
                valueCodeableConcept=concept(None, (SNOMED, "77386006", "Pregnant")),
            ),
            True,
        ),
        (
            other_observation(
                CDA_ASSERTION,
                valueCodeableConcept=concept(None, (SNOMED, "60001007", None)),
            ),
            False,
        ),
        # ... but not about someone else (focus), nor an answer eligo does not know
        (
            other_observation(
                CDA_ASSERTION,
                valueCodeableConcept=concept(None, PREGNANT),
                focus=[{"reference": "RelatedPerson/partner"}],
            ),
            None,
        ),
        (
            other_observation(
                CDA_ASSERTION, valueCodeableConcept=concept(None, UNKNOWN)
            ),
            None,
        ),
        (other_observation((LOINC, "2106-3"), valueString="positive"), None),
    ],
)
def test_pregnancy_from_other_observations(
    resource: dict[str, Any], expected: bool | None
) -> None:
    assert read(resource).pregnant is expected


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        # The latest dated status wins, whatever resource gives it.
        (
            [
                pregnancy_condition("Z34.80", recordedDate="2026-01-10"),
                pregnancy(NOT_PREGNANT, "2026-10-30"),
            ],
            (False, "2026-10-30"),
        ),
        (
            [
                pregnancy(NOT_PREGNANT, "2026-01-10"),
                pregnancy_condition("Z34.80", recordedDate="2026-06-01"),
            ],
            (True, "2026-06-01"),
        ),
        (
            [
                pregnancy_condition("Z3A.31", recordedDate="2026-08-01"),
                pregnancy_condition("Z34.83", abatementDateTime="2026-09-01"),
            ],
            (False, "2026-09-01"),
        ),
        (
            [
                pregnancy_condition("Z34.83", recordedDate="2026-05-01"),
                pregnancy_condition("O80", onsetDateTime="2026-10-02"),
            ],
            (False, "2026-10-02"),
        ),
        (
            [
                pregnancy_condition(
                    "77386006", SNOMED, clinicalStatus=RESOLVED, onsetDateTime="2019-02"
                ),
                pregnancy(PREGNANT, "2026-10-01"),
            ],
            (True, "2026-10-01"),
        ),
        (
            [
                pregnancy(PREGNANT, "2026-03-01"),
                pregnancy_condition("Z34.80", recordedDate="2026-04-01"),
            ],
            (True, "2026-04-01"),
        ),
        # Undated and disagreeing: unknown.
        (
            [pregnancy_condition("Z34.80"), pregnancy(NOT_PREGNANT, "2026-10-30")],
            (None, None),
        ),
        (
            [
                pregnancy_condition("Z34.80", recordedDate="2026-10-01"),
                pregnancy_condition("Z33.1", clinicalStatus=RESOLVED),
            ],
            (None, None),
        ),
        # The same day: unknown.
        (
            [
                pregnancy_condition("Z3A.39", recordedDate="2026-10-02"),
                pregnancy_condition("O80", onsetDateTime="2026-10-02"),
            ],
            (None, None),
        ),
        # A refuted pregnancy is no status: the observation alone decides.
        (
            [
                pregnancy_condition(
                    "Z33.1",
                    verificationStatus=status(VER, "refuted"),
                    recordedDate="2026-10-20",
                ),
                pregnancy(PREGNANT, "2026-10-01"),
            ],
            (True, "2026-10-01"),
        ),
    ],
)
def test_pregnancy_conflicts(
    resources: list[dict[str, Any]], expected: tuple[bool | None, str | None]
) -> None:
    got = read(*resources)
    assert (got.pregnant, got.status_date) == expected


# --- code systems as EHRs write them --------------------------------------------

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
EPIC = "urn:oid:1.2.840.114350.1.13.999.2.7.2.696580"
HTN = (SNOMED, "59621000", "Essential hypertension (disorder)")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # SNOMED CT only, no code.text: the display is the text, the code kept.
        (
            concept(None, HTN),
            (
                "Essential hypertension (disorder)",
                [
                    Code(
                        system=SNOMED,
                        code="59621000",
                        display="Essential hypertension (disorder)",
                    )
                ],
            ),
        ),
        (
            concept("High blood pressure", HTN),
            (
                "High blood pressure",
                [
                    Code(
                        system=SNOMED,
                        code="59621000",
                        display="Essential hypertension (disorder)",
                    )
                ],
            ),
        ),
        # A SNOMED CT code alone: kept (a system eligo names), without text.
        (
            concept(None, (SNOMED, "59621000", None)),
            (None, [Code(system=SNOMED, code="59621000")]),
        ),
        # A local code with a display or a text: kept, matched by the text.
        (
            concept(None, (EPIC, "40213", "Gout of left foot")),
            (
                "Gout of left foot",
                [Code(system=EPIC, code="40213", display="Gout of left foot")],
            ),
        ),
        (
            concept("Gout", (EPIC, "40213", None)),
            ("Gout", [Code(system=EPIC, code="40213")]),
        ),
        # A local code alone: nothing to match it by.
        (concept(None, (EPIC, "40213", None)), None),
        (concept(None, ("LOCAL", "40213", None), ("local problems", "7", None)), None),
    ],
)
def test_condition_code_systems(
    code: dict[str, Any], expected: tuple[str | None, list[Code]] | None
) -> None:
    got = read(condition(code=code)).conditions
    assert [(c.text, c.codes) for c in got] == ([expected] if expected else [])


def facts_of(resource: dict[str, Any]) -> list[Any]:
    got = read(resource)
    return got.conditions + got.medications + got.procedures + got.observations


@pytest.mark.parametrize(
    ("system", "kept"),
    [
        (SNOMED, True),
        (RXNORM, True),
        (LOINC, True),
        (ICD, True),
        (ATC, True),
        ("snomed", True),  # the short names a profile may use
        (EPIC, False),
        ("http://hospital.example.org/fhir/CodeSystem/lab", False),
        ("LOCAL-LAB", False),
    ],
)
@pytest.mark.parametrize(
    "make",
    [
        lambda code: condition(code=code),
        lambda code: procedure(code=code),
        lambda code: statement(medicationCodeableConcept=code),
        lambda code: request(medicationCodeableConcept=code),
        lambda code: observation(code=code, valueInteger=3),
    ],
    ids=[
        "Condition",
        "Procedure",
        "MedicationStatement",
        "MedicationRequest",
        "Observation",
    ],
)
def test_a_code_alone_is_kept_only_in_a_known_system(
    make: Any, system: str, kept: bool
) -> None:
    facts = facts_of(make(concept(None, (system, "K-55", None))))
    assert [f.codes for f in facts] == (
        [[Code(system=system, code="K-55")]] if kept else []
    )


@pytest.mark.parametrize("kind", ["MedicationStatement", "MedicationRequest"])
def test_rxnorm_medication_is_named_by_its_display(kind: str) -> None:
    drug = concept(
        None,
        (
            RXNORM,
            "860975",
            "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet",
        ),
    )
    make = statement if kind == "MedicationStatement" else request
    (med,) = read(make(medicationCodeableConcept=drug)).medications
    assert (
        med.text == "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"
    )
    assert med.codes == [Code(system=RXNORM, code="860975", display=med.text)]


@pytest.mark.parametrize("kind", ["MedicationStatement", "MedicationRequest"])
def test_reference_display_names_a_medication_coded_without_text(kind: str) -> None:
    resource = by_reference(
        {"reference": "#amlo", "display": "amLODIPine 5 mg tablet"}, kind
    )
    resource["contained"] = [
        {
            "resourceType": "Medication",
            "id": "amlo",
            "code": concept(None, (RXNORM, "197361", None)),
        }
    ]
    (med,) = read(resource).medications
    assert med.text == "amLODIPine 5 mg tablet"
    assert med.codes == [Code(system=RXNORM, code="197361")]


US_CORE = FIXTURES / "us_core_pregnancy_bundle.json"
LOCAL_CODES = FIXTURES / "local_codes_bundle.json"


def test_us_core_bundle() -> None:
    got = load_patient(US_CORE)
    # The current pregnancy (recorded 2026-10-05) is later than the 2019 one,
    # which ended (abatement, delivery) on 2019-10-20.
    assert (got.pregnant, got.status_date) == (True, "2026-10-05")
    assert [c.text for c in got.conditions] == [
        "Essential hypertension (disorder)",
        "Normal pregnancy, second trimester",
        "Pregnancy (finding)",
        "Encounter for full-term uncomplicated delivery",
    ]  # the Condition with only a local code and no text is left out
    assert got.conditions[0].codes == [
        Code(
            system=SNOMED, code="59621000", display="Essential hypertension (disorder)"
        )
    ]
    assert [(m.text, m.codes[0].code) for m in got.medications] == [
        ("amLODIPine 5 mg tablet", "197361"),
        ("24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", "860975"),
    ]
    assert [(p.text, p.codes[0].system) for p in got.procedures] == [
        ("Colonoscopy (procedure)", SNOMED)
    ]
    (hgb,) = got.observations
    assert (hgb.codes[0].code, hgb.value, hgb.unit) == ("718-7", 11.8, "g/dL")


def match_json(patient: Path, trial_text: str, tmp_path: Path, as_of: str) -> Any:
    from typer.testing import CliRunner

    from eligo.cli import app

    trial = tmp_path / "trial.txt"
    trial.write_text(trial_text, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["match", str(patient), str(trial), "--as-of", as_of, "--format", "json", "-q"],
    )
    assert result.exit_code == 0, result.output
    (only,) = json.loads(result.stdout)["trials"]
    return [(c["verdict"], c["text"]) for c in only["criteria"]], only


def test_us_core_bundle_is_matched_by_its_snomed_and_rxnorm_texts(
    tmp_path: Path,
) -> None:
    verdicts, _ = match_json(
        US_CORE,
        "Inclusion Criteria:\n"
        "- Men and women aged 18 to 45 years\n"
        "- Essential hypertension\n"
        "- Hemoglobin >= 10 g/dL\n"
        "Exclusion Criteria:\n"
        "- Pregnant or breastfeeding\n"
        "- Amlodipine\n"
        "- Metformin within the last 12 months\n",
        tmp_path,
        "2026-10-20",
    )
    assert verdicts == [
        ("met", "Men and women aged 18 to 45 years"),
        ("met", "Essential hypertension"),  # SNOMED CT display
        ("met", "Hemoglobin >= 10 g/dL"),  # LOINC
        ("not_met", "Pregnant or breastfeeding"),  # ICD-10-CM Z34.82, 15 days old
        ("not_met", "Amlodipine"),  # RxNorm code, the reference's display
        ("not_met", "Metformin within the last 12 months"),  # RxNorm display
    ]


def test_local_codes_bundle(tmp_path: Path) -> None:
    got = load_patient(LOCAL_CODES)
    assert (got.id, got.sex, got.birth_date) == ("loc-204", None, "1979-11")
    assert [c.text for c in got.conditions] == ["Gout of left foot"]
    assert got.pregnant is None  # Z33.1 in a local system is not ICD-10-CM
    assert [m.text for m in got.medications] == ["allopurinol 100 mg tablet"]
    assert [(p.text, p.codes) for p in got.procedures] == [
        (
            "Knee arthroscopy",
            [Code(system="local procedures", code="PX-88", display="Knee arthroscopy")],
        )
    ]
    assert [(o.name, o.value) for o in got.observations] == [("Hemoglobin", 13.1)]
    verdicts, trial = match_json(
        LOCAL_CODES,
        "Inclusion Criteria:\n"
        "- Male or female, 40 to 60 years old\n"
        "- Hemoglobin >= 10 g/dL\n"
        "Exclusion Criteria:\n"
        "- Gout\n"
        "- Pregnancy\n",
        tmp_path,
        "2026-11-22",
    )
    assert verdicts == [
        ("met", "Male or female, 40 to 60 years old"),
        ("met", "Hemoglobin >= 10 g/dL"),
        ("not_met", "Gout"),
        ("unknown", "Pregnancy"),
    ]
    assert trial["verdict"] == "excluded"


def test_a_bundle_of_unknown_codes_only_is_a_clean_profile(tmp_path: Path) -> None:
    oid = "urn:oid:2.999.12.7"
    data = bundle(
        condition(code=concept(None, (oid, "1", None))),
        condition(code={"coding": [{"system": "LOCAL", "code": "2"}]}),
        procedure(code=concept(None, ("http://example.org/px", "3", None))),
        statement(medicationCodeableConcept=concept(None, (oid, "4", None))),
        observation(
            code=concept(None, (oid, "5", None)), valueQuantity=quantity(7, "mg")
        ),
        observation(
            code=concept(None, (oid, "6", None)),
            valueCodeableConcept=concept(None, (oid, "Y", None)),
        ),
        patient={"resourceType": "Patient", "id": "anon"},
    )
    got = patient_from_bundle(data)
    assert got == Patient(id="anon")
    path = tmp_path / "unknown_codes.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    verdicts, _ = match_json(
        path,
        "Inclusion Criteria:\n- Male and female patients\n"
        "Exclusion Criteria:\n- Diabetes\n",
        tmp_path,
        "2026-11-22",
    )
    assert verdicts == [("met", "Male and female patients"), ("unknown", "Diabetes")]


# --- ResearchSubject -------------------------------------------------------------


def subject(**fields: Any) -> dict[str, Any]:
    base = {
        "resourceType": "ResearchSubject",
        "status": "off-study",
        "study": {"reference": "ResearchStudy/s1"},
        "individual": SUBJECT,
    }
    return {**base, **fields}


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (
            subject(),
            {"id": "ResearchStudy/s1", "text": None, "start": None, "end": None},
        ),
        (
            subject(period={"start": "2015-03-02T10:00:00Z", "end": "2016"}),
            {"start": "2015-03-02", "end": "2016"},
        ),
        (
            subject(status="on-study", period={"start": "2026-06"}),
            {"start": "2026-06", "end": None},
        ),
        (
            subject(
                study={"reference": "ResearchStudy/s1", "display": "The SOLAR trial"}
            ),
            {"text": "The SOLAR trial"},
        ),
        (
            subject(study={"display": "The SOLAR trial"}),
            {"id": None, "text": "The SOLAR trial"},
        ),
        (subject(status="screening"), None),
        (subject(status="ineligible"), None),
        (subject(status="candidate"), None),
    ],
)
def test_research_subject(
    resource: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    got = read(resource).trials
    if expected is None:
        assert got == []
        return
    (only,) = got
    assert {k: getattr(only, k) for k in expected} == expected


def test_research_subject_names_the_bundled_study() -> None:
    study = {
        "resourceType": "ResearchStudy",
        "id": "s1",
        "status": "completed",
        "title": "SOLAR-2",
    }
    (trial,) = read(subject(), study).trials
    assert (trial.id, trial.text) == ("ResearchStudy/s1", "SOLAR-2")


# --- other resources -------------------------------------------------------------


def test_other_resource_types_are_ignored() -> None:
    got = read(
        {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}},
        {
            "resourceType": "AllergyIntolerance",
            "patient": SUBJECT,
            "code": concept("Penicillin"),
        },
        {"resourceType": "Organization", "name": "Hôpital"},
        {"resourceType": "MedicinalProduct", "id": "r4-only"},  # R4, dropped in R4B
    )
    assert got.model_dump(exclude={"id", "sex"}) == Patient().model_dump(
        exclude={"id", "sex"}
    )


def test_entries_without_resource_and_empty_bundles() -> None:
    data = bundle()
    data["entry"].append(
        {
            "fullUrl": "urn:uuid:gone",
            "request": {"method": "DELETE", "url": "Condition/1"},
        }
    )
    assert patient_from_bundle(data).conditions == []


# --- errors: one line, naming the file and the entry ------------------------------


def invalid(data: Any) -> str:
    with pytest.raises(PatientError) as info:
        patient_from_bundle(data, where="in.json")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("in.json: ")
    return message


def with_patient(*resources: Any) -> dict[str, Any]:
    data = bundle()
    data["entry"] += [{"resource": r} for r in resources]
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            with_patient(condition(code={"coding": "B18.2"})),
            "in.json: entry 1 (Condition): code.coding: Input should be a valid list",
        ),
        (
            with_patient(observation(id="o1", valueQuantity={"value": "ninety"})),
            "in.json: entry 1 (Observation/o1): valueQuantity.value: Decimal value string does not match spec regex.",
        ),
        (
            with_patient(condition(code=HCV_CODE, onsetDateTime="2019-13-45")),
            "in.json: entry 1 (Condition): onsetDateTime: DateTime value string does not match spec regex.",
        ),
        (
            with_patient(condition(code=HCV_CODE, recorder=[SUBJECT])),
            "in.json: entry 1 (Condition): recorder: Value is expected from the instance of Reference, but got type <class 'list'>",
        ),
        (
            with_patient(condition(code=HCV_CODE, severity="severe")),
            'in.json: entry 1 (Condition): severity: expected a JSON object, got "severe"',
        ),
        (
            with_patient(observation(valueInteger=1, colour="red")),
            "in.json: entry 1 (Observation): colour: Extra inputs are not permitted",
        ),
        (
            with_patient({"resourceType": "Condition", "code": HCV_CODE}),
            "in.json: entry 1 (Condition): subject: Field required",
        ),
        (
            with_patient(
                {"resourceType": "Observation", "code": PLT, "valueInteger": 1}
            ),
            "in.json: entry 1 (Observation): status: Value for the field 'status' is required.",
        ),
        (
            with_patient(
                statement(contained=[{"resourceType": "Medicine", "id": "m"}])
            ),
            "in.json: entry 1 (MedicationStatement): contained[0]: unknown resourceType 'Medicine'",
        ),
        (
            with_patient({"resourceType": "Conditon"}),
            "in.json: entry 1 (Conditon): unknown resourceType 'Conditon'",
        ),
        (
            with_patient({"resourceType": "Coding"}),
            "in.json: entry 1 (Coding): unknown resourceType 'Coding'",
        ),
        (
            with_patient({"resourceType": "DomainResource"}),
            "in.json: entry 1 (DomainResource): unknown resourceType 'DomainResource'",
        ),
        (with_patient({"id": "x"}), "in.json: entry 1: no resourceType"),
        (with_patient({"resourceType": 7}), "in.json: entry 1: no resourceType"),
        (with_patient("Condition"), "in.json: entry 1: resource is not a JSON object"),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": PATIENT}, "x"],
            },
            'in.json: entry 1: expected a JSON object, got "x"',
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": PATIENT, "fullUrl": 3}],
            },
            "in.json: entry 0: fullUrl: ",
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": {"resource": PATIENT},
            },
            "in.json: Bundle: entry: Input should be a valid list",
        ),
        (
            {"resourceType": "Bundle", "entry": [{"resource": PATIENT}]},
            "in.json: Bundle: type: Value for the field 'type' is required.",
        ),
        (
            {"resourceType": "Bundle", "type": "collection"},
            "in.json: no Patient resource in the bundle",
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": condition(code=HCV_CODE)}],
            },
            "in.json: no Patient resource in the bundle",
        ),
        (
            with_patient({"resourceType": "Patient", "id": "p2"}),
            "in.json: entries 0 and 1 are two different Patient resources; a bundle must describe one patient",
        ),
        (
            bundle(
                {"resourceType": "Patient", "gender": "male"},
                patient={"resourceType": "Patient"},
            ),
            "in.json: entries 0 and 1 are two different Patient resources",
        ),
        ([PATIENT], "in.json: a FHIR Bundle is a JSON object"),
        (PATIENT, "in.json: resourceType is 'Patient', not 'Bundle'"),
    ],
)
def test_errors_are_one_line(data: Any, expected: str) -> None:
    assert invalid(data).startswith(expected)


def test_error_names_the_file() -> None:
    path = FIXTURES / "invalid_observation_bundle.json"
    with pytest.raises(PatientError) as info:
        load_patient(path)
    message = str(info.value)
    assert message == (
        f"{path}: entry 2 (Observation/bilirubin-total): valueQuantity.value: "
        "Decimal value string does not match spec regex."
    )


def test_two_patients_file() -> None:
    path = FIXTURES / "two_patients_bundle.json"
    with pytest.raises(PatientError) as info:
        load_patient(path)
    assert str(info.value) == (
        f"{path}: entries 0 and 2 are two different Patient resources; "
        "a bundle must describe one patient"
    )


def test_patient_from_data_errors_name_where() -> None:
    data = load_hcv()
    data["entry"][5]["resource"]["valueQuantity"]["value"] = [92]
    with pytest.raises(PatientError) as info:
        patient_from_data(data, where="patient.json")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(
        "patient.json: entry 5 (Observation/platelets): valueQuantity.value: "
    )


def test_the_fixture_is_not_changed_by_reading() -> None:
    data = load_hcv()
    before = copy.deepcopy(data)
    patient_from_bundle(data)
    assert data == before


@pytest.mark.parametrize(
    ("clinical", "expected"),
    [
        ("resolved", "resolved"),
        ("remission", "resolved"),
        ("inactive", "resolved"),
        ("active", "active"),
        ("recurrence", "active"),
        (None, None),
    ],
)
def test_condition_clinical_status(clinical: str | None, expected: str | None) -> None:
    fields: dict[str, Any] = {"code": HCV_CODE}
    if clinical:
        fields["clinicalStatus"] = status(CLIN, clinical)
    (cond,) = read(condition(**fields)).conditions
    assert cond.status == expected and cond.resolved is None


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("completed", "stopped"),
        ("stopped", "stopped"),
        ("active", "active"),
        ("unknown", None),
    ],
)
def test_medication_statement_status(state: str, expected: str | None) -> None:
    (med,) = read(statement(status=state)).medications
    assert med.status == expected


def test_pregnancy_status_keeps_its_date(hcv: Patient) -> None:
    assert hcv.pregnant is False and hcv.status_date is not None


# --- sex: a criterion that allows any sex ------------------------------------------

ANY_SEX_TRIAL = (
    "Inclusion Criteria:\n"
    "- Male and female patients\n"
    "- Men or women\n"
    "- All genders\n"
    "- Women only\n"
)


@pytest.fixture(scope="module")
def any_sex_trial(parser):
    from eligo.trial import Trial

    doc = parser.parse(Trial(id="SEX", text=ANY_SEX_TRIAL, source_format="text"))
    sex = [
        [c.value for c in crit.constraints if c.type == "sex"] for crit in doc.criteria
    ]
    assert sex == [["all"], ["all"], ["all"], ["female"]]  # what the parser gives
    return doc


@pytest.mark.parametrize(
    ("gender", "shown", "women_only"),
    [
        ("female", "female", "met"),
        ("male", "male", "not_met"),
        ("other", "unknown", "unknown"),
        ("unknown", "unknown", "unknown"),
        (None, "unknown", "unknown"),
    ],
)
def test_any_sex_is_met_for_every_patient(
    any_sex_trial: Any, gender: str | None, shown: str, women_only: str
) -> None:
    from datetime import date

    import eligo

    person = {"resourceType": "Patient", "id": "p1"}
    if gender is not None:
        person["gender"] = gender
    report = eligo.match(
        bundle(patient=person), [any_sex_trial], as_of=date(2026, 1, 1)
    )
    *any_sex, only = report.trials[0].criteria
    for crit in any_sex:
        assert (crit.verdict, crit.holds) == ("met", True)
        (ev,) = crit.evidence
        assert ev.reason == f"the criterion allows any sex (the patient's: {shown})"
    assert only.verdict == women_only
    if women_only == "unknown":
        assert only.evidence[0].reason == "sex unknown" and only.missing == ["sex"]


@pytest.mark.parametrize(
    ("value", "negated", "holds", "reason"),
    [
        ("all", False, True, "the criterion allows any sex (the patient's: unknown)"),
        ("all", True, None, "sex constraint 'all' (negated) not checked"),
        ("female", False, None, "sex unknown"),
        ("male", True, None, "sex unknown"),
    ],
)
def test_sex_atom_with_unknown_sex(
    value: str, negated: bool, holds: bool | None, reason: str
) -> None:
    from datetime import date

    from eligo.document import Constraint, Criterion, Document
    from eligo.match.evaluate import Context
    from eligo.match.measures import sex_atom

    text = "Men and women"
    con = Constraint(start=0, end=len(text), type="sex", value=value, negated=negated)
    crit = Criterion(start=0, end=len(text), section="inclusion", constraints=[con])
    doc = Document(id="T", text=text, criteria=[crit])
    ctx = Context(patient=Patient(), as_of=date(2026, 1, 1), lab_max_age_days=90)
    atom = sex_atom(doc, con, ctx)
    assert (atom.holds, atom.evidence.reason) == (holds, reason)
