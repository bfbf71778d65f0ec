"""Match written patients against ctgov_xml trials: speed and how much is decided.

There is no gold standard of patient-trial verdicts in ../shared, so this
reports what can be measured honestly: matching speed (parsing excluded),
the share of criteria that get a definite verdict, the reasons the rest stay
unknown, and the trial verdicts, for three patients we wrote (a healthy
volunteer, a woman with breast cancer, a man with hepatitis B cirrhosis and
hepatocellular carcinoma), each once with open lists and once with complete
ones.

Usage: python benchmarks/match.py [--data ../shared/data/ctgov_xml]
       [--limit N] [--jobs N] [--out benchmarks/results/match.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from datetime import date
from pathlib import Path

from eligo.match.engine import iter_documents, match_document
from eligo.match.evaluate import Context
from eligo.match.patient import Patient
from eligo.match.result import MatchFailure
from eligo.match.rules import match_rules

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "ctgov_xml"
AS_OF = date(2026, 11, 22)
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
COMPLETE = ["conditions", "medications", "procedures", "trials"]

PATIENTS = {
    "healthy_volunteer": {
        "birth_date": "1994-05-02",
        "sex": "male",
        "observations": [
            {"name": "BMI", "value": 24.1, "unit": "kg/m2", "date": "2026-11-01"},
            {"name": "hemoglobin", "value": 14.8, "unit": "g/dL", "date": "2026-11-01"},
            {"name": "creatinine", "value": 0.9, "unit": "mg/dL", "date": "2026-11-01"},
        ],
    },
    "breast_cancer": {
        "birth_date": "1971-09-30",
        "sex": "female",
        "pregnant": False,
        "breastfeeding": False,
        "conditions": [
            {
                "text": "breast cancer",
                "codes": [{"system": ICD, "code": "C50.912"}],
                "onset": "2025-02",
            },
            {
                "text": "hypertension",
                "codes": [{"system": ICD, "code": "I10"}],
                "onset": "2015",
            },
        ],
        "medications": [
            {"text": "doxorubicin", "start": "2025-03-01", "end": "2025-06-30"},
            {"text": "letrozole", "start": "2025-08-01"},
        ],
        "procedures": [{"text": "mastectomy", "date": "2025-07-15"}],
        "observations": [
            {"name": "ECOG", "value": 1, "date": "2026-11-10"},
            {
                "name": "absolute neutrophil count",
                "value": 2.1,
                "unit": "10^9/L",
                "date": "2026-11-10",
            },
            {"name": "platelets", "value": 210, "unit": "10^9/L", "date": "2026-11-10"},
            {
                "name": "total bilirubin",
                "value": 0.7,
                "unit": "mg/dL",
                "date": "2026-11-10",
            },
            {"name": "creatinine", "value": 0.8, "unit": "mg/dL", "date": "2026-11-10"},
        ],
    },
    "hbv_hcc": {
        "birth_date": "1960-01-20",
        "sex": "male",
        "conditions": [
            {
                "text": "hepatocellular carcinoma",
                "codes": [{"system": ICD, "code": "C22.0"}],
                "onset": "2026-03",
            },
            {
                "text": "cirrhosis",
                "codes": [{"system": ICD, "code": "K74.60"}],
                "onset": "2019",
            },
            {
                "text": "chronic hepatitis B",
                "codes": [{"system": ICD, "code": "B18.1"}],
                "onset": "2001",
            },
        ],
        "medications": [{"text": "entecavir", "start": "2012-01-01"}],
        "observations": [
            {"name": "Child-Pugh class", "value_text": "A", "date": "2026-11-05"},
            {"name": "ECOG", "value": 0, "date": "2026-11-05"},
            {"name": "platelets", "value": 96, "unit": "10^9/L", "date": "2026-11-05"},
            {
                "name": "total bilirubin",
                "value": 1.3,
                "unit": "mg/dL",
                "date": "2026-11-05",
            },
            {
                "name": "ALT",
                "value": 52,
                "unit": "U/L",
                "date": "2026-11-05",
                "reference_high": 40,
            },
            {
                "name": "AST",
                "value": 61,
                "unit": "U/L",
                "date": "2026-11-05",
                "reference_high": 40,
            },
            {"name": "albumin", "value": 3.6, "unit": "g/dL", "date": "2026-11-05"},
            {"name": "INR", "value": 1.2, "date": "2026-11-05"},
        ],
    },
}


def _reason_kind(reason: str) -> str:
    for key in (
        "too general",
        "no patient list",
        "not checked",
        "not in the analyte",
        "less specific",
        "not understood",
        "not known whether",
        "is not given",
        "cannot be converted",
        "not computed",
        "recorded (the",
    ):
        if key in reason:
            return key
    if reason.startswith("no ") and "result" in reason:
        return "no lab result"
    return "other"


def main() -> int:
    """Run the benchmark; return the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--limit", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "match.json"
    )
    args = ap.parse_args()
    if not args.data.exists():
        print(f"skipped: {args.data} is absent", file=sys.stderr)
        return 0
    started = time.perf_counter()
    docs = []
    for item in iter_documents([args.data], jobs=args.jobs):
        if not isinstance(item, MatchFailure):
            docs.append(item)
        if len(docs) >= args.limit:
            break
    parse_s = time.perf_counter() - started
    n_crit = sum(len(d.criteria) for d in docs)
    report: dict[str, object] = {
        "data": str(args.data),
        "trials": len(docs),
        "criteria": n_crit,
        "parse_seconds": round(parse_s, 1),
        "as_of": AS_OF.isoformat(),
        "runs": {},
    }
    print(f"{len(docs)} trials, {n_crit} criteria parsed in {parse_s:.1f} s")
    print(
        f"{'patient':<28} {'met':>6} {'not met':>8} {'unknown':>8} {'n/c':>6} "
        f"{'decided':>8} {'trials E/R/X':>14} {'crit/s':>8}"
    )
    runs: dict[str, object] = {}
    for name, profile in PATIENTS.items():
        for complete in (False, True):
            patient = Patient(id=name, **profile, complete=COMPLETE if complete else [])
            ctx = Context(
                patient=patient,
                as_of=AS_OF,
                lab_max_age_days=match_rules().lab_max_age_days,
            )
            t0 = time.perf_counter()
            trials = [match_document(d, ctx) for d in docs]
            seconds = time.perf_counter() - t0
            verdicts = collections.Counter(
                c.verdict for t in trials for c in t.criteria
            )
            reasons = collections.Counter(
                _reason_kind(e.reason)
                for t in trials
                for c in t.criteria
                if c.verdict == "unknown"
                for e in c.evidence
                if e.holds is None
            )
            tv = collections.Counter(t.verdict for t in trials)
            computable = n_crit - verdicts["not_computable"]
            decided = (verdicts["met"] + verdicts["not_met"]) / max(computable, 1)
            key = f"{name}{' (complete)' if complete else ''}"
            runs[key] = {
                "verdicts": dict(verdicts),
                "decided_share": round(decided, 3),
                "trial_verdicts": dict(tv),
                "unknown_reasons": dict(reasons),
                "seconds": round(seconds, 2),
                "criteria_per_s": round(n_crit / max(seconds, 1e-9)),
            }
            print(
                f"{key:<28} {verdicts['met']:>6} {verdicts['not_met']:>8} "
                f"{verdicts['unknown']:>8} {verdicts['not_computable']:>6} "
                f"{decided:>8.1%} {tv['eligible']:>4}/{tv['needs_review']}/"
                f"{tv['excluded']:<5} {n_crit / max(seconds, 1e-9):>8.0f}"
            )
    report["runs"] = runs
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
