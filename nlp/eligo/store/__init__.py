"""The store: parsed trials in an embedded DuckDB database, indexed incrementally.

- :mod:`.schema`: the tables (documented for SQL users in ``SCHEMA.md``).
- :mod:`.rows`: Documents -> rows; the content hash.
- :mod:`.db`: :class:`Store` (open/create, one transaction per record, reload
  Documents without re-parsing).
- :mod:`.index`: :func:`run_index`, what ``eligo index`` runs.
"""

from __future__ import annotations

from .db import DEFAULT_DB, IndexCounts, Store, StoreError
from .index import IndexStats, run_index
from .rows import content_hash, document_hash, trial_hash

__all__ = [
    "DEFAULT_DB",
    "IndexCounts",
    "IndexStats",
    "Store",
    "StoreError",
    "content_hash",
    "document_hash",
    "run_index",
    "trial_hash",
]
