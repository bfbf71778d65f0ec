"""Run a parse over many inputs: read, parse, write, report.

:func:`run_parse` is what ``eligo parse`` calls; tests call it directly. Each
failure is reported as one line and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..document import Document
from ..pipeline import DEFAULT_MAX_CHARS
from ..readers import read_paths
from ..render.writers import Writer
from ..trial import ReadFailure
from .pool import parse_trials
from .results import DocumentJSON, ParseFailure


@dataclass
class ParseStats:
    """What a batch did."""

    documents: int = 0
    criteria: int = 0
    constraints: int = 0
    failures: int = 0
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        """The closing line of ``eligo parse``."""
        return (
            f"{self.documents} documents, {self.criteria} criteria, "
            f"{self.constraints} constraints, {self.failures} failures, "
            f"{self.seconds:.1f} s"
        )


class Reported(Protocol):
    """The counts a batch keeps of its failures and warnings."""

    failures: int
    messages: list[str]
    warnings: list[str]


def report_failure(
    failure: ReadFailure | ParseFailure,
    stats: Reported,
    on_error: Callable[[str], None] | None,
) -> None:
    """Count a read or parse failure and report its one-line message."""
    stats.failures += 1
    message = failure.message()
    stats.messages.append(message)
    if on_error is not None:
        on_error(message)


def report_warnings(
    result: Document | DocumentJSON,
    stats: Reported,
    on_warning: Callable[[str], None] | None,
) -> None:
    """Keep and report the notes of a document parsed all the same, a line each."""
    for line in result.warning_lines():
        stats.warnings.append(line)
        if on_warning is not None:
            on_warning(line)


def run_parse(
    paths: Iterable[str | Path],
    writer: Writer,
    *,
    section: str = "unknown",
    jobs: int = 1,
    max_chars: int = DEFAULT_MAX_CHARS,
    concepts: bool = True,
    codes: bool = False,
    compact: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    on_error: Callable[[str], None] | None = None,
    on_document: Callable[[Document | DocumentJSON], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> ParseStats:
    """Parse every trial under ``paths`` and write each document.

    Args:
        paths: Files, directories (recursive) or ``"-"`` for stdin.
        writer: Where documents go, as they are parsed.
        section: Section of criteria that no header places.
        jobs: Worker processes.
        max_chars: Longest criteria text accepted.
        concepts: Run the concept model (``False``: no entities, much faster).
        codes: ICD-10-CM codes on Condition entities where certain.
        compact: JSON without the fields that hold their default.
        engine: ``"local"`` (``jobs`` processes) or ``"dask"``.
        scheduler: The Dask scheduler address (``None``: a local cluster).
        on_error: Called with each one-line failure message.
        on_document: Called after each document is written (progress); it
            gets a :class:`DocumentJSON` when the writer takes JSON text.
        on_warning: Called with a one-line message (file, record, note) for
            each note of a document that was parsed all the same (code points
            that cannot be encoded, replaced).

    Returns:
        Counts and timing; ``failures`` > 0 means the caller should exit non-zero.
    """
    stats = ParseStats()
    started = time.perf_counter()
    # A JSON writer takes each document as the text it was serialised to where
    # it was parsed, so the Documents are never rebuilt in this process.
    write_json: Callable[[str], None] | None = getattr(writer, "write_json", None)
    try:
        results = parse_trials(
            read_paths(paths),
            jobs=jobs,
            default_section=section,
            max_chars=max_chars,
            concepts=concepts,
            codes=codes,
            as_json=write_json is not None,
            compact=compact,
            engine=engine,
            scheduler=scheduler,
        )
        for result in results:
            if isinstance(result, (ReadFailure, ParseFailure)):
                report_failure(result, stats, on_error)
                continue
            report_warnings(result, stats, on_warning)
            if isinstance(result, DocumentJSON):
                assert write_json is not None  # asked for only then
                write_json(result.json)
                stats.criteria += result.criteria
                stats.constraints += result.constraints
            else:
                writer.write(result)
                stats.criteria += len(result.criteria)
                stats.constraints += sum(len(c.constraints) for c in result.criteria)
            stats.documents += 1
            if on_document is not None:
                on_document(result)
    finally:
        writer.close()
        stats.seconds = time.perf_counter() - started
    return stats
