"""The :class:`Store`: an embedded DuckDB database of parsed trials.

The store holds Documents (the public JSON model), never spaCy objects.
Records are written in batches (:meth:`Store.put_many`, up to :data:`BATCH`
records), each batch in one transaction: the old rows of its records (if any)
are deleted and the new ones inserted, then committed, so a record is never
half-written and a run interrupted at any point keeps every batch committed
before it (the batch being filled is committed on the way out). A record whose
content hash is unchanged is skipped. Rows are staged as JSON lines for DuckDB
to read (:mod:`eligo.store.staging`): one insert per table and batch, not one
statement per record. Tables are documented in ``SCHEMA.md`` beside this
module.
"""

from __future__ import annotations

import tempfile
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
from .staging import document_rows, stage

DEFAULT_DB = "eligo.duckdb"
#: Records per write transaction (:meth:`Store.put_many`).
BATCH = 500
#: From this many rows, an insert reads them staged as JSON lines.
STAGE_ROWS = 64

Outcome = Literal["added", "replaced", "unchanged"]


#: DuckDB's memory limit for a store (see :class:`Store`).
DEFAULT_MEMORY_LIMIT = "512MB"


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
        memory_limit: DuckDB's memory limit while writing (``"512MB"``,
            ``"2GB"``; None: DuckDB's default, 80 % of the machine's memory).
            DuckDB keeps the pages of the primary-key indexes it writes in
            memory up to that limit, so without one an index of the whole
            registry grows past 1 GB; with 256 MB, storing 40,000 trials
            peaked at 553 MB instead of 1,043 MB, as fast. A read-only store
            (the audit's large queries) keeps DuckDB's default unless given.

    Raises:
        StoreError: The file is not a DuckDB database, or holds another
            schema version.
    """

    def __init__(
        self,
        path: str | Path = DEFAULT_DB,
        *,
        read_only: bool = False,
        memory_limit: str | None = None,
    ):
        import duckdb

        self.path = str(path)
        if read_only and self.path != ":memory:" and not Path(self.path).is_file():
            raise StoreError(f"{self.path}: no such store (run 'eligo index' first)")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
            self.con.execute("SET enable_progress_bar = false")
            limit = memory_limit or (None if read_only else DEFAULT_MEMORY_LIMIT)
            if limit:
                self.con.execute("SET memory_limit = ?", [limit])
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
        return self.put_many([(doc, digest)])[0]

    def put_many(self, items: Sequence[tuple[Document, str | None]]) -> list[Outcome]:
        """Store documents in one transaction (see :meth:`put`).

        Args:
            items: ``(document, content hash or None)`` pairs; a trial id
                appears at most once.

        Returns:
            Each document's outcome, in order.

        Raises:
            ValueError: A trial id appears twice.
        """
        if not items:
            return []
        pairs = [(d, R.document_hash(d) if h is None else h) for d, h in items]
        ids = [d.id for d, _ in pairs]
        if len(set(ids)) != len(ids):
            raise ValueError("put_many: a trial id appears twice in one batch")
        stored = dict(
            self.con.execute(
                "SELECT trial_id, content_hash FROM trials WHERE trial_id IN "
                "(SELECT unnest(?::VARCHAR[]))",
                [ids],
            ).fetchall()
        )
        outcomes: list[Outcome] = [
            "unchanged"
            if stored.get(d.id) == h
            else ("replaced" if d.id in stored else "added")
            for d, h in pairs
        ]
        changed = [p for p, o in zip(pairs, outcomes, strict=True) if o != "unchanged"]
        if not changed:
            return outcomes
        replaced = [
            d.id for (d, _), o in zip(pairs, outcomes, strict=True) if o == "replaced"
        ]
        rows = document_rows(changed)
        self.con.execute("BEGIN TRANSACTION")
        try:
            if replaced:
                for table in TRIAL_TABLES:
                    self.con.execute(
                        f"DELETE FROM {table} WHERE trial_id IN "
                        "(SELECT unnest(?::VARCHAR[]))",
                        [replaced],
                    )
            for table in reversed(TRIAL_TABLES):  # trials first
                self._insert(table, rows[table])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return outcomes

    def _insert(self, table: str, values: Sequence[tuple[Any, ...]]) -> None:
        if not values:
            return
        if len(values) >= STAGE_ROWS:
            with tempfile.TemporaryDirectory(prefix="eligo-store-") as tmp:
                select = stage(Path(tmp) / f"{table}.jsonl", table, values)
                self.con.execute(f"INSERT INTO {table} {select}")
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
        """Store documents in batches, skipping unchanged ones.

        Args:
            docs: Parsed documents.
            on_stored: Called after each document is committed (progress).

        Returns:
            How many were added, replaced or unchanged.
        """
        counts = IndexCounts()
        with self.batch(counts, on_stored) as put:
            for doc in docs:
                put(doc, None)
        return counts

    def batch(
        self,
        counts: IndexCounts,
        on_stored: Callable[[Document, Outcome], None] | None = None,
        size: int = BATCH,
    ) -> _Batch:
        """A writer that commits every ``size`` documents and on exit.

        Use as ``with store.batch(counts) as put: put(doc, digest)``; leaving
        the block, even by an exception, commits what was put so far.
        """
        return _Batch(self, counts, on_stored, size)

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


class _Batch:
    """See :meth:`Store.batch`."""

    def __init__(
        self,
        store: Store,
        counts: IndexCounts,
        on_stored: Callable[[Document, Outcome], None] | None,
        size: int,
    ) -> None:
        self.store = store
        self.counts = counts
        self.on_stored = on_stored
        self.size = max(1, size)
        self.items: list[tuple[Document, str | None]] = []
        self.ids: set[str] = set()

    def put(self, doc: Document, digest: str | None) -> None:
        """Add one document; commits when the batch is full."""
        if doc.id in self.ids:  # the same trial again: commit the first
            self.flush()
        self.items.append((doc, digest))
        self.ids.add(doc.id)
        if len(self.items) >= self.size:
            self.flush()

    def flush(self) -> None:
        """Commit the documents put so far."""
        items, self.items, self.ids = self.items, [], set()
        for (doc, _), outcome in zip(items, self.store.put_many(items), strict=True):
            self.counts.record(outcome)
            if self.on_stored is not None:
                self.on_stored(doc, outcome)

    def __enter__(self) -> Callable[[Document, str | None], None]:
        return self.put

    def __exit__(self, *exc: object) -> None:
        self.flush()
