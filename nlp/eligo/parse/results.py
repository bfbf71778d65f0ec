"""What parsing gives back: a Document, its JSON, or a failure that says why."""

from __future__ import annotations

from dataclasses import dataclass

from ..document import Document, Source
from ..trial import ReadFailure, Trial, where


@dataclass(frozen=True)
class ParseFailure:
    """A trial that was read but could not be parsed."""

    trial_id: str
    path: str | None
    record: str | None
    reason: str

    def message(self) -> str:
        """One line naming the file, the record and the reason."""
        return f"{where(self.path, self.record, self.trial_id)}: {self.reason}"


@dataclass(frozen=True)
class DocumentJSON:
    """A parsed Document as its JSON text, with the counts a batch reports.

    What :func:`parse_trials` gives with ``as_json=True``: a worker process
    sends a string back ~300× cheaper than the pydantic models it holds
    (unpickling 600 Documents took 0.64 s of the parent's CPU, which competes
    with the workers for the same cores), and a JSON writer writes it as it is.
    """

    id: str
    json: str
    criteria: int
    constraints: int
    notes: tuple[str, ...] = ()
    source: Source | None = None

    @classmethod
    def of(cls, document: Document, *, compact: bool = False) -> DocumentJSON:
        """Serialise a Document (``Document.model_dump_json()``).

        Args:
            document: The document.
            compact: Leave out every field that holds its default (empty lists,
                ``null``, ``false``): about a third of the size, and
                ``Document.model_validate_json`` reads it back unchanged.
        """
        return cls(
            id=document.id,
            json=document.model_dump_json(exclude_defaults=compact),
            criteria=len(document.criteria),
            constraints=sum(len(c.constraints) for c in document.criteria),
            notes=tuple(document.notes),
            source=document.source,
        )

    def warning_lines(self) -> list[str]:
        """As :meth:`Document.warning_lines`."""
        path, record = (
            (self.source.path, self.source.record) if self.source else (None, None)
        )
        return [f"{where(path, record, self.id)}: {note}" for note in self.notes]

    def document(self) -> Document:
        """The Document again (validated from the JSON text)."""
        return Document.model_validate_json(self.json)


Item = Trial | ReadFailure
Result = Document | ParseFailure | ReadFailure
JSONResult = DocumentJSON | ParseFailure | ReadFailure


def json_result(result: Result, compact: bool = False) -> JSONResult:
    """A Document as its :class:`DocumentJSON`; failures pass as they are."""
    if isinstance(result, Document):
        return DocumentJSON.of(result, compact=compact)
    return result
