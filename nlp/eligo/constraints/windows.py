"""spaCy component ``eligo_windows``: time windows and durations of criteria.

The grammar is :mod:`eligo.constraints.temporal`; this module turns its
windows into output constraints:

- a window ("within 1 year", "at least 4 weeks since") -> ``type "temporal"``;
- an "ever" phrase ("previously received") -> ``type "temporal"``, ``value
  "ever"``, no bounds;
- a duration of a state ("a course of more than 5 years", "life expectancy of
  at least 12 weeks") -> ``type "duration"`` (life expectancy has anchor
  ``life_expectancy``);
- any other comparison in time units ("ICU stay > 7 days", "recent (<6
  weeks)") -> ``type "duration"`` with its days, no anchor.

Windows joined by "whichever is longer/shorter" point at each other through
``joined`` (indices into the criterion's constraints) and carry ``rule``.
``subject`` is the phrase a window applies to: the text from the start of
its clause up to the window ("Interferon or glucocorticoid therapy" in
"Interferon or glucocorticoid therapy within 1 year"); for an "ever" cue the
rest of its clause ("stem cell therapy" in "previously received stem cell
therapy"), else the text before it.
"""

import re
from bisect import bisect_right
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..normalise.comparisons import Comparison, find_comparisons
from ..normalise.numbers import number_word_pattern
from ..normalise.quantities import find_quantities
from ..normalise.units import phrase_pattern, unit_table
from .base import CriterionRuleComponent
from .temporal import TemporalMatcher, TimeWindow

