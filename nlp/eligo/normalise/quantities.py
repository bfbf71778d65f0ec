"""Values with their units in criteria text: ``1,500/mm3``, ``2.5 × ULN``.

A quantity is a number (digits, or a number word before a time unit or a
reference limit: ``"three months"``, ``"twice the ULN"``), optionally followed
by a unit from ``rules/units.json`` or by a multiple of a reference limit.
Scale factors stay in the unit, never in the value: ``"50×10^9/L"`` is 50 in
``10*9/L``. Digits inside words and codes (``HbA1c``, ``COVID-19``, ``IL-6``,
``NCT01234567``), exponents (``10^9``), dates, times and slash-joined numbers
(``1/3``, ``12/2019``, ``160/100``) are not values, except a score out of
its scale's maximum: ``"4/10"`` is 4 in ``/10``.

Functions take a reading view (:func:`eligo.segment.view.reading_view`); its
offsets index the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .numbers import NUMBER_PATTERN, number_word_pattern, parse_number
from .units import PhraseMatcher, RelativeTo, UnitMatch, unit_table

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
#: Characters that, right before a number, make it part of a code or exponent.
_GLUED_BEFORE = "._^*/\\" + _SUPERSCRIPTS
#: Characters that, after a number and before a digit, make it a date,
#: a time, a fraction, a version or an exponent.
_JOINED_AFTER = "/:.*"
#: A score out of the maximum of its scale: "4/10", "40/100".
_OUT_OF = re.compile(r"/(10|100)(?![\w.,^*/:-])")


@dataclass(frozen=True)
class Quantity:
    """A value found in a text, with its unit or reference limit.

    Attributes:
        start: Offset of the first character.
        end: Offset after the last character (the unit's or the limit's).
        value: The value; a multiple of the limit when ``relative_to`` is set.
        unit: The UCUM code of the unit, or ``None``.
        unit_start: Offset of the unit as written, or ``None``.
        unit_end: Offset after the unit, or ``None``.
        relative_to: ``"ULN"`` or ``"LLN"`` for ``"2.5 × ULN"``, else ``None``.
        text: ``view[start:end]``.
    """

    start: int
    end: int
    value: float
    unit: str | None
    unit_start: int | None
    unit_end: int | None
    relative_to: RelativeTo | None
    text: str


class _Patterns:
    """Patterns compiled once from the number and unit tables."""

    def __init__(self) -> None:
        table = unit_table()
        self.number = re.compile(NUMBER_PATTERN)
        self.date = re.compile(
            r"(?:\d{4}(?P<a>[-/.])\d{1,2}(?P=a)\d{1,2}"
            r"|\d{1,2}(?P<b>[-/.])\d{1,2}(?P=b)\d{2,4})(?!\w|\.\d)"
        )
        self.caret_after = re.compile(r" *\^")
        self.time_forms = frozenset(
            form
            for unit in table.data.units
            if unit.dimension == "time"
            for form in (*unit.forms, *unit.exact_forms)
            if form.isalpha() and len(form) > 1
        )
        # A time unit written as a word, or a reference limit: where a number
        # word may come before.
        self.time_keys = frozenset(f.lower() for f in self.time_forms)
        self.word_anchor = PhraseMatcher([*self.time_forms, *table.relative_to])
        words = number_word_pattern()
        self.word_before_relative = re.compile(
            rf"(?<![\w-])(?P<w>{words})[ -]*(?:(?:{table.multiplier}) *)?"
            rf"{table.relative_lead}$",
            re.IGNORECASE,
        )


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    return _Patterns()


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``[start, end)`` overlaps one of the sorted, disjoint ``spans``."""
    k = bisect_right(spans, (start, len(spans) and spans[-1][1] + 1)) - 1
    for j in (k, k + 1):
        if 0 <= j < len(spans) and spans[j][0] < end and start < spans[j][1]:
            return True
    return False


def _prev_nonspace(view: str, pos: int, floor: int) -> str:
    i = pos - 1
    while i >= floor and view[i] in " \t":
        i -= 1
    return view[i] if i >= floor else ""


