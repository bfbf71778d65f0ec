"""Score a trained concept model on a Chia split; write the metrics JSON.

Strict and relaxed precision/recall/F1 per type and micro over the six scored
types, against two gold references (see
:func:`eligo_train.concepts.scoring.evaluate_on_chia`), and the model's speed over the
split's criteria.

Usage: python scripts/evaluate.py MODEL CHIA_DIR OUTPUT.json [--split dev]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import spacy
import typer

from eligo.concepts import lexicon_features  # noqa: F401  (model's factory)
from eligo.concepts.decode import SPANCAT, model_kind
from eligo_train.concepts.brat import Split
from eligo_train.concepts.scoring import evaluate_on_chia


def main(
    model: Path,
    chia_dir: Path,
    output: Path,
    split: str = typer.Option("dev", help="train, tune or dev"),
) -> None:
    """Evaluate MODEL on CHIA_DIR's SPLIT; write OUTPUT."""
    if split not in ("train", "tune", "dev"):
        raise typer.BadParameter(f"unknown split {split!r}")
    nlp = spacy.load(model)
    result = evaluate_on_chia(
        nlp,
        chia_dir,
        split=cast(Split, split),
        nested_spans=model_kind(nlp) == SPANCAT,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for ref in ("all_gold", "flat_gold", "all_gold_nested"):
        if ref not in result:
            continue
        micro = result[ref]["micro"]
        typer.echo(
            f"{ref}: strict F1 {micro['strict_f']:.3f}  "
            f"relaxed F1 {micro['relaxed_f']:.3f}"
        )
    typer.echo(
        f"{result['mb_per_s']} MB/s ({result['mb_per_cpu_s']} MB per CPU s) "
        f"over {result['docs']} criteria"
    )


if __name__ == "__main__":
    typer.run(main)
