"""A trial's summary: the ages it enrols and the sex, from the text.

Age: inclusion ages are spanned (the lowest minimum and the highest maximum:
several of them are cohorts, see :func:`_span`); an exclusion criterion whose
constraints are all one-sided ages joined by OR ("Younger than 18 or older
than 70") excludes each side, so its complement (>= 18 and <= 70) is
intersected with that span. Group words ("children") count only when no criterion
gives a number. Criteria in no section count as inclusion (lists without
headers are nearly always what a patient must meet). A two-sided excluded
range (its complement is two pieces) is left out. Sex: the inclusion
criteria's sex constraints (a female or male restriction wins over "all").
Registry fields are compared, never merged: disagreements are listed in
``mismatches``.

An age that only conditions something else is not the trial's age: one
after a conditional cue in its clause ("consent of a parent if less than 18",
"for patients over 50, a mammogram") or in the lead-in of its sub-list ("a
stress test if any of the following: - over age 50"), one in parentheses
right after a score's value ("Lansky 50-100% (age 10 and under)"), an upper
bound in a criterion about consent or guardians, and any age in a criterion
about other people ("household contacts under 5 years of age"): cues in
``summary_conditions`` of ``rules/age.json``. An exclusion criterion that
lists excluded groups ("Children under 3 years of age, pregnant women,
prisoners") excludes its opening age like one of ages alone. Ages are whole
completed years, so an exclusive whole-year maximum is given as the inclusive
unit below it, in the unit the text wrote ("under 76" is at most 75, "<36
months" at most 35 months), as registries write it; below two years it stays
as written ("under 12 months", "less than 1 year": registries give "1 Year",
not "0 Years").
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..constraints.age import default_grammar
from ..document import AgeRange, Constraint, Criterion, Document, Structured, Summary
from ..pipeline.patterns import trie_pattern

# Registry maxima that stand for "no limit".
NO_LIMIT_MAXIMA = frozenset({99.0, 100.0, 110.0, 120.0, 125.0, 130.0, 150.0, 999.0})


class _Conditions:
    """The summary's cues, compiled (``summary_conditions`` in ``rules/age.json``)."""

    def __init__(self) -> None:
        rules = default_grammar().rules.summary_conditions
        f = re.IGNORECASE
        cues = trie_pattern(rules.before)
        self.before = re.compile(
            rf"(?<![a-z])(?:{cues})(?![a-z])(?:\W+\w+){{0,3}}\W*$", f
        )
        # "... required if any of the following is present: - Over age 50"
        lead = trie_pattern(rules.lead_in) if rules.lead_in else None
        self.lead_in = (
            re.compile(
                rf"(?<![a-z])(?:{lead})(?![a-z])[^.;:]{{0,120}}:[^:]{{0,80}}$", f
            )
            if lead
            else None
        )
        self.topic = re.compile(rf"(?<![a-z])(?:{trie_pattern(rules.topics)})", f)
        self.others = (
            re.compile(rf"(?<![a-z])(?:{trie_pattern(rules.others)})(?![a-z])", f)
            if rules.others
            else None
        )
        # "Lansky 50-100% (age 10 and under)": a value, then the parenthesis.
        self.after_score = re.compile(r"\d%?\s*\(\s*$")


@lru_cache(maxsize=1)
def _conditions() -> _Conditions:
    return _Conditions()


def _conditional(text: str, crit: Criterion, c: Constraint) -> bool:
    """Whether an age only conditions something else (see the module docstring)."""
    cond = _conditions()
    if c.low is None and cond.topic.search(text, crit.start, crit.end):
        return True  # "consent of a guardian if under 18"
    if cond.others is not None and cond.others.search(text, crit.start, crit.end):
        return True  # "household contacts under 5 years of age"
    window = max(crit.start, c.start - 40)
    if cond.before.search(text, window, c.start) is not None:
        return True
    if cond.after_score.search(text, window, c.start) is not None:
        return True
    if cond.lead_in is None:
        return False
    lead = max(crit.start, c.start - 200)
    return cond.lead_in.search(text, lead, c.start) is not None


