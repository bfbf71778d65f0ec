"""Custom ``Doc`` and ``Span`` attributes, registered in one place.

They hold plain, serialisable data (dicts, lists, strings) so they survive
``Doc.to_bytes`` and multi-process ``nlp.pipe``. eligo's results are span
groups with ``Span._`` attributes: see :mod:`eligo.pipeline.spans`.
"""

from __future__ import annotations

from spacy.tokens import Doc

from .docindex import doc_index

DOC_EXTENSIONS: dict[str, object] = {
    # Which reader produced the text ("text" pages are segmented differently).
    "source_format": "text",
    # Section of criteria that no header places.
    "default_section": "unknown",
    # The reading view of the text (see eligo.segment.view), made once per doc.
    "view": None,
}


def register_extensions() -> None:
    """Register eligo's ``Doc`` and ``Span`` extensions (idempotent)."""
    from .spans import register_span_extensions

    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    register_span_extensions()


def doc_view(doc: Doc) -> str:
    """The doc's reading view, computed on first use and kept on the doc.

    ``Doc.text`` rebuilds the string from the tokens on every access, so
    components share this one copy instead (``doc._.view``, and the Doc's
    :class:`~eligo.pipeline.docindex.DocIndex`, which is quicker to reach
    than ``doc._``).
    """
    index = doc_index(doc)
    if index.view is not None:
        return index.view
    from ..segment.view import reading_view

    view = doc._.view
    if view is None:
        view = reading_view(index.text)
        doc._.view = view
    index.view = str(view)
    return index.view
