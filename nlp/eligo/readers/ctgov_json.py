"""ClinicalTrials.gov API v2 JSON (and AACT-like JSON rows), as files or JSONL.

Accepted shapes, in a ``.json`` file or on stdin:

- one study: ``{"protocolSection": {...}, ...}``;
- a list of studies: ``[{...}, {...}]`` (what the website's download gives);
- an API page: ``{"studies": [...], "nextPageToken": "..."}``;
- an AACT-like row: ``{"nct_id": ..., "criteria": ..., "brief_title": ...,
  "gender": "All", "minimum_age": "18 Years", ...}`` (or a list of them).

``.jsonl``/``.ndjson`` files hold one such value per line and are streamed line
by line. A ``.json`` file that turns out to hold several values one per line is
read as JSONL too.

The criteria text is ``eligibilityModule.eligibilityCriteria`` exactly as the
JSON holds it: the API's markdown escapes (``\\>``, ``\\<``) are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import InputError
from ..trial import ReadFailure, SourceFormat, Trial
from .common import (
    EMPTY,
    NO_CRITERIA,
    NO_RECORDS,
    ReadResult,
    decode_utf8,
    one_line,
    os_reason,
    record_name,
    stem_of,
    trial_id,
)
from .fields import structured_or_none

__all__ = [
    "read_json_bytes",
    "read_json_file",
    "read_json_text",
    "read_jsonl_file",
    "record_to_trial",
]

_NOT_A_STUDY = (
    "not a ClinicalTrials.gov study or AACT row "
    "(no protocolSection, or nct_id and criteria keys)"
)


def _text(value: Any) -> str | None:
    """``value`` when it is a non-blank string, else ``None``."""
    return value if isinstance(value, str) and value.strip() else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v.strip())
    return ()


def _json_error(err: ValueError | RecursionError, *, line: int | None = None) -> str:
    if isinstance(err, RecursionError):
        return "invalid JSON: nested too deeply"
    if isinstance(err, json.JSONDecodeError):
        lineno = err.lineno if line is None else line
        return f"invalid JSON: {err.msg} (line {lineno}, column {err.colno})"
    return one_line(f"invalid JSON: {err}")


def _v2_trial(
    study: dict[str, Any], *, path: str, stem: str, index: int, multi: bool
) -> ReadResult:
    protocol = _dict(study.get("protocolSection"))
    ident = _dict(protocol.get("identificationModule"))
    eligibility = _dict(protocol.get("eligibilityModule"))
    nct_id = _text(ident.get("nctId"))
    nct_id = nct_id.strip() if nct_id else None
    name = record_name(nct_id, index)
    text = _text(eligibility.get("eligibilityCriteria"))
    if text is None:
        return ReadFailure(path, NO_CRITERIA, record=name)
    return Trial(
        id=trial_id(nct_id, stem, index, multi=multi),
        text=text,
        source_format="ctgov_v2",
        title=_text(ident.get("briefTitle")) or _text(ident.get("officialTitle")),
        conditions=_strings(_dict(protocol.get("conditionsModule")).get("conditions")),
        structured=structured_or_none(
            minimum_age=eligibility.get("minimumAge"),
            maximum_age=eligibility.get("maximumAge"),
            sex=eligibility.get("sex"),
            healthy_volunteers=eligibility.get("healthyVolunteers"),
        ),
        path=path,
        record=name if multi else None,
    )


def _aact_trial(
    row: dict[str, Any], *, path: str, stem: str, index: int, multi: bool
) -> ReadResult:
    nct_id = _text(row.get("nct_id"))
    nct_id = nct_id.strip() if nct_id else None
    name = record_name(nct_id, index)
    text = _text(row.get("criteria"))
    if text is None:
        return ReadFailure(path, NO_CRITERIA, record=name)
    source: SourceFormat = "aact"
    return Trial(
        id=trial_id(nct_id, stem, index, multi=multi),
        text=text,
        source_format=source,
        title=_text(row.get("brief_title")) or _text(row.get("official_title")),
        conditions=_strings(row.get("conditions")),
        structured=structured_or_none(
            minimum_age=row.get("minimum_age"),
            maximum_age=row.get("maximum_age"),
            sex=row.get("gender"),
            healthy_volunteers=row.get("healthy_volunteers"),
        ),
        path=path,
        record=name if multi else None,
    )


def record_to_trial(
    record: Any, *, path: str, stem: str, index: int, multi: bool
) -> ReadResult:
    """Turn one parsed JSON record (v2 study or AACT-like row) into a trial.

    Args:
        record: The parsed JSON value of one record.
        path: The file's path as given.
        stem: What ids fall back on (the file stem, ``"stdin"``).
        index: The record's 1-based position in its file.
        multi: Whether the file holds several records (a list, a page, JSONL).

    Returns:
        The trial, or a failure naming the record.
    """
    name = f"record {index}"
    if not isinstance(record, dict):
        kind = type(record).__name__
        return ReadFailure(path, f"record is not a JSON object (got {kind})", name)
    if "protocolSection" in record:
        return _v2_trial(record, path=path, stem=stem, index=index, multi=multi)
    if "nct_id" in record or "criteria" in record:
        return _aact_trial(record, path=path, stem=stem, index=index, multi=multi)
    return ReadFailure(path, _NOT_A_STUDY, record=name)


def _records(value: Any) -> tuple[list[Any], bool]:
    """The records of a parsed JSON value and whether it is a container."""
    if isinstance(value, list):
        return value, True
    if isinstance(value, dict) and isinstance(value.get("studies"), list):
        return value["studies"], True
    return [value], False


def _read_values(
    values: Iterable[tuple[Any, str | None]], *, path: str, force_multi: bool
) -> Iterator[ReadResult]:
    """Trials of parsed values; a value paired with a reason is a failed record."""
    stem = stem_of(path)
    index = 0
    for value, reason in values:
        if reason is not None:
            index += 1
            yield ReadFailure(path, reason, record=f"record {index}")
            continue
        records, multi = _records(value)
        for record in records:
            index += 1
            yield record_to_trial(
                record, path=path, stem=stem, index=index, multi=multi or force_multi
            )
    if index == 0:
        yield ReadFailure(path, NO_RECORDS)


def _jsonl_values(
    lines: Iterable[bytes | str],
) -> Iterator[tuple[Any, str | None]]:
    """Parse JSONL lines lazily; a bad line gives a reason and reading goes on.

    Lines are bytes from a file, or text already decoded (which may hold
    code points UTF-8 cannot encode: they are the exit's to replace).
    """
    offset = 0
    for lineno, raw in enumerate(lines, start=1):
        start = offset
        offset += len(raw)
        if not raw.strip():
            continue
        try:
            if isinstance(raw, str):
                line = raw.removeprefix("\ufeff") if lineno == 1 else raw
            else:
                line = decode_utf8(raw, offset=start, strip_bom=lineno == 1)
            yield json.loads(line), None
        except InputError as err:
            yield None, str(err)
        except (ValueError, RecursionError) as err:
            yield None, _json_error(err, line=lineno)


def _split_lines(data: bytes) -> Iterator[bytes]:
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def _split_text_lines(text: str) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _read_json(text: str, data: bytes | None, *, path: str) -> Iterator[ReadResult]:
    if not text.strip():
        yield ReadFailure(path, EMPTY)
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        if err.msg != "Extra data":
            yield ReadFailure(path, _json_error(err))
            return
        lines = _split_text_lines(text) if data is None else _split_lines(data)
        yield from _read_values(_jsonl_values(lines), path=path, force_multi=True)
        return
    except (ValueError, RecursionError) as err:
        yield ReadFailure(path, _json_error(err))
        return
    yield from _read_values([(value, None)], path=path, force_multi=False)


def read_json_text(text: str, *, path: str = "-") -> Iterator[ReadResult]:
    """Read JSON text holding a study, a list, a page, a row, or JSONL.

    Args:
        text: The decoded JSON.
        path: The path as given (``"-"`` for stdin).

    Yields:
        Trials and failures, in record order.
    """
    yield from _read_json(text, None, path=path)


def read_json_bytes(data: bytes, *, path: str) -> Iterator[ReadResult]:
    """Read JSON bytes (UTF-8, optional BOM); see :func:`read_json_text`.

    Args:
        data: The raw bytes.
        path: The path as given.

    Yields:
        Trials and failures, in record order.
    """
    try:
        text = decode_utf8(data)
    except InputError as err:
        yield ReadFailure(path, str(err))
        return
    yield from _read_json(text, data, path=path)


def read_json_file(path: str) -> Iterator[ReadResult]:
    """Read a ``.json`` file (loaded whole).

    Args:
        path: The path as given.

    Yields:
        Trials and failures, in record order.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        yield ReadFailure(path, os_reason(err))
        return
    yield from read_json_bytes(data, path=path)


def read_jsonl_file(path: str) -> Iterator[ReadResult]:
    """Stream a ``.jsonl``/``.ndjson`` file, one JSON value per line.

    Args:
        path: The path as given.

    Yields:
        Trials and failures, in record order, as the lines are read.
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as err:
        yield ReadFailure(path, os_reason(err))
        return
    with handle:
        try:
            values = _jsonl_values(handle)
            yield from _read_values(values, path=path, force_multi=True)
        except OSError as err:
            yield ReadFailure(path, os_reason(err))
