"""Within-trial checks: one Document in, :class:`~eligo.audit.findings.Finding` out.

Plain functions over the public Document model (never spaCy objects), each
returning a list of findings; :func:`check_document` runs them all.

- Registry: the text's age and sex (``Document.summary``) against the
  registry's structured fields, as :func:`eligo.parse.summary.mismatches` compares
  them (maxima such as 99 or 120 years stand for "no limit").
- Contradiction: for one key (age in years, or one analyte in one canonical
  unit, or one analyte as a multiple of ULN/LLN), the interval the inclusion
  criteria allow (their intersection) lies wholly inside an exclusion's
  interval, so every allowed patient is excluded. Inclusion "Age ≥ 70" with
  exclusion "older than 65" is one; inclusion "platelets ≥ 100" with
  exclusion "platelets < 150" is not. Only constraints a criterion requires
  on its own are used: an inclusion's constraints joined by AND, an
  exclusion's single constraint or constraints joined by OR; negated
  constraints, constraints qualified by a time window, criteria in the
  ``unknown`` section, conditional criteria ("unless", "for patients
  with", "cohort") and bounds whose evidence has no digit ("Adult",
  "Children") are left out.
- Redundancy: an exclusion that is exactly the complement of one inclusion
  (inclusion age ≥ 18, exclusion age < 18).
- Duplicate: two criteria whose normalised text (case, bullets, numbering,
  punctuation and spacing ignored) is equal and at least 10 characters long,
  boilerplate ("Not specified", "See Disease Characteristics") excepted.
- Unparsed number: a match of the conservative detector in
  ``rules/audit.json`` that no constraint of the criterion overlaps.
- Implausible value: a canonical bound outside the analyte's ``plausible``
  range (a score's ``score_range``); implausible unit: a written unit that
  the lexicon cannot convert to the analyte's canonical unit (ranks, scores
  and percentages excepted).
- Not computable: a criterion matching the judgement/consent patterns; each
  finding carries the trial's count and share of such criteria.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..document import Constraint, Criterion, Document
from ..normalise.lexicon import Lexicon
from ..parse.summary import mismatches
from ..render.document import render_constraint
from ..store.rows import constraint_analyte_id
from .findings import Finding
from .rules import AuditRules, audit_rules

BOUND_TYPES = frozenset({"age", "measurement", "score"})
_MIN_DUPLICATE_CHARS = 10
_LEAD_RE = re.compile(r"^\s*(?:(?:[-*•·o]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+)+", re.I)
_NON_WORD_RE = re.compile(r"[\W_]+")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@dataclass(frozen=True)
class Interval:
    """An interval of the real line; ``None`` bounds are infinite."""

    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True

    def is_empty(self) -> bool:
        """No value satisfies it."""
        if self.low is None or self.high is None:
            return False
        if _close(self.low, self.high):
            return not (self.low_inclusive and self.high_inclusive)
        return self.low > self.high

    def intersect(self, other: Interval) -> Interval:
        """The values in both."""
        low, low_inc = self.low, self.low_inclusive
        if other.low is not None and (
            low is None
            or other.low > low
            or (_close(other.low, low) and not other.low_inclusive)
        ):
            low, low_inc = other.low, other.low_inclusive
        high, high_inc = self.high, self.high_inclusive
        if other.high is not None and (
            high is None
            or other.high < high
            or (_close(other.high, high) and not other.high_inclusive)
        ):
            high, high_inc = other.high, other.high_inclusive
        return Interval(low, low_inc, high, high_inc)

    def within(self, other: Interval) -> bool:
        """Every value of this interval is in ``other``."""
        if other.low is not None:
            if self.low is None or (
                self.low < other.low and not _close(self.low, other.low)
            ):
                return False
            if (
                _close(self.low, other.low)
                and self.low_inclusive
                and not other.low_inclusive
            ):
                return False
        if other.high is not None:
            if self.high is None or (
                self.high > other.high and not _close(self.high, other.high)
            ):
                return False
            if (
                _close(self.high, other.high)
                and self.high_inclusive
                and not other.high_inclusive
            ):
                return False
        return True

    def is_complement_of(self, other: Interval) -> bool:
        """Both are one-sided and together cover the line exactly once."""
        if (
            self.low is not None
            and self.high is None
            and other.high is not None
            and other.low is None
        ):
            return _close(self.low, other.high) and (
                self.low_inclusive != other.high_inclusive
            )
        if (
            self.high is not None
            and self.low is None
            and other.low is not None
            and other.high is None
        ):
            return other.is_complement_of(self)
        return False


@dataclass(frozen=True)
class Bound:
    """A constraint seen as an interval on one key (age, analyte + unit)."""

    key: tuple[str, str]
    interval: Interval
    criterion: int
    constraint: Constraint


def bound_of(con: Constraint) -> tuple[tuple[str, str], Interval] | None:
    """The key and interval of an age, measurement or score constraint.

    Ages are in years; measurements use the canonical bounds (key: analyte id
    and canonical unit), or the written bounds when relative to ULN/LLN (key:
    analyte id and ``×ULN``). Anything else has no bound.
    """
    if con.type not in BOUND_TYPES:
        return None
    low_inc = con.low_inclusive if con.low_inclusive is not None else True
    high_inc = con.high_inclusive if con.high_inclusive is not None else True
    if con.type == "age":
        if con.low is None and con.high is None:
            return None
        return ("age", "a"), Interval(con.low, low_inc, con.high, high_inc)
    analyte = constraint_analyte_id(con)
    if analyte is None:
        return None
    if con.relative_to in ("ULN", "LLN"):
        if con.low is None and con.high is None:
            return None
        interval = Interval(con.low, low_inc, con.high, high_inc)
        return (analyte, f"×{con.relative_to}"), interval
    can = con.canonical
    if can is None or (can.low is None and can.high is None):
        return None
    return (analyte, can.unit), Interval(can.low, low_inc, can.high, high_inc)


def _is_conditional(doc: Document, crit: Criterion, rules: AuditRules) -> bool:
    cue = rules.conditional_re
    return cue is not None and cue.search(doc.text, crit.start, crit.end) is not None


def _flat(crit: Criterion, op: str) -> bool:
    logic = crit.logic
    return logic is None or (
        logic.op == op and all(isinstance(a, int) for a in logic.args)
    )


def required_bounds(
    doc: Document, rules: AuditRules
) -> tuple[list[Bound], list[Bound]]:
    """The bounds inclusion criteria require and exclusion criteria exclude.

    Returns:
        ``(inclusion, exclusion)`` bounds usable by the contradiction and
        redundancy checks (see the module docstring).
    """
    inclusion: list[Bound] = []
    exclusion: list[Bound] = []
    for i, crit in enumerate(doc.criteria):
        if crit.section == "unknown" or _is_conditional(doc, crit, rules):
            continue
        qualified = {q for c in crit.constraints for q in c.qualifies}
        found: list[Bound] = []
        for j, con in enumerate(crit.constraints):
            if con.negated or j in qualified:
                continue
            if not any(ch.isdigit() for ch in doc.text[con.start : con.end]):
                continue
            got = bound_of(con)
            if got is not None:
                found.append(Bound(got[0], got[1], i, con))
        if not found:
            continue
        if crit.section == "inclusion" and _flat(crit, "and"):
            inclusion.extend(found)
        elif crit.section == "exclusion" and (
            len(crit.constraints) == 1 or (crit.logic is not None and _flat(crit, "or"))
        ):
            exclusion.extend(found)
    return inclusion, exclusion


class _Maker:
    """Builds findings of one document with its text and evidence filled in."""

    def __init__(self, doc: Document, rules: AuditRules) -> None:
        self.doc = doc
        self.rules = rules

    def __call__(
        self,
        kind: str,
        message: str,
        *,
        criterion: int | None = None,
        start: int | None = None,
        end: int | None = None,
        related: Iterable[tuple[int, int, int]] = (),
        data: dict[str, object] | None = None,
    ) -> Finding:
        doc = self.doc
        crit = doc.criteria[criterion] if criterion is not None else None
        return Finding(
            kind=kind,
            severity=self.rules.severities[kind],
            trial_id=doc.id,
            criterion=criterion,
            start=start,
            end=end,
            message=message,
            section=crit.section if crit else None,
            text=doc.text[crit.start : crit.end] if crit else None,
            evidence=doc.text[start:end] if start is not None else None,
            related=[{"criterion": c, "start": s, "end": e} for c, s, e in related],
            data=dict(data or {}),
        )


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _key_label(key: tuple[str, str]) -> str:
    name, unit = key
    return "age (years)" if name == "age" else f"{name} ({unit})"


def check_contradictions(
    doc: Document, rules: AuditRules | None = None
) -> list[Finding]:
    """Contradictions and redundancies between inclusion and exclusion bounds."""
    rules = rules or audit_rules()
    make = _Maker(doc, rules)
    inclusion, exclusion = required_bounds(doc, rules)
    out: list[Finding] = []
    by_key: dict[tuple[str, str], list[Bound]] = {}
    for b in inclusion:
        by_key.setdefault(b.key, []).append(b)
    for ex in exclusion:
        incs = by_key.get(ex.key)
        if not incs:
            continue
        allowed = Interval()
        for inc in incs:
            allowed = allowed.intersect(inc.interval)
        related = [(b.criterion, b.constraint.start, b.constraint.end) for b in incs]
        ex_text = render_constraint(ex.constraint)
        if not allowed.is_empty() and allowed.within(ex.interval):
            out.append(
                make(
                    "contradiction",
                    f"exclusion '{ex_text}' excludes every patient the inclusion "
                    f"criteria allow on {_key_label(ex.key)} "
                    f"({_fmt(allowed.low)} to {_fmt(allowed.high)})",
                    criterion=ex.criterion,
                    start=ex.constraint.start,
                    end=ex.constraint.end,
                    related=related,
                    data={
                        "key": list(ex.key),
                        "allowed": [allowed.low, allowed.high],
                        "excluded": [ex.interval.low, ex.interval.high],
                    },
                )
            )
            continue
        for inc in incs:
            if inc.interval.is_complement_of(ex.interval):
                out.append(
                    make(
                        "redundancy",
                        f"exclusion '{ex_text}' only restates the complement of "
                        f"inclusion '{render_constraint(inc.constraint)}'",
                        criterion=ex.criterion,
                        start=ex.constraint.start,
                        end=ex.constraint.end,
                        related=[
                            (inc.criterion, inc.constraint.start, inc.constraint.end)
                        ],
                        data={"key": list(ex.key)},
                    )
                )
                break
    return out


def _age_evidence(
    doc: Document, value: float, side: str
) -> tuple[int, int, int] | None:
    """The age constraint that set the summary's ``side`` ("low"/"high")."""
    first = None
    for i, crit in enumerate(doc.criteria):
        for con in crit.constraints:
            if con.type != "age" or con.negated:
                continue
            first = first or (i, con.start, con.end)
            excl = crit.section == "exclusion"
            own = (con.high if excl else con.low) if side == "low" else None
            if side == "high":
                own = con.low if excl else con.high
            if own is not None and _close(own, value):
                return i, con.start, con.end
    return first


