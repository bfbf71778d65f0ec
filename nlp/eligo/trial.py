"""The reader's output: one trial record as plain data, before any NLP.

Readers (``eligo.readers``) turn registry files into :class:`Trial` objects or
:class:`ReadFailure` objects; nothing here knows about spaCy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Sex = Literal["all", "female", "male"]
SourceFormat = Literal["text", "ctgov_v2", "ctgov_xml", "aact"]


@dataclass(frozen=True)
class StructuredFields:
    """Eligibility fields the registry keeps beside the free text.

    Ages are in years (``"6 Months"`` -> 0.5); ``None`` means no limit or not given.
    """

    minimum_age: float | None = None
    maximum_age: float | None = None
    sex: Sex | None = None
    healthy_volunteers: bool | None = None

    def is_empty(self) -> bool:
        return (
            self.minimum_age is None
            and self.maximum_age is None
            and self.sex is None
            and self.healthy_volunteers is None
        )


@dataclass(frozen=True)
class Trial:
    """One trial record.

    Attributes:
        id: NCT id when known, else the file stem (``stem:N`` for the N-th record
            of a multi-record file without ids).
        text: The criteria text exactly as the source holds it (for a plain-text
            file: the whole decoded file, line endings unchanged), except that
            the readers replace a code point that cannot be encoded (a lone
            surrogate) with U+FFFD, one for one, and say so in ``notes``.
        source_format: Which reader produced it; the segmenter treats whole
            ``"text"`` pages differently from registry criteria fields.
        title: Brief title, when the source has one.
        conditions: Conditions the registry lists.
        structured: Registry eligibility fields, or ``None`` when the source has
            none.
        path: The file it came from (``"-"`` for stdin).
        record: Position or id of the record inside the file, when the file
            holds several.
        notes: What was done to the record on the way in (code points that
            cannot be encoded replaced: :mod:`eligo.readers.sanitise`).
    """

    id: str
    text: str
    source_format: SourceFormat = "text"
    title: str | None = None
    conditions: tuple[str, ...] = ()
    structured: StructuredFields | None = None
    path: str | None = None
    record: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadFailure:
    """A record or file that could not be read; the batch goes on without it."""

    path: str
    reason: str
    record: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def message(self) -> str:
        """One line naming the file, the record (when known) and the reason."""
        where = self.path if self.record is None else f"{self.path} [{self.record}]"
        return f"{where}: {self.reason}"


def where(path: str | None, record: str | None, trial_id: str) -> str:
    """How a message names a trial: ``file [record]``, else its id."""
    name = path or trial_id
    record = record or (trial_id if path else None)
    return f"{name} [{record}]" if record else name
