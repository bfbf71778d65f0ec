"""Cross-trial checks: distributions over a group of Documents, and their outliers.

The group is whatever the audit covers (the whole store, ``--condition`` or
``--trial``). Groups with fewer than ``min_trials`` trials
(``rules/audit.json``, default 3) are not summarised.

- Thresholds: each measurement/score bound (not negated) in its analyte's
  canonical unit, grouped by analyte and unit; a threshold written as a
  multiple of ULN/LLN forms its own group (``alt (×ULN)``).
- Ages: the text's minimum and maximum age (``Document.summary.age``).
- Washout windows: a time window before an anchor (``direction`` "before")
  whose subject (else its criterion's text) matches a drug class of
  ``rules/audit_drug_classes.json``; its length is ``high_days`` ("within
  4 weeks") or else ``low_days`` ("at least 4 weeks since").
- Outliers: the modified z-score of Iglewicz and Hoaglin (1993),
  ``0.6745 (x - median) / MAD``, beyond ``outlier_z`` (3.5); when the MAD is 0
  (most trials agree) ``(x - median) / (1.253314 × mean absolute deviation)``;
  when that is 0 too, nothing is an outlier. Thresholds and washouts are
  compared on a log10 scale (they are ratios: 50 vs 100 is as far as 100 vs
  200), ages on a linear one.
- Unit heterogeneity: an analyte written in several units across the group;
  each use of a unit other than the most common one (by trials) is reported.
- Common and unusual criteria: each constraint has a signature (its type, plus
  the analyte for measurements and scores, the drug class for time windows,
  the value for sex). Signatures in at least ``common_share`` of the group's
  trials are common; one used by a single trial of a group of five or more is
  unusual (reported). Criteria whose normalised text recurs across trials are
  listed as common too.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..document import Constraint, Criterion, Document
from ..render.document import render_constraint
from ..store.rows import constraint_analyte_id
from .checks import normalised_key
from .findings import Finding
from .rules import AuditRules, audit_rules, drug_class_of

_MIN_UNUSUAL_GROUP = 5
_COMMON_TEXTS = 20


@dataclass
class Point:
    """One value of a distribution, with where it came from."""

    trial_id: str
    value: float
    criterion: int | None = None
    start: int | None = None
    end: int | None = None
    unit: str | None = None
    outlier: bool = False
    z: float | None = None


@dataclass
class Distribution:
    """The values of one group (an analyte in a unit, an age limit, a drug class)."""

    family: str  # "threshold", "age" or "washout"
    name: str
    unit: str
    points: list[Point] = field(default_factory=list)
    log: bool = True

    @property
    def trials(self) -> int:
        """How many trials contribute."""
        return len({p.trial_id for p in self.points})

    def stats(self) -> dict[str, float]:
        """Median, quartiles, min and max of the values."""
        values = sorted(p.value for p in self.points)
        if len(values) >= 2:
            q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
        else:
            q1 = q2 = q3 = values[0]
        return {
            "min": values[0],
            "q1": q1,
            "median": q2,
            "q3": q3,
            "max": values[-1],
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON report and the charts."""
        return {
            "family": self.family,
            "name": self.name,
            "unit": self.unit,
            "trials": self.trials,
            "values": len(self.points),
            **self.stats(),
            "outliers": sum(p.outlier for p in self.points),
        }


