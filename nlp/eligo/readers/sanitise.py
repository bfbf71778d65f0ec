"""Code points that UTF-8 cannot encode, replaced where input enters eligo.

A Python string can hold a lone surrogate (U+D800-U+DFFF), the only code
points UTF-8 has no bytes for: JSON's ``"\\ud8ff"`` decodes to one, and so does
a file name that is not UTF-8 (``surrogateescape``). Nothing downstream can
encode it (spaCy's StringStore, JSON output, the store), so the boundaries --
the readers (:func:`eligo.readers.read_paths`), :class:`eligo.parse.Parser` and
the patient loader (:func:`eligo.match.load.patient_from_data`) -- replace
each one with U+FFFD, one code point for one, so every offset still indexes
the text the user gave, and add a note saying so.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..trial import ReadFailure, Trial

__all__ = [
    "REPLACEMENT",
    "UNENCODABLE",
    "clean_data",
    "clean_result",
    "clean_text",
    "clean_trial",
]

#: What replaces a code point that cannot be encoded.
REPLACEMENT = "\ufffd"

#: The code points replaced: lone surrogates.
UNENCODABLE = re.compile("[\ud800-\udfff]")


def clean_text(text: str, what: str = "text") -> tuple[str, str | None]:
    """Replace each code point UTF-8 cannot encode with U+FFFD.

    Args:
        text: The text as given.
        what: What the text is, to name in the note ("criteria text", ...).

    Returns:
        The text (the same object when nothing was replaced; else of the same
        length, so offsets are unchanged) and a one-line note, or ``None``.
    """
    first = UNENCODABLE.search(text)
    if first is None:
        return text, None
    cleaned, count = UNENCODABLE.subn(REPLACEMENT, text)
    points = "code point" if count == 1 else "code points"
    lead = "" if count == 1 else "the first "
    return cleaned, (
        f"{what}: {count} {points} that cannot be encoded replaced by U+FFFD "
        f"({lead}U+{ord(first.group()):04X}, a lone surrogate, at offset "
        f"{first.start()})"
    )


def _clean(value: str, what: str, notes: list[str]) -> str:
    cleaned, note = clean_text(value, what)
    if note is not None:
        notes.append(note)
    return cleaned


def _clean_optional(value: str | None, what: str, notes: list[str]) -> str | None:
    return None if value is None else _clean(value, what, notes)


def clean_trial(trial: Trial) -> Trial:
    """A trial whose strings UTF-8 can encode, with a note for each replacement.

    Returns:
        ``trial`` itself when nothing needed replacing, else a copy whose
        ``notes`` say what was replaced where.
    """
    notes: list[str] = []
    changes: dict[str, Any] = {
        "text": _clean(trial.text, "criteria text", notes),
        "id": _clean(trial.id, "id", notes),
        "title": _clean_optional(trial.title, "title", notes),
        "conditions": tuple(
            _clean(c, f"conditions[{i}]", notes) for i, c in enumerate(trial.conditions)
        ),
        "path": _clean_optional(trial.path, "path", notes),
        "record": _clean_optional(trial.record, "record", notes),
    }
    if not notes:
        return trial
    return dataclasses.replace(trial, **changes, notes=(*trial.notes, *notes))


def clean_result(result: Trial | ReadFailure) -> Trial | ReadFailure:
    """:func:`clean_trial` for a trial; a failure's strings cleaned (no note)."""
    if isinstance(result, Trial):
        return clean_trial(result)
    parts = [result.path, result.reason, result.record, *result.extra.values()]
    if not any(p is not None and UNENCODABLE.search(p) for p in parts):
        return result
    return ReadFailure(
        path=clean_text(result.path)[0],
        reason=clean_text(result.reason)[0],
        record=None if result.record is None else clean_text(result.record)[0],
        extra={clean_text(k)[0]: clean_text(v)[0] for k, v in result.extra.items()},
    )


def clean_data(data: Any, notes: list[str], where: str = "") -> Any:
    """Parsed JSON with every string (keys too) cleaned by :func:`clean_text`.

    Args:
        data: What ``json.loads`` gave.
        notes: Gets one note per string changed, named by its JSON path
            (``conditions[0].text``).
        where: The path of ``data`` itself.

    Returns:
        ``data`` itself when nothing needed replacing, else a cleaned copy.
    """
    if isinstance(data, str):
        cleaned, note = clean_text(data, where or "value")
        if note is not None:
            notes.append(note)
        return cleaned
    if isinstance(data, list):
        items = [clean_data(v, notes, f"{where}[{i}]") for i, v in enumerate(data)]
        return data if all(a is b for a, b in zip(items, data, strict=True)) else items
    if isinstance(data, dict):
        out: dict[Any, Any] = {}
        changed = False
        for key, value in data.items():
            new_key = clean_data(key, notes, f"{where or 'object'} key")
            name = f"{where}.{new_key}" if where else str(new_key)
            new_value = clean_data(value, notes, name)
            changed = changed or new_key is not key or new_value is not value
            out[new_key] = new_value
        return out if changed else data
    return data
