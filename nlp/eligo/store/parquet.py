"""The store's tables as Parquet: ``eligo parse --format parquet`` and loading.

A Parquet output is a directory with one sub-directory per table of
:mod:`eligo.store.schema` (``trials``, ``criteria``, ``constraints``,
``entities``), each holding parts ``part-00000.parquet``, ... of the same
columns and types as the DuckDB tables (documented in ``SCHEMA.md``). A part
holds ``part_size`` trials (zstd-compressed); a run writes its parts in input
order, so parts can be written by any engine and read together:

    SELECT * FROM read_parquet('out/constraints/*.parquet')

:func:`load_parquet` puts such a directory into a :class:`~eligo.store.Store`
(what ``eligo index --parquet DIR`` does). The rows are made by the same code
as the store's (:mod:`eligo.store.rows`) and typed by its schema, so the two
never drift apart.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from ..document import Document
from ..errors import EligoError
from . import rows as R
from .db import Store
from .schema import TRIAL_TABLES
from .staging import document_rows, sql_path, stage

#: Trials per Parquet part.
PART_SIZE = 2000
#: Marks a directory written by :class:`ParquetWriter`.
MARKER = "_eligo_parquet"


class ParquetWriter:
    """A :class:`eligo.render.writers.Writer` that writes the store's tables as Parquet.

    Args:
        out_dir: The directory (created; parts already in it are replaced).
        part_size: Trials per part.
    """

    def __init__(self, out_dir: str | Path, *, part_size: int = PART_SIZE) -> None:
        self.out_dir = Path(out_dir)
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise EligoError(f"{self.out_dir}: Parquet output needs a directory")
        self.part_size = max(1, part_size)
        self.parts = 0
        self._docs: list[Document] = []
        for table in TRIAL_TABLES:
            folder = self.out_dir / table
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("part-*.parquet"):
                old.unlink()
        (self.out_dir / MARKER).write_text("eligo store tables as Parquet\n")

    def write(self, doc: Document) -> None:
        """Add one document (written with its part)."""
        self._docs.append(doc)
        if len(self._docs) >= self.part_size:
            self._flush()

    def _flush(self) -> None:
        if not self._docs:
            return
        name = f"part-{self.parts:05d}.parquet"
        rows = document_rows((doc, R.document_hash(doc)) for doc in self._docs)
        with tempfile.TemporaryDirectory(prefix="eligo-parquet-") as tmp:
            con = duckdb.connect()
            try:
                for table in TRIAL_TABLES:
                    select = stage(Path(tmp) / f"{table}.jsonl", table, rows[table])
                    target = sql_path(self.out_dir / table / name)
                    con.execute(
                        f"COPY ({select}) TO '{target}' "
                        "(FORMAT PARQUET, COMPRESSION ZSTD)"
                    )
            finally:
                con.close()
        self.parts += 1
        self._docs = []

    def close(self) -> None:
        """Write the last part."""
        self._flush()


def load_parquet(store: Store, parquet_dir: str | Path) -> int:
    """Load a :class:`ParquetWriter` directory into ``store``, in one transaction.

    Trials already in the store are replaced by the directory's rows.

    Returns:
        The number of trials loaded.

    Raises:
        EligoError: ``parquet_dir`` is not a directory eligo wrote.
    """
    root = Path(parquet_dir)
    if not (root / MARKER).is_file():
        raise EligoError(f"{root}: not a Parquet directory written by eligo parse")
    sources = {
        t: f"read_parquet('{sql_path(root / t)}/part-*.parquet')" for t in TRIAL_TABLES
    }
    if not any((root / "trials").glob("part-*.parquet")):
        return 0
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        ids = f"(SELECT trial_id FROM {sources['trials']})"
        for table in TRIAL_TABLES:  # children first, as Store.remove does
            con.execute(f"DELETE FROM {table} WHERE trial_id IN {ids}")
        for table in reversed(TRIAL_TABLES):
            con.execute(f"INSERT INTO {table} SELECT * FROM {sources[table]}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    row = con.execute(f"SELECT count(*) FROM {sources['trials']}").fetchone()
    return int(row[0]) if row else 0
