"""Findings a note states in words, as bounded measurements (``rules/findings.json``).

A note says "tachycardic" or "her lab shows thrombocytopenia" more often than
it gives the number. Each finding of the rule file names an analyte of the
lexicon and the interval its standard definition implies (heart rate above
100 /min); :func:`find_findings` turns every asserted mention into an
:class:`~eligo.match.patient.Observation` with that ``value_range``. The
matcher decides a threshold by it only when the whole interval lies inside or
outside the criterion's ("heart rate of at least 90/min" is met by a
tachycardic patient; "at least 120/min" stays unknown).

A mention is not read when it is negated in its clause ("not tachycardic",
"denies fever"), when the concept model's entity over it is not asserted of
the patient now (negated, historical, hypothetical, family), when a word of
the entry's ``not_after`` comes right before it ("orthostatic hypotension")
or of ``not_before`` right after it, and, for ``adult_only`` entries, unless
the note gives an age of 18 or more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pydantic import Field, model_validator

from ..errors import RuleError
from ..normalise.lexicon import Lexicon
from ..normalise.units import phrase_pattern
from ..pipeline.resources import RuleModel, load_rule_object
from .patient import Code, Observation, Source, ValueRange

FINDINGS_FILE = "findings.json"
LOINC = "http://loinc.org"

#: A negation cue earlier in the mention's clause.
_NEGATED = re.compile(
    r"\b(?:no|not|non|never|denies|denied|deny|denying|without|negative\s+for"
    r"|free\s+of|absence\s+of|ruled\s+out|rules\s+out)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;:!?\n]|,\s*(?:but|and)\b|\bbut\b", re.IGNORECASE)
#: Assertions of a concept-model entity that keep a finding out.
NOT_NOW = frozenset({"negated", "historical", "hypothetical", "family", "allergy"})


class Finding(RuleModel):
    """One entry of ``rules/findings.json``."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    terms: tuple[str, ...] = Field(min_length=1)
    analyte: str
    unit: str
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    adult_only: bool = False
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    definition: str = Field(min_length=1)

    @model_validator(mode="after")
    def _bounded(self) -> Finding:
        self.range  # noqa: B018  (building the range validates the bounds)
        return self

    @property
    def range(self) -> ValueRange:
        """The interval the finding implies, in ``unit``."""
        return ValueRange(
            low=self.low,
            high=self.high,
            low_inclusive=self.low_inclusive,
            high_inclusive=self.high_inclusive,
        )


class FindingRules(RuleModel):
    """``rules/findings.json``."""

    description: str = ""
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class _Compiled:
    finding: Finding
    pattern: re.Pattern[str]
    after: re.Pattern[str] | None  # a not_after phrase ending right before
    before: re.Pattern[str] | None  # a not_before phrase starting right after


@cache
def compiled_findings(lexicon: Lexicon | None = None) -> tuple[_Compiled, ...]:
    """The shipped findings, validated against the lexicon and compiled."""
    rules = load_rule_object(FINDINGS_FILE, FindingRules)
    return compile_findings(rules, lexicon or Lexicon.default())


def compile_findings(rules: FindingRules, lexicon: Lexicon) -> tuple[_Compiled, ...]:
    """Findings checked against the lexicon and compiled.

    Raises:
        RuleError: An entry names an analyte the lexicon lacks, or a unit it
            cannot convert to the analyte's canonical unit.
    """
    out = []
    for f in rules.findings:
        if f.analyte not in lexicon:
            raise RuleError(
                f"rules/{FINDINGS_FILE}: {f.id}: "
                f"no analyte {f.analyte!r} in the lexicon"
            )
        if lexicon.convert(f.analyte, 1.0, f.unit) is None:
            raise RuleError(
                f"rules/{FINDINGS_FILE}: {f.id}: unit {f.unit!r} does not convert "
                f"to {f.analyte}'s"
            )
        out.append(
            _Compiled(
                f,
                re.compile(phrase_pattern(f.terms), re.IGNORECASE),
                re.compile(rf"(?:{phrase_pattern(f.not_after)})[\s-]*$", re.IGNORECASE)
                if f.not_after
                else None,
                re.compile(rf"[\s-]*(?:{phrase_pattern(f.not_before)})", re.IGNORECASE)
                if f.not_before
                else None,
            )
        )
    return tuple(out)


def _clause_start(text: str, start: int) -> int:
    """Where the clause holding ``start`` begins (after the last break)."""
    begin = max(0, start - 200)
    for m in _CLAUSE_BREAK.finditer(text, begin, start):
        begin = m.end()
    return begin


@dataclass(frozen=True)
class FoundFinding:
    """A finding mention: its entry and its characters in the note."""

    finding: Finding
    start: int
    end: int


def find_findings(
    text: str,
    *,
    adult: bool | None,
    not_now: Iterable[tuple[int, int]] = (),
    lexicon: Lexicon | None = None,
) -> list[FoundFinding]:
    """Every asserted finding mention in ``text`` (see the module docstring).

    Args:
        text: The note.
        adult: Whether the patient is 18 or older (``None``: age unknown).
        not_now: Spans (of concept-model entities) not asserted of the
            patient now; a finding overlapping one is skipped.
        lexicon: The analyte lexicon the findings are checked against.
    """
    blocked = sorted(not_now)
    out: list[FoundFinding] = []
    for c in compiled_findings(lexicon):
        if c.finding.adult_only and adult is not True:
            continue
        for m in c.pattern.finditer(text):
            start, end = m.span()
            if any(a < end and start < b for a, b in blocked):
                continue
            clause = _clause_start(text, start)
            if _NEGATED.search(text, clause, start):
                continue
            if c.after is not None and c.after.search(text, max(0, start - 40), start):
                continue
            if c.before is not None and c.before.match(text, end):
                continue
            out.append(FoundFinding(c.finding, start, end))
    out.sort(key=lambda f: (f.start, f.end))
    return out


def finding_observation(
    found: FoundFinding,
    text: str,
    lexicon: Lexicon,
    *,
    date: str | None = None,
    source: Source | None = None,
) -> Observation:
    """The observation a finding mention stands for, named and coded by the
    lexicon's entry (``Heart rate (tachycardic)``, LOINC 8867-4)."""
    entry = lexicon.get(found.finding.analyte)
    codes = [Code(system=LOINC, code=entry.loinc)] if entry.loinc else []
    return Observation(
        name=f"{entry.name} ({text[found.start : found.end]})",
        codes=codes,
        value_range=found.finding.range,
        unit=found.finding.unit,
        date=date,
        source=source,
    )
