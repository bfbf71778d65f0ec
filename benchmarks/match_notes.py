"""Matching from free-text patient notes, against expert criterion labels.

``../shared/data/trialgpt_criteria/annotations.json`` holds expert labels of
(patient note, criterion) pairs from TrialGPT (Jin et al. 2024; notes from
SIGIR 2016, Koopman & Zuccon 2016). Each note is read with
:func:`eligo.match.note.read_note`, each criterion is parsed under its own
section heading ("Inclusion Criteria:" / "Exclusion Criteria:") and matched,
and eligo's verdict is mapped to the experts' four labels in one way:

=============  ===================  ===========================
criterion      eligo verdict        label
=============  ===================  ===========================
inclusion      met                  included
inclusion      not_met              not included
inclusion      unknown, not_comp.   not enough information
exclusion      not_met              excluded
exclusion      met, unknown, n.c.   not excluded
=============  ===================  ===========================

An exclusion that eligo cannot show to apply is "not excluded": the experts
read a note's silence on an exclusion so (the share's SOURCE.md), as a
screening coordinator does; an inclusion that eligo cannot show is "not
enough information".

A criterion the segmenter splits into several is decided as a trial is:
any part not met decides it, all parts met decide it, else unknown. eligo
never says "not applicable".

Reported on two fixed halves by patient id (sorted ids, even positions "A",
odd "B"; errors were studied on A only), and on all rows, each beside the
trivial prior (exclusion -> not excluded, inclusion -> not enough
information) on the same rows: accuracy, a confusion matrix, the rate of
wrong decisive verdicts ("not included"/"excluded" where the experts say
otherwise), and how many of the experts' note sentences the verdicts cite.
Speed: one note read and matched against 100 parsed CT.gov trials (trial
parsing excluded), median over the notes.

Usage:
    python benchmarks/match_notes.py [--out benchmarks/results/match_notes.json]
        [--errors FILE]

Skips (exit 0) without ../shared.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = SHARED / "trialgpt_criteria" / "annotations.json"
CTGOV = [SHARED / "ctgov_v2", SHARED / "ctgov_xml"]
OUT = ROOT / "benchmarks" / "results" / "match_notes.json"
AS_OF = date(2026, 1, 1)

LABEL = {
    ("inclusion", "met"): "included",
    ("inclusion", "not_met"): "not included",
    ("exclusion", "met"): "not excluded",
    ("exclusion", "not_met"): "excluded",
}
NEI = "not enough information"
DECISIVE = {"not included", "excluded"}
_NUMBERED = re.compile(r"^(\d+)\.\s", re.MULTILINE)


def label_of(kind: str, verdicts: list[str]) -> str:
    """The expert label eligo's verdicts on a criterion's parts map to."""
    if "not_met" in verdicts:
        return LABEL[(kind, "not_met")]
    if kind == "exclusion" or (verdicts and all(v == "met" for v in verdicts)):
        return LABEL[(kind, "met")]
    return NEI


def prior(kind: str) -> str:
    return "not excluded" if kind == "exclusion" else NEI


def halves(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    ids = sorted({r["patient_id"] for r in rows})
    return {"A": set(ids[0::2]), "B": set(ids[1::2])}


def sentence_numbers(note: str) -> list[tuple[int, int]]:
    """(offset, number) of each numbered sentence of a note."""
    return [(m.start(), int(m.group(1))) for m in _NUMBERED.finditer(note)]


def cited(note: str, sources: list[Any]) -> set[int]:
    marks = sentence_numbers(note)
    out = set()
    for src in sources:
        number = None
        for offset, n in marks:
            if offset <= src.start:
                number = n
        if number is not None:
            out.add(number)
    return out


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    right = sum(r["predicted"] == r["expert"] for r in rows)
    base = sum(prior(r["kind"]) == r["expert"] for r in rows)
    wrong_decisive = sum(
        r["predicted"] in DECISIVE and r["predicted"] != r["expert"] for r in rows
    )
    confusion = Counter(f"{r['expert']} -> {r['predicted']}" for r in rows)
    with_sentences = [r for r in rows if r["expert_sentences"]]
    found = sum(len(r["cited"] & r["expert_sentences"]) for r in with_sentences)
    wanted = sum(len(r["expert_sentences"]) for r in with_sentences)
    return {
        "rows": n,
        "accuracy": round(right / n, 3) if n else None,
        "prior_accuracy": round(base / n, 3) if n else None,
        "wrong_decisive_rate": round(wrong_decisive / n, 3) if n else None,
        "expert_sentences_cited": round(found / wanted, 3) if wanted else None,
        "confusion": dict(sorted(confusion.items())),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--errors", type=Path, default=None, help="dump half A's errors")
    ap.add_argument(
        "--assertions",
        choices=["eligo", "medspacy"],
        default=None,
        help="the note reader's ConText (default: the reader's default)",
    )
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"skipped: no {args.data}")
        return 0
    from eligo.match import match
    from eligo.match.note import NoteReader
    from eligo.parse import Parser
    from eligo.readers import read_paths
    from eligo.trial import Trial

    rows_in = json.loads(args.data.read_text(encoding="utf-8"))
    parser = Parser(concepts=True)
    reader = (
        NoteReader(parser, assertions=args.assertions)
        if args.assertions
        else NoteReader(parser)
    )
    patients: dict[str, Any] = {}
    read_seconds: list[float] = []
    for r in rows_in:
        if r["patient_id"] not in patients:
            t0 = time.perf_counter()
            patients[r["patient_id"]] = reader.read(
                r["note"], id=r["patient_id"], on=AS_OF
            ).patient
            read_seconds.append(time.perf_counter() - t0)
    rows = []
    for r in rows_in:
        kind = r["criterion_type"]
        heading = (
            "Inclusion Criteria:" if kind == "inclusion" else "Exclusion Criteria:"
        )
        text = f"{heading}\n- {(r['criterion_text'] or '').strip()}\n"
        doc = parser.parse(Trial(id=f"row{r['annotation_id']}", text=text))
        report = match(patients[r["patient_id"]], [doc], as_of=AS_OF)
        (trial,) = report.trials
        verdicts = [c.verdict for c in trial.criteria]
        sources = [s for c in trial.criteria for s in c.sources]
        try:
            expert_sentences = set(json.loads(r["expert_sentences"] or "[]"))
        except ValueError:
            expert_sentences = set()
        rows.append(
            {
                "patient": r["patient_id"],
                "kind": kind,
                "criterion": r["criterion_text"],
                "expert": r["expert_eligibility"],
                "predicted": label_of(kind, verdicts),
                "verdicts": verdicts,
                "evidence": [e.reason for c in trial.criteria for e in c.evidence],
                "expert_sentences": expert_sentences,
                "cited": cited(r["note"], sources),
            }
        )
    split = halves(rows_in)
    result: dict[str, Any] = {
        "data": "trialgpt_criteria (230 rows, 14 patients)",
        "note_assertions": reader.assertions,
        "as_of": AS_OF.isoformat(),
        "mapping": "inclusion met/not_met/other -> included/not included/NEI; "
        "exclusion not_met/other -> excluded/not excluded",
    }
    for name, ids in split.items():
        result[f"half_{name}"] = score([r for r in rows if r["patient"] in ids])
    result["all"] = score(rows)
    # Speed: one note read and matched against 100 parsed registry trials.
    docs = []
    if all(p.is_dir() for p in CTGOV):
        for item in read_paths(CTGOV):
            if isinstance(item, Trial):
                docs.append(parser.parse(item))
            if len(docs) == 100:
                break
    if docs:
        timings = []
        for r in rows_in[:1] + [x for x in rows_in if x["annotation_id"] % 17 == 0]:
            t0 = time.perf_counter()
            patient = reader.read(r["note"], on=AS_OF).patient
            match(patient, docs, as_of=AS_OF)
            timings.append(time.perf_counter() - t0)
        result["speed"] = {
            "trials": len(docs),
            "note_and_100_trials_seconds_median": round(statistics.median(timings), 3),
            "note_and_100_trials_seconds_max": round(max(timings), 3),
            "note_read_seconds_median": round(statistics.median(read_seconds), 3),
        }
    if args.errors is not None:
        wrong = [
            {k: (sorted(v) if isinstance(v, set) else v) for k, v in r.items()}
            for r in rows
            if r["patient"] in split["A"] and r["predicted"] != r["expert"]
        ]
        args.errors.write_text(json.dumps(wrong, indent=1) + "\n", encoding="utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{'rows':<8}{'eligo':>8}{'prior':>8}{'wrong decisive':>16}{'sentences':>11}")
    for name in ("half_A", "half_B", "all"):
        s = result[name]
        print(
            f"{name:<8}{s['accuracy']:>8}{s['prior_accuracy']:>8}"
            f"{s['wrong_decisive_rate']:>16}{s['expert_sentences_cited']!s:>11}"
        )
    if "speed" in result:
        print(json.dumps(result["speed"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
