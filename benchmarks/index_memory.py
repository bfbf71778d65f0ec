"""Peak memory, time and output size of ``eligo index`` on a large input.

Streams N trials, made by repeating the shared CT.gov sample with a distinct
id per copy (``NCT…-17``: every copy is a new trial to the store, so every one
is parsed and written; the reuse cache hits where the text repeats, as it does
in the real registry), through :func:`eligo.store.index.run_index` into a new
DuckDB store, with the concept model and ``--jobs`` processes as
``eligo index`` runs them. Reports seconds, trials/s, the peak resident memory
of this process and of the largest parser process, and the store's size on
disk against the criteria text's.

Usage: python benchmarks/index_memory.py [--data FILE] [--trials N] [--jobs 2]
    [--out benchmarks/results/index_memory.json] [--db PATH] [--every 300]

``--every`` samples the resident memory of this process and of its children
and the store's size while the run goes, to stderr and into the report.

Skips (exit 0) without the data. #16 asks for 560,000 trials under 1.5 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from throughput import DEFAULT_DATA, load_trials, peak_mb, repeated, stats_mb

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb(pid: str) -> float:
    """Resident memory of a process now (Linux /proc), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children() -> list[str]:
    out: list[str] = []
    for task in Path("/proc/self/task").glob("*/children"):
        with contextlib.suppress(OSError):
            out += task.read_text().split()
    return out


class Sampler(threading.Thread):
    """Every ``every`` seconds, the resident memory of this process and of each
    child, and the store's size: a trajectory that shows whether memory grows
    with the input (printed to stderr and kept in the report)."""

    def __init__(self, db: Path, every: float) -> None:
        super().__init__(daemon=True)
        self.db, self.every = db, every
        self.samples: list[dict[str, float]] = []
        self.stop = threading.Event()
        self.started_at = time.perf_counter()

    def run(self) -> None:
        while not self.stop.wait(self.every):
            kids = [_rss_mb(pid) for pid in _children()]
            store = sum(
                p.stat().st_size for p in self.db.parent.glob(self.db.name + "*")
            )
            sample = {
                "seconds": round(time.perf_counter() - self.started_at),
                "rss_mb_parent": round(_rss_mb("self"), 1),
                "rss_mb_children_max": round(max(kids, default=0.0), 1),
                "store_mb": round(store / 1e6, 1),
            }
            self.samples.append(sample)
            print(json.dumps(sample), file=sys.stderr, flush=True)


def index_run(
    trials: list, n: int, jobs: int, db: Path, every: float = 0.0
) -> dict[str, object]:
    """Index ``n`` repeated trials into a new store at ``db``."""
    import eligo.store.index as index
    from eligo.store import Store

    def fake_read_paths(_paths: object) -> Iterator:
        return repeated(trials, n)

    failures: list[str] = []
    original = index.read_paths
    index.read_paths = fake_read_paths  # type: ignore[assignment]
    sampler = Sampler(db, every) if every > 0 else None
    if sampler:
        sampler.start()
    try:
        with Store(db) as store:
            started = time.perf_counter()
            stats = index.run_index(
                ["<repeated>"], store, jobs=jobs, on_error=failures.append
            )
            seconds = time.perf_counter() - started
            rows = {t: store.count(t) for t in ("trials", "criteria", "constraints")}
    finally:
        index.read_paths = original
        if sampler:
            sampler.stop.set()
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    mb = stats_mb(trials, n)
    return {
        "trials": n,
        "jobs": jobs,
        "concepts": True,
        "added": stats.counts.added,
        "failures": stats.failures,
        "rows": rows,
        "seconds": round(seconds, 1),
        "trials_per_s": round(n / seconds, 1),
        "criteria_mb": round(mb, 1),
        "store_mb": round(size / 1e6, 1),
        "store_to_text": round(size / 1e6 / mb, 2),
        "peak_rss_mb_parent": round(peak_mb(), 1),
        "peak_rss_mb_largest_child": round(peak_mb(resource.RUSAGE_CHILDREN), 1),
        "first_failures": failures[:5],
        "samples": sampler.samples if sampler else [],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--trials", type=int, default=560_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--db", type=Path, default=None, help="store path (default: temp)")
    ap.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "index_memory.json",
    )
    ap.add_argument(
        "--every",
        type=float,
        default=300.0,
        help="seconds between memory samples (0: none)",
    )
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"no data at {args.data}; nothing measured", file=sys.stderr)
        return 0
    trials = load_trials(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "eligo.duckdb"
        report = {"data": str(args.data), "sample_trials": len(trials)}
        report.update(index_run(trials, args.trials, args.jobs, db, args.every))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
