"""Copy a trained concept model into ``models/`` with its dev metrics.

Loads MODEL, saves it with ``nlp.to_disk`` to OUTPUT_DIR (the model card,
``MODEL_CARD.md``, is kept: it is written by hand) and copies METRICS there as
``metrics.json``. ``meta.json``'s ``performance`` becomes the dev micro
scores: spaCy fills it with its last evaluation on the training run's
``--paths.dev`` (tune), which the shipped model is trained on. Prints the
folder's size; the committed model must stay under 50 MB.

Usage: python scripts/package.py MODEL METRICS.json OUTPUT_DIR
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import spacy
import typer

from eligo.concepts import lexicon_features  # noqa: F401  (model's factory)

MAX_BYTES = 50 * 1024 * 1024


def main(model: Path, metrics: Path, output_dir: Path) -> None:
    """Save MODEL and METRICS into OUTPUT_DIR."""
    nlp = spacy.load(model)
    nlp.meta["name"] = "eligo_concepts"
    nlp.meta["license"] = "CC BY 4.0 (trained on Chia, Kury et al. 2020)"
    scores = json.loads(metrics.read_text(encoding="utf-8"))
    nlp.meta["performance"] = {
        "split": f"Chia {scores['split']}, {scores['trials']} trials never trained on",
        "all_gold_micro": scores["all_gold"]["micro"],
        "flat_gold_micro": scores["flat_gold"]["micro"],
    }
    # Everything but the hand-written card goes: a component of an earlier
    # model (e.g. ``ner``) must not linger beside the new one.
    if output_dir.is_dir():
        for child in output_dir.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            elif child.name != "MODEL_CARD.md":
                child.unlink()
    nlp.to_disk(output_dir)
    shutil.copyfile(metrics, output_dir / "metrics.json")
    size = sum(p.stat().st_size for p in output_dir.rglob("*") if p.is_file())
    typer.echo(f"{output_dir}: {size / 1e6:.1f} MB")
    if size > MAX_BYTES:
        raise SystemExit(f"{output_dir} is over 50 MB")


if __name__ == "__main__":
    typer.run(main)
