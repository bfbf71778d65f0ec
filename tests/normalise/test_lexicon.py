"""The analyte lexicon: matching, conversions, validation of rules/analytes.json."""

from __future__ import annotations

import re
from typing import Any

import pytest

from eligo.errors import RuleError
from eligo.normalise.lexicon import Analyte, AnalyteMatch, Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.default()


FIND_CASES = [
    # (text, analyte id, matched text)
    ("INR of 1.5 or more", "inr", "INR"),
    ("PLT<50×10^9/L", "platelets", "PLT"),
    ("total bilirubin levels of 5 mg/dl or more", "bilirubin_total", "total bilirubin"),
    ("serum creatinine > 1.5 x ULN", "creatinine", "serum creatinine"),
    ("ECOG performance status 0-1", "ecog", "ECOG performance status"),
    (
        "creatinine clearance ≥ 60 mL/min",
        "creatinine_clearance",
        "creatinine clearance",
    ),
    ("Hb < 9 g/dl", "hemoglobin", "Hb"),
    (
        "absolute neutrophil count (ANC) ≥ 1,500/mm3",
        "anc",
        "absolute neutrophil count (ANC)",
    ),
    ("QTcF > 470 ms", "qtcf", "QTcF"),
    ("LVEF < 50%", "lvef", "LVEF"),
    ("BMI 18.5-30 kg/m2", "bmi", "BMI"),
    # UK / US spellings
    ("haemoglobin ≥ 10 g/dL", "hemoglobin", "haemoglobin"),
    ("hemoglobin ≥ 10 g/dL", "hemoglobin", "hemoglobin"),
    ("haematocrit < 30%", "hematocrit", "haematocrit"),
    ("ionised calcium < 1.0 mmol/L", "calcium_ionised", "ionised calcium"),
    ("ionized calcium < 1.0 mmol/L", "calcium_ionised", "ionized calcium"),
    ("oestradiol < 20 pg/mL", "estradiol", "oestradiol"),
    ("leucocytes ≥ 3.0 x 10^9/L", "wbc", "leucocytes"),
    ("glycated haemoglobin 7-10%", "hba1c", "glycated haemoglobin"),
    ("Luteinising hormone > 20 IU/L", "lh", "Luteinising hormone"),
    # abbreviations and case rules
    ("PT > 1.5 x ULN", "prothrombin_time", "PT"),
    ("ALT ≤ 3 x ULN", "alt", "ALT"),
    ("SGOT ≤ 3 x ULN", "ast", "SGOT"),
    ("WBC ≥ 3000/uL", "wbc", "WBC"),
    ("Hgb ≥ 9", "hemoglobin", "Hgb"),
    ("eGFR ≥ 45 mL/min/1.73 m2", "egfr", "eGFR"),
    ("CrCl ≥ 50 mL/min", "creatinine_clearance", "CrCl"),
    ("KPS ≥ 70", "karnofsky", "KPS"),
    ("NYHA class III or IV heart failure", "nyha", "NYHA class"),
    ("TSH within normal limits", "tsh", "TSH"),
    ("SpO2 < 92% on room air", "spo2", "SpO2"),
    ("NT-proBNP > 400 pg/mL", "nt_probnp", "NT-proBNP"),
    ("hs-CRP ≥ 2 mg/L", "hs_crp", "hs-CRP"),
    ("CA 19-9 > 1000 U/mL", "ca_19_9", "CA 19-9"),
    ("β2-microglobulin ≥ 5.5 mg/L", "beta2_microglobulin", "β2-microglobulin"),
    ("HBV DNA < 2000 IU/mL", "hbv_dna", "HBV DNA"),
    ("HIV-1 RNA < 50 copies/mL", "hiv_viral_load", "HIV-1 RNA"),
    ("HBsAg positive", "hbsag", "HBsAg"),
    ("Child-Pugh class A", "child_pugh", "Child-Pugh class"),
    ("MELD-Na score < 25", "meld_na", "MELD-Na score"),
    ("Glasgow Coma Scale ≤ 8", "gcs", "Glasgow Coma Scale"),
    ("modified Rankin Scale ≤ 2", "mrs", "modified Rankin Scale"),
    ("mRSS ≥ 15", "mrss", "mRSS"),
    ("Hoehn and Yahr stage ≤ 3", "hoehn_yahr", "Hoehn and Yahr stage"),
    ("PHQ-9 ≥ 10", "phq9", "PHQ-9"),
    ("FEV1 ≥ 50% predicted", "fev1", "FEV1"),
    ("FEV1 % predicted ≥ 50", "fev1_percent_predicted", "FEV1 % predicted"),
    ("FEV1/FVC < 0.70", "fev1_fvc_ratio", "FEV1/FVC"),
    ("systolic blood pressure > 160 mmHg", "systolic_bp", "systolic blood pressure"),
    ("temperature > 38.5 °C", "body_temperature", "temperature"),
    ("UPCR < 1 g/g", "upcr", "UPCR"),
    ("25(OH)D < 20 ng/mL", "vitamin_d", "25(OH)D"),
    # overlaps: the longest wins
    ("HbA1c ≤ 10%", "hba1c", "HbA1c"),
    ("Hb A1c ≤ 10%", "hba1c", "Hb A1c"),
    ("aPTT ≤ 1.5 x ULN", "aptt", "aPTT"),
    ("direct bilirubin ≤ 1.5 x ULN", "bilirubin_direct", "direct bilirubin"),
    ("CD4 count ≥ 200 cells/mm3", "cd4_count", "CD4 count"),
    ("CD4+ T-cell count > 350", "cd4_count", "CD4+ T-cell count"),
    ("CD4% < 15", "cd4_percent", "CD4%"),
    ("non-HDL cholesterol ≥ 130 mg/dL", "non_hdl_cholesterol", "non-HDL cholesterol"),
    ("fasting plasma glucose ≥ 126 mg/dL", "fasting_glucose", "fasting plasma glucose"),
    (
        "high-sensitivity troponin T > 14 ng/L",
        "troponin_hs",
        "high-sensitivity troponin T",
    ),
    ("Karnofsky performance status ≥ 60", "karnofsky", "Karnofsky performance status"),
    ("ALT/AST ≤ 2.5 x ULN", "transaminases", "ALT/AST"),
    ("DAS28-CRP > 3.2", "das28", "DAS28-CRP"),
    ("weight loss > 10% in 6 months", "weight_change", "weight loss"),
    # hyphen and space variants, line wraps
    ("D dimer > 500 ng/mL", "d_dimer", "D dimer"),
    ("D-dimer > 500 ng/mL", "d_dimer", "D-dimer"),
    ("Platelet\n        count ≥ 100", "platelets", "Platelet\n        count"),
    ("Albuminuria > 300 mg/g", "urine_albumin", "Albuminuria"),
]