def check_registry(doc: Document, rules: AuditRules | None = None) -> list[Finding]:
    """The text's age and sex against the registry's structured fields.

    The comparison is :func:`eligo.parse.summary.mismatches` (one definition of
    agreement: exclusive bounds agree with the neighbouring whole year,
    placeholder maxima such as 120 years mean no limit); this adds the
    evidence span and the numbers.
    """
    rules = rules or audit_rules()
    st = doc.structured
    if st is None:
        return []
    make = _Maker(doc, rules)
    out: list[Finding] = []
    age = doc.summary.age
    for message in mismatches(doc.summary, st):
        where: tuple[int, int, int] | None = None
        if message.startswith("sex"):
            for i, crit in enumerate(doc.criteria):
                for con in crit.constraints:
                    if (
                        where is None
                        and con.type == "sex"
                        and con.value == doc.summary.sex
                    ):
                        where = (i, con.start, con.end)
            kind = "registry_sex_mismatch"
            data: dict[str, object] = {"text": doc.summary.sex, "registry": st.sex}
        else:
            side = "low" if message.startswith("minimum") else "high"
            value = None if age is None else (age.low if side == "low" else age.high)
            if value is not None:
                where = _age_evidence(doc, value, side)
            elif age is not None and age.low is not None:
                where = _age_evidence(doc, age.low, "low")
            kind = "registry_age_mismatch"
            registry = st.minimum_age if side == "low" else st.maximum_age
            data = {
                "side": "minimum" if side == "low" else "maximum",
                "text": value,
                "registry": registry,
            }
        out.append(
            make(
                kind,
                message,
                criterion=where[0] if where else None,
                start=where[1] if where else None,
                end=where[2] if where else None,
                data=data,
            )
        )
    return out


