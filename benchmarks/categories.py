"""Criterion-category accuracy, calibration and speed of the shipped model.

Chia dev split (labels derived from Chia's annotations by
``eligo_train.categories.chia.chia_category``) and the held-out fifth of our own
``corpus/categories``: accuracy, macro-F1, Brier score and expected calibration
error (10 bins, top label). Speed: the ``eligo_categories`` component over the
Chia dev files as criteria (MB of criteria text per second). The Chia part
skips cleanly without ``../shared``.

Usage: python benchmarks/categories.py [--shared ../shared] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import spacy

import eligo.categories  # noqa: F401  (registers eligo_categories)
from eligo.categories.model import load_model
from eligo.pipeline.extensions import register_extensions
from eligo.pipeline.spans import set_criteria
from eligo_train.categories.chia import is_dev
from eligo_train.categories.data import chia_examples, corpus_examples, evaluate


def speed(chia_dir: Path) -> float:
    register_extensions()
    nlp = spacy.blank("en")
    nlp.add_pipe("eligo_categories")
    chars = 0
    seconds = 0.0
    for txt in sorted(chia_dir.glob("NCT*_*.txt")):
        if not is_dev(txt.stem):
            continue
        text = txt.read_text(encoding="utf-8", errors="replace")
        doc = nlp.make_doc(text)
        pos, criteria = 0, []
        for line in text.split("\n"):
            if line.strip():
                criteria.append(
                    {"start": pos, "end": pos + len(line), "section": "unknown"}
                )
            pos += len(line) + 1
        set_criteria(doc, criteria)
        t0 = time.perf_counter()
        nlp.get_pipe("eligo_categories")(doc)
        seconds += time.perf_counter() - t0
        chars += len(text)
    return round(chars / 1e6 / seconds, 2) if seconds else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    here = Path(__file__).resolve().parents[1]
    ap.add_argument("--shared", type=Path, default=here.parent / "shared")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    model = load_model()
    held = corpus_examples(here / "corpus" / "categories", held_out=True)
    report: dict[str, object] = {
        "ours_held_out": evaluate(
            model, [e.text for e in held], [e.category for e in held]
        )
    }
    chia_dir = args.shared / "data" / "chia"
    if chia_dir.is_dir():
        dev = chia_examples(chia_dir, dev=True)
        report["chia_dev"] = evaluate(
            model, [e.text for e in dev], [e.category for e in dev]
        )
        report["mb_per_s"] = speed(chia_dir)
    else:
        print(f"no Chia corpus at {chia_dir}; Chia dev not measured")
    out = json.dumps(report, indent=1)
    print(out)
    if args.out:
        args.out.write_text(out + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
