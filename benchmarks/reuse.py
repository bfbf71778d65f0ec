"""How often a criterion's results are reused instead of recomputed, and what it saves.

Two caches, both keyed by what the work depends on:

- the concept model's predictions, by criterion text
  (:class:`eligo.concepts.component.ConceptRecognizer`);
- every component's results after segmentation, by criterion text, section,
  heading and what a component reads around it (:mod:`eligo.parse.reuse`).

This script parses, in one process, with both caches and with neither
(``Parser(reuse=None)`` and a concept cache of 0), and reports the hit rates
and wall times of each:

- the shared CT.gov sample once (distinct real records: the reuse a real run
  of distinct trials gets from criteria that repeat across trials);
- the sample repeated ``--repeat`` times and shuffled (seeded): what a large
  input of copied records gets, bounded by the cache size.

Results in ``benchmarks/results/reuse.json``. Skips cleanly without ../shared.

Usage: python benchmarks/reuse.py [--repeat 5] [--cache-size 20000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "ctgov_xml" / "trials.jsonl"


def run(trials: list, cache_size: int) -> dict:
    from eligo.parse import Parser, frozen_heap

    out: dict[str, object] = {"trials": len(trials)}
    for label, size in (("without_reuse", 0), ("with_reuse", cache_size)):
        parser = Parser(concepts=True, reuse=size or None)
        concepts = parser.nlp.get_pipe("eligo_concepts")
        concepts.cache_size = size
        started = time.perf_counter()
        with frozen_heap():
            docs = sum(1 for _ in parser.parse_many(trials))
        seconds = time.perf_counter() - started
        run_out: dict[str, object] = {
            "seconds": round(seconds, 1),
            "trials_per_s": round(docs / seconds, 1),
            "concept_texts": concepts.lookups,
            "concept_texts_reused": concepts.hits,
            "concept_hit_rate": round(concepts.hits / max(1, concepts.lookups), 4),
        }
        if parser.reuse is not None:
            run_out["criteria"] = parser.reuse.lookups
            run_out["criteria_reused"] = parser.reuse.hits
            run_out["criterion_hit_rate"] = round(
                parser.reuse.hits / max(1, parser.reuse.lookups), 4
            )
        out[label] = run_out
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cache-size", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "reuse.json"
    )
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"no CT.gov sample at {args.data}; nothing measured", file=sys.stderr)
        return 0
    from eligo.readers import read_paths
    from eligo.trial import Trial

    trials = [t for t in read_paths([args.data]) if isinstance(t, Trial)]
    repeated = trials * args.repeat
    random.Random(args.seed).shuffle(repeated)
    report = {
        "data": str(args.data),
        "cache_size": args.cache_size,
        "distinct_records": run(trials, args.cache_size),
        f"repeated_{args.repeat}x_shuffled": run(repeated, args.cache_size),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
