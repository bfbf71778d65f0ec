"""The :class:`Store`: an embedded DuckDB database of parsed trials.

The store holds Documents (the public JSON model), never spaCy objects. Each
record is written in its own transaction: its old rows (if any) are deleted and
the new ones inserted, then committed, so a run interrupted at any point keeps
every record committed before it and never leaves a half-written one. A record
whose content hash is unchanged is skipped. Tables are documented in
``SCHEMA.md`` beside this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from .. import __version__
from ..document import Document
from ..errors import EligoError
from . import rows as R
from .schema import SCHEMA_VERSION, TRIAL_TABLES, column_names, create_statements

DEFAULT_DB = "eligo.duckdb"

Outcome = Literal["added", "replaced", "unchanged"]


class StoreError(EligoError):
    """A store that cannot be opened or was written by another schema."""


@dataclass
class IndexCounts:
    """What :meth:`Store.index_documents` did."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0

    def record(self, outcome: Outcome) -> None:
        """Count one outcome."""
        setattr(self, outcome, getattr(self, outcome) + 1)


class Store:
    """A DuckDB file (or ``":memory:"``) holding trials, criteria, constraints.

    Args:
        path: The database file; created with its tables when missing.
        read_only: Open without write access (``eligo audit``).

    Raises:
        StoreError: The file is not a DuckDB database, or holds another
            schema version.
    """

    def __init__(self, path: str | Path = DEFAULT_DB, *, read_only: bool = False):
        import duckdb

        self.path = str(path)
        if read_only and self.path != ":memory:" and not Path(self.path).is_file():
            raise StoreError(f"{self.path}: no such store (run 'eligo index' first)")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
            self.con.execute("SET enable_progress_bar = false")
        except duckdb.Error as err:
            raise StoreError(f"{self.path}: cannot open the store ({err})") from err
        if not read_only:
            for statement in create_statements():
                self.con.execute(statement)
            self.con.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?), "
                "('created_by', ?)",
                [str(SCHEMA_VERSION), __version__],
            )
        self._check_version()

    def _check_version(self) -> None:
        try:
            row = self.con.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except Exception as err:
            raise StoreError(f"{self.path}: not an eligo store ({err})") from err
        if row is None or row[0] != str(SCHEMA_VERSION):
            found = row[0] if row else "none"
            raise StoreError(
                f"{self.path}: store schema version {found}, this eligo reads "
                f"{SCHEMA_VERSION} (index again into a new file)"
            )

    # ---------------------------------------------------------------- context

    def close(self) -> None:
        """Close the connection (committed data is on disk)."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- write

    def hashes(self) -> dict[str, str]:
        """Every stored trial id with its content hash."""
        return dict(
            self.con.execute("SELECT trial_id, content_hash FROM trials").fetchall()
        )

    def put(self, doc: Document, digest: str | None = None) -> Outcome:
        """Store one document in its own transaction.

        Args:
            doc: The parsed document.
            digest: Its content hash (computed when ``None``).

        Returns:
            ``"unchanged"`` when the stored hash is equal (nothing written),
            ``"replaced"`` when older rows were replaced, else ``"added"``.
        """
        if digest is None:
            digest = R.document_hash(doc)
        row = self.con.execute(
            "SELECT content_hash FROM trials WHERE trial_id = ?", [doc.id]
        ).fetchone()
        if row is not None and row[0] == digest:
            return "unchanged"
        batches = {
            "trials": [R.trial_row(doc, digest)],
            "criteria": R.criterion_rows(doc),
            "constraints": R.constraint_rows(doc),
            "entities": R.entity_rows(doc),
        }
        self.con.execute("BEGIN TRANSACTION")
        try:
            if row is not None:
                for table in TRIAL_TABLES:
                    self.con.execute(
                        f"DELETE FROM {table} WHERE trial_id = ?", [doc.id]
                    )
            for table, values in batches.items():
                self._insert(table, values)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return "added" if row is None else "replaced"

    def _insert(self, table: str, values: Sequence[tuple[Any, ...]]) -> None:
        if not values:
            return
        width = len(column_names(table))
        one = "(" + ", ".join("?" * width) + ")"
        chunk = max(1, 2000 // width)  # keep statements small
        for i in range(0, len(values), chunk):
            part = values[i : i + chunk]
            params = [v for row in part for v in row]
            self.con.execute(
                f"INSERT INTO {table} VALUES " + ", ".join([one] * len(part)), params
            )

    def index_documents(
        self,
        docs: Iterable[Document],
        *,
        on_stored: Callable[[Document, Outcome], None] | None = None,
    ) -> IndexCounts:
        """Store documents one transaction each, skipping unchanged ones.

        Args:
            docs: Parsed documents.
            on_stored: Called after each document (progress).

        Returns:
            How many were added, replaced or unchanged.
        """
        counts = IndexCounts()
        for doc in docs:
            outcome = self.put(doc)
            counts.record(outcome)
            if on_stored is not None:
                on_stored(doc, outcome)
        return counts

    def remove(self, trial_id: str) -> bool:
        """Delete a trial's rows; ``True`` if it was stored."""
        found = (
            self.con.execute(
                "SELECT 1 FROM trials WHERE trial_id = ?", [trial_id]
            ).fetchone()
            is not None
        )
        self.con.execute("BEGIN TRANSACTION")
        try:
            for table in TRIAL_TABLES:
                self.con.execute(f"DELETE FROM {table} WHERE trial_id = ?", [trial_id])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return found

    # ------------------------------------------------------------------ read

    def count(self, table: str = "trials") -> int:
        """Rows in ``table``."""
        if table not in TRIAL_TABLES:
            raise StoreError(f"no table {table!r}")
        row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    def trial_ids(
        self,
        *,
        trial_ids: Sequence[str] | None = None,
        condition: str | None = None,
    ) -> list[str]:
        """Stored trial ids, optionally restricted.

        Args:
            trial_ids: Keep only these ids.
            condition: Keep trials with a condition (or title) containing this
                text, case-insensitively.

        Returns:
            The ids, sorted.
        """
        sql = "SELECT trial_id FROM trials WHERE TRUE"
        params: list[Any] = []
        if trial_ids:
            sql += " AND list_contains(?, trial_id)"
            params.append(list(trial_ids))
        if condition:
            sql += (
                " AND (contains(lower(array_to_string(conditions, chr(10))), ?)"
                " OR contains(lower(coalesce(title, '')), ?))"
            )
            params += [condition.lower(), condition.lower()]
        sql += " ORDER BY trial_id"
        return [r[0] for r in self.con.execute(sql, params).fetchall()]

    def documents(
        self,
        *,
        trial_ids: Sequence[str] | None = None,
        condition: str | None = None,
    ) -> Iterator[Document]:
        """Reload stored Documents (no parsing), in trial id order.

        Args:
            trial_ids: Keep only these ids.
            condition: See :meth:`trial_ids`.

        Yields:
            The documents.
        """
        ids = self.trial_ids(trial_ids=trial_ids, condition=condition)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = self.con.execute(
                "SELECT document FROM trials WHERE trial_id IN "
                "(SELECT unnest(?::VARCHAR[])) ORDER BY trial_id",
                [part],
            ).fetchall()
            for (raw,) in rows:
                yield Document.model_validate_json(raw)

    def get(self, trial_id: str) -> Document | None:
        """One stored Document, or ``None``."""
        row = self.con.execute(
            "SELECT document FROM trials WHERE trial_id = ?", [trial_id]
        ).fetchone()
        return Document.model_validate_json(row[0]) if row else None
