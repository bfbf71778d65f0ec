"""Constraint atoms: age, sex, pregnancy/breastfeeding, lab values and scores.

A lab result counts only when dated in the window that qualifies the
constraint (or within ``lab_max_age_days``); values are converted to the
analyte's canonical unit through the analyte lexicon; multiples of ULN/LLN
use the result's own reference range."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ..document import Constraint, Document
from ..normalise.lexicon import Analyte
from ..normalise.units import find_unit, unit_table
from .atoms import Atom, Context, evidence, negate
from .patient import Observation, Patient, ValueRange, date_bounds
from .rules import match_rules
from .timing import Window, point_in, whole_days


def _years_between(born: date, on: date) -> tuple[int, float]:
    """Completed years and exact years (days / 365.25)."""
    full = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return full, (on - born).days / 365.25


def _ages(patient: Patient, as_of: date) -> list[tuple[int, float]] | None:
    if patient.birth_date is not None:
        lo, hi = date_bounds(patient.birth_date)
        return [_years_between(hi, as_of), _years_between(lo, as_of)]
    if patient.age is not None:
        return [(math.floor(patient.age), patient.age)]
    return None


def _within_bounds(
    value: float, con: Constraint, low: float | None, high: float | None
) -> bool:
    eps = 1e-9 * max(1.0, abs(value))
    strict_low = con.low_inclusive is False
    strict_high = con.high_inclusive is False
    if low is not None and (value < low - eps or (strict_low and value <= low + eps)):
        return False
    return not (
        high is not None
        and (value > high + eps or (strict_high and value >= high - eps))
    )


def _interval(con: Constraint, low: float | None, high: float | None, unit: str) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if con.low_inclusive is False else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if con.high_inclusive is False else '<='} {high:g}")
    return " and ".join(parts) + (f" {unit}" if unit else "")


def _equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _range_holds(
    rng: ValueRange, con: Constraint, low: float | None, high: float | None
) -> bool | None:
    """Whether every value of a result's interval lies within the bounds
    (True), none does (False), or only some do (None)."""
    strict_low = con.low_inclusive is False
    strict_high = con.high_inclusive is False
    a, b = rng.low, rng.high
    # Every value is above ``a`` (or equal when low_inclusive), below ``b``.
    above_low = low is None or (
        a is not None
        and (a > low or (_equal(a, low) and (not rng.low_inclusive or not strict_low)))
    )
    below_high = high is None or (
        b is not None
        and (
            b < high
            or (_equal(b, high) and (not rng.high_inclusive or not strict_high))
        )
    )
    if above_low and below_high:
        return True
    over = (
        high is not None
        and a is not None
        and (a > high or (_equal(a, high) and (not rng.low_inclusive or strict_high)))
    )
    under = (
        low is not None
        and b is not None
        and (b < low or (_equal(b, low) and (not rng.high_inclusive or strict_low)))
    )
    return False if over or under else None


def _range_text(rng: ValueRange) -> str:
    parts = []
    if rng.low is not None:
        parts.append(f"{'>=' if rng.low_inclusive else '>'} {rng.low:g}")
    if rng.high is not None:
        parts.append(f"{'<=' if rng.high_inclusive else '<'} {rng.high:g}")
    return " and ".join(parts)


def _convert_range(
    rng: ValueRange, convert: Callable[[float], float | None]
) -> ValueRange | None:
    """The interval in another unit (unit conversions keep the order)."""
    low = convert(rng.low) if rng.low is not None else None
    high = convert(rng.high) if rng.high is not None else None
    if (rng.low is not None and low is None) or (rng.high is not None and high is None):
        return None
    return rng.model_copy(update={"low": low, "high": high})


def age_atom(doc: Document, con: Constraint, ctx: Context) -> Atom:
    ages = _ages(ctx.patient, ctx.as_of)
    if ages is None:
        return Atom(
            None,
            evidence(doc, con.start, con.end, None, "age unknown"),
            ["date of birth or age"],
        )
    whole = con.low is None or float(con.low).is_integer()
    whole = whole and (con.high is None or float(con.high).is_integer())
    results = {
        _within_bounds(float(full if whole else exact), con, con.low, con.high)
        for full, exact in ages
    }
    holds: bool | None = results.pop() if len(results) == 1 else None
    if con.negated:
        holds = negate(holds)
    shown = sorted({a[0] for a in ages})
    age_text = "-".join(str(a) for a in shown)
    source = f"born {ctx.patient.birth_date}" if ctx.patient.birth_date else "age given"
    reason = (
        f"age {age_text} years on {ctx.as_of.isoformat()} ({source}); "
        f"criterion: {_interval(con, con.low, con.high, 'years')}"
    )
    missing = [] if holds is not None else ["exact date of birth"]
    return Atom(holds, evidence(doc, con.start, con.end, holds, reason), missing)


def sex_atom(doc: Document, con: Constraint, ctx: Context) -> Atom:
    """A sex constraint: "all" ("male or female", "all genders") holds for
    every patient, whatever the record says; "female"/"male" needs the
    patient's sex. A negated "all" is a reading eligo does not trust."""
    sex = ctx.patient.sex
    if con.value == "all" and not con.negated:
        return Atom(
            True,
            evidence(
                doc,
                con.start,
                con.end,
                True,
                f"the criterion allows any sex (the patient's: {sex or 'unknown'})",
            ),
        )
    if con.value not in ("female", "male"):
        return Atom(
            None,
            evidence(
                doc,
                con.start,
                con.end,
                None,
                f"sex constraint {con.value!r}"
                + (" (negated)" if con.negated else "")
                + " not checked",
            ),
        )
    if sex is None:
        return Atom(
            None, evidence(doc, con.start, con.end, None, "sex unknown"), ["sex"]
        )
    holds: bool | None = sex == con.value
    if con.negated:
        holds = negate(holds)
    return Atom(
        holds,
        evidence(
            doc,
            con.start,
            con.end,
            holds,
            f"patient is {sex}; criterion names {con.value}",
        ),
    )


