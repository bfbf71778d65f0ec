"""Fixtures shared by the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The team's data beside the project; tests using it skip without it."""
    if not (SHARED / "README.md").is_file():
        pytest.skip("../shared is absent (the team's data is not on this machine)")
    return SHARED


@pytest.fixture(scope="session")
def parser():
    """One pipeline for the session (building it is the slow part)."""
    from eligo.parse import Parser

    return Parser()