@lru_cache(maxsize=1)
def _unit_words() -> re.Pattern[str]:
    """The age grammar's unit words (``units`` of ``rules/age.json``)."""
    units = default_grammar().units
    return re.compile(
        rf"(?<![a-z])(?:{trie_pattern(list(units))})(?![a-z])", re.IGNORECASE
    )


def _unit_step(text: str) -> float:
    """One of the unit an age's text is written in, in years: the largest unit
    under a year that it names (months before weeks before days), else years."""
    units = default_grammar().units
    factors = [units[m.group().lower()] for m in _unit_words().finditer(text)]
    return max((f for f in factors if f < 1), default=1.0)


def _whole_years(rng: AgeRange, step: float = 1.0) -> AgeRange:
    """``< 76`` years as ``<= 75``, ``< 36`` months as ``<= 35`` months: ages
    are completed units (from two years on; ``step`` is one written unit)."""
    high = rng.high
    if high is None or rng.high_inclusive or high < 2:
        return rng
    units = high / step
    if abs(units - round(units)) < 1e-6:
        rng.high, rng.high_inclusive = (round(units) - 1) * step, True
    return rng


def _span(ages: list[Constraint]) -> list[Constraint]:
    """The lowest minimum and the highest maximum of the inclusion ages.

    Several inclusion ages nearly always describe cohorts or strata ("aged 18
    to 30 ... aged 60 to 90", "under 1 year ... 1 to 20 years"), and the
    registry's fields give the ages the trial enrols across them.
    """
    lows = [c for c in ages if c.low is not None]
    highs = [c for c in ages if c.high is not None]
    out: list[Constraint] = []
    if lows:
        lo = min(lows, key=lambda c: (c.low, not c.low_inclusive))
        out.append(lo.model_copy(update={"high": None, "high_inclusive": None}))
    if highs:
        hi = max(highs, key=lambda c: (c.high, bool(c.high_inclusive)))
        out.append(hi.model_copy(update={"low": None, "low_inclusive": None}))
    return out


def _tighten(rng: AgeRange, c: Constraint) -> None:
    if c.low is not None and (
        rng.low is None or c.low > rng.low or (c.low == rng.low and not c.low_inclusive)
    ):
        rng.low, rng.low_inclusive = c.low, bool(c.low_inclusive)
    if c.high is not None and (
        rng.high is None
        or c.high < rng.high
        or (c.high == rng.high and not c.high_inclusive)
    ):
        rng.high, rng.high_inclusive = c.high, bool(c.high_inclusive)


def _complement(c: Constraint) -> Constraint | None:
    """Allowed ages when a one-sided age constraint excludes."""
    if c.low is not None and c.high is None:
        return Constraint(
            type="age",
            start=c.start,
            end=c.end,
            high=c.low,
            high_inclusive=not c.low_inclusive,
            unit="a",
        )
    if c.high is not None and c.low is None:
        return Constraint(
            type="age",
            start=c.start,
            end=c.end,
            low=c.high,
            low_inclusive=not c.high_inclusive,
            unit="a",
        )
    return None


#: After an opening age, the separator of a list of excluded groups.
_LIST_NEXT = re.compile(r"\s*(?:[,;]|or\b|and/or\b)", re.IGNORECASE)
#: Before it, nothing but a group word ("Children under 3 years of age, ...").
_LIST_OPEN = re.compile(r"\W*(?:[a-z]+\s+){0,1}$", re.IGNORECASE)


def _listed_age(text: str, crit: Criterion, ages: list[Constraint]) -> bool:
    """ "Children under 3 years of age, pregnant women, prisoners": one
    one-sided age opens a list of excluded groups."""
    if len(ages) != 1:
        return False
    c = ages[0]
    return (
        (c.low is None) != (c.high is None)
        and _LIST_OPEN.fullmatch(text, crit.start, c.start) is not None
        and _LIST_NEXT.match(text, c.end) is not None
    )


