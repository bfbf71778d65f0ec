"""Fixtures shared by the reader tests: fixture files and the ../shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.fixture
def fixtures() -> Path:
    """The directory of the small invented fixture records."""
    return FIXTURES


@pytest.fixture
def shared() -> Path:
    """The ../shared directory beside the repository; skips the test without it."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED.resolve()}")
    return SHARED.resolve()