@dataclass
class CohortSummary:
    """What the cross-trial part of an audit found, besides its findings."""

    trials: int = 0
    distributions: list[Distribution] = field(default_factory=list)
    units: dict[str, dict[str, int]] = field(default_factory=dict)
    common_signatures: list[tuple[str, int, float]] = field(default_factory=list)
    unusual_signatures: list[tuple[str, str]] = field(default_factory=list)
    common_texts: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON report."""
        return {
            "trials": self.trials,
            "distributions": [d.to_dict() for d in self.distributions],
            "units": self.units,
            "common_signatures": [
                {"signature": s, "trials": n, "share": round(share, 4)}
                for s, n, share in self.common_signatures
            ],
            "unusual_signatures": [
                {"signature": s, "trial_id": t} for s, t in self.unusual_signatures
            ],
            "common_texts": [{"text": t, "trials": n} for t, n in self.common_texts],
        }


def modified_z(values: Sequence[float]) -> list[float]:
    """Modified z-scores (see the module docstring); all 0 when values agree."""
    med = statistics.median(values)
    deviations = [abs(v - med) for v in values]
    mad = statistics.median(deviations)
    if mad > 0:
        return [0.6745 * (v - med) / mad for v in values]
    mean_ad = sum(deviations) / len(deviations)
    if mean_ad > 0:
        return [(v - med) / (1.253314 * mean_ad) for v in values]
    return [0.0 for _ in values]


def mark_outliers(dist: Distribution, limit: float) -> list[Point]:
    """Set ``outlier``/``z`` on the points of ``dist``; return the outliers."""
    use_log = dist.log and all(p.value > 0 for p in dist.points)
    values = [math.log10(p.value) if use_log else p.value for p in dist.points]
    out = []
    for point, z in zip(dist.points, modified_z(values), strict=True):
        point.z = round(z, 3)
        if abs(z) > limit:
            point.outlier = True
            out.append(point)
    return out


def washout_days(con: Constraint) -> float | None:
    """A before-window's length in days, or ``None`` if it is not one."""
    if con.type != "temporal" or con.direction != "before" or con.value == "ever":
        return None
    if con.high_days is not None and con.high_days > 0:
        return con.high_days
    if con.low_days is not None and con.low_days > 0 and con.high_days is None:
        return con.low_days
    return None


def _window_class(doc: Document, crit: Criterion, con: Constraint) -> str | None:
    subject = con.subject.text if con.subject is not None else None
    text = subject or doc.text[crit.start : crit.end]
    found = drug_class_of(text)
    return found.id if found is not None else None


def signature(doc: Document, crit: Criterion, con: Constraint) -> str:
    """The kind of a constraint, for comparing criteria across trials."""
    if con.type in ("measurement", "score"):
        return f"{con.type}:{constraint_analyte_id(con) or 'other'}"
    if con.type in ("temporal", "duration"):
        return f"{con.type}:{_window_class(doc, crit, con) or 'other'}"
    if con.type == "sex":
        return f"sex:{con.value or 'any'}"
    return con.type


def _age_point(doc: Document, value: float, side: str) -> Point:
    from .checks import _age_evidence

    where = _age_evidence(doc, value, side)
    return Point(
        doc.id,
        value,
        criterion=where[0] if where else None,
        start=where[1] if where else None,
        end=where[2] if where else None,
        unit="a",
    )


def _finding(
    doc: Document,
    kind: str,
    rules: AuditRules,
    message: str,
    point: Point,
    data: dict[str, Any],
) -> Finding:
    crit = doc.criteria[point.criterion] if point.criterion is not None else None
    return Finding(
        kind=kind,
        severity=rules.severities[kind],
        trial_id=doc.id,
        criterion=point.criterion,
        start=point.start,
        end=point.end,
        message=message,
        section=crit.section if crit else None,
        text=doc.text[crit.start : crit.end] if crit else None,
        evidence=doc.text[point.start : point.end] if point.start is not None else None,
        data=data,
    )


@dataclass
class _Collected:
    """What one pass over the group gathers for the cross-trial checks."""

    by_id: dict[str, Document] = field(default_factory=dict)
    groups: dict[tuple[str, str, str], Distribution] = field(default_factory=dict)
    #: analyte -> unit as written -> the trials that write it.
    units: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    #: (analyte, unit as written, where) of every canonical threshold.
    unit_uses: list[tuple[str, str, Point]] = field(default_factory=list)
    sig_trials: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    sig_first: dict[tuple[str, str], Point] = field(default_factory=dict)
    text_trials: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def dist(self, family: str, name: str, unit: str, log: bool = True) -> Distribution:
        """The distribution of a group, created empty on first use."""
        key = (family, name, unit)
        if key not in self.groups:
            self.groups[key] = Distribution(family, name, unit, log=log)
        return self.groups[key]


