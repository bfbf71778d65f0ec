"""An audit of ../shared/data/ctgov_xml end to end (skips without ../shared).

A subset of records keeps it fast; ``benchmarks/audit_ctgov.py`` audits all
of them and prints the counts by kind.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from eligo.audit import run_audit
from eligo.audit.report import write_report
from eligo.parse import parse_trials
from eligo.readers import read_paths
from eligo.store import Store

RECORDS = 400

pytestmark = pytest.mark.shared


def test_audit_ctgov_xml(shared_dir, tmp_path):
    source = shared_dir / "data" / "ctgov_xml"
    if not source.is_dir():
        pytest.skip(f"{source} is absent")
    store = Store(tmp_path / "ctgov.duckdb")
    items = itertools.islice(read_paths([source]), RECORDS)
    docs = [r for r in parse_trials(items) if hasattr(r, "criteria")]
    counts = store.index_documents(docs)
    assert counts.added == len(docs) > RECORDS * 0.9
    result = run_audit(store)
    store.close()
    written = write_report(result, tmp_path / "report.html")
    assert all(Path(p).stat().st_size > 0 for p in written)
    found = {k: n for k, n in result.counts().items() if n}
    print(f"ctgov_xml ({len(docs)} trials): {found}")
    assert len(found) >= 6, found
    for kind in ("not_computable", "unparsed_number", "threshold_outlier"):
        assert found.get(kind), found
