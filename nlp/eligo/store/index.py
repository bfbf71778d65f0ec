"""Read, parse and store trials incrementally: what ``eligo index`` runs.

Records are hashed before parsing (:func:`eligo.store.rows.trial_hash`), so an
unchanged record costs a read and a hash, not a parse. Parsed documents are
committed in batches (:meth:`eligo.store.Store.batch`); an interrupted run keeps
every document parsed before the interruption. Read and parse failures are
reported one line each and the batch goes on, as in :mod:`eligo.parse.batch`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document
from ..parse import ParseFailure, Result, parse_trials
from ..parse.batch import report_failure, report_warnings
from ..pipeline import DEFAULT_MAX_CHARS
from ..readers import read_paths
from ..trial import ReadFailure, Trial
from .db import IndexCounts, Outcome, Store
from .rows import document_hash, trial_hash


@dataclass
class IndexStats:
    """What an index run did."""

    counts: IndexCounts = field(default_factory=IndexCounts)
    failures: int = 0
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        """The closing line of ``eligo index``."""
        c = self.counts
        return (
            f"{c.added} added, {c.replaced} replaced, {c.unchanged} unchanged, "
            f"{self.failures} failures, {self.seconds:.1f} s"
        )


def run_index(
    paths: Iterable[str | Path],
    store: Store,
    *,
    jobs: int = 1,
    max_chars: int = DEFAULT_MAX_CHARS,
    engine: str = "local",
    scheduler: str | None = None,
    on_error: Callable[[str], None] | None = None,
    on_record: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> IndexStats:
    """Index every trial under ``paths`` into ``store``.

    Args:
        paths: Files, directories (recursive) or ``"-"``.
        store: An open, writable store.
        jobs: Parser processes.
        max_chars: Longest criteria text accepted.
        engine: ``"local"`` or ``"dask"`` (see :func:`eligo.parse.parse_trials`).
        scheduler: The Dask scheduler address (``None``: a local cluster).
        on_error: Called with each one-line failure message.
        on_record: Called with each record's outcome (progress).
        on_warning: Called with a one-line message for each note of a record
            that was indexed all the same (see :func:`eligo.parse.batch.run_parse`).

    Returns:
        Counts and timing; ``failures`` > 0 means the caller should exit non-zero.
    """
    stats = IndexStats()
    started = time.perf_counter()
    known = store.hashes()

    def changed(items: Iterable[Trial | ReadFailure]) -> Iterator[Trial | ReadFailure]:
        for item in items:
            if isinstance(item, Trial) and known.get(item.id) == trial_hash(item):
                stats.counts.record("unchanged")
                if on_record is not None:
                    on_record("unchanged")
                continue
            yield item

    def stored(doc: Document, outcome: Outcome) -> None:
        if on_record is not None:
            on_record(outcome)

    try:
        results: Iterator[Result] = parse_trials(
            changed(read_paths(paths)),
            jobs=jobs,
            max_chars=max_chars,
            engine=engine,
            scheduler=scheduler,
        )
        with store.batch(stats.counts, stored) as put:
            for result in results:
                if isinstance(result, (ReadFailure, ParseFailure)):
                    report_failure(result, stats, on_error)
                    continue
                report_warnings(result, stats, on_warning)
                digest = document_hash(result)
                put(result, digest)
                known[result.id] = digest
    finally:
        stats.seconds = time.perf_counter() - started
    return stats
