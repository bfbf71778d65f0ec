"""Comparisons in criteria text: a comparator with its values, as bounds.

``"INR >= 1.5"`` is a lower bound of 1.5 (inclusive), ``"between 18 and 65
years"`` an inclusive range, ``"18 years or older"`` a lower bound read from a
postfix comparator, ``">= 18 and <= 65"`` a range made of two bounds,
``"~ 5"`` an approximate value, ``"within normal limits"`` a requirement
without numbers. The comparators are data (``rules/comparators.json``); values
come from :func:`eligo.normalise.quantities.find_quantities`.

Functions take a reading view (:func:`eligo.segment.view.reading_view`); its
offsets index the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import model_validator

from ..pipeline.resources import RuleModel, load_rule_object
from .quantities import Quantity, quantities_with_anchors
from .quantities import _patterns as quantity_patterns
from .units import PhraseMatcher, RelativeTo, convert, phrase_pattern, unit_table

COMPARATORS_FILE = "comparators.json"
Kind = Literal["bound", "range", "equal", "normal"]
Bound = Literal["low", "high", "equal"]
Position = Literal["prefix", "postfix"]


class ComparatorRule(RuleModel):
    """Written forms of one comparator meaning."""

    bound: Bound
    inclusive: bool
    position: Position
    approximate: bool = False
    forms: list[str]


class RangeOpener(RuleModel):
    """A word that opens a range (``between``) and the connectors it takes."""

    forms: list[str]
    connectors: list[str]


class ComparatorsFile(RuleModel):
    """``rules/comparators.json``."""

    description: str = ""
    comparators: list[ComparatorRule]
    range_connectors: list[str]
    range_openers: list[RangeOpener]
    range_opener_fillers: list[str]
    prefix_fillers: list[str]
    postfix_fillers: list[str]
    conjunctions: list[str]
    normal: list[str]

    @model_validator(mode="after")
    def _unambiguous(self) -> ComparatorsFile:
        seen: dict[tuple[str, str], ComparatorRule] = {}
        for rule in self.comparators:
            for form in rule.forms:
                if not form.strip():
                    raise ValueError("empty comparator form")
                key = (_key(form), rule.position)
                if key in seen and seen[key] != rule:
                    raise ValueError(f"{rule.position} form {form!r} has two meanings")
                seen[key] = rule
        return self


@dataclass(frozen=True)
class Comparison:
    """A comparison found in a text.

    Attributes:
        start: Offset of the evidence phrase (comparator, values and unit).
        end: Offset after it.
        low: The lower bound, or ``None``.
        low_inclusive: Whether ``low`` itself satisfies the criterion.
        high: The upper bound, or ``None``.
        high_inclusive: Whether ``high`` itself satisfies the criterion.
        unit: The UCUM code the bounds are in, or ``None``.
        relative_to: ``"ULN"``/``"LLN"`` when the bounds are multiples of it.
        quantities: The values read, in text order.
        comparator_text: The comparator as written (``"≥"``, ``"between … and"``).
        kind: ``"bound"`` (one side), ``"range"`` (two sides), ``"equal"`` (one
            value, possibly approximate) or ``"normal"`` (within normal limits).
        parts: The two bounds a range was joined from (``">= 18 and <= 65"``),
            each with its own offsets; empty otherwise.
    """

    start: int
    end: int
    low: float | None
    low_inclusive: bool | None
    high: float | None
    high_inclusive: bool | None
    unit: str | None
    relative_to: RelativeTo | None
    quantities: tuple[Quantity, ...]
    comparator_text: str
    kind: Kind
    parts: tuple[Comparison, ...] = ()


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    text: str
    prefix: ComparatorRule | None
    postfix: ComparatorRule | None


#: A value right after a comparator (fillers allowed).
_NUMBER_NEXT = re.compile(r"\s*(?:(?:the\s+)?ages?(?:\s+of)?\s+)?[\d.]")
#: The conjunction that opens a hit, and the space after it.
_WORD_AT = re.compile(r"\w+\s+")


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _alternation(forms: list[str]) -> str:
    return f"(?:{phrase_pattern(forms)})"


class ComparatorTable:
    """The compiled comparator rules.

    One pattern (``lexicon``) finds every phrase the comparison reader needs in
    a single pass: comparators, range openers, "normal" phrases, reference
    limits and time-unit words (where number words are read).
    """

    def __init__(self, data: ComparatorsFile) -> None:
        self.data = data
        self.prefix: dict[str, ComparatorRule] = {}
        self.postfix: dict[str, ComparatorRule] = {}
        forms: list[str] = []
        for rule in data.comparators:
            table = self.prefix if rule.position == "prefix" else self.postfix
            for form in rule.forms:
                table[_key(form)] = rule
                forms.append(form)
        self.openers: dict[str, int] = {}
        for i, opener in enumerate(data.range_openers):
            for form in opener.forms:
                self.openers[_key(form)] = i
                forms.append(form)
        self.normal = frozenset(_key(f) for f in data.normal)
        forms += data.normal
        units = unit_table()
        self.relative = units.relative_to
        forms += [rule for rule in self.relative]
        time_forms = quantity_patterns().time_forms
        self.time = frozenset(_key(f) for f in time_forms)
        forms += time_forms
        self.lexicon = PhraseMatcher(forms)
        flags = re.IGNORECASE
        self.opener_gap = re.compile(
            rf"\s*+(?:(?:{_alternation(data.range_opener_fillers)})\s*+)?", flags
        )
        self.connector = re.compile(
            rf"\s*+({_alternation(data.range_connectors)})\s*+", flags
        )
        self.opener_connectors = [
            re.compile(rf"\s*+({_alternation(o.connectors)})\s*+", flags)
            for o in data.range_openers
        ]
        self.prefix_gap = re.compile(
            rf"\s*+(?:(?:{_alternation(data.prefix_fillers)})\s*+)?", flags
        )
        self.postfix_gap = re.compile(
            rf"\s*+,?\s*+(?:(?:{_alternation(data.postfix_fillers)})\s*+,?\s*+)?", flags
        )
        self.conjunction = re.compile(
            rf"\s*+({_alternation(data.conjunctions)})\s*+", flags
        )


@lru_cache(maxsize=1)
def comparator_table() -> ComparatorTable:
    """The shipped comparator rules, validated and compiled once."""
    return ComparatorTable(load_rule_object(COMPARATORS_FILE, ComparatorsFile))


def load_comparator_table(data: Any) -> ComparatorTable:
    """Compile comparator rules from already-parsed JSON (e.g. a saved pipeline).

    Args:
        data: The content of a ``comparators.json``.

    Returns:
        The compiled rules.

    Raises:
        RuleError: The data does not validate.
    """
    return ComparatorTable(load_rule_object(COMPARATORS_FILE, ComparatorsFile, data))


def _common(
    a: Quantity | Comparison, b: Quantity | Comparison
) -> tuple[str | None, RelativeTo | None, float] | None:
    """The unit and reference two values share, and a's factor into it.

    A value without unit or reference takes the other's (``"18-65 years"``);
    two units of one dimension meet in b's unit; anything else does not mix.
    """
    a_bare = a.unit is None and a.relative_to is None
    b_bare = b.unit is None and b.relative_to is None
    if a_bare:
        return b.unit, b.relative_to, 1.0
    if b_bare or (a.unit == b.unit and a.relative_to == b.relative_to):
        return a.unit, a.relative_to, 1.0
    if a.unit is not None and b.unit is not None and a.relative_to == b.relative_to:
        one = convert(1.0, a.unit, b.unit)
        zero = convert(0.0, a.unit, b.unit)
        if one is not None and zero == 0.0:
            return b.unit, b.relative_to, one
    return None


def _range(
    q1: Quantity, q2: Quantity, start: int, end: int, text: str
) -> Comparison | None:
    common = _common(q1, q2)
    if common is None:
        return None
    unit, rel, factor = common
    low = q1.value * factor
    if low > q2.value:
        return None
    return Comparison(
        start, end, low, True, q2.value, True, unit, rel, (q1, q2), text, "range"
    )


def _bound(
    rule: ComparatorRule, q: Quantity, start: int, end: int, text: str
) -> Comparison:
    if rule.bound == "equal":
        return Comparison(
            start, end, q.value, True, q.value, True, q.unit, q.relative_to,
            (q,), text, "equal",
        )  # fmt: skip
    if rule.bound == "low":
        return Comparison(
            start, end, q.value, rule.inclusive, None, None, q.unit, q.relative_to,
            (q,), text, "bound",
        )  # fmt: skip
    return Comparison(
        start, end, None, None, q.value, rule.inclusive, q.unit, q.relative_to,
        (q,), text, "bound",
    )  # fmt: skip


def _merge(a: Comparison, b: Comparison, joiner: str) -> Comparison | None:
    """``">= 18 and <= 65"``: a lower and an upper bound make a range."""
    if a.kind != "bound" or b.kind != "bound":
        return None
    if (a.low is None) == (b.low is None):
        return None
    common = _common(a, b)
    if common is None:
        return None
    unit, rel, factor = common
    lo, hi = (a, b) if a.low is not None else (b, a)
    lo_factor = factor if lo is a else 1.0
    hi_factor = factor if hi is a else 1.0
    assert lo.low is not None and hi.high is not None
    low, high = lo.low * lo_factor, hi.high * hi_factor
    if low > high:
        return None
    text = " ".join(t for t in (a.comparator_text, joiner, b.comparator_text) if t)
    return Comparison(
        a.start, b.end, low, lo.low_inclusive, high, hi.high_inclusive, unit, rel,
        a.quantities + b.quantities, text, "range", (a, b),
    )  # fmt: skip


def find_comparisons(
    view: str, start: int = 0, end: int | None = None, *, cache: bool = True
) -> list[Comparison]:
    """Every comparison in a span of a text.

    Args:
        view: A reading view of the text.
        start: Where to start looking.
        end: Where to stop (the end of ``view`` when ``None``).
        cache: Keep the result (off for a one-off copy of a view, which the
            cache would otherwise hold on to).

    Returns:
        The comparisons in text order, none overlapping.

    Ages, windows, thresholds and model values all read a criterion's
    comparisons: the result for the last few thousand spans is kept (the
    same view object, so a hit costs a hash lookup).
    """
    stop = len(view) if end is None else min(end, len(view))
    read = _comparisons if cache else _comparisons.__wrapped__
    return list(read(view, start, stop))


@lru_cache(maxsize=4096)
def _comparisons(view: str, start: int, stop: int) -> tuple[Comparison, ...]:
    table = comparator_table()
    hits: list[_Hit] = []
    openers: list[tuple[int, int, str]] = []
    normals: list[tuple[int, int, str]] = []
    anchors: list[tuple[int, bool]] = []
    taken = start
    for first, last in table.lexicon.finditer(view, start, stop):
        if first < taken:
            continue  # inside a prefix re-read below ("and [less or equal]")
        text = view[first:last]
        key = _key(text)
        pre = table.prefix.get(key)
        post = table.postfix.get(key)
        # "6 months and under 21 years", "3 months and less than 4 years": a
        # conjunction and a prefix comparator, not the postfix "and under"/"and
        # less".
        if pre is None and post is not None and key.partition(" ")[0] in ("and", "or"):
            again = _prefix_after_conjunction(view, first, stop, table)
            if again is not None:
                first, last, pre = again
                text, post = view[first:last], None
        taken = last
        if pre is not None or post is not None:
            hits.append(_Hit(first, last, text, pre, post))
        elif key in table.openers:
            openers.append((first, last, text))
        elif key in table.normal:
            normals.append((first, last, text))
        elif key in table.relative:
            anchors.append((first, False))
        elif key in table.time:
            anchors.append((first, True))
    qs = quantities_with_anchors(view, start, stop, anchors)
    used_hits: set[int] = set()
    used_qs: set[int] = set()
    out: list[Comparison] = []
    if len(qs) > 1:
        out += _ranges(view, qs, openers, table, used_qs)
    hit_ends = [h.end for h in hits]
    hit_starts = [h.start for h in hits]
    for i, q in enumerate(qs):
        if i in used_qs:
            continue
        pre_k = _prefix_for(view, q.start, hits, hit_ends, used_hits, table)
        post_k = _postfix_for(view, q.end, hits, hit_starts, used_hits, table)
        if pre_k is not None:
            hit = hits[pre_k]
            assert hit.prefix is not None
            used_hits.add(pre_k)
            q_end = q.end
            if post_k is not None:
                rule = hits[post_k].postfix
                if rule is not None and rule.bound == hit.prefix.bound:
                    used_hits.add(post_k)
                    q_end = hits[post_k].end
            out.append(_bound(hit.prefix, q, hit.start, q_end, hit.text))
        elif post_k is not None:
            hit = hits[post_k]
            assert hit.postfix is not None
            used_hits.add(post_k)
            out.append(_bound(hit.postfix, q, q.start, hit.end, hit.text))
        else:
            continue
        used_qs.add(i)
    if len(used_hits) < len(hits):
        out += _bare_relatives(view, stop, hits, used_hits, qs)
    out.sort(key=lambda c: c.start)
    out = _merge_bounds(view, out, table)
    if normals:
        out += _normals(normals, out, qs)
        out.sort(key=lambda c: c.start)
    return tuple(out)


def _prefix_after_conjunction(
    view: str, first: int, stop: int, table: ComparatorTable
) -> tuple[int, int, ComparatorRule] | None:
    """The prefix comparator after the "and"/"or" that opens a postfix hit.

    "and less than 4": the lexicon's leftmost-longest hit is the postfix "and
    less"; read again from after the conjunction, it is the prefix "less than"
    (the longest form there), and a number follows it.
    """
    head = _WORD_AT.match(view, first)
    if head is None:
        return None
    rest = head.end()
    for s, e in table.lexicon.finditer(view, rest, stop):
        rule = table.prefix.get(_key(view[s:e])) if s == rest else None
        if rule is None or not _NUMBER_NEXT.match(view, e):
            return None
        return s, e, rule
    return None


def _ranges(
    view: str,
    qs: list[Quantity],
    openers: list[tuple[int, int, str]],
    table: ComparatorTable,
    used_qs: set[int],
) -> list[Comparison]:
    out: list[Comparison] = []
    opener_ends = [e for _, e, _ in openers]
    i = 0
    while i < len(qs) - 1:
        q1, q2 = qs[i], qs[i + 1]
        opener = None
        k = bisect_right(opener_ends, q1.start) - 1
        if k >= 0 and table.opener_gap.fullmatch(view, openers[k][1], q1.start):
            opener = openers[k]
        conn = None
        if opener is not None:
            rule = table.openers[_key(opener[2])]
            conn = table.opener_connectors[rule].fullmatch(view, q1.end, q2.start)
        if conn is None:
            opener = None
            conn = table.connector.fullmatch(view, q1.end, q2.start)
        if conn is not None:
            begin = opener[0] if opener is not None else q1.start
            text = conn.group(1)
            if opener is not None:
                text = f"{opener[2]} … {text}"
            r = _range(q1, q2, begin, q2.end, text)
            if r is not None:
                out.append(r)
                used_qs.update((i, i + 1))
                i += 2
                continue
        i += 1
    return out


def _prefix_for(
    view: str,
    pos: int,
    hits: list[_Hit],
    hit_ends: list[int],
    used: set[int],
    table: ComparatorTable,
) -> int | None:
    """The prefix comparator right before ``pos`` (fillers allowed)."""
    k = bisect_right(hit_ends, pos) - 1
    while k >= 0 and hits[k].prefix is None and pos - hits[k].end < 60:
        k -= 1
    if k < 0 or k in used or hits[k].prefix is None:
        return None
    if table.prefix_gap.fullmatch(view, hits[k].end, pos) is None:
        return None
    return k


def _postfix_for(
    view: str,
    pos: int,
    hits: list[_Hit],
    hit_starts: list[int],
    used: set[int],
    table: ComparatorTable,
) -> int | None:
    """The postfix comparator right after ``pos`` (fillers allowed)."""
    k = bisect_left(hit_starts, pos)
    while k < len(hits) and hits[k].postfix is None and hits[k].start - pos < 60:
        k += 1
    if k >= len(hits) or k in used or hits[k].postfix is None:
        return None
    if table.postfix_gap.fullmatch(view, pos, hits[k].start) is None:
        return None
    return k


def _bare_relatives(
    view: str, stop: int, hits: list[_Hit], used: set[int], qs: list[Quantity]
) -> list[Comparison]:
    """``"≤ ULN"``: a prefix comparator before a limit without a multiple."""
    out: list[Comparison] = []
    units = unit_table()
    starts = {q.start for q in qs}
    for k, hit in enumerate(hits):
        if k in used or hit.prefix is None:
            continue
        rel = units.relative(view, hit.end, stop, multiplier=False)
        if rel is None or rel.start in starts:
            continue
        q = Quantity(
            rel.start, rel.end, 1.0, None, None, None, rel.relative_to, rel.text
        )
        used.add(k)
        out.append(_bound(hit.prefix, q, hit.start, rel.end, hit.text))
    return out


def _merge_bounds(
    view: str, comps: list[Comparison], table: ComparatorTable
) -> list[Comparison]:
    out: list[Comparison] = []
    i = 0
    while i < len(comps):
        a = comps[i]
        if i + 1 < len(comps):
            b = comps[i + 1]
            m = (
                table.conjunction.fullmatch(view, a.end, b.start)
                if a.end <= b.start
                else None
            )
            if m is not None:
                merged = _merge(a, b, m.group(1))
            elif a.end <= b.start and not view[a.end : b.start].strip():
                merged = _merge(a, b, "")  # ">18 <28": two bounds side by side
            else:
                merged = None
            if merged is not None:
                out.append(merged)
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _normals(
    normals: list[tuple[int, int, str]],
    comps: list[Comparison],
    qs: list[Quantity],
) -> list[Comparison]:
    """``"within normal limits"``: a requirement without numbers."""
    taken = sorted([(c.start, c.end) for c in comps] + [(q.start, q.end) for q in qs])
    ends = [e for _, e in taken]
    out: list[Comparison] = []
    for start, end, text in normals:
        k = bisect_right(ends, start)
        if k < len(taken) and taken[k][0] < end:
            continue
        out.append(
            Comparison(
                start, end, None, None, None, None, None, None, (), text, "normal"
            )
        )
    return out
