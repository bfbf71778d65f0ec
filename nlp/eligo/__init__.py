"""eligo: clinical-trial eligibility criteria as structured, traceable constraints.

The flow, one folder per stage:

- ``eligo.readers``: files and records -> :class:`eligo.trial.Trial` (plain data).
- ``eligo.segment``: a trial's text -> sections and criteria (spaCy components).
- ``eligo.parse``: Trial -> :class:`eligo.document.Document`, the public JSON contract.
- ``eligo.match``: a patient against Documents -> verdicts (``eligo.match(...)``).
- ``eligo.cli``: the ``eligo`` command, a thin layer over the functions above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .document import Document

__all__ = ["__version__", "match", "parse_text"]


def parse_text(
    text: str, *, id: str = "text", default_section: str = "unknown"
) -> Document:
    """Parse one criteria text (or a pasted registry page) into a Document.

    Args:
        text: The text, as read; every offset in the result indexes it.
        id: The document id to report.
        default_section: Section of criteria that no header places.

    Returns:
        The parsed document.
    """
    from .parse import Parser
    from .trial import Trial

    parser = Parser(default_section=default_section)
    return parser.parse(Trial(id=id, text=text, source_format="text"))


def __getattr__(name: str) -> Any:
    if name == "match":  # eligo.match(patient, trials): see eligo.match
        import importlib

        return importlib.import_module(".match", __name__)
    raise AttributeError(f"module 'eligo' has no attribute {name!r}")
