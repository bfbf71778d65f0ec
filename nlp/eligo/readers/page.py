"""Registry fields on a scraped trial web page (NCT id, ages, sex, volunteers).

A trial page saved as plain text keeps the registry's structured fields as
"label, value" pairs, laid out in a few ways::

    Minimum Eligible Age          Age group 18 Years to 80 Years
                                  Gender All
    18 Years                      Accepts healthy volunteers No
                                  Sexes Eligible for Study: All
    Gender                        NCT ID: NCT01854125
    ALL

The labels are data, in ``rules/page_fields.json``: a list of entries
``{"field": ..., "label": ..., "note": ...}`` validated by
:class:`PageFieldRule`. The design:

- ``label`` is literal text, matched case-insensitively, with any run of spaces
  or tabs between its words. It must open a line (after optional spaces or
  tabs) and end at a word boundary (``Gender`` does not match ``Genders``).
- After the label come optional spaces, an optional ``?`` and an optional
  separator (``:``, ``#``, ``-``, ``–``, ``—``). The value is the rest of that
  line; when the rest is empty, the next non-blank line.
- ``field`` says how the value is read: ``nct_id`` (``NCT`` + 8 digits at the
  start), ``minimum_age`` / ``maximum_age`` (``"18 Years"``, read by
  :func:`~eligo.readers.fields.parse_age`), ``age_range`` (``"18 Years to 65
  Years"``, ``"18 Years and older"``, ``"up to 17 Years"``), ``sex`` and
  ``healthy_volunteers`` (read by the parsers in :mod:`eligo.readers.fields`;
  a trailing parenthesis is dropped).
- A match whose value cannot be read is skipped (``Gender Based: No`` is not a
  sex). For each field the first readable value in the text wins; a
  ``minimum_age``/``maximum_age`` entry wins over an ``age_range`` one.

Only labelled values are read: the free criteria text is never mined here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import Field

from ..errors import RuleError
from ..pipeline.resources import RuleModel, load_rules
from ..trial import StructuredFields
from .fields import AGE_UNITS, parse_age, parse_healthy_volunteers, parse_sex

__all__ = [
    "RULES_FILE",
    "PageFieldRule",
    "PageInfo",
    "compile_rules",
    "page_fields",
    "page_nct_id",
    "scan_page",
]

RULES_FILE = "page_fields.json"

FieldName = Literal[
    "nct_id", "minimum_age", "maximum_age", "age_range", "sex", "healthy_volunteers"
]

# Only the head of a line is matched against the labels, and only the head of a
# value is read: registry values are short, and a 5 MB one-line file must not
# make every label scan the whole line.
_LINE_HEAD = 512
_VALUE_HEAD = 200
# How many lines after a bare label the value may start.
_LOOKAHEAD = 5

_NCT_VALUE_RE = re.compile(r"(NCT\d{8})(?!\d)")
_UNIT = "|".join(sorted((re.escape(u) for u in AGE_UNITS), key=len, reverse=True))
_NUM = r"\d{1,6}(?:\.\d{1,6})?"
_AGE = rf"{_NUM}\s*(?:{_UNIT})\.?(?![A-Za-z])"
_RANGE_RE = re.compile(
    rf"({_NUM})\s*(?:({_UNIT})\.?(?![A-Za-z]))?\s*(?:to|-|–|—|~)\s*"
    rf"({_NUM})\s*({_UNIT})\.?(?![A-Za-z])",
    re.IGNORECASE,
)
_MIN_ONLY_RE = re.compile(
    rf"(?:(?:≥|>=|from)\s*)?({_AGE})\s*(?:\+|(?:and|or)\s+(?:older|over|above))",
    re.IGNORECASE,
)
_MAX_ONLY_RE = re.compile(
    rf"(?:up\s+to\s*({_AGE}))|(?:({_AGE})\s*(?:and|or)\s+(?:younger|under|below))",
    re.IGNORECASE,
)
_LEADING_AGE_RE = re.compile(rf"\s*({_AGE})", re.IGNORECASE)
_PAREN_TAIL_RE = re.compile(r"\s*\([^()]*\)\s*$")


class PageFieldRule(RuleModel):
    """One label of a registry field on a web page.

    Attributes:
        field: Which field the label introduces and how its value is read.
        label: The label text (literal, case-insensitive, flexible spacing).
        note: Where the label was seen; documentation only.
    """

    field: FieldName
    label: str = Field(min_length=1, pattern=r"\S")
    note: str | None = None


@dataclass(frozen=True)
class PageInfo:
    """What a page states about its trial.

    Attributes:
        nct_id: The NCT id a label gives, if any.
        fields: The registry eligibility fields, or ``None`` when none is found.
    """

    nct_id: str | None
    fields: StructuredFields | None


@dataclass(frozen=True)
class _Compiled:
    pattern: re.Pattern[str]
    fields: dict[str, FieldName]


def compile_rules(rules: list[PageFieldRule]) -> _Compiled:
    """Compile label rules into one line-head pattern.

    Args:
        rules: Validated entries of ``rules/page_fields.json``.

    Returns:
        The pattern (one named group per rule) and the field of each group.

    Raises:
        RuleError: Two entries have the same label.
    """
    seen: dict[str, int] = {}
    alternatives: list[tuple[int, str, str]] = []
    fields: dict[str, FieldName] = {}
    for i, rule in enumerate(rules):
        words = rule.label.split()
        key = " ".join(words).lower()
        if key in seen:
            raise RuleError(
                f"rules/{RULES_FILE}: entry {i} (label): "
                f"duplicate of entry {seen[key]} ({rule.label!r})"
            )
        seen[key] = i
        name = f"r{i}"
        fields[name] = rule.field
        body = r"[ \t]+".join(re.escape(w) for w in words)
        alternatives.append((len(key), name, body))
    alternatives.sort(key=lambda a: -a[0])
    union = "|".join(f"(?P<{name}>{body})" for _, name, body in alternatives)
    pattern = re.compile(
        rf"[ \t]*(?:{union})(?!\w)[ \t]*\??[ \t]*(?:[:：#\-–—][ \t]*)?",
        re.IGNORECASE,
    )
    return _Compiled(pattern=pattern, fields=fields)


@lru_cache(maxsize=1)
def _default_rules() -> _Compiled:
    return compile_rules(load_rules(RULES_FILE, PageFieldRule))


def _drop_paren_tail(value: str) -> str:
    return _PAREN_TAIL_RE.sub("", value).strip()


def _read_age_range(value: str) -> tuple[float | None, float | None] | None:
    match = _RANGE_RE.search(value)
    if match:
        low_num, low_unit, high_num, high_unit = match.groups()
        low = parse_age(f"{low_num} {low_unit or high_unit}")
        high = parse_age(f"{high_num} {high_unit}")
        if low is not None or high is not None:
            return low, high
    match = _MIN_ONLY_RE.search(value)
    if match:
        low = parse_age(match.group(1))
        if low is not None:
            return low, None
    match = _MAX_ONLY_RE.search(value)
    if match:
        high = parse_age(match.group(1) or match.group(2))
        if high is not None:
            return None, high
    return None


def _read_value(field: FieldName, value: str) -> object | None:
    """The parsed value of one labelled field, or ``None`` when unreadable."""
    value = value.strip()[:_VALUE_HEAD]
    if field == "nct_id":
        match = _NCT_VALUE_RE.match(value)
        return match.group(1) if match else None
    if field in ("minimum_age", "maximum_age"):
        match = _LEADING_AGE_RE.match(value)
        return parse_age(match.group(1)) if match else None
    if field == "age_range":
        return _read_age_range(value)
    parse = parse_sex if field == "sex" else parse_healthy_volunteers
    found = parse(value)
    return found if found is not None else parse(_drop_paren_tail(value))


def _next_nonblank(lines: list[str], start: int) -> str:
    for line in lines[start : start + _LOOKAHEAD]:
        if line.strip():
            return line
    return ""


def _labelled_values(text: str, compiled: _Compiled) -> dict[FieldName, object]:
    """First readable value of each field, in text order."""
    found: dict[FieldName, object] = {}
    lines = text.splitlines()
    for n, line in enumerate(lines):
        match = compiled.pattern.match(line[:_LINE_HEAD])
        if match is None or match.lastgroup is None:
            continue
        field = compiled.fields[match.lastgroup]
        if field in found:
            continue
        value = line[match.end() : match.end() + _VALUE_HEAD]
        if not value.strip():
            value = _next_nonblank(lines, n + 1)
        parsed = _read_value(field, value)
        if parsed is not None:
            found[field] = parsed
    return found


def scan_page(text: str, rules: list[PageFieldRule] | None = None) -> PageInfo:
    """Read the labelled NCT id and eligibility fields of a registry page.

    Args:
        text: The page as plain text.
        rules: Label rules; the shipped ``rules/page_fields.json`` when ``None``.

    Returns:
        The NCT id (or ``None``) and the fields (``None`` when none was found).
    """
    compiled = _default_rules() if rules is None else compile_rules(rules)
    found = _labelled_values(text, compiled)
    low, high = None, None
    age_range = found.get("age_range")
    if isinstance(age_range, tuple):
        low, high = age_range
    minimum = found.get("minimum_age", low)
    maximum = found.get("maximum_age", high)
    sex = found.get("sex")
    hv = found.get("healthy_volunteers")
    fields = StructuredFields(
        minimum_age=minimum if isinstance(minimum, float) else None,
        maximum_age=maximum if isinstance(maximum, float) else None,
        sex=parse_sex(sex),
        healthy_volunteers=hv if isinstance(hv, bool) else None,
    )
    nct_id = found.get("nct_id")
    return PageInfo(
        nct_id=nct_id if isinstance(nct_id, str) else None,
        fields=None if fields.is_empty() else fields,
    )


def page_fields(text: str) -> StructuredFields | None:
    """The registry eligibility fields a page states, or ``None``."""
    return scan_page(text).fields


def page_nct_id(text: str) -> str | None:
    """The NCT id a page states under a label (``NCT ID: NCT01854125``), or ``None``."""
    return scan_page(text).nct_id
