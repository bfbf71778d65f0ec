"""Throughput and memory of eligo's parse on ClinicalTrials.gov criteria.

Parses the criteria of ``../shared/data/ctgov_xml/trials.jsonl`` with the full
pipeline and, in the same run, with a blank spaCy tokenizer over the same
texts, and reports trials/s, MB/s, criteria/s, the ratio to the tokenizer and
peak memory, for 1 and 2 processes; per-component time; the start-up time of
``eligo parse`` on one small file; and, with ``--memory-trials N``, the peak
memory of a streamed run over N trials made by repeating the sample; with
``--dask``, the same end-to-end parse on a local Dask cluster of 2 workers
(cluster start and stop included) and its overhead against ``--jobs 2``.

``--concepts both`` (the default) measures the full pipeline and the pipeline
without the concept model (``Parser(concepts=False)``, for bulk runs) and
reports both; ``on`` or ``off`` measures one.

Usage:
    python benchmarks/throughput.py [--data FILE] [--out FILE] [--memory-trials N]
        [--concepts both|on|off] [--limit N] [--dask]

``benchmarks/results/throughput.json`` is the default run;
``benchmarks/results/throughput_memory.json`` is ``--concepts on
--memory-trials 100000`` (the streamed run with the concept model, whose
vocabulary is the part that grows with the input). Figures move by 10-15 %
between runs on the shared 2-core machine: compare runs made back to back.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ctgov_xml" / "trials.jsonl"


def load_trials(path: Path) -> list:
    from eligo.readers import read_paths
    from eligo.trial import Trial

    return [t for t in read_paths([path]) if isinstance(t, Trial)]


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def bench_tokenizer(texts: list[str]) -> float:
    import spacy

    nlp = spacy.blank("en")
    started = time.perf_counter()
    for text in texts:
        nlp.tokenizer(text)
    return time.perf_counter() - started


def bench_components(trials: list, concepts: bool) -> dict[str, float]:
    """Seconds spent in each stage over all trials, one process.

    Trials go through the pipeline in batches, as ``parse_trials`` sends them,
    and with the pipeline's objects frozen out of the garbage collector, as
    ``parse_trials`` does: otherwise the full collections, about 1 s per run,
    are charged to whichever stage happens to trigger them.
    """
    from eligo.document import Document
    from eligo.parse import Parser, frozen_heap

    parser = Parser(concepts=concepts)
    spent: dict[str, float] = {}
    with frozen_heap():
        for start in range(0, len(trials), parser.batch_size):
            batch = trials[start : start + parser.batch_size]
            results = parser.parse_batch(batch, spent)
            t0 = time.perf_counter()
            for result in results:
                if isinstance(result, Document):
                    result.model_dump_json()
            spent["serialise"] = spent.get("serialise", 0.0) + time.perf_counter() - t0
    return spent


def bench_end_to_end(
    trials: list, jobs: int, concepts: bool, engine: str = "local"
) -> tuple[float, int, int]:
    """Seconds, documents and criteria for a full parse + JSON serialisation.

    As ``eligo parse --format jsonl`` does it: each Document is serialised
    where it was parsed (in the workers for ``jobs`` > 1). The time includes
    building the pipeline (in each worker for ``jobs`` > 1), and for
    ``engine="dask"`` starting and stopping a local cluster of ``jobs`` workers.
    """
    from eligo.parse import DocumentJSON, parse_trials

    started = time.perf_counter()
    docs = criteria = 0
    for result in parse_trials(
        iter(trials), jobs=jobs, concepts=concepts, as_json=True, engine=engine
    ):
        if isinstance(result, DocumentJSON):
            docs += 1
            criteria += result.criteria
    return time.perf_counter() - started, docs, criteria


def startup_seconds(runs: int = 3) -> dict[str, object]:
    """Wall time of ``eligo parse`` on one small example, ``runs`` times.

    The first run pays for cold file caches (and, with PYTHONDONTWRITEBYTECODE,
    every run recompiles eligo's modules); the median is the figure compared
    with the 3 s target.
    """
    exe = Path(sys.executable).with_name("eligo")
    example = next(
        p
        for p in (
            ROOT / "examples" / "trials" / "registry_page.txt",
            ROOT / "examples" / "registry_page.txt",
        )
        if p.is_file()
    )
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [str(exe), "parse", str(example), "--format", "jsonl", "-q"],
            check=True,
            capture_output=True,
        )
        walls.append(round(time.perf_counter() - started, 2))
    return {"runs": walls, "median": sorted(walls)[len(walls) // 2]}


def repeated(trials: list, n: int) -> Iterator:
    for i in range(n):
        t = trials[i % len(trials)]
        yield replace(t, id=f"{t.id}-{i}")


def stats_mb(trials: list, n: int) -> float:
    """MB of criteria text in ``n`` trials repeated from ``trials``."""
    sizes = [len(t.text.encode("utf-8")) for t in trials]
    full, rest = divmod(n, len(trials))
    return (full * sum(sizes) + sum(sizes[:rest])) / 1e6


def memory_run(trials: list, n: int, jobs: int, concepts: bool) -> dict[str, object]:
    """Stream ``n`` trials through run_parse into /dev/null; report peak RSS."""
    import eligo.parse.batch as batch
    from eligo.render.writers import JsonLinesWriter

    def fake_read_paths(_paths: object) -> Iterator:
        return repeated(trials, n)

    original = batch.read_paths
    batch.read_paths = fake_read_paths  # type: ignore[assignment]
    try:
        with open("/dev/null", "w") as sink:
            started = time.perf_counter()
            stats = batch.run_parse(
                ["<repeated>"], JsonLinesWriter(sink), jobs=jobs, concepts=concepts
            )
            seconds = time.perf_counter() - started
    finally:
        batch.read_paths = original
    return {
        "trials": n,
        "jobs": jobs,
        "concepts": concepts,
        "documents": stats.documents,
        "mb_per_s": round(stats_mb(trials, n) / seconds, 3),
        "seconds": round(seconds, 1),
        "peak_rss_mb_parent": round(peak_mb(), 1),
        "peak_rss_mb_largest_child": round(peak_mb(resource.RUSAGE_CHILDREN), 1),
    }


def measure(
    trials: list, mb: float, tok: float, concepts: bool, dask: bool = False
) -> dict[str, object]:
    """Per-stage seconds and end-to-end runs (1 and 2 processes) of one pipeline."""
    out: dict[str, object] = {
        "components_seconds": {
            k: round(v, 2)
            for k, v in sorted(
                bench_components(trials, concepts).items(), key=lambda kv: -kv[1]
            )
        }
    }
    runs: dict[str, dict[str, float]] = {}
    for jobs in (1, 2):
        seconds, docs, criteria = bench_end_to_end(trials, jobs, concepts)
        runs[str(jobs)] = {
            "seconds": round(seconds, 2),
            "trials_per_s": round(docs / seconds, 1),
            "mb_per_s": round(mb / seconds, 3),
            "criteria_per_s": round(criteria / seconds, 1),
            "tokenizer_ratio": round(seconds / tok, 1),
        }
    runs["2"]["speedup"] = round(runs["1"]["seconds"] / runs["2"]["seconds"], 2)
    if dask:
        seconds, docs, criteria = bench_end_to_end(trials, 2, concepts, "dask")
        runs["dask_2"] = {
            "seconds": round(seconds, 2),
            "trials_per_s": round(docs / seconds, 1),
            "mb_per_s": round(mb / seconds, 3),
            "tokenizer_ratio": round(seconds / tok, 1),
            "overhead_vs_jobs_2": round(seconds / runs["2"]["seconds"] - 1, 3),
        }
    out["end_to_end"] = runs
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "throughput.json"
    )
    ap.add_argument("--memory-trials", type=int, default=0)
    ap.add_argument(
        "--dask",
        action="store_true",
        help="also time --engine dask on a local cluster of 2 workers",
    )
    ap.add_argument("--limit", type=int, default=0, help="use only the first N trials")
    ap.add_argument(
        "--concepts",
        choices=("both", "on", "off"),
        default="both",
        help="measure the pipeline with the concept model, without it, or both",
    )
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"no data at {args.data}; nothing measured", file=sys.stderr)
        return 0
    trials = load_trials(args.data)
    if args.limit:
        trials = trials[: args.limit]
    texts = [t.text for t in trials]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    report: dict[str, object] = {
        "data": str(args.data),
        "trials": len(trials),
        "mb": round(mb, 3),
    }

    tok = bench_tokenizer(texts)
    report["tokenizer"] = {"seconds": round(tok, 2), "mb_per_s": round(mb / tok, 2)}
    variants = {"on": [True], "off": [False], "both": [True, False]}[args.concepts]
    for concepts in variants:
        key = "full" if concepts else "no_concepts"
        report[key] = measure(trials, mb, tok, concepts, dask=args.dask)
    report["peak_rss_mb"] = round(peak_mb(), 1)
    report["startup_seconds"] = startup_seconds()
    if args.memory_trials:
        report["memory"] = memory_run(
            trials, args.memory_trials, jobs=2, concepts=variants[-1]
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    print_table(report)
    return 0


def print_table(report: dict[str, object]) -> None:
    """The end-to-end figures as a small table (stderr)."""
    print(
        f"{'pipeline':<12} {'jobs':>4} {'s':>8} {'MB/s':>7} {'trials/s':>9} "
        f"{'speedup':>7}",
        file=sys.stderr,
    )
    for key in ("full", "no_concepts"):
        part = report.get(key)
        if not isinstance(part, dict):
            continue
        for jobs, run in part["end_to_end"].items():
            print(
                f"{key:<12} {jobs:>4} {run['seconds']:>8} {run['mb_per_s']:>7} "
                f"{run['trials_per_s']:>9} {run.get('speedup', ''):>7}",
                file=sys.stderr,
            )


if __name__ == "__main__":
    raise SystemExit(main())
