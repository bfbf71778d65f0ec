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
