"""Rows staged as JSON lines, for DuckDB to read in C.

Binding many rows as SQL parameters costs more than parsing the trials they
came from; DuckDB reads the same rows from a JSON-lines file, typed by the
store's schema (:func:`eligo.store.schema.json_columns`), far faster. The
store's batched writes (:meth:`eligo.store.Store.put_many`) and the Parquet
writer (:class:`eligo.store.parquet.ParquetWriter`) both stage rows this way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..document import Document
from . import rows as R
from .schema import TRIAL_TABLES, column_names, json_columns


def sql_path(path: Path) -> str:
    """A path as the text of an SQL string literal."""
    return str(path).replace("'", "''")


def document_rows(
    docs: Iterable[tuple[Document, str]],
) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows for ``(document, content hash)`` pairs."""
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TRIAL_TABLES}
    for doc, digest in docs:
        rows["trials"].append(R.trial_row(doc, digest))
        rows["criteria"] += R.criterion_rows(doc)
        rows["constraints"] += R.constraint_rows(doc)
        rows["entities"] += R.entity_rows(doc)
    return rows


def stage(path: Path, table: str, rows: Sequence[tuple[Any, ...]]) -> str:
    """Write ``rows`` of ``table`` to ``path``; the ``SELECT`` that reads them."""
    names = column_names(table)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(dict(zip(names, row, strict=True)), default=str))
            out.write("\n")
    return (
        f"SELECT * FROM read_json('{sql_path(path)}', "
        f"format='newline_delimited', columns={json_columns(table)})"
    )
