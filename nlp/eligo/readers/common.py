"""Helpers the format readers share: decoding, record naming, one-line reasons.

A reader never raises for bad input; it yields a
:class:`~eligo.trial.ReadFailure` whose reason is one line. The functions here
build those reasons the same way for every format.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeAlias

from ..errors import InputError
from ..trial import ReadFailure, Trial

__all__ = [
    "EMPTY",
    "NO_CRITERIA",
    "NO_RECORDS",
    "STDIN",
    "ReadResult",
    "decode_utf8",
    "one_line",
    "os_reason",
    "record_name",
    "stem_of",
    "trial_id",
]

#: The path that names standard input.
STDIN = "-"

#: Reasons shared by several readers.
EMPTY = "empty file"
NO_CRITERIA = "no eligibility criteria in record"
NO_RECORDS = "no records in file"

#: What every reader yields.
ReadResult: TypeAlias = Trial | ReadFailure

_BOM = b"\xef\xbb\xbf"
_SPACE_RE = re.compile(r"\s+")
_MAX_REASON = 300


def one_line(message: str) -> str:
    """Collapse a message to one line of at most 300 characters."""
    line = _SPACE_RE.sub(" ", message).strip()
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 3] + "..."


def os_reason(err: OSError) -> str:
    """The one-line reason for an ``OSError`` raised while reading a path."""
    if isinstance(err, FileNotFoundError):
        return "no such file or directory"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    if err.errno is not None and err.strerror:
        return one_line(f"unreadable: [Errno {err.errno}] {err.strerror}")
    return one_line(f"unreadable: {err}")


def decode_utf8(data: bytes, *, offset: int = 0, strip_bom: bool = True) -> str:
    """Decode UTF-8 bytes exactly (no newline translation).

    Args:
        data: The raw bytes.
        offset: Where ``data`` starts in its file, for the error message.
        strip_bom: Drop a leading UTF-8 byte-order mark.

    Returns:
        The decoded text.

    Raises:
        InputError: The bytes are not UTF-8; the message names the first bad
            byte and its offset in the file.
    """
    start = 0
    if strip_bom and data.startswith(_BOM):
        start = len(_BOM)
    try:
        return data[start:].decode("utf-8") if start else data.decode("utf-8")
    except UnicodeDecodeError as err:
        at = err.start + start
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[at]:02x} at offset {at + offset})"
        ) from None


def stem_of(path: str) -> str:
    """The name ids fall back on: the file stem, or ``"stdin"`` for ``"-"``."""
    if path == STDIN:
        return "stdin"
    return Path(path).stem or "input"


def record_name(nct_id: str | None, index: int) -> str:
    """Name a record of a multi-record file: its NCT id, else ``record N``."""
    return nct_id if nct_id else f"record {index}"


def trial_id(nct_id: str | None, stem: str, index: int, *, multi: bool) -> str:
    """The id of a record: its NCT id, else ``stem`` (``stem:N`` when several)."""
    if nct_id:
        return nct_id
    return f"{stem}:{index}" if multi else stem
