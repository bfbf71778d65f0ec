"""Plain-text input: a criteria block or a whole registry page (.txt, stdin).

The whole file is the trial's text, decoded as UTF-8 with nothing changed but a
leading byte-order mark (CRLF stays CRLF: the bytes are decoded, never read in
text mode). The id is the NCT id the page states under a label, else the only
NCT id the text mentions, else the file stem (``"stdin"`` for standard input).
Registry fields printed on the page (ages, sex, healthy volunteers) are read by
:mod:`eligo.readers.page`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import InputError
from ..trial import ReadFailure, Trial
from .common import ReadResult, decode_utf8, os_reason, stem_of
from .page import scan_page

__all__ = ["read_text_bytes", "read_text_file", "text_trial"]

_ANY_NCT_RE = re.compile(r"(?<![A-Za-z0-9])NCT\d{8}(?!\d)")


def _only_nct_id(text: str) -> str | None:
    """The NCT id when exactly one distinct id occurs in ``text``."""
    ids: set[str] = set()
    for match in _ANY_NCT_RE.finditer(text):
        ids.add(match.group())
        if len(ids) > 1:
            return None
    return ids.pop() if ids else None


def text_trial(text: str, *, path: str) -> ReadResult:
    """Make the trial of one plain-text document.

    Args:
        text: The decoded text, kept exactly as the trial's text.
        path: The path as given (``"-"`` for stdin).

    Returns:
        The trial, or a failure when the text is empty or only whitespace.
    """
    if not text.strip():
        return ReadFailure(path, "no criteria text")
    info = scan_page(text)
    trial_id = info.nct_id or _only_nct_id(text) or stem_of(path)
    return Trial(
        id=trial_id,
        text=text,
        source_format="text",
        structured=info.fields,
        path=path,
    )


def read_text_bytes(data: bytes, *, path: str) -> Iterator[ReadResult]:
    """Read plain-text bytes (UTF-8, optional BOM) as one trial.

    Args:
        data: The file's bytes.
        path: The path as given.

    Yields:
        One :class:`Trial` or one :class:`ReadFailure`.
    """
    try:
        text = decode_utf8(data)
    except InputError as err:
        yield ReadFailure(path, str(err))
        return
    yield text_trial(text, path=path)


def read_text_file(path: str) -> Iterator[ReadResult]:
    """Read a ``.txt``/``.text`` file as one trial.

    Args:
        path: The path as given.

    Yields:
        One :class:`Trial` or one :class:`ReadFailure`.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        yield ReadFailure(path, os_reason(err))
        return
    yield from read_text_bytes(data, path=path)