def _collect_ages(found: _Collected, doc: Document) -> None:
    """The text's minimum age (when above 0) and maximum age."""
    age = doc.summary.age
    if age is None:
        return
    if age.low is not None and age.low > 0:
        point = _age_point(doc, age.low, "low")
        found.dist("age", "minimum age", "years", log=False).points.append(point)
    if age.high is not None:
        point = _age_point(doc, age.high, "high")
        found.dist("age", "maximum age", "years", log=False).points.append(point)


def _collect_text(
    found: _Collected, doc: Document, crit: Criterion, rules: AuditRules
) -> None:
    """A criterion's normalised text, unless it is short or boilerplate."""
    key = normalised_key(doc.text[crit.start : crit.end])
    if len(key) >= 10 and not (
        rules.boilerplate_re and rules.boilerplate_re.fullmatch(key)
    ):
        found.text_trials[key].add(doc.id)


def _collect_washout(
    found: _Collected,
    doc: Document,
    i: int,
    crit: Criterion,
    con: Constraint,
    here: Point,
    rules: AuditRules,
) -> None:
    """A before-window on a known drug class: its length, in days."""
    days = washout_days(con)
    if days is None:
        return
    cls = _window_class(doc, crit, con)
    if cls is not None:
        found.dist("washout", cls, "days").points.append(
            Point(doc.id, days, i, con.start, con.end, "d")
        )


def _collect_threshold(
    found: _Collected,
    doc: Document,
    i: int,
    crit: Criterion,
    con: Constraint,
    here: Point,
    rules: AuditRules,
) -> None:
    """A known analyte's bounds: as multiples of ULN/LLN, else in its canonical
    unit (noting the unit as written); unconverted bounds are left out."""
    analyte = constraint_analyte_id(con)
    if analyte is None:
        return
    if con.relative_to in ("ULN", "LLN"):
        values = [v for v in (con.low, con.high) if v is not None]
        unit = f"×{con.relative_to}"
    elif con.canonical is not None:
        can = con.canonical
        values = [v for v in (can.low, can.high) if v is not None]
        unit = can.unit
        if con.unit and con.unit not in rules.ignored_units:
            found.units[analyte][con.unit].add(doc.id)
            found.unit_uses.append((analyte, con.unit, here))
    else:
        return
    for value in values:
        found.dist("threshold", analyte, unit).points.append(
            Point(doc.id, value, i, con.start, con.end, con.unit)
        )


#: Constraint type -> the step that adds its value to a distribution.
_VALUE_COLLECTORS = {
    "temporal": _collect_washout,
    "measurement": _collect_threshold,
    "score": _collect_threshold,
}


def _collect(docs: Iterable[Document], rules: AuditRules) -> _Collected:
    """Ages, texts, signatures and values of every document of the group."""
    found = _Collected()
    for doc in docs:
        found.by_id[doc.id] = doc
        _collect_ages(found, doc)
        for i, crit in enumerate(doc.criteria):
            _collect_text(found, doc, crit, rules)
            for con in crit.constraints:
                here = Point(doc.id, 0.0, i, con.start, con.end, con.unit)
                sig = signature(doc, crit, con)
                found.sig_trials[sig].add(doc.id)
                found.sig_first.setdefault((sig, doc.id), here)
                collect = _VALUE_COLLECTORS.get(con.type)
                if collect is not None and not con.negated:
                    collect(found, doc, i, crit, con, here, rules)
    return found


#: Distribution family -> the kind of finding its outliers are.
_OUTLIER_KINDS = {
    "threshold": "threshold_outlier",
    "age": "age_outlier",
    "washout": "washout_outlier",
}


