"""Small helpers for the reader tests."""

from __future__ import annotations

from pathlib import Path

from eligo.readers import read_paths
from eligo.trial import ReadFailure, Trial


def write(directory: Path, name: str, content: str | bytes) -> Path:
    """Write ``content`` (bytes as is, text as UTF-8 without newline changes)."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    path.write_bytes(data)
    return path


def read(path: Path | str) -> list[Trial | ReadFailure]:
    """Everything ``read_paths`` yields for one path."""
    return list(read_paths([path]))


def trials(results: list[Trial | ReadFailure]) -> list[Trial]:
    """The trials among ``results``."""
    return [r for r in results if isinstance(r, Trial)]


def failures(results: list[Trial | ReadFailure]) -> list[ReadFailure]:
    """The failures among ``results``."""
    return [r for r in results if isinstance(r, ReadFailure)]


def only_trial(results: list[Trial | ReadFailure]) -> Trial:
    """The single result, which must be a trial."""
    assert len(results) == 1, results
    result = results[0]
    assert isinstance(result, Trial), result
    return result


def only_failure(results: list[Trial | ReadFailure]) -> ReadFailure:
    """The single result, which must be a failure with a one-line reason."""
    assert len(results) == 1, results
    result = results[0]
    assert isinstance(result, ReadFailure), result
    assert "\n" not in result.reason
    return result
