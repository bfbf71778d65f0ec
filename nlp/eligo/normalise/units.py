"""Units as written in criteria, mapped to UCUM codes and converted generically.

The table is data (``rules/units.json``): every unit has a UCUM code
(`UCUM <https://ucum.org/ucum>`_, the Unified Code for Units of Measure), a
dimension, and a factor (plus, for temperatures, an offset) to the dimension's
base unit, so ``mg/dL -> g/L``, ``/mm3 -> 10*9/L`` or ``wk -> d`` need no
per-pair code. Units of different dimensions are never converted: mg/dL is not
turned into mmol/L without a molar mass, nor % into mmol/mol for HbA1c.

:func:`find_unit` reads the unit written at an offset of a reading view (see
:mod:`eligo.segment.view`), :func:`find_relative` a multiple of a reference
limit (``× ULN``), :func:`convert` converts a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import model_validator

from ..errors import RuleError
from ..pipeline.resources import RuleModel, load_rule_object

UNITS_FILE = "units.json"
RelativeTo = Literal["ULN", "LLN"]

#: A "per" between a unit and a denominator the table has no form for.
_PER = re.compile(r" *(?:/|per +) *")
#: Dimensions a denominator may have ("mm/h", "g/kg", "mL/kg/min").
_DENOMINATORS = frozenset({"time", "mass", "length", "area", "volume"})
# Characters a form may contain that match more loosely than themselves.
_MICRO = "µμ"
_WORD_END = r"(?![^\W_])"
_WORD_START = r"(?<![^\W_])"


class Dimension(RuleModel):
    """A physical dimension and the unit its factors convert to."""

    base: str
    description: str = ""


class Unit(RuleModel):
    """One unit: its UCUM code, dimension, factor and written forms.

    A value ``v`` in this unit is ``(v + offset) * factor`` in the base unit of
    its dimension.
    """

    ucum: str
    dimension: str
    factor: float
    offset: float = 0.0
    forms: tuple[str, ...] = ()
    exact_forms: tuple[str, ...] = ()
    times_forms: tuple[str, ...] = ()
    times_prefix: bool = False
    context_forms: tuple[str, ...] = ()
    value_range: tuple[float, float] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Unit:
        if self.factor <= 0:
            raise ValueError(f"{self.ucum}: factor must be positive")
        if bool(self.context_forms) != (self.value_range is not None):
            raise ValueError(f"{self.ucum}: context_forms need a value_range")
        if self.times_forms and not self.times_prefix:
            raise ValueError(f"{self.ucum}: times_forms need times_prefix")
        for form in (*self.forms, *self.exact_forms, *self.times_forms):
            if not form.strip() or form != form.strip():
                raise ValueError(f"{self.ucum}: empty or padded form {form!r}")
        return self


class RelativeRule(RuleModel):
    """Written forms of a reference limit that a value can be a multiple of."""

    relative_to: RelativeTo
    forms: list[str]


class UnitsFile(RuleModel):
    """``rules/units.json``."""

    description: str = ""
    dimensions: dict[str, Dimension]
    times_signs: list[str]
    multipliers: list[str]
    relative_qualifiers: list[str]
    relative: list[RelativeRule]
    units: list[Unit]

    @model_validator(mode="after")
    def _consistent(self) -> UnitsFile:
        seen: dict[str, Unit] = {}
        for unit in self.units:
            if unit.ucum in seen:
                raise ValueError(f"unit {unit.ucum!r} is listed twice")
            if unit.dimension not in self.dimensions:
                raise ValueError(f"{unit.ucum}: unknown dimension {unit.dimension!r}")
            seen[unit.ucum] = unit
        for name, dim in self.dimensions.items():
            base = seen.get(dim.base)
            if base is None or base.dimension != name:
                raise ValueError(f"dimension {name}: base {dim.base!r} is not its unit")
            if base.factor != 1 or base.offset != 0:
                raise ValueError(f"dimension {name}: base {dim.base!r} needs factor 1")
        for sign in self.times_signs:
            if len(sign) != 1:
                raise ValueError(f"times sign {sign!r} is not one character")
        return self


@dataclass(frozen=True)
class UnitMatch:
    """A unit found in a text.

    Attributes:
        start: Offset of the unit's first character (a multiplication sign
            that introduces a scale, as in ``×10^9/L``, included).
        end: Offset after the unit.
        ucum: The UCUM code.
        dimension: The unit's dimension.
        text: The unit as written.
    """

    start: int
    end: int
    ucum: str
    dimension: str
    text: str


@dataclass(frozen=True)
class RelativeMatch:
    """A reference limit (``ULN``/``LLN``) found after a value.

    Attributes:
        start: Offset of the first character (a multiplier such as ``×``
            included).
        end: Offset after the phrase (a trailing ``(ULN)`` included).
        relative_to: ``"ULN"`` or ``"LLN"``.
        text: The phrase as written.
    """

    start: int
    end: int
    relative_to: RelativeTo
    text: str


def _key(text: str) -> str:
    """The lookup key of a written unit: no spaces, micro signs read as ``u``."""
    return "".join(text.split()).replace("μ", "u").replace("µ", "u")


def _form_regex(form: str) -> str:
    """A regular expression for one written form (spaces optional)."""
    out: list[str] = []
    for ch in form:
        if ch == " ":
            out.append(" *")
        elif ch in "/^":
            out.append(rf" *{re.escape(ch)} *")
        elif ch in _MICRO:
            out.append(f"[{_MICRO}u]")
        else:
            out.append(re.escape(ch))
    body = "".join(out)
    if form[-1].isalnum():
        body += _WORD_END
    return body


def _phrase_regex(form: str) -> str:
    """A regular expression for a word phrase (any run of spaces between words)."""
    body = r"\s+".join(re.escape(w) for w in form.split())
    if form[0].isalnum():
        body = _WORD_START + body
    if form[-1].isalnum():
        body += _WORD_END
    return body


def phrase_pattern(forms: Iterable[str], *, word_start: bool = True) -> str:
    """One regular expression matching any of ``forms``, longest first.

    Words match whole (a form starting or ending with a letter or digit does
    not match inside a word) and any run of white space matches a space. The
    forms are lower-cased and folded into a trie whose branches start with
    plain literals, so the regex engine skips positions that cannot start a
    form: far faster than a flat alternation of hundreds of phrases. Match it
    against lower-cased text (:class:`PhraseMatcher` does) or compile it with
    ``re.IGNORECASE``.

    Args:
        forms: The phrases.
        word_start: Check that a form starting with a letter or digit starts
            a word (off where the caller has checked what comes before).

    Returns:
        The pattern (without groups).
    """
    root: dict[str, Any] = {}
    word_first: set[str] = set()
    for form in forms:
        words = form.lower().split()
        if not words:
            continue
        node = root
        for i, word in enumerate(words):
            if i:
                node = node.setdefault(r"\s+", {})
            for ch in word:
                if node is root and ch.isalnum() and word_start:
                    word_first.add(re.escape(ch))
                node = node.setdefault(re.escape(ch), {})
        node[""] = words[-1][-1].isalnum()
    # The start-of-word check comes after the first character, so that the
    # pattern starts with literals the regex engine can scan for.
    alts = [
        atom + (r"(?<![^\W_].)" if atom in word_first else "") + _emit(child)
        for atom, child in root.items()
    ]
    return "|".join(alts) if alts else "(?!)"


class PhraseMatcher:
    """Finds any of many phrases in a text, ignoring case, in one fast pass."""

    def __init__(self, forms: Iterable[str]) -> None:
        pattern = phrase_pattern(forms)
        self._lower = re.compile(pattern)
        self._fold = re.compile(pattern, re.IGNORECASE)

    def finditer(self, view: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
        """Yield ``(start, end)`` of each phrase in ``view[start:stop]``.

        Leftmost-longest, not overlapping.
        """
        lo = max(0, start - 1)  # one character of context for the word check
        chunk = view[lo:stop].lower()
        if len(chunk) == stop - lo:
            for m in self._lower.finditer(chunk, start - lo):
                yield m.start() + lo, m.end() + lo
        else:  # lower-casing changed the length (e.g. "İ"): match folded
            for m in self._fold.finditer(view, start, stop):
                yield m.span()


def _emit(node: dict[str, Any]) -> str:
    end = node.get("")
    alts = [atom + _emit(child) for atom, child in node.items() if atom]
    tail = "" if end is None else (_WORD_END if end else "")
    if not alts:
        return tail
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if end is None:
        return body
    return f"(?:{body}|{tail})"


def _alternation(forms: list[tuple[str, bool]]) -> str:
    """Alternatives for ``(form, case_sensitive)`` pairs, longest form first."""
    ordered = sorted(set(forms), key=lambda f: (-len(f[0]), f[0]))
    return "|".join(
        _form_regex(form) if exact else f"(?i:{_form_regex(form)})"
        for form, exact in ordered
    )


class UnitTable:
    """The compiled unit table: lookups and precompiled patterns."""

    def __init__(self, data: UnitsFile) -> None:
        self.data = data
        self.units: dict[str, Unit] = {u.ucum: u for u in data.units}
        self._exact: dict[str, Unit] = {}
        self._folded: dict[str, Unit] = {}
        self._times: dict[str, Unit] = {}
        self._context: dict[str, Unit] = {}
        plain: list[tuple[str, bool]] = []
        scaled: list[tuple[str, bool]] = []
        context: list[tuple[str, bool]] = []
        for unit in data.units:
            for form in unit.forms:
                self._add(self._folded, _key(form).lower(), unit)
                plain.append((form, False))
            for form in unit.exact_forms:
                self._add(self._exact, _key(form), unit)
                plain.append((form, True))
            for form in unit.times_forms:
                self._add(self._times, _key(form).lower(), unit)
                scaled.append((form, False))
            if unit.times_prefix:
                scaled += [(f, False) for f in unit.forms]
                scaled += [(f, True) for f in unit.exact_forms]
            for form in unit.context_forms:
                self._add(self._context, _key(form), unit)
                context.append((form, True))
        signs = "".join(re.escape(s) for s in data.times_signs)
        self.times_class = f"[{signs}]"
        self._unit_re = re.compile(
            rf" *+(?:(?P<times>{self.times_class}) *+(?P<scaled>{_alternation(scaled)})"
            rf"|(?P<plain>{_alternation(plain)}))"
        )
        self._context_re = (
            re.compile(rf" *+(?P<plain>{_alternation(context)})") if context else None
        )
        starts: set[str] = set(data.times_signs)
        for form, _ in plain:
            head = _MICRO + "u" if form[0] in _MICRO else form[0]
            starts.update(head + head.lower() + head.upper())
        self.unit_starts = frozenset(starts)
        self.relative_to: dict[str, RelativeTo] = {}
        cores: list[str] = []
        for rule in data.relative:
            for form in rule.forms:
                self._add_relative(" ".join(form.lower().split()), rule.relative_to)
                cores.append(form)
        core_alt = phrase_pattern(cores)
        glued_core_alt = phrase_pattern(cores, word_start=False)
        mult_alt = "|".join(
            re.escape(m) for m in sorted(set(data.multipliers), key=len, reverse=True)
        )
        qual_alt = "|".join(
            _phrase_regex(q)
            for q in sorted(set(data.relative_qualifiers), key=len, reverse=True)
        )
        self.multiplier = mult_alt
        self.relative_lead = (
            rf"(?:(?:the|an?)\s++)?(?:(?:{qual_alt})(?:['’]s)?\s++)*"
            if qual_alt
            else r"(?:(?:the|an?)\s++)?"
        )
        self.relative_core = core_alt
        tail = rf"(?: *+\( *+(?:{core_alt}) *+\))?"
        self._relative_mult_re = re.compile(
            rf" *+(?:(?P<mult>(?:{mult_alt}) *+){self.relative_lead}"
            rf"(?P<glued>{glued_core_alt})|{self.relative_lead}(?P<core>{core_alt})){tail}",
            re.IGNORECASE,
        )
        self._relative_bare_re = re.compile(
            rf"\s*+{self.relative_lead}(?P<core>{core_alt}){tail}", re.IGNORECASE
        )
        self.relative_cores = PhraseMatcher(cores)

    @staticmethod
    def _add(table: dict[str, Unit], key: str, unit: Unit) -> None:
        other = table.get(key)
        if other is not None and other.ucum != unit.ucum:
            raise RuleError(
                f"rules/{UNITS_FILE}: form {key!r} is both {other.ucum} and {unit.ucum}"
            )
        table[key] = unit

    def _add_relative(self, key: str, relative_to: RelativeTo) -> None:
        other = self.relative_to.get(key)
        if other is not None and other != relative_to:
            raise RuleError(f"rules/{UNITS_FILE}: {key!r} is both {other} and LLN/ULN")
        self.relative_to[key] = relative_to

    def find(
        self, view: str, start: int, end: int, value: float | None
    ) -> UnitMatch | None:
        """See :func:`find_unit`."""
        i = start
        while i < end and view[i] == " ":
            i += 1
        if i >= end:
            return None
        if view[i] in self.unit_starts:
            m = self._unit_re.match(view, start, end)
            if m is not None:
                if m.group("times") is not None:
                    text = m.group("scaled")
                    lower = _key(text).lower()
                    unit = (
                        self._exact.get(_key(text))
                        or self._folded.get(lower)
                        or self._times.get(lower)
                    )
                    first = m.start("times")
                else:
                    text = m.group("plain")
                    unit = self._exact.get(_key(text)) or self._folded.get(
                        _key(text).lower()
                    )
                    first = m.start("plain")
                if unit is not None:
                    return self._per(
                        view,
                        end,
                        UnitMatch(
                            first,
                            m.end(),
                            unit.ucum,
                            unit.dimension,
                            view[first : m.end()],
                        ),
                    )
        if value is not None and self._context_re is not None:
            m = self._context_re.match(view, start, end)
            if m is not None:
                unit = self._context.get(_key(m.group("plain")))
                if unit is not None and unit.value_range is not None:
                    low, high = unit.value_range
                    if low <= value <= high:
                        first = m.start("plain")
                        return UnitMatch(
                            first, m.end(), unit.ucum, unit.dimension, m.group("plain")
                        )
        return None

    def _per(self, view: str, end: int, unit: UnitMatch) -> UnitMatch:
        """A unit with the denominators the table has no form for: "mm/h",
        "cm/s", "mL/kg/min" are read whole, not as mm, cm, mL. The UCUM code
        is composed (``mm/h``); its dimension is ``"composite"``, which
        converts to nothing."""
        if unit.dimension == "time":
            return unit  # "3 days per week": a duration, and its frequency
        out = unit
        for _ in range(2):
            slash = _PER.match(view, out.end, end)
            if slash is None:
                return out
            m = self._unit_re.match(view, slash.end(), end)
            if m is None or m.group("plain") is None:
                return out
            text = m.group("plain")
            den = self._exact.get(_key(text)) or self._folded.get(_key(text).lower())
            if den is None or den.dimension not in _DENOMINATORS or "/" in den.ucum:
                return out
            out = UnitMatch(
                out.start,
                m.end(),
                f"{out.ucum}/{den.ucum}",
                "composite",
                view[out.start : m.end()],
            )
        return out

    def relative(
        self, view: str, start: int, end: int, *, multiplier: bool
    ) -> RelativeMatch | None:
        """See :func:`find_relative`."""
        pattern = self._relative_mult_re if multiplier else self._relative_bare_re
        m = pattern.match(view, start, end)
        if m is None:
            return None
        first = m.start() + len(m.group()) - len(m.group().lstrip())
        core = " ".join((m.group("core") or m.group("glued")).lower().split())
        return RelativeMatch(
            first, m.end(), self.relative_to[core], view[first : m.end()]
        )


@lru_cache(maxsize=1)
def unit_table() -> UnitTable:
    """The shipped unit table, validated and compiled once."""
    return UnitTable(load_rule_object(UNITS_FILE, UnitsFile))


def load_unit_table(data: Any) -> UnitTable:
    """Compile a unit table from already-parsed JSON (e.g. a saved pipeline).

    Args:
        data: The content of a ``units.json``.

    Returns:
        The compiled table.

    Raises:
        RuleError: The data does not validate.
    """
    return UnitTable(load_rule_object(UNITS_FILE, UnitsFile, data))


def find_unit(
    view: str, start: int, end: int | None = None, *, value: float | None = None
) -> UnitMatch | None:
    """The longest unit written at ``start``, after optional spaces.

    A multiplication sign before a scaled unit belongs to the unit
    (``"×10^9/L"``), and a scale whose superscript the registry lost
    (``"x 109/L"``) is read only after such a sign. Forms that need a value
    (a bare ``C`` for Celsius) match only when ``value`` lies in their range.

    Args:
        view: A reading view of the text.
        start: Where the unit may begin (spaces are skipped).
        end: Where it must end by (the end of ``view`` when ``None``).
        value: The value the unit follows, if any.

    Returns:
        The unit with its offsets and UCUM code, or ``None``.
    """
    stop = len(view) if end is None else min(end, len(view))
    return unit_table().find(view, start, stop, value)


def find_relative(
    view: str, start: int, end: int | None = None, *, multiplier: bool = True
) -> RelativeMatch | None:
    """A reference limit written at ``start``: ``"× the institutional ULN"``.

    Args:
        view: A reading view of the text.
        start: Where the phrase may begin (spaces are skipped).
        end: Where it must end by (the end of ``view`` when ``None``).
        multiplier: Allow a multiplier (``x``, ``×``, ``times``, ``-fold``)
            first, as after a value.

    Returns:
        The phrase and whether it names the ULN or the LLN, or ``None``.
    """
    stop = len(view) if end is None else min(end, len(view))
    return unit_table().relative(view, start, stop, multiplier=multiplier)


def iter_relatives(
    view: str, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int, RelativeTo]]:
    """Every reference-limit name (``ULN``, ``lower limit of normal``) in a span.

    Args:
        view: A reading view of the text.
        start: Where to start looking.
        end: Where to stop (the end of ``view`` when ``None``).

    Yields:
        ``(start, end, relative_to)`` of each name.
    """
    table = unit_table()
    stop = len(view) if end is None else min(end, len(view))
    for first, last in table.relative_cores.finditer(view, start, stop):
        core = " ".join(view[first:last].lower().split())
        yield first, last, table.relative_to[core]


def dimension(ucum: str) -> str | None:
    """The dimension of a UCUM code in the table, or ``None`` if unknown."""
    unit = unit_table().units.get(ucum)
    return unit.dimension if unit is not None else None


def convert(value: float, from_ucum: str, to_ucum: str) -> float | None:
    """Convert a value between two units of the same dimension.

    Args:
        value: The value in ``from_ucum``.
        from_ucum: The UCUM code it is in.
        to_ucum: The UCUM code wanted.

    Returns:
        The converted value, or ``None`` when either unit is unknown or the
        dimensions differ (no molar masses or valences are guessed).
    """
    units = unit_table().units
    src = units.get(from_ucum)
    dst = units.get(to_ucum)
    if src is None or dst is None or src.dimension != dst.dimension:
        return None
    if src is dst:
        return float(value)
    base = (value + src.offset) * src.factor
    return base / dst.factor - dst.offset


@lru_cache(maxsize=1)
def unit_forms() -> tuple[tuple[str, str], ...]:
    """Every form that reads as a unit on its own, with its UCUM code.

    Forms that need a multiplication sign or a value range are left out.
    """
    out: list[tuple[str, str]] = []
    for unit in unit_table().data.units:
        out += [(form, unit.ucum) for form in (*unit.forms, *unit.exact_forms)]
    return tuple(out)