def _excluded_ages(text: str, crit: Criterion) -> list[Constraint]:
    cons = crit.constraints
    ages = [c for c in cons if c.type == "age" and not c.negated and not c.value]
    if not ages or (len(ages) != len(cons) and not _listed_age(text, crit, ages)):
        return []
    if len(ages) > 1 and (crit.logic is None or crit.logic.op != "or"):
        return []
    out = [_complement(c) for c in ages]
    return [c for c in out if c is not None] if all(out) else []


def summarise(doc: Document) -> Summary:
    """The summary of a parsed document (see the module docstring)."""
    rng = AgeRange()
    found = False
    sexes: list[str] = []
    # Group words ("children") are vague: used only when no number is given.
    numeric = any(
        c.type == "age" and c.value is None
        for crit in doc.criteria
        for c in crit.constraints
    )
    included: list[Constraint] = []
    bounds: list[Constraint] = []
    for crit in doc.criteria:
        if crit.section in ("inclusion", "unknown"):
            for c in crit.constraints:
                if (
                    c.type in ("age", "age_group")
                    and not c.negated
                    and not (numeric and c.value)
                    and not _conditional(doc.text, crit, c)
                ):
                    included.append(c)
                    found = True
                elif c.type == "sex" and c.value and not c.negated:
                    sexes.append(c.value)
        elif crit.section == "exclusion":
            for c in _excluded_ages(doc.text, crit):
                _tighten(rng, c)
                bounds.append(c)
                found = True
    for c in _span(included):
        _tighten(rng, c)
        bounds.append(c)
    # The unit the maximum was written in ("<36 months"), for completed units.
    step = next(
        (
            _unit_step(doc.text[c.start : c.end])
            for c in bounds
            if c.high is not None and c.high == rng.high
        ),
        1.0,
    )
    sex = None
    if sexes:
        restricted = {s for s in sexes if s != "all"}
        sex = (
            restricted.pop()
            if len(restricted) == 1
            else ("all" if not restricted else None)
        )
    summary = Summary(age=_whole_years(rng, step) if found else None, sex=sex)
    if doc.structured is not None:
        summary.mismatches = mismatches(summary, doc.structured)
    return summary


def _low_agrees(low: float, inclusive: bool, registry: float) -> bool:
    """ "over 18" (> 18) agrees with a registry minimum of 18 or 19 years."""
    if inclusive:
        return abs(low - registry) < 1e-9
    return low - 1e-9 <= registry <= low + 1 + 1e-9


def _high_agrees(high: float, inclusive: bool, registry: float) -> bool:
    """ "under 51" (< 51) agrees with a registry maximum of 50 or 51 years."""
    if inclusive:
        return abs(high - registry) < 1e-9
    return high - 1 - 1e-9 <= registry <= high + 1e-9


def mismatches(summary: Summary, st: Structured) -> list[str]:
    """Where the text's age/sex disagree with the registry's structured fields.

    Registry ages are whole, inclusive years, so an exclusive bound in the text
    agrees with the neighbouring whole year ("under 51" and "50 Years").
    """
    out: list[str] = []
    age = summary.age
    if age is not None:
        if (
            st.minimum_age is not None
            and age.low is not None
            and not _low_agrees(age.low, age.low_inclusive, st.minimum_age)
        ):
            out.append(
                f"minimum age: text says {age.low:g}, registry says {st.minimum_age:g}"
            )
        if (
            st.maximum_age is not None
            and age.high is not None
            and not _high_agrees(age.high, age.high_inclusive, st.maximum_age)
        ):
            out.append(
                f"maximum age: text says {age.high:g}, registry says {st.maximum_age:g}"
            )
        if (
            age.high is None
            and st.maximum_age is not None
            and st.maximum_age not in NO_LIMIT_MAXIMA
        ):
            out.append(f"maximum age: text sets none, registry says {st.maximum_age:g}")
    if (
        summary.sex in ("female", "male")
        and st.sex is not None
        and st.sex != summary.sex
    ):
        out.append(f"sex: text says {summary.sex}, registry says {st.sex}")
    return out