def _outlier_findings(
    found: _Collected, rules: AuditRules, summary: CohortSummary
) -> list[Finding]:
    """Outliers of every distribution with enough trials (which the summary
    lists)."""
    findings = []
    by_size = sorted(found.groups.values(), key=lambda g: (g.family, -g.trials, g.name))
    for d in by_size:
        if d.trials < rules.min_trials:
            continue
        summary.distributions.append(d)
        stats = d.stats()
        for point in mark_outliers(d, rules.outlier_z):
            label = "washout before" if d.family == "washout" else d.name
            findings.append(
                _finding(
                    found.by_id[point.trial_id],
                    _OUTLIER_KINDS[d.family],
                    rules,
                    f"{label} {point.value:g} {d.unit} is far from the other "
                    f"{d.trials - 1} trials' (median {stats['median']:g} {d.unit}, "
                    f"modified z {point.z:g})",
                    point,
                    {
                        "group": d.name,
                        "unit": d.unit,
                        "value": point.value,
                        "median": stats["median"],
                        "z": point.z,
                        "trials": d.trials,
                    },
                )
            )
    return findings


def _unit_findings(
    found: _Collected, rules: AuditRules, summary: CohortSummary
) -> list[Finding]:
    """Each use of a unit other than its analyte's most common one (the
    summary gets every analyte's units)."""
    units = found.units
    for analyte, by_unit in sorted(units.items()):
        summary.units[analyte] = {u: len(t) for u, t in sorted(by_unit.items())}
    findings = []
    for analyte, unit, point in found.unit_uses:
        by_unit = units[analyte]
        if len(by_unit) < 2:
            continue
        common = max(by_unit, key=lambda u: (len(by_unit[u]), u))
        if unit == common:
            continue
        counts = summary.units[analyte]
        findings.append(
            _finding(
                found.by_id[point.trial_id],
                "unit_heterogeneity",
                rules,
                f"{analyte} written in '{unit}'; other trials use "
                + ", ".join(f"'{u}' ({n})" for u, n in counts.items() if u != unit),
                point,
                {"analyte": analyte, "unit": unit, "units": counts},
            )
        )
    return findings


def _constraint_text(doc: Document, point: Point) -> str:
    """`` ('<rendered constraint>')`` of the constraint at ``point``, or ""."""
    if point.criterion is None:
        return ""
    for con in doc.criteria[point.criterion].constraints:
        if con.start == point.start and con.end == point.end:
            return f" ('{render_constraint(con)}')"
    return ""


def _signature_findings(
    found: _Collected, rules: AuditRules, summary: CohortSummary
) -> list[Finding]:
    """Common signatures (into the summary) and unusual ones (one trial of a
    large enough group: findings)."""
    n = len(found.by_id)
    findings = []
    by_use = sorted(found.sig_trials.items(), key=lambda s: (-len(s[1]), s[0]))
    for sig, trials in by_use:
        share = len(trials) / n if n else 0.0
        if share >= rules.common_share:
            summary.common_signatures.append((sig, len(trials), share))
        if len(trials) == 1 and n >= max(_MIN_UNUSUAL_GROUP, rules.min_trials):
            (trial_id,) = trials
            summary.unusual_signatures.append((sig, trial_id))
            point = found.sig_first[(sig, trial_id)]
            doc = found.by_id[trial_id]
            findings.append(
                _finding(
                    doc,
                    "unusual_criterion",
                    rules,
                    f"only this trial of {n} has a {sig} criterion"
                    f"{_constraint_text(doc, point)}",
                    point,
                    {"signature": sig, "group_trials": n},
                )
            )
    return findings


def _common_texts(found: _Collected) -> list[tuple[str, int]]:
    """Criterion texts used by two trials or more, most used first."""
    return [
        (text, len(trials))
        for text, trials in sorted(found.text_trials.items(), key=lambda t: -len(t[1]))
        if len(trials) >= 2
    ][:_COMMON_TEXTS]


def cohort_checks(
    docs: Iterable[Document], rules: AuditRules | None = None
) -> tuple[list[Finding], CohortSummary]:
    """Every cross-trial check over a group of documents.

    Args:
        docs: The group.
        rules: The audit rules (the shipped ones when ``None``).

    Returns:
        The findings and the summary (distributions, units, common criteria).
    """
    rules = rules or audit_rules()
    found = _collect(docs, rules)
    summary = CohortSummary(trials=len(found.by_id))
    findings = _outlier_findings(found, rules, summary)
    findings += _unit_findings(found, rules, summary)
    findings += _signature_findings(found, rules, summary)
    summary.common_texts = _common_texts(found)
    return findings, summary
