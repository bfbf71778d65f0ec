"""Units: written forms to UCUM, generic conversion, rule-file validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.errors import RuleError
from eligo.normalise.units import (
    PhraseMatcher,
    convert,
    dimension,
    find_relative,
    find_unit,
    iter_relatives,
    load_unit_table,
    unit_table,
)
from eligo.pipeline.resources import read_rule_json

FORMS = [
    # (written, UCUM)
    ("mg/dl", "mg/dL"),
    ("mg/dL", "mg/dL"),
    ("MG/DL", "mg/dL"),
    ("mg / dL", "mg/dL"),
    ("mg/100ml", "mg/dL"),
    ("mg%", "mg/dL"),
    ("g/dl", "g/dL"),
    ("g/dL", "g/dL"),
    ("g/L", "g/L"),
    ("g/l", "g/L"),
    ("µmol/L", "umol/L"),
    ("μmol/L", "umol/L"),
    ("umol/L", "umol/L"),
    ("micromol/L", "umol/L"),
    ("mmol/L", "mmol/L"),
    ("mmol/l", "mmol/L"),
    ("mM", "mmol/L"),
    ("nmol/L", "nmol/L"),
    ("pmol/L", "pmol/L"),
    ("mg/L", "mg/L"),
    ("µg/L", "ug/L"),
    ("ug/L", "ug/L"),
    ("ng/mL", "ng/mL"),
    ("ng/ml", "ng/mL"),
    ("pg/mL", "pg/mL"),
    ("U/L", "U/L"),
    ("IU/L", "[IU]/L"),
    ("iu/l", "[IU]/L"),
    ("U/mL", "U/mL"),
    ("IU/mL", "[IU]/mL"),
    ("mIU/mL", "m[IU]/mL"),
    ("µIU/mL", "u[IU]/mL"),
    ("uIU/mL", "u[IU]/mL"),
    ("mU/L", "mU/L"),
    ("/mm3", "/mm3"),
    ("/mm^3", "/mm3"),
    ("/mm³", "/mm3"),
    ("cells/mm3", "/mm3"),
    ("/µL", "/uL"),
    ("/uL", "/uL"),
    ("/ul", "/uL"),
    ("cells/µL", "/uL"),
    ("cells/uL", "/uL"),
    ("x10^9/L", "10*9/L"),
    ("×10^9/L", "10*9/L"),
    ("10^9/L", "10*9/L"),
    ("10⁹/L", "10*9/L"),
    ("10*9/L", "10*9/L"),
    ("10 ^9/L", "10*9/L"),
    ("G/L", "10*9/L"),
    ("giga/L", "10*9/L"),
    ("×10^3/µL", "10*3/uL"),
    ("10^3/uL", "10*3/uL"),
    ("K/uL", "10*3/uL"),
    ("K/µL", "10*3/uL"),
    ("thou/uL", "10*3/uL"),
    ("×10^12/L", "10*12/L"),
    ("%", "%"),
    ("percent", "%"),
    ("s", "s"),
    ("sec", "s"),
    ("seconds", "s"),
    ("ms", "ms"),
    ("msec", "ms"),
    ("min", "min"),
    ("minutes", "min"),
    ("mL/min", "mL/min"),
    ("ml/min", "mL/min"),
    ("mL/min/1.73m2", "mL/min/{1.73_m2}"),
    ("ml / min / 1.73m", "mL/min/{1.73_m2}"),
    ("mL/min/1.73 m²", "mL/min/{1.73_m2}"),
    ("ml/min/1.73m^2", "mL/min/{1.73_m2}"),
    ("mmHg", "mm[Hg]"),
    ("mm Hg", "mm[Hg]"),
    ("bpm", "/min"),
    ("beats/min", "/min"),
    ("beats per minute", "/min"),
    ("/min", "/min"),
    ("°C", "Cel"),
    ("ºC", "Cel"),
    ("°F", "[degF]"),
    ("kg", "kg"),
    ("lb", "[lb_av]"),
    ("lbs", "[lb_av]"),
    ("kg/m2", "kg/m2"),
    ("kg/m²", "kg/m2"),
    ("kg/m^2", "kg/m2"),
    ("cm", "cm"),
    ("m", "m"),
    ("inches", "[in_i]"),
    ("L", "L"),
    ("mL", "mL"),
    ("copies/mL", "{copies}/mL"),
    ("log10 copies/mL", "{log10_copies}/mL"),
    ("g/24h", "g/(24.h)"),
    ("g/24 hours", "g/(24.h)"),
    ("g/day", "g/(24.h)"),
    ("mg/24h", "mg/(24.h)"),
    ("mg/g", "mg/g"),
    ("mg/mmol", "mg/mmol"),
    ("mL/h", "mL/h"),
    ("mL/kg/h", "mL/kg/h"),
    ("mmol/mol", "mmol/mol"),
    ("points", "{score}"),
    ("years", "a"),
    ("year", "a"),
    ("yr", "a"),
    ("y", "a"),
    ("months", "mo"),
    ("mo", "mo"),
    ("weeks", "wk"),
    ("wk", "wk"),
    ("wks", "wk"),
    ("days", "d"),
    ("d", "d"),
    ("hours", "h"),
    ("h", "h"),
    ("hr", "h"),
    ("hrs", "h"),
    ("mg", "mg"),
]


@pytest.mark.parametrize(("written", "ucum"), FORMS)
def test_written_form_reads_as_ucum(written: str, ucum: str) -> None:
    match = find_unit(f"  {written} and more", 0)
    assert match is not None
    assert (match.ucum, match.start, match.text) == (ucum, 2, written)


@pytest.mark.parametrize(
    "text",
    [
        "MIU/mL",  # million IU, not milli
        "MS",  # multiple sclerosis, not milliseconds
        "mgx",  # no unit inside a word
        "mol",
        "109/L",  # a lost superscript needs a multiplication sign
        "C",  # a bare C needs a temperature value
        "in",  # too ambiguous to be inches
        "pts",  # patients
    ],
)
def test_not_a_unit(text: str) -> None:
    assert find_unit(text, 0) is None


@pytest.mark.parametrize(
    ("text", "ucum", "unit_text"),
    [
        ("x 109/L", "10*9/L", "x 109/L"),
        ("× 10 9/L", "10*9/L", "× 10 9/L"),
        ("x109/l", "10*9/L", "x109/l"),
        ("x 10 3/uL", "10*3/uL", "x 10 3/uL"),
        (" x 10 ^9/L", "10*9/L", "x 10 ^9/L"),
    ],
)
def test_lost_superscript_after_times_sign(
    text: str, ucum: str, unit_text: str
) -> None:
    match = find_unit(text, 0)
    assert match is not None
    assert (match.ucum, match.text) == (ucum, unit_text)


@pytest.mark.parametrize(
    ("value", "expected"), [(38.5, "Cel"), (37, "Cel"), (3, None), (None, None)]
)
def test_bare_celsius_needs_a_temperature(
    value: float | None, expected: str | None
) -> None:
    match = find_unit(" C", 0, value=value)
    assert (match.ucum if match else None) == expected


def test_end_limits_the_unit() -> None:
    assert find_unit("5 mg/dL", 1, 4).ucum == "mg"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (100, "mg/dL", "g/L", 1.0),
        (1, "g/dL", "g/L", 10.0),
        (1000, "umol/L", "mmol/L", 1.0),
        (1500, "/mm3", "10*9/L", 1.5),
        (100, "10*3/uL", "10*9/L", 100.0),
        (1, "/uL", "/mm3", 1.0),
        (2, "wk", "d", 14.0),
        (1.5, "s", "ms", 1500.0),
        (1, "h", "min", 60.0),
        (1, "a", "d", 365.25),
        (1, "[lb_av]", "kg", 0.45359237),
        (212, "[degF]", "Cel", 100.0),
        (37, "Cel", "[degF]", 98.6),
        (1, "m", "cm", 100.0),
        (50, "%", "1", 0.5),
        (5, "mg/dL", "mg/dL", 5.0),
    ],
)
def test_convert(value: float, src: str, dst: str, expected: float) -> None:
    result = convert(value, src, dst)
    assert result is not None
    assert math.isclose(result, expected, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("mg/dL", "mmol/L"),  # needs a molar mass
        ("%", "mmol/mol"),  # HbA1c: not a linear-through-zero relation
        ("U/L", "[IU]/L"),
        ("kg", "kg/m2"),
        ("mg/dL", "nonsense"),
        ("nonsense", "mg/dL"),
    ],
)
def test_no_conversion_across_dimensions(src: str, dst: str) -> None:
    assert convert(1.0, src, dst) is None


@pytest.mark.parametrize(
    ("ucum", "dim"),
    [
        ("mg/dL", "mass_concentration"),
        ("d", "time"),
        ("Cel", "temperature"),
        ("x", None),
    ],
)
def test_dimension(ucum: str, dim: str | None) -> None:
    assert dimension(ucum) == dim


@pytest.mark.parametrize(
    ("text", "relative_to", "phrase"),
    [
        (" × ULN", "ULN", "× ULN"),
        (" x the institutional ULN", "ULN", "x the institutional ULN"),
        (
            " times the upper limit of normal (ULN)",
            "ULN",
            "times the upper limit of normal (ULN)",
        ),
        (" x upper normal limit", "ULN", "x upper normal limit"),
        (" x LLN", "LLN", "x LLN"),
        ("-fold the lower limit of normal", "LLN", "-fold the lower limit of normal"),
    ],
)
def test_find_relative(text: str, relative_to: str, phrase: str) -> None:
    rel = find_relative(text, 0)
    assert rel is not None
    assert (rel.relative_to, rel.text) == (relative_to, phrase)


def test_iter_relatives() -> None:
    text = "ALT < 3 x ULN and Hb > LLN, not the ULNA"
    assert [(text[s:e], r) for s, e, r in iter_relatives(text)] == [
        ("ULN", "ULN"),
        ("LLN", "LLN"),
    ]


def test_phrase_matcher_is_case_blind_and_keeps_offsets() -> None:
    matcher = PhraseMatcher(["less than", "at least", "≥"])
    text = "İİ AT  LEAST 5, ≥ 6, attleast, Less\nthan"
    found = [text[s:e] for s, e in matcher.finditer(text, 0, len(text))]
    assert found == ["AT  LEAST", "≥", "Less\nthan"]
    plain = "x at least"
    assert [plain[s:e] for s, e in matcher.finditer(plain, 2, len(plain))] == [
        "at least"
    ]
    assert list(matcher.finditer("xat least", 1, 9)) == []  # word check sees before


def test_every_form_reads_as_its_own_unit() -> None:
    table = unit_table()
    for unit in table.data.units:
        for form in (*unit.forms, *unit.exact_forms):
            match = find_unit(form, 0)
            assert match is not None and match.ucum == unit.ucum, form
            assert match.end == len(form), form


def _units_data() -> dict:
    return dict(read_rule_json("units.json"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["units"][0].update(colour="red"),
            "Extra inputs are not permitted",
        ),
        (lambda d: d["units"][0].update(dimension="nope"), "unknown dimension"),
        (lambda d: d["units"][0].update(factor=0), "factor must be positive"),
        (lambda d: d["units"].append(dict(d["units"][0])), "listed twice"),
        (lambda d: d["dimensions"]["time"].update(base="min"), "needs factor 1"),
        (lambda d: d.update(times_signs=["xx"]), "not one character"),
    ],
)
def test_bad_unit_rules_are_rejected_clearly(change, message: str) -> None:
    import copy

    data = copy.deepcopy(_units_data())
    change(data)
    with pytest.raises(RuleError, match=r"rules/units\.json") as info:
        load_unit_table(data)
    assert message in str(info.value)


def test_one_form_two_units_is_rejected() -> None:
    import copy

    data = copy.deepcopy(_units_data())
    data["units"][0]["forms"] = ["mg/dL"]
    with pytest.raises(RuleError, match="both"):
        load_unit_table(data)


_UCUMS = sorted(unit_table().units)
_PAIRS = [
    (a, b) for a in _UCUMS for b in _UCUMS if dimension(a) == dimension(b) and a != b
]


@given(
    st.sampled_from(_PAIRS),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
)
def test_convert_round_trips(pair: tuple[str, str], value: float) -> None:
    a, b = pair
    there = convert(value, a, b)
    assert there is not None
    back = convert(there, b, a)
    assert back is not None
    assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-9)
