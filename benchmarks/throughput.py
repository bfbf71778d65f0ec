"""Throughput and memory of eligo's parse on ClinicalTrials.gov criteria.

Parses the criteria of ``../shared/data/ctgov_xml/trials.jsonl`` with the full
pipeline and, in the same run, with a blank spaCy tokenizer over the same
texts, and reports trials/s, MB/s, criteria/s, the ratio to the tokenizer and
peak memory, for 1 and 2 processes; per-component time; the start-up time of
``eligo parse`` on one small file; and, with ``--memory-trials N``, the peak
memory of a streamed run over N trials made by repeating the sample.

Usage:
    python benchmarks/throughput.py [--data FILE] [--out FILE] [--memory-trials N]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
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


def bench_components(trials: list) -> dict[str, float]:
    """Seconds spent in each stage over all trials, one process."""
    from eligo.parse import Parser, to_document
    from eligo.segment.view import reading_view

    parser = Parser()
    spent: Counter[str] = Counter()
    for trial in trials:
        t0 = time.perf_counter()
        doc = parser.nlp.make_doc(trial.text)
        doc._.view = reading_view(trial.text)
        doc._.source_format = trial.source_format
        spent["tokenizer"] += time.perf_counter() - t0
        for name, proc in parser.nlp.pipeline:
            t0 = time.perf_counter()
            doc = proc(doc)
            spent[name] += time.perf_counter() - t0
        t0 = time.perf_counter()
        document = to_document(trial, doc)
        spent["to_document"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        document.model_dump_json()
        spent["serialise"] += time.perf_counter() - t0
    return dict(spent)


def bench_end_to_end(trials: list, jobs: int) -> tuple[float, int, int]:
    """Seconds, documents and criteria for a full parse + JSON serialisation."""
    from eligo.document import Document
    from eligo.parse import parse_trials

    started = time.perf_counter()
    docs = criteria = 0
    for result in parse_trials(iter(trials), jobs=jobs):
        if isinstance(result, Document):
            result.model_dump_json()
            docs += 1
            criteria += len(result.criteria)
    return time.perf_counter() - started, docs, criteria


def startup_seconds() -> float:
    exe = Path(sys.executable).with_name("eligo")
    example = ROOT / "examples" / "registry_page.txt"
    started = time.perf_counter()
    subprocess.run(
        [str(exe), "parse", str(example), "--format", "jsonl", "-q"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def repeated(trials: list, n: int) -> Iterator:
    for i in range(n):
        t = trials[i % len(trials)]
        yield replace(t, id=f"{t.id}-{i}")


def memory_run(trials: list, n: int, jobs: int) -> dict[str, float]:
    """Stream ``n`` trials through run_parse into /dev/null; report peak RSS."""
    import eligo.batch as batch
    from eligo.output import JsonLinesWriter

    def fake_read_paths(_paths: object) -> Iterator:
        return repeated(trials, n)

    original = batch.read_paths
    batch.read_paths = fake_read_paths  # type: ignore[assignment]
    try:
        with open("/dev/null", "w") as sink:
            started = time.perf_counter()
            stats = batch.run_parse(["<repeated>"], JsonLinesWriter(sink), jobs=jobs)
            seconds = time.perf_counter() - started
    finally:
        batch.read_paths = original
    return {
        "trials": n,
        "jobs": jobs,
        "documents": stats.documents,
        "seconds": round(seconds, 1),
        "peak_rss_mb_parent": round(peak_mb(), 1),
        "peak_rss_mb_largest_child": round(peak_mb(resource.RUSAGE_CHILDREN), 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "throughput.json"
    )
    ap.add_argument("--memory-trials", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N trials")
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
    report["components_seconds"] = {
        k: round(v, 2)
        for k, v in sorted(bench_components(trials).items(), key=lambda kv: -kv[1])
    }
    runs = {}
    for jobs in (1, 2):
        seconds, docs, criteria = bench_end_to_end(trials, jobs)
        runs[str(jobs)] = {
            "seconds": round(seconds, 2),
            "trials_per_s": round(docs / seconds, 1),
            "mb_per_s": round(mb / seconds, 3),
            "criteria_per_s": round(criteria / seconds, 1),
            "tokenizer_ratio": round(seconds / tok, 1),
        }
    runs["2"]["speedup"] = round(runs["1"]["seconds"] / runs["2"]["seconds"], 2)
    report["end_to_end"] = runs
    report["peak_rss_mb"] = round(peak_mb(), 1)
    report["startup_seconds"] = round(startup_seconds(), 2)
    if args.memory_trials:
        report["memory"] = memory_run(trials, args.memory_trials, jobs=2)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