@pytest.mark.parametrize(("text", "analyte_id", "matched"), FIND_CASES)
def test_find(lexicon: Lexicon, text: str, analyte_id: str, matched: str) -> None:
    found = lexicon.find(text)
    assert found, text
    first = found[0]
    assert (first.analyte_id, first.text) == (analyte_id, matched)
    assert text[first.start : first.end] == first.text


@pytest.mark.parametrize(
    "text",
    [
        "patients with an alternative diagnosis",
        "pt must sign consent; pts are followed",
        "a plate of food",
        "neutral",
        "ALTERNATIVE therapies",
        "The ALTITUDE study",
        "apt to comply",
        "treatment at home",
        "alt text",
        "HbA1cx",
        "astrocytoma",
        "congenital long QT syndrome",
        "low molecular weight heparin",
        "calcium channel blockers",
        "EGFR mutation",
        "breast Ca",
        "KRAS wild type",
        "yellow fever vaccine",
    ],
)
def test_no_false_hits(lexicon: Lexicon, text: str) -> None:
    assert lexicon.find(text) == []


def test_several_mentions_with_offsets(lexicon: Lexicon) -> None:
    text = "ANC ≥ 1.5 x 10^9/L, Hb ≥ 9 g/dL and platelets ≥ 100 x 10^9/L"
    found = lexicon.find(text)
    assert [m.analyte_id for m in found] == ["anc", "hemoglobin", "platelets"]
    assert all(text[m.start : m.end] == m.text for m in found)