def status_atom(doc: Document, con: Constraint, ctx: Context) -> Atom:
    name = con.type  # pregnancy or breastfeeding
    value = ctx.patient.pregnant if name == "pregnancy" else ctx.patient.breastfeeding
    why = f"{name} status recorded as {value}"
    recorded = ctx.patient.status_date
    if value is not None and recorded is not None:
        age = (ctx.as_of - date_bounds(recorded)[1]).days
        limit = match_rules().status_max_age_days
        if age > limit:
            value = None
            why = f"{name} status recorded on {recorded}, over {limit:g} days ago"
        else:
            why += f" on {recorded}"
    if value is None and ctx.patient.sex == "male":
        value, why = False, f"patient is male: no {name}"
    if value is None:
        if recorded is None or ctx.patient.pregnant is None:
            why = f"{name} status unknown"
        return Atom(
            None,
            evidence(doc, con.start, con.end, None, why),
            [f"current {name} status"],
        )
    holds: bool | None = value
    if con.negated or con.assertion == "negated":
        holds, why = negate(holds), why + "; the criterion is negated"
    return Atom(holds, evidence(doc, con.start, con.end, holds, why))


def _ucum(unit: str | None) -> str | None:
    if unit is None or not unit.strip():
        return None
    text = unit.strip()
    if text in unit_table().units:
        return text
    found = find_unit(text, 0)
    if found is not None and found.start == 0 and found.end == len(text):
        return found.ucum
    return None


def _analyte_id(ctx: Context, text: str) -> str | None:
    found = {m.analyte_id for m in ctx.lexicon.find(text)}
    return found.pop() if len(found) == 1 else None


def _observations_of(ctx: Context, analyte_id: str) -> list[Observation]:
    entry = ctx.lexicon.get(analyte_id)
    out = []
    for obs in ctx.patient.observations:
        coded = entry.loinc is not None and any(
            c.code == entry.loinc and "loinc" in c.system.lower() for c in obs.codes
        )
        named = any(_analyte_id(ctx, name) == analyte_id for name in obs.names())
        if coded or named:
            out.append(obs)
    return out


def _rank(ctx: Context, analyte_id: str, obs: Observation) -> float | None:
    table = ctx.lexicon.get(analyte_id).ordinal or {}
    if obs.value_text is not None:
        key = obs.value_text.strip()
        for label, rank in table.items():
            if label.lower() == key.lower():
                return float(rank)
        try:
            return float(key)
        except ValueError:
            return None
    return obs.value


def _describe_obs(obs: Observation) -> str:
    if obs.value_text is not None:
        value = obs.value_text
    elif obs.value is None and obs.value_range is not None:
        value = _range_text(obs.value_range)
    else:
        value = f"{obs.value:g}"
    unit = f" {obs.unit}" if obs.unit else ""
    when = f" on {obs.date}" if obs.date else " (undated)"
    return f"{obs.name or obs.codes[0].code}: {value}{unit}{when}"


def _constraint_analyte(ctx: Context, con: Constraint) -> str | None:
    """The constraint's analyte in the match's lexicon, or ``None``."""
    analyte = con.analyte
    # The measurement component's lexicon entry, as the store and the audit
    # read it; a text lookup only for Documents written before it had one.
    analyte_id = (analyte.id or _analyte_id(ctx, analyte.text)) if analyte else None
    if analyte_id is not None and analyte_id not in ctx.lexicon:
        return None  # an entry of another lexicon than the match's
    return analyte_id


