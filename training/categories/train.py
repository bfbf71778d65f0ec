"""Train the criterion-category classifier (``models/categories/``).

Data: Chia lines outside the dev split, labelled by the rules of
``eligo_train.categories.chia.chia_category`` (counted once), and the training
part of our own ``corpus/categories/*.jsonl`` (counted ``--ours-weight``
times). Evaluated on the Chia dev split and on the held-out fifth of our
corpus; writes ``model.skops`` and ``metrics.json``. Reproducible: the same
data and ``--seed`` give the same model.

Usage: python training/categories/train.py [--chia DIR] [--out DIR] [--seed N]
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Annotated

import typer

from eligo.categories.model import FILES
from eligo_train.categories.data import chia_examples, corpus_examples, evaluate
from eligo_train.categories.fit import export_scorer, save_model, train

ROOT = Path(__file__).resolve().parents[2]
app = typer.Typer(add_completion=False)


@app.command()
def main(
    chia: Annotated[Path, typer.Option()] = ROOT.parent / "shared" / "data" / "chia",
    corpus: Annotated[Path, typer.Option()] = ROOT / "corpus" / "categories",
    out: Annotated[Path, typer.Option()] = ROOT / "models" / FILES.folder,
    seed: Annotated[int, typer.Option()] = 0,
    ours_weight: Annotated[
        int, typer.Option(help="times each of our examples counts")
    ] = 8,
    limit: Annotated[
        int, typer.Option(help="train on at most N Chia lines (smoke runs)")
    ] = 0,
) -> None:
    """Train, evaluate and save the classifier."""
    random.seed(seed)
    train_rows = chia_examples(chia, dev=False) if chia.is_dir() else []
    if limit:
        train_rows = random.Random(seed).sample(train_rows, min(limit, len(train_rows)))
    ours = corpus_examples(corpus, held_out=False)
    texts = [e.text for e in train_rows] + [e.text for e in ours]
    labels = [e.category for e in train_rows] + [e.category for e in ours]
    repeats = [1] * len(train_rows) + [ours_weight] * len(ours)
    started = time.perf_counter()
    model = train(texts, labels, seed=seed, repeats=repeats)
    seconds = time.perf_counter() - started
    dev = chia_examples(chia, dev=True) if chia.is_dir() and not limit else []
    held = corpus_examples(corpus, held_out=True)
    metrics = {
        "seed": seed,
        "train": {"chia_lines": len(train_rows), "ours": len(ours)},
        "fit_seconds": round(seconds, 1),
        "chia_dev": evaluate(model, [e.text for e in dev], [e.category for e in dev]),
        "ours_held_out": evaluate(
            model, [e.text for e in held], [e.category for e in held]
        ),
    }
    save_model(model, out / FILES.model)
    export_scorer(model, out / FILES.scorer)
    (out / FILES.metrics).write_text(json.dumps(metrics, indent=1) + "\n")
    typer.echo(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    app()
