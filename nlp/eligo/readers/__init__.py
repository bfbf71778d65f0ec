"""Readers: files, directories and stdin -> :class:`~eligo.trial.Trial` records.

One module per input format, all yielding :class:`~eligo.trial.Trial` or
:class:`~eligo.trial.ReadFailure` and never raising for bad input:

- :mod:`.text`: plain text (``.txt``, ``.text``, stdin), a criteria block or
  a scraped registry page (fields read by :mod:`.page`);
- :mod:`.ctgov_json`: ClinicalTrials.gov API v2 JSON and AACT-like JSON rows
  (``.json``, ``.jsonl``, ``.ndjson``);
- :mod:`.ctgov_xml`: the legacy ClinicalTrials.gov XML export (``.xml``);
- :mod:`.aact`: AACT ``eligibilities`` tables (``.csv``, ``.tsv``, and ``.txt``
  whose first line is a ``|``-delimited header).

:func:`read_paths` walks paths and directories and picks the reader by file
extension (by content for a file named explicitly with another extension);
:func:`read_text` sniffs a string (stdin) by its first character.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..trial import ReadFailure, Trial
from .aact import read_aact_file, read_aact_text, sniff_header
from .common import STDIN, ReadResult, decode_utf8, one_line, os_reason
from .ctgov_json import read_json_bytes, read_json_file, read_json_text, read_jsonl_file
from .ctgov_xml import read_xml_bytes, read_xml_file, read_xml_text
from .sanitise import clean_result
from .text import read_text_bytes, text_trial

__all__ = [
    "READ_EXTENSIONS",
    "ReadFailure",
    "ReadResult",
    "Trial",
    "read_file",
    "read_paths",
    "read_text",
]

#: Extensions read when walking a directory (other files there are skipped).
READ_EXTENSIONS = frozenset(
    {".txt", ".text", ".json", ".jsonl", ".ndjson", ".xml", ".csv", ".tsv"}
)

# How much of a file is looked at to sniff its format.
_SNIFF_BYTES = 1 << 16


def _first_line(text: str) -> str:
    end = text.find("\n", 0, _SNIFF_BYTES)
    return text[: _SNIFF_BYTES if end < 0 else end]


def read_text(text: str, *, path: str = STDIN) -> Iterator[ReadResult]:
    """Read a string whose format is unknown (standard input).

    Like every reader here, what it yields holds only strings UTF-8 can
    encode (see :mod:`eligo.readers.sanitise`).

    After leading whitespace, ``{`` or ``[`` means JSON (or JSONL), ``<`` means
    legacy XML; a first line that is an AACT ``eligibilities`` header means a
    table; anything else is plain text. A leading BOM is dropped.

    Args:
        text: The input.
        path: The name to report (``"-"`` for stdin).

    Yields:
        Trials and failures, in input order.
    """
    yield from _guarded(_read_text(text, path), path)


def _read_text(text: str, path: str) -> Iterator[ReadResult]:
    text = text.removeprefix("\ufeff")
    start = text[:_SNIFF_BYTES].lstrip()[:1]
    if start in ("{", "["):
        yield from read_json_text(text, path=path)
    elif start == "<":
        yield from read_xml_text(text, path=path)
    elif sniff_header(_first_line(text)):
        yield from read_aact_text(text, path=path)
    else:
        yield text_trial(text, path=path)


def _read_txt(path: str) -> Iterator[ReadResult]:
    """A ``.txt`` file: an AACT pipe table when its header says so, else text."""
    try:
        with open(path, "rb") as handle:
            head = handle.readline(_SNIFF_BYTES)
            is_table = sniff_header(head.decode("utf-8", errors="replace")) is not None
            data = b"" if is_table else head + handle.read()
    except OSError as err:
        yield ReadFailure(path, os_reason(err))
        return
    if is_table:
        yield from read_aact_file(path)
    else:
        yield from read_text_bytes(data, path=path)


def _read_sniffed(path: str) -> Iterator[ReadResult]:
    """A file named explicitly with an extension we do not know: sniff it."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
            is_table = sniff_header(first) is not None
            data = b"" if is_table else head + handle.read()
    except OSError as err:
        yield ReadFailure(path, os_reason(err))
        return
    if is_table:
        yield from read_aact_file(path)
        return
    start = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if start in (b"{", b"["):
        yield from read_json_bytes(data, path=path)
    elif start == b"<":
        yield from read_xml_bytes(data, path=path)
    else:
        yield from read_text_bytes(data, path=path)


def read_file(path: str) -> Iterator[ReadResult]:
    """Read one file, choosing the reader by extension (by content if unknown).

    Args:
        path: The file's path as given.

    Yields:
        Trials and failures, in file order.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".txt", ".text"):
        reader = _read_txt(path)
    elif suffix == ".json":
        reader = read_json_file(path)
    elif suffix in (".jsonl", ".ndjson"):
        reader = read_jsonl_file(path)
    elif suffix == ".xml":
        reader = read_xml_file(path)
    elif suffix in (".csv", ".tsv"):
        reader = read_aact_file(path)
    else:
        reader = _read_sniffed(path)
    yield from _guarded(reader, path)


def _guarded(results: Iterator[ReadResult], path: str) -> Iterator[ReadResult]:
    """The way out of every reader: strings UTF-8 cannot encode are cleaned
    (:func:`eligo.readers.sanitise.clean_result`), and a bug in a reader ends its file,
    not the batch."""
    try:
        for result in results:
            yield clean_result(result)
    except Exception as err:
        yield clean_result(
            ReadFailure(
                path, one_line(f"unexpected error: {type(err).__name__}: {err}")
            )
        )


def _read_stdin(stdin: BinaryIO | None) -> Iterator[ReadResult]:
    source = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if source is None:
        yield ReadFailure(STDIN, "standard input is not available")
        return
    try:
        text = decode_utf8(source.read())
    except InputError as err:
        yield ReadFailure(STDIN, str(err))
        return
    except OSError as err:
        yield ReadFailure(STDIN, os_reason(err))
        return
    yield from _guarded(_read_text(text, STDIN), STDIN)


def _walk(directory: str, seen: set[str]) -> Iterator[str | ReadFailure]:
    """Files to read under ``directory``: sorted, depth first, hidden skipped."""
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as err:
        yield ReadFailure(directory, os_reason(err))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        full = os.path.join(directory, entry.name)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            real = os.path.realpath(full)
            if real not in seen:
                seen.add(real)
                yield from _walk(full, seen)
        elif Path(entry.name).suffix.lower() in READ_EXTENSIONS:
            yield full


def read_paths(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    stdin: BinaryIO | None = None,
) -> Iterator[ReadResult]:
    """Read files, directories and stdin, one record at a time.

    Args:
        paths: Files, directories (walked recursively in sorted order, hidden
            entries and unknown extensions skipped) or ``"-"`` for stdin.
        stdin: What ``"-"`` reads (binary); ``sys.stdin`` when ``None``.

    Yields:
        A :class:`Trial` per record read and a :class:`ReadFailure` per record
        or file that could not be (a missing path included); never raises for
        bad input.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for given in paths:
        path = os.fspath(given)
        if path == STDIN:
            yield from _read_stdin(stdin)
        elif os.path.isdir(path):
            seen = {os.path.realpath(path)}
            for found in _walk(path, seen):
                if isinstance(found, ReadFailure):
                    yield clean_result(found)
                else:
                    yield from read_file(found)
        else:
            yield from read_file(path)
