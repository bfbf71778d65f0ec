"""One criterion of a parsed trial against one patient: three-valued logic.

A criterion is read into *atoms*, each true, false or unknown (``None``) of
the patient:

- constraint atoms: age, sex, pregnancy, breastfeeding, measurement, score
  (a time window that ``qualifies`` a measurement says how old a result may
  be; without one, results up to ``lab_max_age_days`` old count);
- concept atoms: Condition, Drug and Procedure mentions (and any mention that
  names a concept of ``rules/match_concepts.json``), looked up in the
  patient's lists, with the time window whose ``subject`` covers them;
- subject atoms: a time window whose subject names no recognised mention
  ("participation in another study within 30 days") is matched on its
  subject phrase.

Constraint atoms combine by the criterion's ``logic`` tree. Concept atoms
combine by OR when only list separators ("," "or" "/") stand between them;
otherwise, and between the two groups, a value is given only when every atom
agrees (a result that holds under both AND and OR), so an unsure reading
yields "unknown", never a confident wrong verdict.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..document import Constraint, Criterion, Document, Entity, Logic
from ..normalise.lexicon import Lexicon
from ..normalise.units import find_unit, unit_table
from .patient import (
    Condition,
    Medication,
    Observation,
    Patient,
    Procedure,
    TrialParticipation,
    date_bounds,
)
from .result import CriterionMatch, Evidence
from .rules import ConceptIndex, concept_index, match_rules, system_name, words

#: Mention labels looked up in the patient's lists, and the lists they search.
LABEL_LISTS: dict[str, tuple[str, ...]] = {
    "Condition": ("conditions",),
    "Drug": ("medications",),
    "Procedure": ("procedures",),
}
#: Mention labels that say something eligo cannot check in a patient record.
UNCHECKED_LABELS = frozenset({"Observation", "Device", "Measurement", "Visit"})
KIND_LISTS: dict[str, tuple[str, ...]] = {
    "condition": ("conditions",),
    "medication": ("medications",),
    "procedure": ("procedures",),
    "therapy": ("medications", "procedures"),
    "trial": ("trials",),
}
CONSTRAINT_ATOMS = frozenset(
    {"age", "sex", "pregnancy", "breastfeeding", "measurement", "score"}
)
Fact = Condition | Medication | Procedure | TrialParticipation


@dataclass(frozen=True)
class Window:
    """Dates a fact must fall in (``low`` ``None``: any time before ``high``)."""

    low: date | None
    high: date
    text: str

    def describe(self) -> str:
        if self.low is None:
            return f"at any time up to {self.high.isoformat()}"
        return f"between {self.low.isoformat()} and {self.high.isoformat()}"


@dataclass
class Atom:
    """One checked piece: its outcome, evidence and the data it still needs."""

    holds: bool | None
    evidence: Evidence
    missing: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What every criterion of one match shares."""

    patient: Patient
    as_of: date
    lab_max_age_days: float
    lexicon: Lexicon = field(default_factory=Lexicon.default)
    concepts: ConceptIndex = field(default_factory=concept_index)


# ---------------------------------------------------------------- three-valued


def all_of(values: Iterable[bool | None]) -> bool | None:
    vals = list(values)
    if any(v is False for v in vals):
        return False
    return True if all(v is True for v in vals) else None


def any_of(values: Iterable[bool | None]) -> bool | None:
    vals = list(values)
    if any(v is True for v in vals):
        return True
    return False if all(v is False for v in vals) else None


def agreed(values: Iterable[bool | None]) -> bool | None:
    """True or False only when every value is that (valid under AND and OR)."""
    vals = list(values)
    if vals and all(v is True for v in vals):
        return True
    if vals and all(v is False for v in vals):
        return False
    return None


def negate(value: bool | None) -> bool | None:
    return None if value is None else not value


# ---------------------------------------------------------------------- dates


def _days(value: float | None) -> int:
    return 0 if value is None else round(value)


