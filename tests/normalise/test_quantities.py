"""Quantities: values with units or reference limits, and what is no value."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.normalise.quantities import find_quantities
from eligo.normalise.units import unit_forms
from eligo.segment.view import reading_view

# fmt: off
CASES = [
    # (text, [(value, unit, relative_to, quantity text), ...])
    ("1.5", [(1.5, None, None, "1.5")]),
    # An ordinal before "percentile" is a rank, not a percent.
    ("below the 3rd percentile", [(3, "{percentile}", None, "3rd percentile")]),
    ("> 97th centile", [(97, "{percentile}", None, "97th centile")]),
    ("1,500/mm3", [(1500, "/mm3", None, "1,500/mm3")]),
    ("100,000/mm³", [(100000, "/mm3", None, "100,000/mm³")]),
    ("0,5 mg/dL", [(0.5, "mg/dL", None, "0,5 mg/dL")]),
    ("50×10^9/L", [(50, "10*9/L", None, "50×10^9/L")]),
    ("50 x 10^9/L", [(50, "10*9/L", None, "50 x 10^9/L")]),
    ("PLT\\<50×10\\^9/L", [(50, "10*9/L", None, "50×10\\^9/L")]),
    ("1.5 × 10⁹/L", [(1.5, "10*9/L", None, "1.5 × 10⁹/L")]),
    ("1.5x10^9/l", [(1.5, "10*9/L", None, "1.5x10^9/l")]),
    ("100 x 10^3/µL", [(100, "10*3/uL", None, "100 x 10^3/µL")]),
    ("75 x 109/L", [(75, "10*9/L", None, "75 x 109/L")]),
    ("75 × 10 9/L", [(75, "10*9/L", None, "75 × 10 9/L")]),
    ("75 x109/l", [(75, "10*9/L", None, "75 x109/l")]),
    ("100 x 10 3/uL", [(100, "10*3/uL", None, "100 x 10 3/uL")]),
    ("4.0 x 10^12/L", [(4, "10*12/L", None, "4.0 x 10^12/L")]),
    ("150 G/L", [(150, "10*9/L", None, "150 G/L")]),
    ("150 K/uL", [(150, "10*3/uL", None, "150 K/uL")]),
    ("109 mg", [(109, "mg", None, "109 mg")]),
    ("109 patients", [(109, None, None, "109")]),
    ("2.5 × ULN", [(2.5, None, "ULN", "2.5 × ULN")]),
    ("2.5 x ULN", [(2.5, None, "ULN", "2.5 x ULN")]),
    ("2.5xULN", [(2.5, None, "ULN", "2.5xULN")]),
    ("2.5 times the upper limit of normal", [(2.5, None, "ULN", "2.5 times the upper limit of normal")]),
    ("3 times ULN", [(3, None, "ULN", "3 times ULN")]),
    ("≤ 1.5 × the institutional ULN", [(1.5, None, "ULN", "1.5 × the institutional ULN")]),
    ("1.5 x upper normal limit", [(1.5, None, "ULN", "1.5 x upper normal limit")]),
    ("< 0.8 x LLN", [(0.8, None, "LLN", "0.8 x LLN")]),
    ("2-fold the ULN", [(2, None, "ULN", "2-fold the ULN")]),
    ("twice the ULN", [(2, None, "ULN", "twice the ULN")]),
    ("three times the upper limit of normal", [(3, None, "ULN", "three times the upper limit of normal")]),
    ("5 mg/dl", [(5, "mg/dL", None, "5 mg/dl")]),
    ("Hb<9g/dL", [(9, "g/dL", None, "9g/dL")]),
    ("40%", [(40, "%", None, "40%")]),
    ("40 percent", [(40, "%", None, "40 percent")]),
    ("less than 30s", [(30, "s", None, "30s")]),
    ("470 ms", [(470, "ms", None, "470 ms")]),
    ("QTcF 450 msec", [(450, "ms", None, "450 msec")]),
    ("SDS < -2", [(-2, None, None, "-2")]),
    ("between -2 and −1.5", [(-2, None, None, "-2"), (-1.5, None, None, "−1.5")]),
    ("≥1.5", [(1.5, None, None, "1.5")]),
    ("INR>=1.5", [(1.5, None, None, "1.5")]),
    ("18-65 years", [(18, None, None, "18"), (65, "a", None, "65 years")]),
    ("18 -65", [(18, None, None, "18"), (65, None, None, "65")]),
    ("grade 2", [(2, None, None, "2")]),
    ("eighteen (18) years of age", [(18, "a", None, "eighteen (18) years")]),
    ("(18) years", [(18, "a", None, "(18) years")]),
    ("at least three months", [(3, "mo", None, "three months")]),
    ("twenty-one years", [(21, "a", None, "twenty-one years")]),
    ("half an hour", [(0.5, "h", None, "half an hour")]),
    ("a 3-month period", [(3, "mo", None, "3-month")]),
    ("an 18-year-old", [(18, "a", None, "18-year")]),
    ("temperature > 38.5 C", [(38.5, "Cel", None, "38.5 C")]),
    ("98.6 °F", [(98.6, "[degF]", None, "98.6 °F")]),
    ("eGFR ≥ 60 mL/min/1.73 m²", [(60, "mL/min/{1.73_m2}", None, "60 mL/min/1.73 m²")]),
    ("BMI 30 kg/m^2", [(30, "kg/m2", None, "30 kg/m^2")]),
    ("HIV RNA < 50 copies/mL", [(50, "{copies}/mL", None, "50 copies/mL")]),
    ("HbA1c 53 mmol/mol", [(53, "mmol/mol", None, "53 mmol/mol")]),
    ("proteinuria > 1 g/24 hours", [(1, "g/(24.h)", None, "1 g/24 hours")]),
    ("SBP > 160 mm Hg", [(160, "mm[Hg]", None, "160 mm Hg")]),
    ("weight 100 lbs", [(100, "[lb_av]", None, "100 lbs")]),
    ("heart rate 50 bpm", [(50, "/min", None, "50 bpm")]),
    ("1.5.", [(1.5, None, None, "1.5")]),
    ("(< 5)", [(5, None, None, "5")]),
    ("\\>= 18", [(18, None, None, "18")]),
    ("mRSS  > 10", [(10, None, None, "10")]),
    # Denominators the unit table has no form for are read with their unit.
    ("ESR > 30 mm/h", [(30, "mm/h", None, "30 mm/h")]),
    ("peak uptake < 20 mL/kg/min", [(20, "mL/kg/min", None, "20 mL/kg/min")]),
    ("flow 40 cm/s", [(40, "cm/s", None, "40 cm/s")]),
    ("dose 2 g per kg", [(2, "g/kg", None, "2 g per kg")]),
    ("walks 3 days per week", [(3, "d", None, "3 days")]),
    ("PEEP ≥ 5 cm H2O", [(5, "cm[H2O]", None, "5 cm H2O")]),
    ("osmolality < 300 mOsm/kg", [(300, "mosm/kg", None, "300 mOsm/kg")]),
    ("RBC > 5/hpf", [(5, "/[HPF]", None, "5/hpf")]),
    ("count < 15 million/mL", [(15, "10*6/mL", None, "15 million/mL")]),
    ("lesion ≥ 10 mm2", [(10, "mm2", None, "10 mm2")]),
    # A score out of its scale's maximum.
    ("fatigue of 6/10", [(6, "/10", None, "6/10")]),
    ("craving ≥ 35/100 mm", [(35, "/100", None, "35/100")]),
]
# fmt: on

NOT_VALUES = [
    "HbA1c",
    "CD4",
    "COVID-19",
    "T2DM",
    "IL-6",
    "NCT01234567",
    "H2O",
    "10^9",
    "10 ^9",
    "2020-01-01",
    "01/02/2020",
    "12/2019",
    "1/3",
    "140/100",
    "20/200",
    "11/10",
    "5/10/2020",
    "3/10.5",
    "10:30",
    "v1.2.3",
    "2nd",
    "3D",
    "5-FU",
    "12-lead ECG",
    "HER2+",
    "SARS-CoV-2",
    "β2",
    "x10^9/L",
    "",
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_find_quantities(text: str, expected: list[tuple]) -> None:
    view = reading_view(text)
    found = find_quantities(view)
    got = [(q.value, q.unit, q.relative_to, text[q.start : q.end]) for q in found]
    assert got == [(float(v), u, r, t) for v, u, r, t in expected]
    for q in found:
        assert q.text == view[q.start : q.end]
        if q.unit is not None:
            assert q.unit_start is not None and q.unit_end is not None
            assert q.start <= q.unit_start < q.unit_end <= q.end
        else:
            assert q.unit_start is None and q.unit_end is None


@pytest.mark.parametrize("text", NOT_VALUES)
def test_not_a_value(text: str) -> None:
    assert find_quantities(text) == []


def test_start_and_end_limit_the_search() -> None:
    text = "Hb 9 g/dL; PLT 100"
    assert [q.value for q in find_quantities(text, 4)] == [100.0]
    assert [q.value for q in find_quantities(text, 0, 9)] == [9.0]
    assert find_quantities(text, 0, 5)[0].unit is None  # the unit is cut off


def test_unit_offsets() -> None:
    q = find_quantities("PLT 50 × 10^9/L")[0]
    assert (q.unit_start, q.unit_end) == (7, 15)


@given(st.text(max_size=80))
def test_random_text_never_raises_and_spans_hold(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text


_ALPHABET = st.sampled_from(
    [
        *"0123456789 .,-−x×^*/%()<>=≥≤~+abcmgdLlµμUIKNu\\",
        *("ULN", "LLN", "10^9/L", "mg/dL", "years", "twice", "eighteen", " x "),
    ]
)


@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_number_soup_never_raises(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text


@given(
    st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=4),
    st.booleans(),
    st.sampled_from(unit_forms()),
)
def test_value_and_unit_round_trip(
    value: float, decimals: int, negative: bool, form: tuple[str, str]
) -> None:
    surface, ucum = form
    written = f"{'-' if negative else ''}{value:.{decimals}f}"
    found = find_quantities(f"{written} {surface}")
    assert len(found) == 1
    q = found[0]
    assert math.isclose(q.value, float(written), rel_tol=1e-9, abs_tol=0.0)
    assert q.unit == ucum
    assert q.text == f"{written} {surface}"
