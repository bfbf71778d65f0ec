"""Time windows in criteria: "within 4 weeks before screening", "for > 6 months".

:func:`find_windows` reads one criterion's reading view and returns every time
phrase as a :class:`TimeWindow`, with its evidence offsets, bounds in days,
direction and anchor. The vocabulary (units, comparators, relation words,
anchors, cues) is data in ``rules/temporal.json``; the grammar is here.

Conventions, so that every caller can rely on them:

- Units: 1 year = 365.25 days, 1 month = 30.4375 days, 1 week = 7 days; hours
  and minutes are fractions of a day. Bounds are in days, never rounded.
- Types: ``"window"`` (when an event happened or may happen, relative to an
  anchor), ``"duration"`` (how long a state has lasted or will last: disease
  duration, "for at least 3 months", life expectancy) and ``"ever"`` (explicit
  "at any time in the past" phrases, no bounds).
- Bounds: "within N" / "in the past N" / "≤ N ... before" is ``[0, N]``;
  "at least N since" / "more than N before" is ``[N, None)`` (the event is
  older than N); "between A and B" and "A-B ... ago" are ``[A, B]``. A bare
  "N weeks prior to X" reads as "in the N weeks before X" (``[0, N]``). A
  duration with no comparator ("for 3 months") reads as at least N; a duration
  bounded only above ("diagnosed for less than 2 years") has ``low_days`` None.
- Direction: the side of the anchor (or of the assessment, when the anchor is
  unstated) on which the event lies. Explicit relation words decide
  ("before", "prior to", "since", "ago" -> before; "after", "following" ->
  after); then frames ("the next 6 months" -> after); then a future cue before
  the window in the same clause ("planned", "plan to", "will" -> after);
  otherwise past, ``"before"``. "N weeks since/from X" measures time elapsed
  since a past event X: direction before, anchor X. Durations of a state are
  ``"before"`` (they reach back from now); life expectancy is ``"after"``.
- Anchors are normalised names (``screening``, ``enrolment``,
  ``randomisation``, ``first_dose``, ``last_dose``, ``baseline``,
  ``diagnosis``, ``surgery``, ``consent``; ``life_expectancy`` for survival
  durations), ``None`` when unstated. Registration, study entry and inclusion
  map to ``enrolment``: registries use them for the same date. "During the
  study" is a window after ``enrolment`` with no upper bound.
- "N half-lives" (and other units without days) keep ``None`` bounds and the
  quantity in ``note``. "within 4 weeks or 5 half-lives, whichever is longer"
  gives two windows, each listing the other in ``joined`` with
  ``join_rule="longer"``.
- "ever" is emitted only for explicit phrases ("previously", "ever", "at any
  time", "prior"/"previous" as adjectives, "prior history of", "prior to
  <anchor>" with no quantity), never for a bare "history of", and never in a
  criterion that has a bounded window: "prior chemotherapy within 4 weeks" is
  a 4-week window, not ever.
- Not windows: ages ("18 years old", "aged 18-65 years", "≥ 18 years of
  age"), frequencies ("3 times a week", "2 days per week"), rates ("g/24 h"),
  and hyphenated adjectives that do not name a period ("24-hour urine",
  "2-week washout"); "a 6-month period" is a window phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, field_validator

from ..document import Constraint
from ..normalise.numbers import NUMBER_PATTERN, number_words, parse_number
from ..pipeline.patterns import trie_pattern
from ..pipeline.resources import RuleModel, load_rule_object

TEMPORAL_FILE = "temporal.json"

WindowType = Literal["window", "duration", "ever"]
Direction = Literal["before", "after"]
JoinRule = Literal["longer", "shorter"]

# How far back from a quantity its left-hand cues ("life expectancy of at
# least") and a future cue ("planned ... within") are looked for.
_LEFT_REACH = 80
_FUTURE_REACH = 100
_AGE_REACH = 25
_WORD_START = r"(?<![^\W\d_])"
_WORD_END = r"(?![^\W\d_])"
#: Runs of whitespace, collapsed to one space in lookup keys.
_SPACES = re.compile(r"\s+")
_OPENS_WORD = re.compile(r"\s*[^\W\d_]")


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"pattern does not compile: {err}") from err
    return value


class _Pattern(RuleModel):
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _check(cls, value: str) -> str:
        return _compiles(value)


class TimeUnit(RuleModel):
    """A unit of time and its written forms (lower-case literals)."""

    unit: str
    days: float | None = Field(gt=0)
    forms: list[str] = Field(min_length=1)
    bare: list[str] = Field(default_factory=list)


class Comparator(_Pattern):
    """A comparator phrase: ``pre`` ("at least 4 weeks") or ``post`` ("or more")."""

    bound: Literal["low", "high"]
    inclusive: bool
    position: Literal["pre", "post"]


class Relation(_Pattern):
    """A word after the quantity that relates it to an anchor."""

    direction: Direction | None
    needs_anchor: bool = False


class Anchor(_Pattern):
    """A reference event and its normalised name."""

    anchor: str


class Frame(_Pattern):
    """A frame word before the quantity ("past", "next")."""

    direction: Direction


class DurationCue(_Pattern):
    """A phrase that makes the quantity the length of a state."""

    anchor: str | None = None
    direction: Direction | None = None


class JoinWord(_Pattern):
    """The comparative of "whichever is longer/shorter"."""

    rule: JoinRule


class Guards(RuleModel):
    """Contexts in which a quantity is not a time window."""

    age: list[str]
    left: list[str]
    right: list[str]

    @field_validator("age", "left", "right")
    @classmethod
    def _check(cls, value: list[str]) -> list[str]:
        for v in value:
            _compiles(v)
        return value


class TemporalRules(RuleModel):
    """``rules/temporal.json``."""

    description: str = ""
    units: list[TimeUnit]
    comparators: list[Comparator]
    relations: list[Relation]
    anchors: list[Anchor]
    frames: list[Frame]
    duration_cues: list[DurationCue]
    future_cues: list[str]
    ever: list[str]
    study_period: list[str]
    join_rules: list[JoinWord]
    guards: Guards
    period_nouns: list[str]

    @field_validator("future_cues", "ever", "study_period")
    @classmethod
    def _check(cls, value: list[str]) -> list[str]:
        for v in value:
            _compiles(v)
        return value


@dataclass(frozen=True)
class TimeWindow:
    """A time phrase of a criterion.

    Attributes:
        start: Offset of the evidence phrase in the view.
        end: End offset (exclusive) of the evidence phrase.
        type: ``"window"``, ``"duration"`` or ``"ever"``.
        low_days: Lower bound in days, ``None`` when open.
        high_days: Upper bound in days, ``None`` when open.
        low_inclusive: Whether ``low_days`` is allowed (``None`` without it).
        high_inclusive: Whether ``high_days`` is allowed (``None`` without it).
        direction: ``"before"`` or ``"after"`` the anchor (or the assessment).
        anchor: Normalised reference event, ``None`` when unstated.
        text: The evidence phrase (``view[start:end]``).
        note: A quantity without days ("5 half-lives").
        joined: Sibling windows of a "whichever is longer/shorter" phrase.
        join_rule: ``"longer"`` or ``"shorter"`` when ``joined`` is set.
    """

    start: int
    end: int
    type: WindowType
    low_days: float | None = None
    high_days: float | None = None
    low_inclusive: bool | None = None
    high_inclusive: bool | None = None
    direction: Direction | None = None
    anchor: str | None = None
    text: str = ""
    note: str | None = None
    joined: tuple[TimeWindow, ...] = ()
    join_rule: JoinRule | None = None

    def to_constraint(self, offset: int = 0) -> Constraint:
        """This window as an output :class:`~eligo.document.Constraint`.

        Args:
            offset: Added to ``start``/``end`` (when the view was a slice).

        Returns:
            A constraint whose ``type`` is this window's type.
        """
        return Constraint(
            type=self.type,
            start=self.start + offset,
            end=self.end + offset,
            low_days=self.low_days,
            high_days=self.high_days,
            low_inclusive=self.low_inclusive,
            high_inclusive=self.high_inclusive,
            direction=self.direction,
            anchor=self.anchor,
        )


@dataclass
class _Quantity:
    """One quantity with the cues around it, before it becomes a window."""

    qstart: int
    qend: int
    start: int
    end: int
    low: float | None
    high: float | None
    is_range: bool
    note: str | None
    prep: str | None = None
    frame: Frame | None = None
    cmp: Comparator | None = None
    dur: DurationCue | None = None
    relation: Relation | None = None
    anchor: str | None = None


def _alt(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def _named(prefix: str, patterns: list[str]) -> str:
    return "|".join(f"(?P<{prefix}{i}>{p})" for i, p in enumerate(patterns))


def _which(m: re.Match[str], prefix: str, count: int) -> int | None:
    for i in range(count):
        if m.group(f"{prefix}{i}") is not None:
            return i
    return None


class TemporalMatcher:
    """Compiled ``rules/temporal.json``: finds the time windows of a text."""

    def __init__(self, rules: TemporalRules) -> None:
        self.rules = rules
        flags = re.IGNORECASE
        r = rules
        self._unit_days: dict[str, float | None] = {}
        self._unit_name: dict[str, str] = {}
        forms: list[str] = []
        bare: list[str] = []
        for unit in r.units:
            for form in unit.forms:
                key = re.sub(r"\s+", " ", form.lower())
                self._unit_days[key] = unit.days
                self._unit_name[key] = unit.unit
                forms.append(form)
            bare.extend(unit.bare)
        num = (
            rf"(?:(?<![\w.,]){NUMBER_PATTERN}"
            rf"|(?<![\w-])(?:{trie_pattern(list(number_words()))})(?!\w))"
        )
        # Every match starts after a non-letter (each alternative says so in
        # its own way); the leading look-behind rejects the inside of words
        # before any alternative is tried.
        self._qty = re.compile(
            rf"{_WORD_START}(?:(?:\b(?P<between>between)\s+)?(?P<a>{num})"
            r"(?:\s*+(?P<rsep>(?(between)(?:and|to|-|–|—)|(?:-|–|—|~|to)))"
            rf"\s*+(?P<b>{num}))?"
            rf"(?P<sep>\s*+-\s*+|\s*+)(?P<unit>{trie_pattern(forms)}){_WORD_END}"
            rf"|{_WORD_START}(?P<bare>{trie_pattern(bare)}){_WORD_END})",
            flags,
        )
        # Every quantity ends in a unit form (after a digit, a space or "-")
        # or is a bare unit word: a text without one has none, and looking
        # for the forms alone is several times cheaper than the full pattern.
        self._any_unit = re.compile(
            rf"{_WORD_START}(?:{trie_pattern([*forms, *bare])}){_WORD_END}", flags
        )
        pre = [c for c in r.comparators if c.position == "pre"]
        post = [c for c in r.comparators if c.position == "post"]
        self._pre, self._post = pre, post
        self._left = re.compile(
            rf"{_WORD_START}"
            rf"(?:(?P<dur>{_named('d', [d.pattern for d in r.duration_cues])})"
            r"(?:\s*+(?:of|is|was|must\s++be|should\s++be|to\s++be|for)(?!\w)|\s*+[:=])*"
            r"\s*+)?"
            r"(?:(?P<prep>within|in|during|over|for|since|throughout)\s++)?"
            r"(?:(?:a\s++)?(?:period|time|interval)\s++of\s++)?"
            r"(?:(?:the|a|an)\s++)?"
            rf"(?:(?P<frame>{_named('f', [f.pattern for f in r.frames])})\s++)?"
            rf"(?:(?P<cmp>{_named('c', [c.pattern for c in pre])})\s*+)?"
            r"\s*+\Z",
            flags,
        )
        filler = (
            r"(?:(?:the\s+)?(?:time|date|day)\s+of\s+)?(?:the\s+)?"
            r"(?:(?:patient|subject|participant)['’]?s\s+)?"
        )
        anchors = _named("a", [a.pattern for a in r.anchors])
        self._anchor_names = [a.anchor for a in r.anchors]
        rel = _named("r", [x.pattern for x in r.relations])
        self._rel_anchor = (
            rf"(?P<rel>{rel}){_WORD_END}"
            rf"(?:\s+{filler}(?P<anc>{anchors}){_WORD_END})?"
        )
        self._right = re.compile(
            r"(?:['’]s?)?"
            rf"(?:\s+(?P<post>{_named('p', [c.pattern for c in post])})(?!\w))?"
            rf"(?:(?P<nsep>[\s-]++)(?P<noun>{trie_pattern(r.period_nouns)}){_WORD_END})?"
            rf"(?:(?:\s*+,)?\s++{self._rel_anchor})?",
            flags,
        )
        self._tail = re.compile(
            rf"\s*+,?\s*+(?P<po>\()?\s*+{self._rel_anchor}(?(po)\s*+\))", flags
        )
        self._coord = re.compile(r"(?:or|and/or|and|/)\s*+\Z", flags)
        self._which = re.compile(
            r"\s*+,?\s*+(?P<wo>\()?\s*+whichever\s++(?:(?:is|comes|occurs|was)\s++)?"
            rf"(?P<join>{_named('j', [j.pattern for j in r.join_rules])})"
            rf"{_WORD_END}(?(wo)\s*+\))",
            flags,
        )
        self._guard_age = re.compile(
            rf"{_WORD_START}(?:{_alt(r.guards.age)}){_WORD_END}[^.;\n]*\Z", flags
        )
        self._guard_left = re.compile(
            rf"(?:{_WORD_START}(?:{_alt(r.guards.left)})|/)\s*\Z", flags
        )
        self._guard_right = re.compile(rf"\s*(?:{_alt(r.guards.right)})", flags)
        self._future = re.compile(
            rf"{_WORD_START}(?:{_alt(r.future_cues)}){_WORD_END}", flags
        )
        self._study = re.compile(
            rf"{_WORD_START}(?:{_alt(r.study_period)}){_WORD_END}", flags
        )
        self._ever = re.compile(rf"{_WORD_START}(?:{_alt(r.ever)}){_WORD_END}", flags)
        self._prior_anchor = re.compile(
            rf"{_WORD_START}(?:prior\s+to|before|preceding)\s+{filler}"
            rf"(?P<anc>{anchors}){_WORD_END}",
            flags,
        )

    @classmethod
    def from_data(cls, data: Any = None) -> TemporalMatcher:
        """Build from the raw JSON of ``rules/temporal.json`` (the shipped file
        when ``None``)."""
        return cls(load_rule_object(TEMPORAL_FILE, TemporalRules, data))

    def find(
        self, view: str, start: int = 0, end: int | None = None
    ) -> list[TimeWindow]:
        """The time windows of ``view[start:end]``, with offsets into ``view``.

        Args:
            view: The reading view of the text.
            start: Start of the criterion in ``view``.
            end: End of the criterion (``len(view)`` when ``None``).

        Returns:
            Windows in text order.
        """
        stop = len(view) if end is None else min(end, len(view))
        start = max(0, min(start, stop))
        sub = view[start:stop]
        quantities = self._quantities(sub)
        windows = self._link(sub, quantities)
        taken = [(w.start, w.end) for w in windows]
        for m in self._study.finditer(sub):
            if not _overlaps(m.start(), m.end(), taken):
                windows.append(
                    TimeWindow(
                        m.start(),
                        m.end(),
                        "window",
                        low_days=0.0,
                        low_inclusive=True,
                        direction="after",
                        anchor="enrolment",
                        text=m.group(),
                    )
                )
                taken.append((m.start(), m.end()))
        # An ever-phrase in the clause of a window is that window's
        # ("prior chemotherapy within 4 weeks"); in another clause it stands
        # ("... within three months, or have previously received X").
        ever = self._ever_phrases(sub, taken)
        if ever and any(w.type == "window" for w in windows):
            clauses = _clause_ids(sub)
            windowed = {clauses[w.start] for w in windows if w.type == "window"}
            ever = [e for e in ever if clauses[e.start] not in windowed]
        windows.extend(ever)
        windows.sort(key=lambda w: (w.start, w.end))
        if start:
            windows = [_shift(w, start) for w in windows]
        return windows

    # -- quantities -----------------------------------------------------------

    def _quantities(self, sub: str) -> list[_Quantity]:
        out: list[_Quantity] = []
        if self._any_unit.search(sub) is None:
            return out
        for m in self._qty.finditer(sub):
            q = self._read(sub, m)
            if q is not None:
                out.append(q)
        return out

    def _read(self, sub: str, m: re.Match[str]) -> _Quantity | None:
        qs, qe = m.span()
        if m.group("bare") is not None:
            form = _SPACES.sub(" ", m.group("bare").lower())
            low = high = 1.0
            is_range = False
        else:
            form = _SPACES.sub(" ", m.group("unit").lower())
            a = parse_number(m.group("a"))
            b = parse_number(m.group("b")) if m.group("b") else None
            if a is None or (m.group("b") and b is None):
                return None
            low, high = (a, a) if b is None else (min(a, b), max(a, b))
            is_range = b is not None
        days = self._unit_days.get(form)
        note = None
        if days is None:
            note = _SPACES.sub(" ", m.group())
            lo = hi = None
        else:
            lo, hi = low * days, high * days
        q = _Quantity(qs, qe, qs, qe, lo, hi, is_range, note)

        left_from = max(0, qs - _LEFT_REACH)
        left = self._left.search(sub, left_from, qs)
        if left is not None:
            self._read_left(q, left)
        if m.group("bare") is not None and q.frame is None:
            return None

        right = self._right.match(sub, qe)
        if right is not None and self._read_right(sub, q, m, right) is None:
            return None
        if self._guarded(sub, q):
            return None
        return q

    def _read_left(self, q: _Quantity, left: re.Match[str]) -> None:
        starts = []
        if left.group("dur") is not None:
            i = _which(left, "d", len(self.rules.duration_cues))
            q.dur = self.rules.duration_cues[i] if i is not None else None
            starts.append(left.start("dur"))
        if left.group("prep") is not None:
            q.prep = left.group("prep").lower()
            starts.append(left.start("prep"))
        if left.group("frame") is not None:
            i = _which(left, "f", len(self.rules.frames))
            q.frame = self.rules.frames[i] if i is not None else None
            starts.append(left.start("frame"))
        if left.group("cmp") is not None:
            i = _which(left, "c", len(self._pre))
            q.cmp = self._pre[i] if i is not None else None
            starts.append(left.start("cmp"))
        if starts:
            q.start = min(starts)

    def _read_right(
        self, sub: str, q: _Quantity, m: re.Match[str], right: re.Match[str]
    ) -> _Quantity | None:
        sep = m.group("sep") or ""
        form = (m.group("unit") or "").lower()
        if "-" in sep and not form.endswith("s") and right.group("noun") is None:
            after = sub[right.end() : right.end() + 2]
            if _OPENS_WORD.match(after) and right.group("rel") is None:
                return None  # "24-hour urine", "2-week washout"
        q.end = max(q.end, right.end("post") if right.group("post") else q.end)
        if right.group("post") is not None:
            i = _which(right, "p", len(self._post))
            if i is not None and q.cmp is None:
                q.cmp = self._post[i]
        if right.group("noun") is not None:
            q.end = right.end("noun")
        self._read_relation(q, right)
        return q

    def _read_relation(self, q: _Quantity, m: re.Match[str]) -> bool:
        if m.group("rel") is None:
            return False
        i = _which(m, "r", len(self.rules.relations))
        if i is None:
            return False
        rel = self.rules.relations[i]
        anchor = None
        if m.group("anc") is not None:
            k = _which(m, "a", len(self._anchor_names))
            anchor = self._anchor_names[k] if k is not None else None
        if rel.needs_anchor and anchor is None:
            return False
        q.relation = rel
        q.anchor = anchor
        q.end = m.end("anc") if anchor is not None else m.end("rel")
        return True

    def _guarded(self, sub: str, q: _Quantity) -> bool:
        if self._guard_left.search(sub, max(0, q.qstart - 12), q.qstart):
            return True
        if self._guard_right.match(sub, q.qend):
            return True
        if q.prep is None and q.frame is None and q.dur is None:
            age = self._guard_age.search(sub, max(0, q.start - _AGE_REACH), q.start)
            if age is not None:
                return True
        return False

    # -- windows ----------------------------------------------------------------

    def _link(self, sub: str, qs: list[_Quantity]) -> list[TimeWindow]:
        """Share cues across "A or B, whichever is longer", then classify."""
        groups: list[list[_Quantity]] = []
        for q in qs:
            prev = groups[-1][-1] if groups else None
            if (
                prev is not None
                and prev.end <= q.start
                and self._coord.search(sub, prev.end, q.start)
                and _bare(q)
            ):
                q.prep, q.frame, q.cmp, q.dur = (
                    prev.prep,
                    prev.frame,
                    prev.cmp,
                    prev.dur,
                )
                groups[-1].append(q)
            else:
                groups.append([q])
        out: list[TimeWindow] = []
        for group in groups:
            rule: JoinRule | None = None
            last = group[-1]
            if len(group) > 1:
                which = self._which.match(sub, last.end)
                if which is not None:
                    k = _which(which, "j", len(self.rules.join_rules))
                    rule = self.rules.join_rules[k].rule if k is not None else None
                    last.end = which.end()
                    if last.relation is None and not any(g.relation for g in group):
                        tail = self._tail.match(sub, last.end)
                        if tail is not None and self._read_relation(last, tail):
                            last.end = tail.end()
                shared = next((g for g in group if g.relation is not None), None)
                if shared is not None:
                    for g in group:
                        if g.relation is None:
                            g.relation, g.anchor = shared.relation, shared.anchor
            prev_end = out[-1].end if out else 0
            made = [w for g in group if (w := self._window(sub, g, prev_end))]
            if rule is not None and len(made) > 1:
                made = [
                    replace(
                        w, joined=tuple(o for o in made if o is not w), join_rule=rule
                    )
                    for w in made
                ]
            out.extend(made)
        return out

    def _window(self, sub: str, q: _Quantity, prev_end: int) -> TimeWindow | None:
        rel = q.relation
        prep = q.prep
        cmp = q.cmp
        if prep in ("within", "in", "during", "throughout"):
            q.dur = None  # "diagnosed within 6 months" places an event
        if prep == "over" and q.frame is None:
            prep = None
            if cmp is None:
                cmp = Comparator(
                    pattern="over", bound="low", inclusive=False, position="pre"
                )
        if prep == "in" and q.frame is None and rel is None:
            return None
        placed = rel is not None and (
            cmp is not None or q.is_range or rel.direction is not None or q.anchor
        )
        kind: WindowType
        if q.dur is not None or (prep in ("for", "since") and rel is None):
            kind = "duration"
        elif prep is not None or q.frame is not None or placed:
            kind = "window"
        else:
            return None

        low = high = None
        low_inc = high_inc = None
        if q.low is not None and q.high is not None:
            if q.is_range:
                low, high, low_inc, high_inc = q.low, q.high, True, True
            elif cmp is not None and cmp.bound == "low":
                low, low_inc = q.low, cmp.inclusive
            elif cmp is not None:
                high, high_inc = q.high, cmp.inclusive
                if kind == "window":
                    low, low_inc = 0.0, True
            elif kind == "window":
                low, high, low_inc, high_inc = 0.0, q.high, True, True
            else:
                low, low_inc = q.low, True

        direction: Direction | None
        anchor = q.anchor
        if kind == "duration" and q.dur is not None and q.dur.anchor is not None:
            anchor = q.dur.anchor
            direction = q.dur.direction
        elif rel is not None and rel.direction is not None:
            direction = rel.direction
        elif q.frame is not None:
            direction = q.frame.direction
        elif q.dur is not None and q.dur.direction is not None:
            direction = q.dur.direction
        else:
            lo = max(prev_end, q.start - _FUTURE_REACH)
            future = self._future.search(sub, lo, q.start)
            direction = "after" if future is not None else "before"
        return TimeWindow(
            q.start,
            q.end,
            kind,
            low_days=low,
            high_days=high,
            low_inclusive=low_inc,
            high_inclusive=high_inc,
            direction=direction,
            anchor=anchor,
            text=sub[q.start : q.end],
            note=q.note,
        )

    def _ever_phrases(self, sub: str, taken: list[tuple[int, int]]) -> list[TimeWindow]:
        out: list[TimeWindow] = []
        spans = list(taken)
        for m in self._prior_anchor.finditer(sub):
            if _overlaps(m.start(), m.end(), spans):
                continue
            k = _which(m, "a", len(self._anchor_names))
            anchor = self._anchor_names[k] if k is not None else None
            out.append(_ever(m.start(), m.end(), sub, anchor))
            spans.append(m.span())
        for m in self._ever.finditer(sub):
            if not _overlaps(m.start(), m.end(), spans):
                out.append(_ever(m.start(), m.end(), sub, None))
                spans.append(m.span())
        return out


_CLAUSE_BREAK = re.compile(
    r";|\.\s|,\s*(?:or|and|but)\s|\bor\s+(?=(?:have|has|had|are|is|was|were|who)\b)",
    re.IGNORECASE,
)


def _clause_ids(sub: str) -> list[int]:
    """For each character of ``sub``, the index of the clause it belongs to."""
    ids = [0] * (len(sub) + 1)
    clause, pos = 0, 0
    for m in _CLAUSE_BREAK.finditer(sub):
        ids[pos : m.end()] = [clause] * (m.end() - pos)
        clause, pos = clause + 1, m.end()
    ids[pos:] = [clause] * (len(sub) + 1 - pos)
    return ids


def _bare(q: _Quantity) -> bool:
    return q.prep is None and q.frame is None and q.cmp is None and q.dur is None


def _ever(start: int, end: int, sub: str, anchor: str | None) -> TimeWindow:
    return TimeWindow(
        start, end, "ever", direction="before", anchor=anchor, text=sub[start:end]
    )


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _shift(w: TimeWindow, offset: int) -> TimeWindow:
    return replace(
        w,
        start=w.start + offset,
        end=w.end + offset,
        joined=tuple(_shift(j, offset) for j in w.joined),
    )


@lru_cache(maxsize=1)
def default_matcher() -> TemporalMatcher:
    """The matcher of the shipped ``rules/temporal.json`` (compiled once)."""
    return TemporalMatcher.from_data()


def find_windows(view: str, start: int = 0, end: int | None = None) -> list[TimeWindow]:
    """The time windows of one criterion.

    Args:
        view: The reading view of the text (same length as the text).
        start: Start offset of the criterion in ``view``.
        end: End offset of the criterion (``len(view)`` when ``None``).

    Returns:
        The windows, durations and ever-phrases in text order, with offsets
        into ``view``.
    """
    return default_matcher().find(view, start, end)
