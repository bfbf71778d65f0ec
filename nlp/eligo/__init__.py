"""eligo: clinical-trial eligibility criteria as structured, traceable constraints.

The flow, one folder per stage:

- ``eligo.readers``: files and records -> :class:`eligo.trial.Trial` (plain data).
- ``eligo.segment``: a trial's text -> sections and criteria (spaCy components).
- ``eligo.parse``: Trial -> :class:`eligo.document.Document`, the public JSON contract.
- ``eligo.match``: a patient against Documents -> verdicts (``eligo.match(...)``).
- ``eligo.api``: ``eligo.load()`` (the spaCy pipeline), ``parse_text(s)``.
- ``eligo.render``: the HTML view of Documents (``eligo render``, the service),
  constraint lines, the match table and the writers of ``eligo parse``.
- ``eligo.cli``: the ``eligo`` command, a thin layer over the functions above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from spacy.language import Language
    from spacy.tokens import Doc

    from .document import Document

__all__ = [
    "__version__",
    "load",
    "match",
    "parse_text",
    "parse_texts",
    "render_html",
    "to_document",
]


def load(*, concepts: bool = True, max_chars: int = 1_000_000) -> Language:
    """eligo's spaCy pipeline, built once per process and cached.

    See :func:`eligo.api.load` and, for the Doc attributes it sets,
    :mod:`eligo.api`.
    """
    from .api import load as _load

    return _load(concepts=concepts, max_chars=max_chars)


def parse_text(
    text: str,
    *,
    id: str = "text",
    default_section: str = "unknown",
    concepts: bool = True,
) -> Document:
    """Parse one criteria text (or a pasted registry page) into a Document.

    Reuses one cached pipeline (:func:`load`); thread-safe. See
    :func:`eligo.api.parse_text`.

    Args:
        text: The text, as read; every offset in the result indexes it.
        id: The document id to report.
        default_section: Section of criteria that no header places.
        concepts: Run the concept model (entities).

    Returns:
        The parsed document.
    """
    from .api import parse_text as _parse_text

    return _parse_text(text, id=id, default_section=default_section, concepts=concepts)


def parse_texts(
    texts: Iterable[str],
    *,
    ids: Iterable[str] | None = None,
    default_section: str = "unknown",
    concepts: bool = True,
    batch_size: int = 32,
) -> Iterator[Document]:
    """Parse a stream of texts into Documents, in order, in batches.

    See :func:`eligo.api.parse_texts`.
    """
    from .api import parse_texts as _parse_texts

    return _parse_texts(
        texts,
        ids=ids,
        default_section=default_section,
        concepts=concepts,
        batch_size=batch_size,
    )


def to_document(doc: Doc, *, id: str = "text") -> Document:
    """The public Document of a Doc from :func:`load`'s pipeline."""
    from .api import to_document as _to_document

    return _to_document(doc, id=id)


def __getattr__(name: str) -> Any:
    if name == "match":  # eligo.match(patient, trials): see eligo.match
        import importlib

        return importlib.import_module(".match", __name__)
    if name == "render_html":  # the offline HTML view: see eligo.render.document
        from .render.document import render_html

        return render_html
    raise AttributeError(f"module 'eligo' has no attribute {name!r}")