def window_of(con: Constraint, as_of: date) -> Window | str:
    """The dates a temporal constraint allows, or why it cannot be placed."""
    if con.direction == "after":
        return "a window after its anchor (a planned event) is not in a record"
    anchor = con.anchor
    if anchor is not None and anchor not in match_rules().anchors_at_reference:
        return f"a window anchored on {anchor} is not computed"
    text = "reference date"
    if anchor is not None:
        text = f"reference date, standing for {anchor}"
    if con.value == "ever" or (con.low_days is None and con.high_days is None):
        return Window(None, as_of, f"ever before the {text}")
    high = as_of - timedelta(days=_days(con.low_days))
    low = None
    if con.high_days is not None:
        low = as_of - timedelta(days=_days(con.high_days))
    return Window(low, high, f"{_days(con.high_days)} days before the {text}")


def _bounds(value: str | None) -> tuple[date, date] | None:
    return None if value is None else date_bounds(value)


def point_in(value: str | None, window: Window) -> bool | None:
    """Whether a (possibly partial) date lies in the window."""
    b = _bounds(value)
    if b is None:
        return None
    lo, hi = b
    if hi < (window.low or date.min) or lo > window.high:
        return False
    if (window.low is None or lo >= window.low) and hi <= window.high:
        return True
    return None


def overlaps(
    start: str | None,
    end: str | None,
    as_of: date,
    window: Window,
    *,
    stopped: bool = False,
) -> bool | None:
    """Whether an exposure from ``start`` to ``end`` touches the window.

    Without ``end`` it is ongoing, unless ``stopped`` (ended on a day not
    known, between its start and the reference date).
    """
    s = _bounds(start)
    e = _bounds(end)
    ongoing = e is None and not stopped
    if e is None:
        e = (as_of, as_of) if ongoing else (s[0] if s else date.min, as_of)
    w_low = window.low or date.min
    if e[1] < w_low or (s is not None and s[0] > window.high):
        return False
    if e[0] >= w_low and (s is not None and s[1] <= window.high):
        return True
    if s is None and ongoing and window.high >= as_of:
        return True  # ongoing now, so inside a window that reaches today
    return None


# ------------------------------------------------------------------ the atoms


def _ev(
    doc: Document,
    start: int,
    end: int,
    holds: bool | None,
    reason: str,
    fact: str | None = None,
) -> Evidence:
    return Evidence(
        start=start,
        end=end,
        text=doc.text[start:end],
        holds=holds,
        reason=reason,
        fact=fact,
    )


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