@dataclass(frozen=True)
class _Unread:
    """Why a constraint cannot be checked, and what would check it."""

    reason: str
    missing: list[str]


@dataclass(frozen=True)
class _Reading:
    """The patient's result a measurement constraint is checked against."""

    analyte_id: str
    entry: Analyte
    obs: Observation
    fact: str  # the result, as evidence names it


#: A comparison's outcome: (holds, reason), or why there is none.
_Compared = tuple[bool, str] | _Unread


def _latest_result(
    ctx: Context, analyte_id: str, name: str, window: Window | None
) -> Observation | _Unread:
    """The latest result with a value dated in the window (without one, in
    the last ``lab_max_age_days``), or why there is none."""
    default = window is None
    if window is None:
        window = Window(
            ctx.as_of - timedelta(days=whole_days(ctx.lab_max_age_days)),
            ctx.as_of,
            "no window in the criterion",
        )
    results = _observations_of(ctx, analyte_id)
    usable = [
        o
        for o in results
        if point_in(o.date, window) is True
        and (
            o.value is not None or o.value_text is not None or o.value_range is not None
        )
    ]
    if usable:
        # The latest; on the same day a number wins over a range.
        return max(
            usable,
            key=lambda o: (date_bounds(o.date or "0001")[1], o.value is not None),
        )
    when = window.describe()
    if default:
        days = f"{ctx.lab_max_age_days:g}"
        when += f" (no window in the criterion: results up to {days} days old count)"
    stale = f"; {len(results)} result(s) outside it" if results else ""
    return _Unread(
        f"no {name} result {when}{stale}", [f"{name} result dated {window.describe()}"]
    )


def _by_rank(doc: Document, con: Constraint, ctx: Context, r: _Reading) -> _Compared:
    """A value or class ("Child-Pugh A", "ECOG 0-1"): the result's rank."""
    rank = _rank(ctx, r.analyte_id, r.obs)
    if rank is None:
        return _Unread(
            f"cannot read {r.fact!r} as a {r.entry.name} value",
            [f"{r.entry.name} as a number or class"],
        )
    holds = _within_bounds(rank, con, con.low, con.high)
    bounds = _interval(con, con.low, con.high, "")
    return holds, f"{r.entry.name} {rank:g}; criterion: {bounds}"


def _by_reference(
    doc: Document, con: Constraint, ctx: Context, r: _Reading
) -> _Compared:
    """A multiple of ULN/LLN: the bounds times the result's reference range."""
    obs, name, rel = r.obs, r.entry.name, con.relative_to
    ref = obs.reference_high if rel == "ULN" else obs.reference_low
    if ref is None or obs.value is None:
        return _Unread(
            f"{rel} of the {name} result is not given",
            [f"{rel} (reference range) of the {name} result"],
        )
    low = con.low * ref if con.low is not None else None
    high = con.high * ref if con.high is not None else None
    holds = _within_bounds(obs.value, con, low, high)
    return holds, (
        f"{name} {obs.value:g} {obs.unit or ''}, {rel} {ref:g}: "
        f"criterion {_interval(con, con.low, con.high, f'x {rel}')}"
        f" = {_interval(con, low, high, obs.unit or '')}"
    )


def _not_computed(
    doc: Document, con: Constraint, ctx: Context, r: _Reading
) -> _Compared:
    """A threshold relative to anything but ULN/LLN is left for review."""
    return _Unread(
        f"a threshold relative to {con.relative_to} is not computed",
        [f"review: {doc.text[con.start : con.end]}"],
    )


def _no_value(r: _Reading) -> _Unread:
    """A result without a number (only text) cannot meet a numeric bound."""
    return _Unread(
        f"{r.fact!r} has no numeric value", [f"{r.entry.name} numeric result"]
    )


