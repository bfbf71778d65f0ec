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
"for patients over 50, a mammogram"), or an upper bound in a criterion about
consent or guardians (cues in ``summary_conditions`` of ``rules/age.json``). Ages are
whole completed years, so an exclusive whole-year maximum is given as the
inclusive year below it ("under 76" is at most 75), as registries write it;
below two years it stays as written ("under 12 months", "less than 1 year":
registries give "1 Year", not "0 Years").
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..constraints.age import default_grammar
from ..document import AgeRange, Constraint, Criterion, Document, Structured, Summary
from ..pipeline.patterns import trie_pattern

# Registry maxima that stand for "no limit".
NO_LIMIT_MAXIMA = frozenset({99.0, 100.0, 110.0, 120.0, 125.0, 130.0, 150.0, 999.0})


@lru_cache(maxsize=1)
def _conditions() -> tuple[re.Pattern[str], re.Pattern[str]]:
    rules = default_grammar().rules.summary_conditions
    f = re.IGNORECASE
    before = re.compile(
        rf"(?<![a-z])(?:{trie_pattern(rules.before)})(?![a-z])(?:\W+\w+){{0,3}}\W*$", f
    )
    topic = re.compile(rf"(?<![a-z])(?:{trie_pattern(rules.topics)})", f)
    return before, topic


def _conditional(text: str, crit: Criterion, c: Constraint) -> bool:
    """Whether an age only conditions something else (see the module docstring)."""
    before, topic = _conditions()
    if c.low is None and topic.search(text, crit.start, crit.end):
        return True  # "consent of a guardian if under 18"
    return before.search(text, max(crit.start, c.start - 40), c.start) is not None


def _whole_years(rng: AgeRange) -> AgeRange:
    """``< 76`` years as ``<= 75``: ages are completed years (from two years)."""
    high = rng.high
    if high is not None and not rng.high_inclusive and high >= 2 and high.is_integer():
        rng.high, rng.high_inclusive = high - 1, True
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


def _excluded_ages(crit: Criterion) -> list[Constraint]:
    cons = crit.constraints
    ages = [c for c in cons if c.type == "age" and not c.negated and not c.value]
    if not ages or len(ages) != len(cons):
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
            for c in _excluded_ages(crit):
                _tighten(rng, c)
                found = True
    for c in _span(included):
        _tighten(rng, c)
    sex = None
    if sexes:
        restricted = {s for s in sexes if s != "all"}
        sex = (
            restricted.pop()
            if len(restricted) == 1
            else ("all" if not restricted else None)
        )
    summary = Summary(age=_whole_years(rng) if found else None, sex=sex)
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
