"""The analyte lexicon: find labs, vitals and scores in text; convert units.

Criteria name what a threshold applies to in many ways ("INR", "total
bilirubin", "absolute neutrophil count (ANC)", "QTcF", "ECOG performance
status"). The lexicon is data in ``rules/analytes.json``: one entry per
analyte with its synonyms (matched case-insensitively), abbreviations
(matched case-sensitively, so "PT" is prothrombin time but "pt" is not), its
LOINC code where certain, a canonical UCUM unit with conversions into it, a
plausible range for auditing thresholds, and for scores their range and
ordinal labels.

Matching works on tokens (runs of letters and digits, or single punctuation
marks; hyphens and whitespace only separate tokens), so "ALT" never matches
inside "ALTERNATIVE", "Hb" never inside "HbA1c", and "D-dimer" equals
"D dimer". At each token the longest entry wins ("CD4 count" over "CD4",
"creatinine clearance" over "creatinine"). A mention directly followed by its
own alias in parentheses ("absolute neutrophil count (ANC)") is one match.

Conversions are linear (``canonical = value * factor + offset``) and either
listed on the entry (analyte-specific, e.g. bilirubin 1 mg/dL = 17.1 umol/L)
or derived through the file's ``unit_scales`` (analyte-independent families
such as mass concentration, where mg/L is a tenth of mg/dL). Nothing else is
guessed: an unknown unit converts to ``None``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from ..errors import RuleError
from ..pipeline.resources import RuleModel, read_rule_json

ANALYTES_FILE = "analytes.json"

#: Canonical units an entry may use (UCUM codes).
CANONICAL_UNITS = frozenset(
    {
        "mg/dL", "g/dL", "g/L", "umol/L", "mmol/L", "U/L", "U/mL", "10*9/L",
        "10*12/L", "/mm3", "%", "s", "1", "mL/min", "mL/min/{1.73_m2}",
        "ng/mL", "pg/mL", "ug/L", "mg/L", "[IU]/mL", "[IU]/L", "{copies}/mL",
        "mm[Hg]", "/min", "Cel", "ms", "kg/m2", "kg", "cm", "L", "{score}",
        "g/(24.h)", "mg/g", "mg/mmol", "mL/h", "mmol/mol", "mU/L", "pmol/L",
        "nmol/L", "mm/h", "fL", "mosm/kg", "m2",
    }
)  # fmt: skip

_LOINC_RE = re.compile(r"\d{1,7}-\d")
_ID_RE = r"^[a-z][a-z0-9_]*$"
#: A token: a run of letters/digits, or one punctuation mark. Whitespace and
#: hyphens/dashes are not tokens: they only separate them.
_TOKEN_RE = re.compile(r"[^\W_]+|[^\w\s\-\u2010-\u2015]|_")
_OPEN_PAREN_RE = re.compile(r"\s*\(\s*")
_CLOSE_PAREN_RE = re.compile(r"\s*\)")
_BULLET_GAP_RE = re.compile(r"\n\s*[\-\u2010-\u2015]")


def loinc_check_digit(body: str) -> int:
    """The LOINC mod-10 check digit of a code's number part.

    Counting from the right, digits in odd positions are doubled (the digits
    of each product summed), the others added as they are; the check digit
    brings the total up to the next multiple of ten.

    Args:
        body: The digits before the hyphen (``"6301"`` for ``6301-6``).

    Returns:
        The check digit (0-9).
    """
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10


class UnitConversion(RuleModel):
    """A conversion into the entry's canonical unit: ``value*factor+offset``."""

    ucum: str = Field(min_length=1)
    factor: float = Field(gt=0)
    offset: float = 0.0

    @field_validator("factor", "offset")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class Range(RuleModel):
    """A closed interval in the entry's canonical unit (or score points)."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"low {self.low:g} > high {self.high:g}")
        return self

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


class Analyte(RuleModel):
    """One lexicon entry of ``rules/analytes.json``.

    Attributes:
        id: Unique snake_case identifier.
        name: Display name.
        kind: ``lab``, ``vital``, ``score`` or ``measurement``.
        synonyms: Phrases matched case-insensitively.
        abbreviations: Forms matched case-sensitively ("PT", "Hb").
        loinc: LOINC code, only where certain; else ``None``.
        ucum: Canonical UCUM unit.
        units: Conversions from other units into ``ucum``.
        plausible: Physiologically possible range (canonical unit).
        score_range: Range of a score (points).
        ordinal: Class or grade labels mapped to an ordinal ("IV" -> 4).
        relative_ok: Thresholds are often relative to ULN/LLN.
        note: Free text for reviewers.
    """

    id: str = Field(pattern=_ID_RE)
    name: str = Field(min_length=1)
    kind: Literal["lab", "vital", "score", "measurement"]
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    loinc: str | None = None
    ucum: str
    units: tuple[UnitConversion, ...] = ()
    plausible: Range | None = None
    score_range: Range | None = None
    ordinal: dict[str, int] | None = None
    relative_ok: bool = False
    note: str = ""

    @field_validator("loinc")
    @classmethod
    def _valid_loinc(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _LOINC_RE.fullmatch(value):
            raise ValueError(f"LOINC code {value!r} is not digits-hyphen-digit")
        body, check = value.split("-")
        if loinc_check_digit(body) != int(check):
            raise ValueError(f"LOINC code {value!r} fails its mod-10 check digit")
        return value

    @field_validator("ucum")
    @classmethod
    def _known_canonical(cls, value: str) -> str:
        if value not in CANONICAL_UNITS:
            raise ValueError(f"canonical unit {value!r} is not one of ours")
        return value

    @field_validator("synonyms", "abbreviations")
    @classmethod
    def _has_tokens(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not _TOKEN_RE.search(value):
                raise ValueError(f"term {value!r} has no letters, digits or marks")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> Analyte:
        if not self.synonyms and not self.abbreviations:
            raise ValueError("needs at least one synonym or abbreviation")
        if self.kind == "score" and self.score_range is None:
            raise ValueError("a score needs score_range")
        if self.kind != "score" and self.plausible is None:
            raise ValueError(f"a {self.kind} needs a plausible range")
        seen = {self.ucum}
        for conversion in self.units:
            if conversion.ucum in seen:
                raise ValueError(f"unit {conversion.ucum!r} listed twice")
            seen.add(conversion.ucum)
        return self


class AnalyteFile(RuleModel):
    """The whole of ``rules/analytes.json``."""

    description: str = ""
    unit_scales: dict[str, dict[str, float]] = Field(default_factory=dict)
    stop_phrases: list[str] = Field(default_factory=list)
    analytes: list[Any]


@dataclass(frozen=True)
class AnalyteMatch:
    """A mention of an analyte, with character offsets into the input text."""

    start: int
    end: int
    analyte_id: str
    text: str


@dataclass(frozen=True)
class _Term:
    analyte_id: str | None  # None: a stop phrase
    tokens: tuple[str, ...]
    case_sensitive: bool


class _Node:
    __slots__ = ("children", "terms")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.terms: list[_Term] = []


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(text))


def _fail(entry: str, message: str) -> RuleError:
    return RuleError(f"rules/{ANALYTES_FILE}: entry {entry}: {message}")


class Lexicon:
    """The analytes, a token trie over their names, and unit conversions.

    Args:
        entries: Validated entries.
        unit_scales: Analyte-independent scale families
            (``{family: {ucum: scale}}``) used to derive conversions; the
            shipped ones when ``None``.
        stop_phrases: Phrases that contain an analyte term but name something
            else ("long QT syndrome"); matched case-insensitively, they yield
            nothing. The shipped ones when ``None``.

    Raises:
        RuleError: Duplicate ids, a term claimed twice, a unit in two scale
            families, or an entry's conversions that contradict each other.
    """

    def __init__(
        self,
        entries: Iterable[Analyte],
        *,
        unit_scales: Mapping[str, Mapping[str, float]] | None = None,
        stop_phrases: Iterable[str] | None = None,
    ) -> None:
        self._entries: dict[str, Analyte] = {}
        for entry in entries:
            if entry.id in self._entries:
                raise _fail(entry.id, "duplicate id")
            self._entries[entry.id] = entry
        if unit_scales is None:
            unit_scales = _shipped_file().unit_scales
        self._unit_scales = {f: dict(s) for f, s in unit_scales.items()}
        if stop_phrases is None:
            stop_phrases = _shipped_file().stop_phrases
        self._stop_phrases = list(stop_phrases)
        self._root = _Node()
        self._build_trie()
        self._conversions = self._build_conversions(unit_scales)

    @classmethod
    def default(cls) -> Lexicon:
        """The shipped lexicon (``rules/analytes.json``), built once."""
        return _default_lexicon()

    @classmethod
    def from_data(cls, data: Any) -> Lexicon:
        """Validate a parsed ``analytes.json`` (object, or a bare entry list).

        Args:
            data: The parsed JSON: ``{"unit_scales": ..., "analytes": [...]}``
                or a list of entries (the shipped unit scales then apply).

        Returns:
            The lexicon.

        Raises:
            RuleError: Naming the file, the entry and what is wrong.
        """
        scales: Mapping[str, Mapping[str, float]] | None = None
        stops: list[str] | None = None
        if isinstance(data, dict):
            try:
                parsed = AnalyteFile.model_validate(data)
            except ValidationError as err:
                first = err.errors()[0]
                loc = ".".join(str(p) for p in first["loc"]) or "file"
                raise RuleError(
                    f"rules/{ANALYTES_FILE}: {loc}: {first['msg']}"
                ) from err
            scales, stops = parsed.unit_scales, parsed.stop_phrases
            data = parsed.analytes
        if not isinstance(data, list):
            raise RuleError(f"rules/{ANALYTES_FILE}: expected a list of analytes")
        return cls(_validate_entries(data), unit_scales=scales, stop_phrases=stops)

    def to_data(self) -> dict[str, Any]:
        """The lexicon as JSON-ready data that :meth:`from_data` reads back."""
        return {
            "unit_scales": self._unit_scales,
            "stop_phrases": self._stop_phrases,
            "analytes": [
                e.model_dump(mode="json", exclude_defaults=True)
                for e in self._entries.values()
            ],
        }

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Analyte]:
        return iter(self._entries.values())

    def __contains__(self, analyte_id: object) -> bool:
        return analyte_id in self._entries

    def get(self, analyte_id: str) -> Analyte:
        """The entry ``analyte_id``.

        Raises:
            KeyError: No such entry.
        """
        return self._entries[analyte_id]

    def canonical_unit(self, analyte_id: str) -> str:
        """The canonical UCUM unit of ``analyte_id`` (``KeyError`` if unknown)."""
        return self._entries[analyte_id].ucum

    def units(self, analyte_id: str) -> frozenset[str]:
        """Every unit :meth:`convert` accepts for ``analyte_id``."""
        return frozenset(self._conversions[analyte_id])

    def convert(self, analyte_id: str, value: float, ucum: str) -> float | None:
        """Convert ``value`` in unit ``ucum`` to the analyte's canonical unit.

        Args:
            analyte_id: A lexicon id.
            value: The number as written.
            ucum: Its UCUM unit code (exact, case-sensitive).

        Returns:
            The value in :meth:`canonical_unit`, or ``None`` when no
            conversion is known for ``ucum`` (never a guess).

        Raises:
            KeyError: ``analyte_id`` is not in the lexicon.
        """
        rule = self._conversions[analyte_id].get(ucum)
        if rule is None:
            return None
        factor, offset = rule
        if factor == 1.0 and offset == 0.0:
            return value
        return value * factor + offset

    def find(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[AnalyteMatch]:
        """Every analyte mention in ``text[start:end]``, left to right.

        Mentions do not overlap; at each token the longest term wins. Tokens
        cut by ``start``/``end`` in the middle of a word are not matched.

        Args:
            text: The text to search.
            start: Where to start (character offset).
            end: Where to stop (character offset); the end of ``text`` if
                ``None``.

        Returns:
            Matches with offsets into ``text``.
        """
        if end is None:
            end = len(text)
        spans = [m.span() for m in _TOKEN_RE.finditer(text, start, end)]
        if not spans:
            return []
        originals = [text[a:b] for a, b in spans]
        lowered = [t.lower() for t in originals]
        # Do not match the inside of a word that the window cuts.
        first = 1 if start > 0 and _cut(text, start - 1, originals[0][0]) else 0
        last = len(spans)
        if end < len(text) and _cut(text, end, originals[-1][-1]):
            last -= 1
        root = self._root.children
        found: list[tuple[int, int, str]] = []  # first token, last token, id
        i = first
        while i < last:
            node = root.get(lowered[i])
            if node is None:
                i += 1
                continue
            best: tuple[int, str | None] | None = None
            j = i
            while True:
                for term in node.terms:
                    if not term.case_sensitive or term.tokens == tuple(
                        originals[i : j + 1]
                    ):
                        best = (j, term.analyte_id)
                        break
                j += 1
                if j >= last:
                    break
                child = node.children.get(lowered[j])
                if child is None or _breaks(text, spans[j - 1][1], spans[j][0]):
                    break
                node = child
            if best is None:
                i += 1
                continue
            if best[1] is not None:
                found.append((i, best[0], best[1]))
            i = best[0] + 1
        return self._merge_aliases(text, spans, found, end)

    # ------------------------------------------------------------------ build

    def _build_trie(self) -> None:
        synonyms: dict[tuple[str, ...], tuple[str, str]] = {}  # lowered
        abbreviations: dict[tuple[str, ...], tuple[str, str]] = {}  # exact
        abbreviations_lowered: dict[tuple[str, ...], tuple[str, str]] = {}
        for entry in self._entries.values():
            for case_sensitive, terms in (
                (False, entry.synonyms),
                (True, entry.abbreviations),
            ):
                for term in terms:
                    tokens = _tokens(term)
                    key = tuple(t.lower() for t in tokens)
                    if case_sensitive:
                        other = abbreviations.get(tokens) or synonyms.get(key)
                    else:
                        other = synonyms.get(key) or abbreviations_lowered.get(key)
                    if other is not None:
                        raise _fail(
                            entry.id,
                            f"term {term!r} is already claimed by entry "
                            f"{other[0]} ({other[1]!r})",
                        )
                    if case_sensitive:
                        abbreviations[tokens] = (entry.id, term)
                        abbreviations_lowered.setdefault(key, (entry.id, term))
                    else:
                        synonyms[key] = (entry.id, term)
                    node = self._root
                    for token in key:
                        node = node.children.setdefault(token, _Node())
                    node.terms.append(_Term(entry.id, tokens, case_sensitive))
        for phrase in self._stop_phrases:
            tokens = _tokens(phrase)
            key = tuple(t.lower() for t in tokens)
            other = synonyms.get(key) or abbreviations_lowered.get(key)
            if not key or other is not None:
                if other is None:
                    claimed = "is empty"
                elif other[0] == "stop_phrases":
                    claimed = "is listed twice"
                else:
                    claimed = f"is claimed by entry {other[0]}"
                raise RuleError(
                    f"rules/{ANALYTES_FILE}: stop phrase {phrase!r} {claimed}"
                )
            synonyms[key] = ("stop_phrases", phrase)
            node = self._root
            for token in key:
                node = node.children.setdefault(token, _Node())
            node.terms.append(_Term(None, tokens, False))

    def _build_conversions(
        self, unit_scales: Mapping[str, Mapping[str, float]]
    ) -> dict[str, dict[str, tuple[float, float]]]:
        family_of: dict[str, str] = {}
        for family, scales in unit_scales.items():
            for unit, scale in scales.items():
                if unit in family_of:
                    raise RuleError(
                        f"rules/{ANALYTES_FILE}: unit_scales: {unit!r} is in "
                        f"both {family_of[unit]} and {family}"
                    )
                if not scale > 0:
                    raise RuleError(
                        f"rules/{ANALYTES_FILE}: unit_scales: {family}.{unit} "
                        "must be positive"
                    )
                family_of[unit] = family
        table: dict[str, dict[str, tuple[float, float]]] = {}
        for entry in self._entries.values():
            direct = {entry.ucum: (1.0, 0.0)}
            direct.update({c.ucum: (c.factor, c.offset) for c in entry.units})
            derived = dict(direct)
            anchors: dict[str, tuple[str, float, float]] = {}  # family -> anchor
            for unit, (factor, offset) in direct.items():
                unit_family = family_of.get(unit)
                if unit_family is None:
                    continue
                per_scale = factor / unit_scales[unit_family][unit]
                anchor = anchors.get(unit_family)
                if anchor is None:
                    anchors[unit_family] = (unit, per_scale, offset)
                elif not (
                    math.isclose(anchor[1], per_scale, rel_tol=2e-3)
                    and math.isclose(anchor[2], offset, abs_tol=1e-9)
                ):
                    raise _fail(
                        entry.id,
                        f"conversions from {anchor[0]!r} and {unit!r} contradict "
                        f"each other (both are {unit_family})",
                    )
            for family, (_, per_scale, offset) in anchors.items():
                for unit, scale in unit_scales[family].items():
                    derived.setdefault(unit, (scale * per_scale, offset))
            table[entry.id] = derived
        return table

    def _merge_aliases(
        self,
        text: str,
        spans: list[tuple[int, int]],
        found: list[tuple[int, int, str]],
        end: int,
    ) -> list[AnalyteMatch]:
        out: list[AnalyteMatch] = []
        k = 0
        while k < len(found):
            i, j, analyte_id = found[k]
            a, b = spans[i][0], spans[j][1]
            if k + 1 < len(found) and found[k + 1][2] == analyte_id:
                ni, nj, _ = found[k + 1]
                opened = _OPEN_PAREN_RE.match(text, b, end)
                closed = _CLOSE_PAREN_RE.match(text, spans[nj][1], end)
                if opened and opened.end() == spans[ni][0] and closed:
                    b = closed.end()
                    k += 1
            out.append(AnalyteMatch(a, b, analyte_id, text[a:b]))
            k += 1
        return out


def _breaks(text: str, gap_start: int, gap_end: int) -> bool:
    """Whether the gap between two tokens ends a term: a blank line or a
    line that starts with a dash (a bullet), not a plain line wrap."""
    if gap_end - gap_start < 2:
        return False
    gap = text[gap_start:gap_end]
    if "\n" not in gap:
        return False
    return gap.count("\n") > 1 or _BULLET_GAP_RE.search(gap) is not None


def _cut(text: str, outside: int, inside: str) -> bool:
    """Whether a window boundary falls inside a word."""
    return (text[outside].isalnum()) and inside.isalnum()


def _validate_entries(data: list[Any]) -> list[Analyte]:
    out: list[Analyte] = []
    for i, raw in enumerate(data):
        label = str(i)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            label = f"{i} ({raw['id']})"
        try:
            out.append(Analyte.model_validate(raw))
        except ValidationError as err:
            first = err.errors()[0]
            loc = ".".join(str(p) for p in first["loc"]) or "entry"
            raise _fail(label, f"{loc}: {first['msg']}") from err
    return out


@cache
def _shipped_file() -> AnalyteFile:
    data = read_rule_json(ANALYTES_FILE)
    try:
        return AnalyteFile.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "file"
        raise RuleError(f"rules/{ANALYTES_FILE}: {loc}: {first['msg']}") from err


@cache
def _default_lexicon() -> Lexicon:
    return Lexicon.from_data(read_rule_json(ANALYTES_FILE))