def test_window_respects_word_boundaries(lexicon: Lexicon) -> None:
    text = "ALTERNATIVE; ALT > 3 x ULN"
    assert lexicon.find(text, 3) == [AnalyteMatch(13, 16, "alt", "ALT")]
    assert lexicon.find(text, 0, 2) == []  # "AL" cut from "ALTERNATIVE"
    assert lexicon.find(text, 13, 16) == [AnalyteMatch(13, 16, "alt", "ALT")]


def test_term_does_not_span_a_bullet(lexicon: Lexicon) -> None:
    found = lexicon.find("predicted\n\n  -  DLCO < 40%")
    assert [(m.analyte_id, m.text) for m in found] == [("dlco", "DLCO")]


def test_find_is_fast_enough(lexicon: Lexicon) -> None:
    text = (
        "Total bilirubin ≤ 1.5 x ULN; ANC ≥ 1500/mm3; no alternative therapy. " * 2000
    )
    assert len(lexicon.find(text)) == 4000


CONVERSIONS = [
    # (analyte, value, unit, canonical value)
    ("bilirubin_total", 5, "mg/dL", 85.5),
    ("bilirubin_total", 17.1, "umol/L", 17.1),
    ("bilirubin_total", 10, "mg/L", 17.1),
    ("bilirubin_direct", 1, "mg/dL", 17.1),
    ("creatinine", 1.5, "mg/dL", 132.6),
    ("creatinine", 0.1326, "mmol/L", 132.6),
    ("hemoglobin", 9, "g/dL", 90),
    ("hemoglobin", 6.2, "mmol/L", 99.9),
    ("platelets", 100000, "/mm3", 100),
    ("platelets", 100, "10*3/uL", 100),
    ("platelets", 100000, "/uL", 100),
    ("anc", 1500, "/mm3", 1.5),
    ("cd4_count", 0.2, "10*9/L", 200),
    ("glucose", 7, "mmol/L", 126.1),
    ("fasting_glucose", 126, "mg/dL", 126),
    ("hba1c", 53, "mmol/mol", 7.0),
    ("albumin", 3, "g/dL", 30),
    ("calcium", 12, "mg/dL", 2.994),
    ("calcium_corrected", 2.5, "meq/L", 1.25),
    ("cholesterol_total", 5, "mmol/L", 193.35),
    ("triglycerides", 5.65, "mmol/L", 500.4),
    ("bun", 10, "mmol/L", 28.01),
    ("urea", 60.06, "mg/dL", 10.0),
    ("uric_acid", 476, "umol/L", 8.0),
    ("body_temperature", 100.4, "[degF]", 38.0),
    ("body_weight", 110, "[lb_av]", 49.9),
    ("height", 60, "[in_i]", 152.4),
    ("creatinine_clearance", 1, "mL/s", 60),
    ("egfr", 60, "mL/min", 60),
    ("tsh", 4.5, "u[IU]/mL", 4.5),
    ("alt", 40, "[IU]/L", 40),
    ("alt", 1, "ukat/L", 60),
    ("qtcf", 0.47, "s", 470),
    ("pao2", 8, "kPa", 60.0),
    ("free_t4", 1, "ng/dL", 12.87),
    ("testosterone", 50, "ng/dL", 1.7335),
    ("crp", 1, "mg/dL", 10),
    ("lvef", 0.45, "1", 45),
    ("fev1_fvc_ratio", 0.7, "1", 70),
    ("upcr", 1, "g/g", 1000),
    ("uacr", 3, "mg/mmol", 26.5),
    ("troponin_hs", 14, "ng/L", 14),
]


@pytest.mark.parametrize(("analyte_id", "value", "unit", "expected"), CONVERSIONS)
def test_convert(
    lexicon: Lexicon, analyte_id: str, value: float, unit: str, expected: float
) -> None:
    got = lexicon.convert(analyte_id, value, unit)
    assert got == pytest.approx(expected, rel=2e-3)
    plausible = lexicon.get(analyte_id).plausible
    assert plausible is not None and got in plausible