TEMPORAL_FILE = "temporal.json"
#: Days in a UCUM time unit (a month is a twelfth of a Julian year).
_DAYS = {"min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0, "mo": 30.4375, "a": 365.25}
#: A value a comparison could hold (digits or a number word).
_NUMERIC = re.compile(rf"\d|(?<![a-z])(?:{number_word_pattern()})(?![a-z])", re.I)
_FREQUENCY = re.compile(r"(?<![a-z])(?:every|each|per|q)\s*$|/\s*$", re.I)
_PHRASE_END = re.compile(r"[;:.!?,](?:\s|$)|[;(]")
_CLAUSE_BREAK = re.compile(r"[;:.!?](?:\s|$)|,\s+(?:or|and)\s+|\bor\b|\band\b", re.I)


class _ClauseBreaks:
    """The clause breaks of one criterion, scanned once for all its windows.

    A break that ends before ``start - 1`` is found alike whether the scan
    stops at ``start`` or at the criterion's end (its look-ahead is one
    character), so only the text after the last of them is scanned again per
    window: a criterion with a thousand windows costs one scan, not a thousand.
    The scan goes lazily only as far as the windows asked about (a criterion's
    first window pays no more than a scan up to it).
    """

    def __init__(self, view: str, crit_start: int) -> None:
        self.view = view
        self.crit_start = crit_start
        self.ends: list[int] = []
        self.heads: list[int] = []  # head start after the first k breaks
        self._scan = _CLAUSE_BREAK.finditer(view, crit_start)
        self._done = False

    def _reach(self, pos: int) -> None:
        """Scan until a break ends after ``pos`` (or the text ends)."""
        while not self._done and (not self.ends or self.ends[-1] <= pos):
            m = next(self._scan, None)
            if m is None:
                self._done = True
                return
            head = self.heads[-1] if self.heads else self.crit_start
            self.ends.append(m.end())
            self.heads.append(_head_after(m, head))

    def head_start(self, start: int) -> int:
        self._reach(start - 1)
        k = bisect_right(self.ends, start - 1)
        pos = self.ends[k - 1] if k else self.crit_start
        head = self.heads[k - 1] if k else self.crit_start
        for m in _CLAUSE_BREAK.finditer(self.view, pos, start):
            head = _head_after(m, head)
        return head


def _head_after(m: re.Match[str], head: int) -> int:
    if m.group().strip(" ,").lower() in ("or", "and"):
        return head  # "Interferon or glucocorticoid therapy" stays one subject
    return m.end()


_BREAKS: list[_ClauseBreaks] = []  # the last criterion's, reused by its windows


def _subject(view: str, crit_start: int, start: int) -> tuple[int, int] | None:
    last = _BREAKS[0] if _BREAKS else None
    if last is None or last.view is not view or last.crit_start != crit_start:
        _BREAKS[:] = [_ClauseBreaks(view, crit_start)]
    head_start = _BREAKS[0].head_start(start)
    s, e = head_start, start
    while s < e and not view[s].isalnum():
        s += 1
    while e > s and not (view[e - 1].isalnum() or view[e - 1] in ")%]"):
        e -= 1
    return (s, e) if e > s else None


def _subject_after(view: str, start: int, crit_end: int) -> tuple[int, int] | None:
    """The phrase after an ever-cue ("previously received [stem cell therapy]")."""
    m = _PHRASE_END.search(view, start, crit_end)
    end = m.start() if m else crit_end
    s, e = start, end
    while s < e and not view[s].isalnum():
        s += 1
    while e > s and not (view[e - 1].isalnum() or view[e - 1] in ")%]"):
        e -= 1
    return (s, e) if e > s else None


class WindowComponent(CriterionRuleComponent):
    """Time windows and durations (see the module docstring)."""

    RULE_FILES = (TEMPORAL_FILE,)

    def build(self, rules_data: dict[str, Any]) -> None:
        self.matcher = TemporalMatcher.from_data(rules_data[TEMPORAL_FILE])
        # A duration is a comparison in a unit of time: a criterion without a
        # written form of one (the unit table's, which the quantity reader
        # reads only between non-letters) has none.
        forms = [
            form
            for ucum, unit in unit_table().units.items()
            if ucum in _DAYS
            for form in (*unit.forms, *unit.exact_forms)
        ]
        self._time_unit = re.compile(
            rf"(?<![a-z])(?:{phrase_pattern(forms, word_start=False)})(?![a-z])",
            re.IGNORECASE,
        )

    def extract(
        self, view: str, criterion: dict[str, Any], doc: Doc
    ) -> list[dict[str, Any]]:
        windows = self.matcher.find(view, criterion["start"], criterion["end"])
        offset = len(criterion.get("constraints") or [])
        index = {(w.start, w.end): offset + i for i, w in enumerate(windows)}
        out = [self._dict(view, criterion, w, index) for w in windows]
        if self._time_unit.search(view, criterion["start"], criterion["end"]) is None:
            return out
        return out + self._compared_durations(view, criterion, out)

    @staticmethod
    def _compared_durations(
        view: str, criterion: dict[str, Any], made: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Any other comparison in time units is a duration ("ICU stay > 7 days").

        The grammar's windows and the ages already found keep their text.
        """
        taken = [(c["start"], c["end"]) for c in made] + [
            (c["start"], c["end"])
            for c in criterion.get("constraints") or []
            if c["type"] in ("age", "age_group")
        ]
        out: list[dict[str, Any]] = []
        if _NUMERIC.search(view, criterion["start"], criterion["end"]) is None:
            return out
        # Two bounds joined by "and" stay two durations ("more than 2 months
        # and less than 5 years"), as ages do: each keeps its own evidence.
        comps = [
            part
            for c in find_comparisons(view, criterion["start"], criterion["end"])
            for part in (c.parts or (c,))
        ]
        # A bare length of time is a duration of exactly that ("failed 3
        # months of treatment", "a 10-week programme"); "every 3 months" is
        # a frequency.
        spans = [(c.start, c.end) for c in comps]
        bare = [
            Comparison(
                q.start,
                q.end,
                q.value,
                True,
                q.value,
                True,
                q.unit,
                None,
                (q,),
                "",
                "equal",
            )
            for q in find_quantities(view, criterion["start"], criterion["end"])
            if not any(q.start < e and s < q.end for s, e in spans)
            and not _FREQUENCY.search(
                view, max(criterion["start"], q.start - 12), q.start
            )
        ]
        for c in [*comps, *bare]:
            days = _DAYS.get(c.unit or "")
            if days is None or c.relative_to is not None or c.kind == "normal":
                continue
            if any(c.start < e and s < c.end for s, e in taken):
                continue
            out.append(
                {
                    "type": "duration",
                    "start": c.start,
                    "end": c.end,
                    "low_days": None if c.low is None else c.low * days,
                    "high_days": None if c.high is None else c.high * days,
                    "low_inclusive": c.low_inclusive,
                    "high_inclusive": c.high_inclusive,
                }
            )
        return out

    @staticmethod
    def _dict(
        view: str,
        criterion: dict[str, Any],
        w: TimeWindow,
        index: dict[tuple[int, int], int],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "duration" if w.type == "duration" else "temporal",
            "start": w.start,
            "end": w.end,
            "low_days": w.low_days,
            "high_days": w.high_days,
            "low_inclusive": w.low_inclusive,
            "high_inclusive": w.high_inclusive,
            "direction": w.direction,
            "anchor": w.anchor,
        }
        if w.type == "ever":
            out["value"] = "ever"
        if w.note:
            out["note"] = w.note
        if w.join_rule:
            out["rule"] = w.join_rule
            out["joined"] = [
                index[(j.start, j.end)] for j in w.joined if (j.start, j.end) in index
            ]
        if w.type == "ever":
            subject = _subject_after(view, w.end, criterion["end"]) or _subject(
                view, criterion["start"], w.start
            )
        elif w.type != "duration":
            subject = _subject(view, criterion["start"], w.start)
        else:
            subject = None
        if subject is not None:
            out["subject"] = {
                "start": subject[0],
                "end": subject[1],
                "text": view[subject[0] : subject[1]],
            }
        return out


@Language.factory("eligo_windows", assigns=["doc.spans"], requires=["doc.spans"])
def make_window_component(nlp: Language, name: str) -> WindowComponent:
    """Factory of :class:`WindowComponent` (grammar in ``rules/temporal.json``)."""
    return WindowComponent(name)
