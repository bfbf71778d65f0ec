"""Custom ``Doc`` attributes, registered in one place.

They hold plain, serialisable data (lists of dicts, strings) so they survive
``Doc.to_bytes`` and multi-process ``nlp.pipe``.
"""

from __future__ import annotations

from spacy.tokens import Doc

DOC_EXTENSIONS: dict[str, object] = {
    # Which reader produced the text ("text" pages are segmented differently).
    "source_format": "text",
    # Section of criteria that no header places.
    "default_section": "unknown",
    # The reading view of the text (see eligo.segment.view), made once per doc.
    "view": None,
    # [{"start", "end", "section", "header": [start, end] | None}]
    "sections": None,
    # [{"start", "end", "section", "items": [[s, e], ...], "heading": [s, e] | None}]
    "criteria": None,
}


def register_extensions() -> None:
    """Register eligo's ``Doc`` extensions (idempotent)."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


def doc_view(doc: Doc) -> str:
    """The doc's reading view, computed on first use and kept on the doc.

    ``Doc.text`` rebuilds the string from the tokens on every access, so
    components share this one copy instead.
    """
    from .segment.view import reading_view

    view = doc._.view
    if view is None:
        view = reading_view(doc.text)
        doc._.view = view
    return str(view)
