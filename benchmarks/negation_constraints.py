"""Negation of constraints, measured on eligo's own gold set.

``corpus/negation_constraints/criteria.jsonl`` holds criteria written for this
benchmark in the style of registry text (no sentence is taken from a
registry or a shared corpus). Each line names one constraint of the criterion
(its ``type`` and an ``anchor``, text inside the constraint's span) and
whether the criterion negates it (``negated``): a time window or duration is
negated when the event it bounds is ("No myocardial infarction [within 6
months]"); a comparison is no negation ("No more than 2 [prior] regimens"); a
negative pregnancy test is a negated pregnancy. ``note`` says what the case
tests.

Each criterion is parsed on its own under its section's header; the
constraint of the line's type whose span overlaps the anchor most is scored.
Reports accuracy and precision/recall/F1 of ``negated`` over the constraints
found, and the constraints not found. ``--base`` also scores another
checkout (its own interpreter with ``--base-python``) on the same file, for a
side-by-side table.

Usage:
    python benchmarks/negation_constraints.py [--corpus FILE] [--no-concepts]
        [--base CHECKOUT [--base-python PYTHON]] [--errors] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "negation_constraints" / "criteria.jsonl"


def read_cases(path: Path) -> list[dict[str, Any]]:
    """The gold lines of ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def criterion_text(case: dict[str, Any]) -> tuple[str, int]:
    """The text to parse for ``case`` and where its criterion starts."""
    head = f"{case['section'].capitalize()} Criteria:\n- "
    return head + case["text"], len(head)


def predict(cases: list[dict[str, Any]], concepts: bool) -> list[bool | None]:
    """eligo's ``negated`` for each case's constraint (None: not found)."""
    import eligo

    out: list[bool | None] = []
    for case in cases:
        text, offset = criterion_text(case)
        doc = eligo.parse_text(text, concepts=concepts)
        lo = offset + case["text"].index(case["anchor"])
        hi = lo + len(case["anchor"])
        best: tuple[int, bool] | None = None
        for criterion in doc.criteria:
            for c in criterion.constraints:
                if c.type != case["type"]:
                    continue
                overlap = min(hi, c.end) - max(lo, c.start)
                if overlap > 0 and (best is None or overlap > best[0]):
                    best = (overlap, bool(c.negated))
        out.append(None if best is None else best[1])
    return out


def score(cases: list[dict[str, Any]], got: list[bool | None]) -> dict[str, Any]:
    """Accuracy and P/R/F1 of negated over the constraints found."""
    pairs = zip(cases, got, strict=True)
    found = [(c["negated"], g) for c, g in pairs if g is not None]
    tp = sum(gold and pred for gold, pred in found)
    n_pred = sum(pred for _, pred in found)
    n_gold = sum(gold for gold, _ in found)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "cases": len(cases),
        "found": len(found),
        "correct": sum(gold == pred for gold, pred in found),
        "accuracy": round(sum(g == p for g, p in found) / len(found), 3)
        if found
        else 0.0,
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f1, 3),
    }


def run_base(base: Path, python: str, corpus: Path, concepts: bool) -> list[Any]:
    """Predictions of another checkout, from its own interpreter."""
    cmd = [python, str(Path(__file__).resolve()), "--json", "--corpus", str(corpus)]
    if not concepts:
        cmd.append("--no-concepts")
    env = dict(os.environ, PYTHONPATH=str(base / "nlp"))
    done = subprocess.run(
        cmd, env=env, cwd=base, check=True, capture_output=True, text=True
    )
    return list(json.loads(done.stdout)["predicted"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--no-concepts", action="store_true")
    ap.add_argument("--base", type=Path, default=None, help="another checkout")
    ap.add_argument("--base-python", default=sys.executable)
    ap.add_argument("--errors", action="store_true", help="list the disagreements")
    ap.add_argument("--json", action="store_true", help="predictions as JSON")
    args = ap.parse_args()
    cases = read_cases(args.corpus)
    concepts = not args.no_concepts
    got = predict(cases, concepts)
    if args.json:
        print(json.dumps({"predicted": got, "score": score(cases, got)}))
        return 0
    runs = {"this": got}
    if args.base is not None:
        runs["base"] = run_base(args.base, args.base_python, args.corpus, concepts)
    cols = ("cases", "found", "acc", "P", "R", "F1")
    print(f"{'run':<5} " + " ".join(f"{c:>6}" for c in cols))
    for name, pred in runs.items():
        s = score(cases, pred)
        print(
            f"{name:<5} {s['cases']:>6} {s['found']:>6} {s['accuracy']:>6.3f} "
            f"{s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f}"
        )
    if args.errors:
        for name, pred in runs.items():
            for case, g in zip(cases, pred, strict=True):
                if g != case["negated"]:
                    what = "not found" if g is None else f"negated={g}"
                    where = f"{case['text']!r} [{case['anchor']}]"
                    print(f"{name} {case['id']} {what}: {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