def _by_canonical(
    doc: Document, con: Constraint, ctx: Context, r: _Reading
) -> _Compared:
    """A bound in a known unit: both sides converted to the analyte's unit."""
    obs, entry = r.obs, r.entry
    if obs.value is None and obs.value_range is None:
        return _no_value(r)
    assert con.canonical is not None  # chosen by _comparison
    ucum = _ucum(obs.unit) if obs.unit else entry.ucum
    cannot = _Unread(
        f"unit {obs.unit!r} cannot be converted to {entry.ucum}",
        [f"{entry.name} in a unit convertible to {entry.ucum}"],
    )
    if ucum is None:
        return cannot

    def convert(v: float) -> float | None:
        return ctx.lexicon.convert(r.analyte_id, v, ucum)

    low, high, unit = con.canonical.low, con.canonical.high, con.canonical.unit
    criterion = f"criterion {_interval(con, con.low, con.high, con.unit or '')}" + (
        "" if (con.unit or "") == unit else f" = {_interval(con, low, high, unit)}"
    )
    if obs.value is None:
        assert obs.value_range is not None
        rng = _convert_range(obs.value_range, convert)
        if rng is None:
            return cannot
        converted = "" if ucum == unit else f" = {_range_text(rng)} {unit}"
        said = f"{entry.name} {_range_text(obs.value_range)} {obs.unit or ''}"
        return _range_compared(
            r, _range_holds(rng, con, low, high), said + converted, criterion
        )
    value = convert(obs.value)
    if value is None:
        return cannot
    converted = "" if ucum == unit else f" = {value:g} {unit}"
    holds = _within_bounds(value, con, low, high)
    return holds, f"{entry.name} {obs.value:g} {obs.unit or ''}{converted}; {criterion}"


def _range_compared(
    r: _Reading, holds: bool | None, said: str, criterion: str
) -> _Compared:
    """A result's interval against a criterion: decided only when the whole
    interval is inside or outside it."""
    if holds is None:
        return _Unread(
            f"{said}: partly within the {criterion}",
            [f"{r.entry.name} numeric result"],
        )
    return holds, f"{said}; {criterion}"


def _as_written(doc: Document, con: Constraint, ctx: Context, r: _Reading) -> _Compared:
    """A bound without a canonical form: compared only in the same unit (or
    when the criterion gives none)."""
    obs, entry = r.obs, r.entry
    if obs.value is None and obs.value_range is None:
        return _no_value(r)
    ucum = _ucum(obs.unit) if obs.unit else entry.ucum
    if con.unit is not None and ucum != con.unit:
        return _Unread(
            f"no conversion from {obs.unit!r} to {con.unit!r}",
            [f"{entry.name} in {con.unit}"],
        )
    bounds = _interval(con, con.low, con.high, con.unit or "")
    if obs.value is None:
        assert obs.value_range is not None
        holds = _range_holds(obs.value_range, con, con.low, con.high)
        said = f"{entry.name} {_range_text(obs.value_range)}"
        return _range_compared(r, holds, said, f"criterion {bounds}")
    holds = _within_bounds(obs.value, con, con.low, con.high)
    return holds, f"{entry.name} {obs.value:g}; criterion {bounds}"


#: How a constraint is compared with a result (see :func:`_comparison`).
_COMPARISONS = {
    "rank": _by_rank,
    "reference": _by_reference,
    "relative": _not_computed,
    "canonical": _by_canonical,
    "as written": _as_written,
}


def _comparison(con: Constraint, entry: Analyte) -> str:
    """Which comparison a constraint needs: a value or class of a score
    ("rank"), a multiple of ULN/LLN ("reference"), relative to something
    else ("relative"), converted ("canonical"), or "as written"."""
    if con.value is not None or (entry.kind == "score" and con.canonical is None):
        return "rank"
    if con.relative_to in ("ULN", "LLN"):
        return "reference"
    if con.relative_to is not None:
        return "relative"
    if con.canonical is not None:
        return "canonical"
    return "as written"


def measurement_atom(
    doc: Document, con: Constraint, ctx: Context, window: Window | str | None
) -> Atom:
    """A lab value or score against the patient's latest result dated in
    ``window`` (a string: why the window is not known; ``None``: none given)."""
    start, end = con.start, con.end
    analyte_id = _constraint_analyte(ctx, con)
    if analyte_id is None:
        name = con.analyte.text if con.analyte else "measurement"
        return Atom(
            None,
            evidence(doc, start, end, None, f"{name!r} is not in the analyte lexicon"),
            [f"review: {doc.text[start:end]}"],
        )
    entry = ctx.lexicon.get(analyte_id)
    if isinstance(window, str):
        return Atom(
            None, evidence(doc, start, end, None, window), [f"{entry.name} ({window})"]
        )
    obs = _latest_result(ctx, analyte_id, entry.name, window)
    if isinstance(obs, _Unread):
        return Atom(None, evidence(doc, start, end, None, obs.reason), obs.missing)
    reading = _Reading(analyte_id, entry, obs, _describe_obs(obs))
    compared = _COMPARISONS[_comparison(con, entry)](doc, con, ctx, reading)
    if isinstance(compared, _Unread):
        return Atom(
            None,
            evidence(doc, start, end, None, compared.reason, reading.fact),
            compared.missing,
        )
    holds: bool | None
    holds, reason = compared
    if con.negated:
        holds, reason = negate(holds), reason + "; the criterion is negated"
    return Atom(holds, evidence(doc, start, end, holds, reason, reading.fact))