def normalised_key(text: str) -> str:
    """A criterion's text without case, bullet, numbering, punctuation or spacing."""
    text = _LEAD_RE.sub("", text)
    return _NON_WORD_RE.sub(" ", text.lower()).strip()


def check_duplicates(doc: Document, rules: AuditRules | None = None) -> list[Finding]:
    """Criteria that repeat an earlier criterion of the same trial."""
    rules = rules or audit_rules()
    make = _Maker(doc, rules)
    seen: dict[str, int] = {}
    out: list[Finding] = []
    for i, crit in enumerate(doc.criteria):
        key = normalised_key(doc.text[crit.start : crit.end])
        boiler = rules.boilerplate_re
        if len(key) < _MIN_DUPLICATE_CHARS or (boiler and boiler.fullmatch(key)):
            continue
        if key in seen:
            first = doc.criteria[seen[key]]
            out.append(
                make(
                    "duplicate",
                    f"repeats criterion {seen[key] + 1} ({first.section})",
                    criterion=i,
                    start=crit.start,
                    end=crit.end,
                    related=[(seen[key], first.start, first.end)],
                    data={"first": seen[key]},
                )
            )
        else:
            seen[key] = i
    return out


def check_unparsed(doc: Document, rules: AuditRules | None = None) -> list[Finding]:
    """Numeric expressions that no constraint of their criterion covers."""
    rules = rules or audit_rules()
    make = _Maker(doc, rules)
    out: list[Finding] = []
    for i, crit in enumerate(doc.criteria):
        spans: list[tuple[int, int]] = []
        for pattern in rules.unparsed_res:
            spans.extend(
                m.span() for m in pattern.finditer(doc.text, crit.start, crit.end)
            )
        covered = [(c.start, c.end) for c in crit.constraints]
        last_end = -1
        for start, end in sorted(spans):
            if start < last_end:  # overlaps a match already reported
                continue
            if any(a < end and start < b for a, b in covered):
                continue
            last_end = end
            out.append(
                make(
                    "unparsed_number",
                    f"'{doc.text[start:end]}' looks like a numeric criterion but "
                    "no constraint was extracted from it",
                    criterion=i,
                    start=start,
                    end=end,
                )
            )
    return out