def _word_before(view: str, pos: int, floor: int) -> tuple[int, float] | None:
    """A number word ending just before ``pos`` (spaces or a hyphen between).

    Returns:
        Where the word starts and its value (the longest of up to three words
        that reads as a number: ``"twenty one"``, ``"half a"``), or ``None``.
    """
    j = pos
    while j > floor and view[j - 1] in " -":
        j -= 1
    if j == pos:
        return None
    word_end = j
    best: tuple[int, float] | None = None
    for _ in range(3):
        k = j
        while k > floor and view[k - 1].isalpha():
            k -= 1
        if k == j or (k > floor and (view[k - 1].isalnum() or view[k - 1] == "_")):
            break
        value = parse_number(view[k:word_end])
        if value is not None:
            best = (k, value)
        j = k
        while j > floor and view[j - 1] in " -":
            j -= 1
        if j == k:
            break
    return best


def _read_digits(view: str, m: re.Match[str], start: int, end: int) -> Quantity | None:
    """A quantity from one number match, or ``None`` if it is no value."""
    table = unit_table()
    num_start, num_end = m.span()
    first = num_start
    prev = view[first - 1] if first > start else ""
    if prev in "-−" and prev:
        before = view[first - 2] if first - 1 > start else ""
        if before.isalpha() or (before and before in "_."):
            return None  # IL-6, COVID-19: a code, not a negative number
        if not before.isdigit() and _prev_nonspace(view, first - 1, start) not in (
            tuple("0123456789%)")
        ):
            first -= 1  # a minus sign: "< -2"; "18-65", "18 -65" are ranges
    elif prev.isalnum() or (prev and prev in _GLUED_BEFORE):
        return None
    elif prev == ":" and first - 1 > start and view[first - 2].isalnum():
        return None  # 10:30 (a time), ratio 1:100
    nxt = view[num_end] if num_end < end else ""
    after = view[num_end + 1] if num_end + 1 < end else ""
    if nxt and nxt in "^" + _SUPERSCRIPTS:
        return None  # 10^9: an exponent's base
    if nxt == "/" and after.isdigit():
        scale = _OUT_OF.match(view, num_end, end)
        value = parse_number(m.group())
        if scale is None or value is None or value > float(scale.group(1)):
            return None  # 1/3, 12/2019, 160/100: a fraction, date or pair
        value = -value if first < num_start else value
        return Quantity(
            first, scale.end(), value, scale.group(), num_end, scale.end(), None,
            view[first : scale.end()],
        )  # fmt: skip
    if nxt and nxt in _JOINED_AFTER and after.isdigit():
        return None  # 10:30, 1.2.3, 10*9
    if nxt == " " and _patterns().caret_after.match(view, num_end, end):
        return None  # 10 ^9 (an escaped caret)
    if nxt == "," and after.isdigit() and "," in m.group():
        return None  # "1,2,3": a list, not 1.2
    value = parse_number(m.group())
    if value is None:
        return None
    if first < num_start:
        value = -value
    rel = table.relative(view, num_end, end, multiplier=True)
    if rel is not None:
        return Quantity(
            first,
            rel.end,
            value,
            None,
            None,
            None,
            rel.relative_to,
            view[first : rel.end],
        )
    unit: UnitMatch | None = table.find(view, num_end, end, value)
    if unit is None and nxt in "-‐" and after.isalpha():
        unit = table.find(view, num_end + 1, end, value)
        if unit is None or unit.start != num_end + 1 or not unit.text[0].isalpha():
            return None  # 5-FU, 12-lead
    if unit is None and nxt == ")" and _prev_nonspace(view, first, start) == "(":
        unit = table.find(view, num_end + 1, end, value)
        if unit is not None:
            first = _paren_start(view, first, start, value)
    if unit is not None:
        return Quantity(
            first,
            unit.end,
            value,
            unit.ucum,
            unit.start,
            unit.end,
            None,
            view[first : unit.end],
        )
    if nxt.isalpha() and nxt not in "xX×":
        return None  # 2nd, 3D
    return Quantity(first, num_end, value, None, None, None, None, view[first:num_end])


