"""Index and audit every record of ../shared/data/ctgov_xml; print findings by kind.

Times the three stages (index = read + parse + store, audit, report) and
prints the number of findings of each kind, the figures quoted in notes.

Usage: python benchmarks/audit_ctgov.py [--data ../shared/data/ctgov_xml]
       [--jobs N] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from eligo.audit import run_audit
from eligo.audit.report import write_report
from eligo.store import Store, run_index

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov_xml"


def main() -> int:
    """Run the benchmark; return the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="keep the files here")
    args = ap.parse_args()
    if not args.data.exists():
        print(f"skipped: {args.data} is absent", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        db = out / "ctgov.duckdb"
        db.unlink(missing_ok=True)
        with Store(db) as store:
            started = time.perf_counter()
            stats = run_index([args.data], store, jobs=args.jobs)
            index_s = time.perf_counter() - started
            result = run_audit(store)
        started = time.perf_counter()
        write_report(result, out / "report.html")
        report_s = time.perf_counter() - started
        summary = {
            "trials": len(result.documents),
            "index": stats.summary_line(),
            "index_seconds": round(index_s, 1),
            "audit_seconds": round(result.seconds, 1),
            "report_seconds": round(report_s, 1),
            "findings": len(result.findings),
            "by_kind": result.counts(),
        }
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
