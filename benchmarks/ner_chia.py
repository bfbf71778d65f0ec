"""Concept recognition on Chia's dev split: strict/relaxed F1 per type, and speed.

Scores the concept model (``models/concepts`` by default) on the fixed dev
split of ``eligo_train.concepts.brat.split_of`` (trials never trained on), with the
strict (exact span and label) and relaxed (overlap, same label) F1 of
:mod:`eligo_train.concepts.scoring`, per type and micro over Condition, Drug,
Procedure, Measurement, Observation and Device. Two gold references:
``all_gold`` (every Chia annotation of those types, nested ones included) and
``flat_gold`` (the overlap-resolved spans the model is trained on).

Speed: the model alone over the dev criteria (MB/s), and, with
``--trials N``, eligo's whole pipeline over N ClinicalTrials.gov records with
and without ``eligo_concepts`` (one process).

Usage:
    python benchmarks/ner_chia.py [--chia DIR] [--model DIR] [--trials N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def pipeline_speed(
    n_trials: int, with_concepts: bool, model: Path | None = None
) -> dict[str, float]:
    """MB/s of eligo's parse over the first ``n_trials`` registry records."""
    from eligo.parse import Parser
    from eligo.pipeline import build_pipeline
    from eligo.readers import read_paths
    from eligo.trial import Trial

    trials = [
        t
        for t in read_paths([SHARED / "ctgov_xml" / "trials.jsonl"])
        if isinstance(t, Trial)
    ][:n_trials]
    nlp = build_pipeline()
    if with_concepts and "eligo_concepts" not in nlp.pipe_names:
        config = {"model": str(model)} if model else {}
        nlp.add_pipe("eligo_concepts", after="eligo_measurements", config=config)
    if not with_concepts and "eligo_concepts" in nlp.pipe_names:
        nlp.remove_pipe("eligo_concepts")
    parser = Parser(nlp=nlp)
    size = sum(len(t.text.encode("utf-8")) for t in trials)
    started, cpu_started = time.perf_counter(), time.process_time()
    for trial in trials:
        parser.parse(trial)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "mb_per_cpu_s": round(size / cpu_seconds / 1e6, 3),
        "trials": len(trials),
        "mb": round(size / 1e6, 3),
        "mb_per_s": round(size / seconds / 1e6, 3),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chia", type=Path, default=SHARED / "chia")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--trials", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not args.chia.is_dir():
        print(f"no Chia corpus at {args.chia}; nothing measured", file=sys.stderr)
        return 0
    from eligo.concepts.component import load_model
    from eligo_train.concepts.scoring import evaluate_on_chia

    nlp = load_model(args.model)
    report = evaluate_on_chia(nlp, args.chia, split="dev")
    if args.trials:
        import eligo.concepts.component  # noqa: F401  (registers eligo_concepts)

        report["pipeline"] = {
            "without_concepts": pipeline_speed(args.trials, False),
            "with_concepts": pipeline_speed(args.trials, True, args.model),
        }
    print(f"{'type':<12} {'gold':>5} {'strict P/R/F1':>21} {'relaxed P/R/F1':>21}")
    for ref in ("all_gold", "flat_gold"):
        print(f"-- {ref}")
        for label, s in report[ref].items():
            print(
                f"{label:<12} {s['gold']:>5} "
                f"{s['strict_p']:.3f}/{s['strict_r']:.3f}/{s['strict_f']:.3f}   "
                f"{s['relaxed_p']:.3f}/{s['relaxed_r']:.3f}/{s['relaxed_f']:.3f}"
            )
    print(f"model alone: {report['mb_per_s']} MB/s over {report['docs']} criteria")
    if "pipeline" in report:
        print(f"pipeline: {json.dumps(report['pipeline'])}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