def _paren_start(view: str, first: int, start: int, value: float) -> int:
    """Where ``"eighteen (18) years"`` starts: the word, else the parenthesis."""
    paren = view.rindex("(", start, first)
    word = _word_before(view, paren, start)
    if word is None and paren > start and view[paren - 1] == " ":
        word = _word_before(view, paren - 1, start)
    if word is not None and word[1] == value:
        return word[0]
    return paren


def _read_words(
    view: str,
    start: int,
    end: int,
    anchors: Iterable[tuple[int, bool]],
    taken: list[tuple[int, int]],
) -> list[Quantity]:
    """Number words before a time unit or a reference limit.

    Args:
        view: The reading view.
        start: Where the span starts.
        end: Where it ends.
        anchors: ``(offset, is_time_unit)`` of each time-unit word and each
            reference-limit name, in text order.
        taken: Sorted spans of the quantities already read.
    """
    table = unit_table()
    pats = _patterns()
    out: list[Quantity] = []
    for pos, is_time in anchors:
        if _overlaps(pos, pos + 1, taken):
            continue
        if is_time:
            word = _word_before(view, pos, start)
            if word is None:
                continue
            first, value = word
            unit = table.find(view, pos, end, value)
            if unit is None or unit.start != pos:
                continue
            out.append(
                Quantity(
                    first,
                    unit.end,
                    value,
                    unit.ucum,
                    unit.start,
                    unit.end,
                    None,
                    view[first : unit.end],
                )
            )
        else:
            w = pats.word_before_relative.search(view, max(start, pos - 60), pos)
            if w is None:
                continue
            times = parse_number(w.group("w"))
            rel = table.relative(view, w.end("w"), end, multiplier=True)
            if times is None or rel is None:
                continue
            out.append(
                Quantity(
                    w.start(),
                    rel.end,
                    times,
                    None,
                    None,
                    None,
                    rel.relative_to,
                    view[w.start() : rel.end],
                )
            )
    return out


def find_quantities(
    view: str, start: int = 0, end: int | None = None
) -> list[Quantity]:
    """Every value (with its unit or reference limit) in a span of a text.

    Args:
        view: A reading view of the text.
        start: Where to start looking.
        end: Where to stop (the end of ``view`` when ``None``).

    Returns:
        The quantities in text order, none overlapping.
    """
    stop = len(view) if end is None else min(end, len(view))
    pats = _patterns()
    anchors = [
        (first, view[first:last].lower() in pats.time_keys)
        for first, last in pats.word_anchor.finditer(view, start, stop)
    ]
    return quantities_with_anchors(view, start, stop, anchors)


def quantities_with_anchors(
    view: str, start: int, stop: int, anchors: Iterable[tuple[int, bool]]
) -> list[Quantity]:
    """:func:`find_quantities` with the number-word anchors already found.

    A caller that scans the text for words anyway (comparators, limits, time
    units) passes what it found instead of scanning twice.

    Args:
        view: A reading view of the text.
        start: Where to start looking.
        stop: Where to stop.
        anchors: ``(offset, is_time_unit)`` of each time-unit word and each
            reference-limit name in ``[start, stop)``, in text order.

    Returns:
        The quantities in text order, none overlapping.
    """
    pats = _patterns()
    found: list[Quantity] = []
    cursor = start
    for m in pats.number.finditer(view, start, stop):
        if m.start() < cursor:
            continue
        date = pats.date.match(view, m.start(), stop)
        if date is not None:
            cursor = date.end()
            continue
        q = _read_digits(view, m, start, stop)
        if q is not None:
            found.append(q)
            cursor = q.end
    spans = [(q.start, q.end) for q in found]
    words = _read_words(view, start, stop, anchors, spans)
    if words:
        for q in words:
            if not _overlaps(q.start, q.end, spans):
                found.append(q)
                insort(spans, (q.start, q.end))
        found.sort(key=lambda q: q.start)
    return found