def _in_bounds(
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


def age_atom(doc: Document, con: Constraint, ctx: Context) -> Atom:
    ages = _ages(ctx.patient, ctx.as_of)
    if ages is None:
        return Atom(
            None,
            _ev(doc, con.start, con.end, None, "age unknown"),
            ["date of birth or age"],
        )
    whole = con.low is None or float(con.low).is_integer()
    whole = whole and (con.high is None or float(con.high).is_integer())
    results = {
        _in_bounds(float(full if whole else exact), con, con.low, con.high)
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
    return Atom(holds, _ev(doc, con.start, con.end, holds, reason), missing)


def sex_atom(doc: Document, con: Constraint, ctx: Context) -> Atom:
    sex = ctx.patient.sex
    if con.value not in ("female", "male"):
        return Atom(
            None,
            _ev(
                doc,
                con.start,
                con.end,
                None,
                f"sex constraint {con.value!r} not checked",
            ),
        )
    if sex is None:
        return Atom(None, _ev(doc, con.start, con.end, None, "sex unknown"), ["sex"])
    holds: bool | None = sex == con.value
    if con.negated:
        holds = negate(holds)
    return Atom(
        holds,
        _ev(
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
            None, _ev(doc, con.start, con.end, None, why), [f"current {name} status"]
        )
    holds: bool | None = value
    if con.negated or con.assertion == "negated":
        holds, why = negate(holds), why + "; the criterion is negated"
    return Atom(holds, _ev(doc, con.start, con.end, holds, why))


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
    value = obs.value_text if obs.value_text is not None else f"{obs.value:g}"
    unit = f" {obs.unit}" if obs.unit else ""
    when = f" on {obs.date}" if obs.date else " (undated)"
    return f"{obs.name or obs.codes[0].code}: {value}{unit}{when}"


def measurement_atom(
    doc: Document, con: Constraint, ctx: Context, window: Window | str | None
) -> Atom:
    analyte = con.analyte
    name = analyte.text if analyte else "measurement"
    start, end = con.start, con.end
    analyte_id = _analyte_id(ctx, analyte.text) if analyte else None
    if analyte_id is None:
        return Atom(
            None,
            _ev(doc, start, end, None, f"{name!r} is not in the analyte lexicon"),
            [f"review: {doc.text[start:end]}"],
        )
    entry = ctx.lexicon.get(analyte_id)
    if isinstance(window, str):
        return Atom(
            None, _ev(doc, start, end, None, window), [f"{entry.name} ({window})"]
        )
    default = window is None
    if window is None:
        window = Window(
            ctx.as_of - timedelta(days=_days(ctx.lab_max_age_days)),
            ctx.as_of,
            "no window in the criterion",
        )
    results = _observations_of(ctx, analyte_id)
    usable = [
        o
        for o in results
        if point_in(o.date, window) is True
        and (o.value is not None or o.value_text is not None)
    ]
    when = window.describe()
    if default:
        days = f"{ctx.lab_max_age_days:g}"
        when += f" (no window in the criterion: results up to {days} days old count)"
    if not usable:
        stale = f"; {len(results)} result(s) outside it" if results else ""
        return Atom(
            None,
            _ev(doc, start, end, None, f"no {entry.name} result {when}{stale}"),
            [f"{entry.name} result dated {window.describe()}"],
        )
    obs = max(usable, key=lambda o: date_bounds(o.date or "0001")[1])
    fact = _describe_obs(obs)
    holds: bool | None
    if con.unit == "{rank}" or (entry.kind == "score" and con.canonical is None):
        rank = _rank(ctx, analyte_id, obs)
        if rank is None:
            return Atom(
                None,
                _ev(
                    doc,
                    start,
                    end,
                    None,
                    f"cannot read {fact!r} as a {entry.name} value",
                    fact,
                ),
                [f"{entry.name} as a number or class"],
            )
        holds = _in_bounds(rank, con, con.low, con.high)
        reason = (
            f"{entry.name} {rank:g}; criterion: {_interval(con, con.low, con.high, '')}"
        )
    elif con.relative_to in ("ULN", "LLN"):
        ref = obs.reference_high if con.relative_to == "ULN" else obs.reference_low
        if ref is None or obs.value is None:
            return Atom(
                None,
                _ev(
                    doc,
                    start,
                    end,
                    None,
                    f"{con.relative_to} of the {entry.name} result is not given",
                    fact,
                ),
                [f"{con.relative_to} (reference range) of the {entry.name} result"],
            )
        low = con.low * ref if con.low is not None else None
        high = con.high * ref if con.high is not None else None
        holds = _in_bounds(obs.value, con, low, high)
        reason = (
            f"{entry.name} {obs.value:g} {obs.unit or ''}, {con.relative_to} {ref:g}: "
            f"criterion {_interval(con, con.low, con.high, 'x ' + con.relative_to)}"
            f" = {_interval(con, low, high, obs.unit or '')}"
        )
    elif con.relative_to is not None:
        return Atom(
            None,
            _ev(
                doc,
                start,
                end,
                None,
                f"a threshold relative to {con.relative_to} is not computed",
                fact,
            ),
            [f"review: {doc.text[start:end]}"],
        )
    else:
        if obs.value is None:
            return Atom(
                None,
                _ev(doc, start, end, None, f"{fact!r} has no numeric value", fact),
                [f"{entry.name} numeric result"],
            )
        ucum = _ucum(obs.unit) if obs.unit else entry.ucum
        if con.canonical is not None:
            value = ctx.lexicon.convert(analyte_id, obs.value, ucum) if ucum else None
            if value is None:
                return Atom(
                    None,
                    _ev(
                        doc,
                        start,
                        end,
                        None,
                        f"unit {obs.unit!r} cannot be converted to {entry.ucum}",
                        fact,
                    ),
                    [f"{entry.name} in a unit convertible to {entry.ucum}"],
                )
            low, high, unit = con.canonical.low, con.canonical.high, con.canonical.unit
            converted = "" if ucum == unit else f" = {value:g} {unit}"
            holds = _in_bounds(value, con, low, high)
            reason = (
                f"{entry.name} {obs.value:g} {obs.unit or ''}{converted}; criterion "
                f"{_interval(con, con.low, con.high, con.unit or '')}"
                + (
                    ""
                    if (con.unit or "") == unit
                    else f" = {_interval(con, low, high, unit)}"
                )
            )
        elif con.unit is None or ucum == con.unit:
            holds = _in_bounds(obs.value, con, con.low, con.high)
            bounds = _interval(con, con.low, con.high, con.unit or "")
            reason = f"{entry.name} {obs.value:g}; criterion {bounds}"
        else:
            return Atom(
                None,
                _ev(
                    doc,
                    start,
                    end,
                    None,
                    f"no conversion from {obs.unit!r} to {con.unit!r}",
                    fact,
                ),
                [f"{entry.name} in {con.unit}"],
            )
    if con.negated:
        holds, reason = negate(holds), reason + "; the criterion is negated"
    return Atom(holds, _ev(doc, start, end, holds, reason, fact))


# ------------------------------------------------------------- concept atoms


def _patient_list(patient: Patient, name: str) -> Sequence[Fact]:
    lists: dict[str, Sequence[Fact]] = {
        "conditions": patient.conditions,
        "medications": patient.medications,
        "procedures": patient.procedures,
        "trials": patient.trials,
    }
    return lists[name]


def _fact_text(fact: Fact) -> str:
    if isinstance(fact, TrialParticipation):
        return " ".join(x for x in (fact.text, fact.id, "clinical trial") if x)
    return " ".join(fact.names())


def _fact_codes(fact: Fact) -> list[tuple[str, str]]:
    if isinstance(fact, TrialParticipation):
        return []
    return [(c.system, c.code) for c in fact.codes]


def _describe_fact(name: str, fact: Fact) -> str:
    if isinstance(fact, TrialParticipation):
        text = fact.text or fact.id or "a clinical trial"
    else:
        text = _fact_text(fact) or ", ".join(f"{c.system}|{c.code}" for c in fact.codes)
    if isinstance(fact, Condition):
        dates = f"onset {fact.onset or '?'}" + (
            f", resolved {fact.resolved}" if fact.resolved else ""
        )
    elif isinstance(fact, Procedure):
        dates = f"on {fact.date or '?'}"
    else:
        dates = f"{fact.start or '?'} to {fact.end or 'ongoing'}"
    absent = "" if getattr(fact, "present", True) else " (recorded as absent)"
    return f"{name[:-1]} {text!r} {dates}{absent}"


@dataclass
class Mention:
    """A concept to look up: a mention or a window's subject phrase."""

    start: int
    end: int
    text: str
    lists: tuple[str, ...]
    ids: frozenset[str]
    content: frozenset[str]
    qualifiers: list[str]
    negated: bool
    assertion: str | None
    window: Window | str | None
    duration: Constraint | None = None


def _qualifiers(ctx: Context, tokens: list[str]) -> list[str]:
    low = " " + " ".join(tokens) + " "
    return [
        q for q in ctx.concepts.rules.qualifiers if f" {' '.join(words(q))} " in low
    ]


def make_mention(
    ctx: Context,
    doc: Document,
    crit: Criterion,
    start: int,
    end: int,
    label: str | None,
    negated: bool,
    assertion: str | None,
    window: Window | str | None,
) -> Mention | None:
    text = doc.text[start:end]
    ids, content = ctx.concepts.keys(text)
    # Qualifier words in the mention (outside its concept phrases) or in the
    # few words before it.
    _, rest = ctx.concepts.split(text)
    before = doc.text[max(crit.start, start - 40) : start]
    quals = _qualifiers(ctx, rest) + _qualifiers(ctx, words(before)[-3:])
    quals = list(dict.fromkeys(quals))
    qual_words = {w for q in quals for w in words(q)}
    content = frozenset(w for w in content if w not in qual_words)
    lists: tuple[str, ...] = ()
    if ids:
        kinds = {ctx.concepts.concepts[i].kind for i in ids}
        lists = tuple(sorted({n for k in kinds for n in KIND_LISTS[k]}))
    elif label in LABEL_LISTS:
        lists = LABEL_LISTS[label]
    elif label is not None:
        return None
    return Mention(
        start, end, text, lists, ids, content, quals, negated, assertion, window
    )


def _concept_match(ctx: Context, m: Mention, fact: Fact) -> tuple[bool | None, bool]:
    """(whether the fact is an instance of the mention, whether that answer is
    *understood*).

    True: it is; None: it may be (a less specific fact, or one with words such
    as "vaccination" or "screening" that make it something else); False: it
    is not. The answer is understood when codes decided it, or when the
    fact's text maps wholly onto known concepts; an absence is concluded from
    a complete list only if every fact in it is understood.
    """
    codes = _fact_codes(fact)
    coded = ctx.concepts.expand(ctx.concepts.from_codes(codes))
    named_ids, named_content = ctx.concepts.keys(_fact_text(fact))
    fact_ids = coded | ctx.concepts.expand(named_ids)
    fact_systems = {system_name(s) for s, _ in codes}
    by_code = bool(m.ids) and all(
        fact_systems & set(ctx.concepts.concepts[i].codes) for i in m.ids
    )
    ids_ok = m.ids <= (coded if by_code else fact_ids)
    content_ok = m.content <= named_content
    understood = bool(m.ids) and (by_code or (bool(named_ids) and not named_content))
    if ids_ok and content_ok:
        odd = set(named_content) & set(ctx.concepts.rules.not_instance_words)
        return (None, understood) if odd else (True, True)
    # The fact is less specific than the mention ("diabetes" for "type 2
    # diabetes"): it may be an instance.
    direct = set(ctx.concepts.from_codes(codes)) | set(named_ids)
    concepts = ctx.concepts.concepts
    specific = {
        i for i in direct if not any(i in concepts[j].ancestors for j in direct)
    }
    if any(i in concepts[j].ancestors for j in m.ids for i in specific):
        return None, understood
    if not m.ids and named_content and named_content < m.content:
        return None, understood
    if ids_ok and not content_ok and m.content & named_content:
        return None, understood
    return False, understood


def _fact_in_time(m: Mention, fact: Fact, ctx: Context) -> bool | None:
    """Whether the fact counts at the mention's time (window, history, now)."""
    window = m.window
    historical = m.assertion == "historical"
    if isinstance(window, Window):
        if isinstance(fact, Condition):
            return point_in(fact.onset, window) if fact.onset else None
        if isinstance(fact, Procedure):
            return point_in(fact.date, window)
        stopped = isinstance(fact, Medication) and fact.status == "stopped"
        return overlaps(fact.start, fact.end, ctx.as_of, window, stopped=stopped)
    # No window: a history counts; otherwise the fact must be current.
    if isinstance(fact, Condition):
        onset = _bounds(fact.onset)
        if onset is not None and onset[0] > ctx.as_of:
            return False
        if historical:
            return True
        if fact.resolved is None:
            return None if fact.status == "resolved" else True
        res = date_bounds(fact.resolved)
        return True if res[0] >= ctx.as_of else None
    if isinstance(fact, Procedure):
        day = _bounds(fact.date)
        return not (day is not None and day[0] > ctx.as_of)
    start = _bounds(fact.start)
    if start is not None and start[0] > ctx.as_of:
        return False
    if historical:
        return True
    if fact.end is None:
        stopped = isinstance(fact, Medication) and fact.status == "stopped"
        return None if stopped else True
    end = date_bounds(fact.end)
    return True if end[0] >= ctx.as_of else None


def _duration_ok(m: Mention, fact: Fact, ctx: Context) -> bool | None:
    con = m.duration
    if con is None:
        return True
    onset = fact.onset if isinstance(fact, Condition) else getattr(fact, "start", None)
    b = _bounds(onset)
    if b is None:
        return None
    lo_days = (ctx.as_of - b[1]).days
    hi_days = (ctx.as_of - b[0]).days
    results = set()
    for days in (lo_days, hi_days):
        ok = True
        if con.low_days is not None and days < con.low_days:
            ok = False
        if con.high_days is not None and days > con.high_days:
            ok = False
        results.add(ok)
    return results.pop() if len(results) == 1 else None


def mention_atom(doc: Document, m: Mention, ctx: Context) -> Atom:
    def atom(
        holds: bool | None,
        reason: str,
        missing: list[str] | None = None,
        fact: str | None = None,
    ) -> Atom:
        return Atom(holds, _ev(doc, m.start, m.end, holds, reason, fact), missing or [])

    if m.assertion in ("hypothetical", "family"):
        return atom(
            None,
            f"{m.assertion} mention: not checked against the record",
            [f"review: {m.text}"],
        )
    if isinstance(m.window, str):
        return atom(None, m.window, [f"review: {m.text}"])
    if not m.ids and not m.content:
        return atom(
            None, f"{m.text!r} is too general to look up", [f"review: {m.text}"]
        )
    if not m.lists:
        return atom(
            None, f"{m.text!r}: no patient list holds this", [f"review: {m.text}"]
        )
    when = f" {m.window.describe()}" if isinstance(m.window, Window) else ""
    found: list[tuple[bool | None, str]] = []
    refuted: list[str] = []
    maybe: list[str] = []
    not_understood: list[str] = []
    for name in m.lists:
        for fact in _patient_list(ctx.patient, name):
            same, understood = _concept_match(ctx, m, fact)
            if same is False:
                if not understood and getattr(fact, "present", True):
                    not_understood.append(_describe_fact(name, fact))
                continue
            desc = _describe_fact(name, fact)
            if not getattr(fact, "present", True):
                if (
                    same is True
                    and m.assertion != "historical"
                    and not isinstance(m.window, Window)
                ) or same is True:
                    refuted.append(desc)
                continue
            if same is None:
                maybe.append(desc)
                continue
            timed = all_of([_fact_in_time(m, fact, ctx), _duration_ok(m, fact, ctx)])
            found.append((timed, desc))
    complete = all(n in ctx.patient.complete for n in m.lists)
    what = f"{m.text!r}{when}"
    hits = [d for t, d in found if t is True]
    unsure = [d for t, d in found if t is None]
    holds: bool | None
    used: str | None
    missing: list[str] = []
    if hits:
        holds, reason, used = True, f"the patient has {what}", hits[0]
        if m.qualifiers:
            words_fact = set(words(hits[0]))
            unmet = [q for q in m.qualifiers if not set(words(q)) <= words_fact]
            if unmet:
                holds = None
                unmet_text = ", ".join(unmet)
                reason = f"the patient has {m.text!r}; not known whether {unmet_text}"
                missing.append(f"whether {m.text!r} is {', '.join(unmet)}")
    elif unsure:
        holds, reason, used = (
            None,
            f"a matching fact cannot be placed {when.strip() or 'now'}",
            unsure[0],
        )
        missing.append(f"dates of {unsure[0]}")
    elif maybe:
        holds, reason, used = None, f"a less specific fact may be {m.text!r}", maybe[0]
        missing.append(f"whether {maybe[0]} is {m.text!r}")
    elif refuted and not found:
        holds, reason, used = False, f"recorded as absent: {m.text!r}", refuted[0]
    elif complete and not_understood:
        holds, reason, used = (
            None,
            (
                f"no {what} recognised, but {len(not_understood)} fact(s) in the "
                f"list are not understood well enough to rule it out"
            ),
            not_understood[0],
        )
        missing.append(f"whether {not_understood[0]} is {m.text!r}")
    elif complete:
        outside = f" ({len(found)} outside the window)" if found else ""
        holds, reason, used = (
            False,
            f"no {what} in the complete {'/'.join(m.lists)} list{outside}",
            None,
        )
    else:
        outside = f"; {len(found)} matching fact(s) outside the window" if found else ""
        holds, reason, used = (
            None,
            f"no {what} recorded (the record is not marked complete){outside}",
            None,
        )
        missing.append(f"whether the patient has or had {what}")
    if m.negated:
        holds, reason = negate(holds), reason + "; the criterion negates it"
    return atom(holds, reason, missing, used)


# ----------------------------------------------------------------- criterion


def _overlap(a: Any, start: int, end: int) -> bool:
    return bool(a.start < end and start < a.end)


def _within(start: int, end: int, span: Any) -> bool:
    return bool(span.start <= start and end <= span.end)


def _separators_or(doc: Document, mentions: list[Mention]) -> bool:
    seps = {s.strip().lower() for s in match_rules().or_separators}
    ordered = sorted(mentions, key=lambda m: m.start)
    for a, b in itertools.pairwise(ordered):
        between = " ".join(doc.text[a.end : b.start].lower().split())
        if between not in seps:
            return False
    return True


def _tree(logic: Logic, values: dict[int, bool | None]) -> bool | None:
    args: list[bool | None] = []
    for arg in logic.args:
        if isinstance(arg, Logic):
            args.append(_tree(arg, values))
        elif arg in values:
            args.append(values[arg])
    if not args:
        return None
    return any_of(args) if logic.op == "or" else all_of(args)


def _permission(crit: Criterion) -> bool:
    if crit.heading is None:
        return False
    head = " ".join(words(crit.heading.text))
    return any(
        head.startswith(" ".join(words(p))) for p in match_rules().permission_headings
    )


def evaluate(doc: Document, index: int, ctx: Context) -> CriterionMatch:
    """The verdict on ``doc.criteria[index]`` for ``ctx.patient``."""
    crit = doc.criteria[index]
    section = crit.section
    base = {
        "index": index,
        "start": crit.start,
        "end": crit.end,
        "text": doc.text[crit.start : crit.end],
        "section": section,
    }
    if crit.computable is False:
        return CriterionMatch(
            **base,
            verdict="not_computable",
            holds=None,
            note=f"{crit.category or 'this criterion'}: not computable from a record",
        )
    if crit.heading is not None and _permission(crit):
        return CriterionMatch(
            **base,
            verdict="met",
            holds=None,
            note=f"under {crit.heading.text!r}: a permission, not a requirement",
        )
    cons = crit.constraints
    windows: dict[int, Window | str] = {
        i: window_of(c, ctx.as_of) for i, c in enumerate(cons) if c.type == "temporal"
    }
    qualified: dict[int, Window | str] = {}
    for i in windows:
        for j in cons[i].qualifies:
            qualified[j] = windows[i]
    atoms: dict[int, Atom] = {}
    for i, con in enumerate(cons):
        if con.type == "age":
            atoms[i] = age_atom(doc, con, ctx)
        elif con.type == "sex":
            atoms[i] = sex_atom(doc, con, ctx)
        elif con.type in ("pregnancy", "breastfeeding"):
            atoms[i] = status_atom(doc, con, ctx)
        elif con.type in ("measurement", "score"):
            atoms[i] = measurement_atom(doc, con, ctx, qualified.get(i))
    covered = [c for c in cons if c.type in CONSTRAINT_ATOMS]
    mentions: list[Mention] = []
    unchecked: list[Atom] = []
    for ent in crit.entities:
        if ent.source == "rule" or any(
            _overlap(c, ent.start, ent.end) for c in covered
        ):
            continue
        window = _window_for(ent.start, ent.end, cons, windows)
        m = make_mention(
            ctx,
            doc,
            crit,
            ent.start,
            ent.end,
            ent.label,
            ent.negated or ent.assertion == "negated",
            ent.assertion,
            window,
        )
        if m is not None:
            mentions.append(m)
        elif ent.label in UNCHECKED_LABELS:
            unchecked.append(
                Atom(
                    None,
                    _ev(
                        doc,
                        ent.start,
                        ent.end,
                        None,
                        f"{ent.label} {doc.text[ent.start : ent.end]!r} is not checked",
                    ),
                    [f"review: {doc.text[ent.start : ent.end]}"],
                )
            )
    # Windows whose subject names no mention: match the subject phrase itself.
    for i, con in enumerate(cons):
        if con.type != "temporal" or con.qualifies or con.subject is None:
            continue
        subject = con.subject
        if any(_within(m.start, m.end, subject) for m in mentions):
            continue
        m = make_mention(
            ctx,
            doc,
            crit,
            subject.start,
            subject.end,
            None,
            bool(con.negated),
            None,
            windows[i],
        )
        if m is not None and (m.ids or m.content):
            mentions.append(m)
    durations = [c for c in cons if c.type == "duration"]
    if len(durations) == 1 and len(mentions) == 1:
        mentions[0].duration = durations[0]
    mention_atoms = [mention_atom(doc, m, ctx) for m in mentions]
    groups: list[bool | None] = []
    if atoms:
        if crit.logic is not None:
            groups.append(_tree(crit.logic, {i: a.holds for i, a in atoms.items()}))
        else:
            groups.append(agreed(a.holds for a in atoms.values()))
    if mention_atoms:
        if _separators_or(doc, mentions):
            groups.append(any_of(a.holds for a in mention_atoms))
        else:
            groups.append(agreed(a.holds for a in mention_atoms))
    groups += [a.holds for a in unchecked]
    all_atoms = [*atoms.values(), *mention_atoms, *unchecked]
    evidence = sorted((a.evidence for a in all_atoms), key=lambda e: (e.start, e.end))
    missing: list[str] = []
    holds = agreed(groups) if groups else None
    if holds is None:
        for a in all_atoms:
            missing += [x for x in a.missing if x not in missing]
        if not all_atoms:
            missing.append(f"review: {base['text']}")
    note = None if all_atoms else "nothing in this criterion that eligo can check"
    if section == "exclusion":
        verdict = {True: "not_met", False: "met", None: "unknown"}[holds]
    else:
        verdict = {True: "met", False: "not_met", None: "unknown"}[holds]
        if section == "unknown":
            note = (note + "; " if note else "") + "no section: read as inclusion"
    return CriterionMatch(
        **base,
        verdict=verdict,
        holds=holds,
        evidence=evidence,
        missing=missing,
        note=note,
    )


def _window_for(
    start: int, end: int, cons: list[Constraint], windows: dict[int, Window | str]
) -> Window | str | None:
    for i, window in windows.items():
        subject = cons[i].subject
        if subject is not None and _within(start, end, subject):
            return window
    return None


def describe_entity(ent: Entity, doc: Document) -> str:
    return doc.text[ent.start : ent.end]