@pytest.mark.parametrize(
    ("analyte_id", "unit"),
    [
        ("bilirubin_total", "g/dL/h"),
        ("bilirubin_total", "mg/dl"),  # UCUM is case-sensitive: no guessing
        ("glucose", "%"),
        ("hbv_dna", "{copies}/mL"),  # assay-dependent: not converted
        ("insulin", "pmol/L"),
        ("inr", "s"),
        ("hemoglobin", "/mm3"),
    ],
)
def test_unknown_conversion_is_none(
    lexicon: Lexicon, analyte_id: str, unit: str
) -> None:
    assert lexicon.convert(analyte_id, 1.0, unit) is None


def test_canonical_units(lexicon: Lexicon) -> None:
    expected = {
        "bilirubin_total": "umol/L",
        "creatinine": "umol/L",
        "hemoglobin": "g/L",
        "glucose": "mg/dL",
        "platelets": "10*9/L",
        "cd4_count": "/mm3",
        "inr": "1",
        "ecog": "{score}",
        "hba1c": "%",
    }
    assert {k: lexicon.canonical_unit(k) for k in expected} == expected
    assert lexicon.convert("glucose", 99.0, "mg/dL") == 99.0


def test_unknown_analyte_raises(lexicon: Lexicon) -> None:
    with pytest.raises(KeyError):
        lexicon.convert("unobtainium", 1.0, "mg/dL")
    with pytest.raises(KeyError):
        lexicon.get("unobtainium")


# ----------------------------------------------------------------- the shipped file


def _loinc_check_digit(body: str) -> int:
    """LOINC mod-10, written independently of the module under test."""
    digits = [int(c) for c in body]
    odd = "".join(str(d) for d in digits[::-1][::2][::-1])  # from the right
    even = [d for d in digits[::-1][1::2]]
    doubled = str(int(odd) * 2)
    total = sum(int(c) for c in doubled) + sum(even)
    return (10 - total % 10) % 10


@pytest.mark.parametrize(
    ("code", "valid"),
    [("6301-6", True), ("718-7", True), ("2160-0", True), ("39156-5", True),
     ("6301-5", False), ("718-1", False)],
)  # fmt: skip
def test_loinc_check_digit_helper(code: str, valid: bool) -> None:
    body, check = code.split("-")
    assert (_loinc_check_digit(body) == int(check)) is valid


def test_shipped_lexicon_is_large_and_sound(lexicon: Lexicon) -> None:
    assert len(lexicon) >= 130
    kinds = {entry.kind for entry in lexicon}
    assert kinds == {"lab", "vital", "score", "measurement"}
    for entry in lexicon:
        if entry.loinc is not None:
            assert re.fullmatch(r"\d{1,7}-\d", entry.loinc), entry.id
            body, check = entry.loinc.split("-")
            assert _loinc_check_digit(body) == int(check), entry.id
        rng = entry.score_range if entry.kind == "score" else entry.plausible
        assert rng is not None and rng.low <= rng.high, entry.id
        # Every conversion round-trips the range limits and keeps their order.
        for unit in lexicon.units(entry.id):
            factor = lexicon.convert(entry.id, 1.0, unit)
            base = lexicon.convert(entry.id, 0.0, unit)
            assert factor is not None and base is not None, (entry.id, unit)
            assert factor - base > 0, (entry.id, unit)


@pytest.mark.parametrize(
    ("analyte_id", "loinc"),
    [("inr", "6301-6"), ("platelets", "777-3"), ("hemoglobin", "718-7"),
     ("alt", "1742-6"), ("ast", "1920-8"), ("bilirubin_total", "1975-2"),
     ("creatinine", "2160-0"), ("albumin", "1751-7"), ("hba1c", "4548-4"),
     ("glucose", "2345-7"), ("wbc", "6690-2"), ("anc", "751-8"),
     ("potassium", "2823-3"), ("sodium", "2951-2"), ("tsh", "3016-3"),
     ("bmi", "39156-5"), ("body_weight", "29463-7"), ("systolic_bp", "8480-6"),
     ("diastolic_bp", "8462-4"), ("heart_rate", "8867-4"), ("spo2", "59408-5"),
     ("ecog", None), ("egfr", None)],
)  # fmt: skip
def test_reference_loinc_codes(
    lexicon: Lexicon, analyte_id: str, loinc: str | None
) -> None:
    assert lexicon.get(analyte_id).loinc == loinc


