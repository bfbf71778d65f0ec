"""Fixtures of the audit tests: our invented trials, indexed and audited once."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audit"
TRIALS = FIXTURES / "trials.jsonl"


@pytest.fixture(scope="session")
def audit_store():
    """An in-memory store holding the invented trials."""
    from eligo.store import Store, run_index

    store = Store(":memory:")
    stats = run_index([TRIALS], store)
    assert stats.failures == 0
    yield store
    store.close()


@pytest.fixture(scope="session")
def audit_result(audit_store):
    """The audit of every invented trial."""
    from eligo.audit import run_audit

    return run_audit(audit_store)
