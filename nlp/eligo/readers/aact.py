"""AACT ``eligibilities`` rows: CSV, TSV or the pipe-delimited flat files.

AACT (the CTTI's relational copy of ClinicalTrials.gov) ships its tables as
``|``-delimited ``.txt`` files; exports are also seen as ``.csv``/``.tsv``. The
header line decides: a table is one whose first line, split on ``|``, tab or
comma, names both ``nct_id`` and ``criteria`` (so a ``.txt`` file with such a
header is a table, not a plain-text page). Other columns read are
``minimum_age``, ``maximum_age``, ``gender``, ``healthy_volunteers`` and, when
present, ``brief_title``/``official_title``; the rest are ignored.

Rows are streamed through :mod:`csv` (quoted fields may span lines; their line
endings are kept), so a large table is never held in memory.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache

from ..errors import InputError
from ..trial import ReadFailure, Trial
from .common import (
    EMPTY,
    NO_CRITERIA,
    ReadResult,
    decode_utf8,
    one_line,
    os_reason,
    record_name,
    stem_of,
)
from .common import trial_id as make_id
from .fields import structured_or_none

__all__ = [
    "DELIMITERS",
    "read_aact_file",
    "read_aact_text",
    "sniff_header",
]

#: Delimiters tried on the header line, in order.
DELIMITERS = ("|", "\t", ",")
_REQUIRED = ("nct_id", "criteria")
_NOT_A_TABLE = (
    "not an AACT eligibilities table (the header names no nct_id and criteria columns)"
)


@lru_cache(maxsize=1)
def _allow_big_fields() -> None:
    """Raise the csv module's field size limit (128 KiB) as far as it goes."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def _column_names(row: list[str]) -> list[str]:
    return [name.strip().strip('"').lower() for name in row]


def sniff_header(line: str) -> str | None:
    """The delimiter of an AACT eligibilities header line, or ``None``.

    Args:
        line: The first line of a file (a leading BOM and the line end are
            ignored).

    Returns:
        ``"|"``, ``"\\t"`` or ``","`` when splitting on it gives columns named
        ``nct_id`` and ``criteria``; ``None`` otherwise.
    """
    line = line.lstrip("\ufeff").rstrip("\r\n")
    if "nct_id" not in line.lower() or len(line) > 10_000:
        return None
    for delimiter in DELIMITERS:
        try:
            names = _column_names(next(csv.reader([line], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            continue
        if all(col in names for col in _REQUIRED):
            return delimiter
    return None


def _cell(row: list[str], columns: dict[str, int], name: str) -> str | None:
    i = columns.get(name)
    if i is None or i >= len(row):
        return None
    value = row[i]
    return value if value.strip() else None


def _row_to_trial(
    row: list[str],
    columns: dict[str, int],
    width: int,
    *,
    path: str,
    stem: str,
    index: int,
) -> ReadResult:
    nct_id = _cell(row, columns, "nct_id")
    nct_id = nct_id.strip() if nct_id else None
    name = record_name(nct_id, index)
    if len(row) != width:
        reason = f"row has {len(row)} fields, the header has {width}"
        return ReadFailure(path, reason, record=name)
    text = _cell(row, columns, "criteria")
    if text is None:
        return ReadFailure(path, NO_CRITERIA, record=name)
    title = _cell(row, columns, "brief_title") or _cell(row, columns, "official_title")
    return Trial(
        id=make_id(nct_id, stem, index, multi=True),
        text=text,
        source_format="aact",
        title=title.strip() if title else None,
        structured=structured_or_none(
            minimum_age=_cell(row, columns, "minimum_age"),
            maximum_age=_cell(row, columns, "maximum_age"),
            sex=_cell(row, columns, "gender"),
            healthy_volunteers=_cell(row, columns, "healthy_volunteers"),
        ),
        path=path,
        record=name,
    )


def _read_lines(lines: Iterator[str], *, path: str) -> Iterator[ReadResult]:
    """Read a table from an iterator of lines that keep their line endings."""
    _allow_big_fields()
    first = next(lines, None)
    if first is None or not first.strip():
        yield ReadFailure(path, EMPTY if first is None else _NOT_A_TABLE)
        return
    first = first.lstrip("\ufeff")
    delimiter = sniff_header(first)
    if delimiter is None:
        yield ReadFailure(path, _NOT_A_TABLE)
        return
    reader = csv.reader(_prepend(first, lines), delimiter=delimiter)
    stem = stem_of(path)
    index = 0
    try:
        header = _column_names(next(reader))
        columns = {name: i for i, name in reversed(list(enumerate(header)))}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            index += 1
            yield _row_to_trial(
                row, columns, len(header), path=path, stem=stem, index=index
            )
    except csv.Error as err:
        reason = one_line(f"invalid CSV: {err} (line {reader.line_num})")
        yield ReadFailure(path, reason, record=f"record {index + 1}")
    except InputError as err:
        yield ReadFailure(path, str(err), record=f"record {index + 1}")


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _decoded(handle: Iterable[bytes]) -> Iterator[str]:
    """Decode binary lines one by one; raises InputError at the first bad byte."""
    offset = 0
    for n, raw in enumerate(handle):
        yield decode_utf8(raw, offset=offset, strip_bom=n == 0)
        offset += len(raw)


def read_aact_text(text: str, *, path: str = "-") -> Iterator[ReadResult]:
    """Read an AACT eligibilities table held in a string.

    Args:
        text: The table (header line first).
        path: The path as given (``"-"`` for stdin).

    Yields:
        One trial or failure per row.
    """
    yield from _read_lines(iter(io.StringIO(text, newline="")), path=path)


def read_aact_file(path: str) -> Iterator[ReadResult]:
    """Stream an AACT eligibilities table from a file, row by row.

    Args:
        path: The path as given (``.txt`` with ``|``, ``.csv``, ``.tsv``...).

    Yields:
        One trial or failure per row.
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as err:
        yield ReadFailure(path, os_reason(err))
        return
    with handle:
        lines = _decoded(handle)
        try:
            yield from _read_lines(lines, path=path)
        except InputError as err:
            yield ReadFailure(path, str(err))
        except OSError as err:
            yield ReadFailure(path, os_reason(err))