def test_scores_have_ordinals(lexicon: Lexicon) -> None:
    assert lexicon.get("child_pugh").ordinal == {"A": 1, "B": 2, "C": 3}
    assert lexicon.get("nyha").ordinal == {"I": 1, "II": 2, "III": 3, "IV": 4}
    ecog = lexicon.get("ecog").score_range
    assert ecog is not None and (ecog.low, ecog.high) == (0, 5)


def test_round_trip_through_data(lexicon: Lexicon) -> None:
    again = Lexicon.from_data(lexicon.to_data())
    assert len(again) == len(lexicon)
    text = "INR ≤ 1.5, CD4 count ≥ 200, long QT syndrome"
    assert again.find(text) == lexicon.find(text)
    assert again.convert("bilirubin_total", 5, "mg/dL") == pytest.approx(85.5)


# ----------------------------------------------------------------- validation


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "thing",
        "name": "Thing",
        "kind": "lab",
        "synonyms": ["thing level"],
        "abbreviations": ["THG"],
        "ucum": "mg/dL",
        "plausible": {"low": 0, "high": 10},
    }
    entry.update(overrides)
    return entry


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_entry(colour="red")], r"entry 0 \(thing\): colour: Extra inputs"),
        (
            [_entry(plausible={"low": 5, "high": 1})],
            r"entry 0 \(thing\): plausible.*low 5 > high 1",
        ),
        ([_entry(id="Bad-Id")], r"entry 0 \(Bad-Id\): id"),
        ([_entry(kind="gene")], r"entry 0 \(thing\): kind"),
        ([_entry(loinc="6301-5")], r"fails its mod-10 check digit"),
        ([_entry(loinc="ABC")], r"not digits-hyphen-digit"),
        ([_entry(ucum="furlongs")], r"canonical unit 'furlongs'"),
        ([_entry(kind="score", ucum="{score}")], r"a score needs score_range"),
        ([_entry(plausible=None)], r"a lab needs a plausible range"),
        ([_entry(units=[{"ucum": "mmol/L", "factor": 0}])], r"units.0.factor"),
        ([_entry(synonyms=[], abbreviations=[])], r"at least one synonym"),
        ([_entry(), _entry()], r"entry thing: duplicate id"),
        (
            [_entry(), _entry(id="other", abbreviations=[], synonyms=["Thing Level"])],
            r"entry other: term 'Thing Level' is already claimed by entry thing",
        ),
        (
            [_entry(), _entry(id="other", abbreviations=["THG"], synonyms=["x"])],
            r"entry other: term 'THG' is already claimed by entry thing",
        ),
        (
            [_entry(), _entry(id="other", abbreviations=[], synonyms=["thg"])],
            r"entry other: term 'thg' is already claimed by entry thing",
        ),
        (
            [_entry(units=[{"ucum": "mg/L", "factor": 0.2}])],
            r"entry thing: conversions from 'mg/dL' and 'mg/L' contradict",
        ),
    ],
)
def test_bad_entries_are_rejected(entries: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(RuleError, match=r"rules/analytes\.json") as info:
        Lexicon.from_data(entries)
    assert re.search(message, str(info.value)), str(info.value)
    assert "\n" not in str(info.value)


def test_abbreviations_may_differ_only_in_case() -> None:
    lex = Lexicon.from_data(
        [_entry(), _entry(id="other", synonyms=["other thing"], abbreviations=["Thg"])]
    )
    assert [m.analyte_id for m in lex.find("THG, Thg, thg")] == ["thing", "other"]


def test_bad_file_object_is_rejected() -> None:
    with pytest.raises(RuleError, match=r"rules/analytes\.json: colour"):
        Lexicon.from_data({"analytes": [], "colour": "red"})
    with pytest.raises(RuleError, match=r"stop phrase 'thing level' is claimed"):
        Lexicon.from_data({"analytes": [_entry()], "stop_phrases": ["thing level"]})


def test_entries_can_be_built_directly() -> None:
    entry = Analyte.model_validate(_entry())
    lex = Lexicon([entry], unit_scales={}, stop_phrases=[])
    assert len(lex) == 1 and lex.get("thing") is entry
    assert lex.convert("thing", 2.0, "mg/L") is None  # no scales, no derivation
    assert [m.text for m in lex.find("thing level and THG")] == ["thing level", "THG"]
