"""Criterion segmentation agreement on Chia, whose files hold one criterion per line.

Gold: each non-blank line of a Chia ``*_inc.txt``/``*_exc.txt`` file, with any
leading bullet or number removed. A predicted criterion matches when its span is
exactly a gold line. Reports precision, recall and F1 over criteria.

Usage: python benchmarks/segmentation.py [--chia ../shared/data/chia] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from eligo.parse import Parser
from eligo.trial import Trial

MARKER = re.compile(r"^(?:(?:[-*•·]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+)+")


def gold_spans(text: str) -> set[tuple[int, int]]:
    spans = set()
    pos = 0
    for line in text.split("\n"):
        body = line.rstrip()
        stripped = body.lstrip()
        start = pos + len(body) - len(stripped)
        m = MARKER.match(stripped)
        if m:
            start += m.end()
            stripped = stripped[m.end() :]
        if stripped:
            spans.add((start, start + len(stripped)))
        pos += len(line) + 1
    return spans


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    here = Path(__file__).resolve().parents[1]
    ap.add_argument(
        "--chia", type=Path, default=here.parent / "shared" / "data" / "chia"
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not args.chia.is_dir():
        print(f"no Chia corpus at {args.chia}; nothing measured", file=sys.stderr)
        return 0
    parser = Parser()
    tp = n_pred = n_gold = files = 0
    started = time.perf_counter()
    for path in sorted(args.chia.glob("*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        gold = gold_spans(text)
        doc = parser.parse(Trial(id=path.stem, text=text, source_format="text"))
        pred = {(c.start, c.end) for c in doc.criteria}
        tp += len(gold & pred)
        n_pred += len(pred)
        n_gold += len(gold)
        files += 1
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    report = {
        "data": str(args.chia),
        "files": files,
        "gold_criteria": n_gold,
        "predicted": n_pred,
        "exact_matches": tp,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "seconds": round(time.perf_counter() - started, 2),
    }
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