def check_plausibility(
    doc: Document,
    rules: AuditRules | None = None,
    lexicon: Lexicon | None = None,
) -> list[Finding]:
    """Thresholds outside the analyte's plausible range; units of a wrong dimension."""
    rules = rules or audit_rules()
    lexicon = lexicon or Lexicon.default()
    make = _Maker(doc, rules)
    out: list[Finding] = []
    for i, crit in enumerate(doc.criteria):
        for con in crit.constraints:
            if con.type not in ("measurement", "score"):
                continue
            analyte = constraint_analyte_id(con)
            if analyte is None or analyte not in lexicon:
                continue
            entry = lexicon.get(analyte)
            if (
                con.unit
                and con.relative_to is None
                and con.unit not in rules.ignored_units
                and lexicon.convert(analyte, 1.0, con.unit) is None
            ):
                out.append(
                    make(
                        "implausible_unit",
                        f"unit '{con.unit}' cannot be converted to {entry.name}'s "
                        f"unit '{entry.ucum}'",
                        criterion=i,
                        start=con.start,
                        end=con.end,
                        data={
                            "analyte": analyte,
                            "unit": con.unit,
                            "canonical_unit": entry.ucum,
                        },
                    )
                )
                continue
            can = con.canonical
            limits = entry.plausible if entry.kind != "score" else entry.score_range
            if can is None or limits is None:
                continue
            bad = [v for v in (can.low, can.high) if v is not None and v not in limits]
            if bad:
                out.append(
                    make(
                        "implausible_value",
                        f"{entry.name} {bad[0]:g} {can.unit} is outside the "
                        f"plausible range {limits.low:g}–{limits.high:g} {can.unit}",
                        criterion=i,
                        start=con.start,
                        end=con.end,
                        data={
                            "analyte": analyte,
                            "value": bad[0],
                            "unit": can.unit,
                            "plausible": [limits.low, limits.high],
                        },
                    )
                )
    return out


def check_computable(doc: Document, rules: AuditRules | None = None) -> list[Finding]:
    """Criteria that need a person's judgement, consent or willingness."""
    rules = rules or audit_rules()
    make = _Maker(doc, rules)
    hits: list[tuple[int, re.Match[str]]] = []
    for i, crit in enumerate(doc.criteria):
        m = rules.not_computable_re.search(doc.text, crit.start, crit.end)
        if m is not None:
            hits.append((i, m))
    total = len(doc.criteria)
    share = len(hits) / total if total else 0.0
    return [
        make(
            "not_computable",
            f"needs judgement or consent ('{m.group(0)}'); {len(hits)} of {total} "
            f"criteria in this trial ({share:.0%})",
            criterion=i,
            start=m.start(),
            end=m.end(),
            data={"count": len(hits), "criteria": total, "share": round(share, 4)},
        )
        for i, m in hits
    ]


def not_computable_share(doc: Document, rules: AuditRules | None = None) -> float:
    """The share of a trial's criteria that are not computable (0 without criteria)."""
    rules = rules or audit_rules()
    if not doc.criteria:
        return 0.0
    hits = sum(
        1
        for c in doc.criteria
        if rules.not_computable_re.search(doc.text, c.start, c.end)
    )
    return hits / len(doc.criteria)


WITHIN_TRIAL_CHECKS: tuple[Callable[[Document, AuditRules], list[Finding]], ...] = (
    check_registry,
    check_contradictions,
    check_duplicates,
    check_unparsed,
    check_plausibility,
    check_computable,
)


def check_document(doc: Document, rules: AuditRules | None = None) -> list[Finding]:
    """Every within-trial check on one document."""
    rules = rules or audit_rules()
    out: list[Finding] = []
    for check in WITHIN_TRIAL_CHECKS:
        out.extend(check(doc, rules))
    return out
