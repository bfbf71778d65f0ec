"""Trial -> Document: run the pipeline and build the public contract.

- :mod:`~eligo.parse.parser`: :class:`Parser`, the Python API behind
  ``eligo parse`` (one pipeline, a batch of trials at a time);
- :mod:`~eligo.parse.convert`: :func:`to_document`, the processed Doc -> the
  public Document (with the summary of :mod:`~eligo.parse.summary`);
- :mod:`~eligo.parse.pool`: :func:`parse_trials`, multi-process parsing that
  streams results in input order (or on Dask), and :func:`frozen_heap`;
- :mod:`~eligo.parse.results`: what comes back (:class:`ParseFailure`,
  :class:`DocumentJSON`);
- :mod:`~eligo.parse.batch`: the batch run behind the CLI (files -> writer).
"""

from .convert import to_document
from .parser import TEXT_VOCAB_DOCS, Parser
from .pool import frozen_heap, parse_trials
from .results import DocumentJSON, Item, JSONResult, ParseFailure, Result, json_result

__all__ = [
    "TEXT_VOCAB_DOCS",
    "DocumentJSON",
    "Item",
    "JSONResult",
    "ParseFailure",
    "Parser",
    "Result",
    "frozen_heap",
    "json_result",
    "parse_trials",
    "to_document",
]
