"""Convert Chia's brat files to spaCy DocBins: train, tune, dev and fit.

``fit`` is train and tune together: the shipped model is trained on it for a
fixed number of steps (configurations are compared by training on ``train``
with checkpoints chosen on ``tune``); ``dev`` is never trained on.

One Doc per criterion line, tokenized with eligo's tokenizer
(``eligo.tokenizer.v1``). The annotation choices (labels, discontinuous and
overlapping spans, out-of-scope regions, the split by NCT id) are made and
documented in :mod:`eligo_train.concepts.brat`; this script adds the token
alignment: a character span that does not fall on token boundaries is
contracted to the tokens inside it, or expanded to the tokens it touches when
nothing is inside. Every loss is counted in ``stats.json``.

Usage: python scripts/convert.py CHIA_DIR OUTPUT_DIR [--limit N]
"""

from __future__ import annotations

import json
from pathlib import Path

import spacy
import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from eligo_train.concepts.brat import (
    LABELS,
    Criterion,
    ReadStats,
    Split,
    iter_chia,
    read_pair,
)
from eligo_train.concepts.scoring import SPANS_KEY


def blank_nlp() -> Language:
    """A blank English pipeline with eligo's tokenizer."""
    return spacy.blank(
        "en",
        config={"nlp": {"tokenizer": {"@tokenizers": "eligo.tokenizer.v1"}}},
    )


def align(doc: Doc, start: int, end: int, label: str) -> tuple[Span | None, str]:
    """The token span of a character span, and how it was aligned: exactly,
    else contracted to the tokens inside it, else expanded to the tokens it
    touches (``None`` when even that is empty: "lost")."""
    span = doc.char_span(start, end, label=label)
    if span is not None:
        return span, "exact"
    span = doc.char_span(start, end, label=label, alignment_mode="contract")
    if span is not None and len(span):
        return span, "contracted"
    span = doc.char_span(start, end, label=label, alignment_mode="expand")
    if span is None or not len(span):
        return None, "lost"
    return span, "expanded"


def criterion_doc(nlp: Language, crit: Criterion, counts: dict[str, int]) -> Doc:
    """A Doc with the criterion's entities; out-of-scope tokens are missing."""
    doc = nlp.make_doc(crit.text)
    ents: list[Span] = []
    taken: set[int] = set()
    for start, end, label in crit.entities:
        span, how = align(doc, start, end, label)
        counts[how] += 1
        if span is None:
            counts["lost"] += 1
            continue
        if taken.intersection(range(span.start, span.end)):
            counts["token_overlap"] += 1
            continue
        taken.update(range(span.start, span.end))
        ents.append(span)
    missing: list[Span] = []
    for start, end in crit.out_of_scope:
        region = doc.char_span(start, end, alignment_mode="expand")
        if region is None:
            continue
        for token in region:
            if token.i not in taken:
                missing.append(doc[token.i : token.i + 1])
                taken.add(token.i)
                counts["missing_tokens"] += 1
    doc.set_ents(sorted(ents), missing=missing, default="outside")
    # Every gold span, nested ones too, for a span categorizer (configs/spancat.cfg);
    # the NER ignores them.
    nested: dict[tuple[int, int, str], Span] = {}
    for start, end, label in crit.gold:
        span, _ = align(doc, start, end, label)
        if span is not None:
            nested.setdefault((span.start, span.end, label), span)
    doc.spans[SPANS_KEY] = [nested[k] for k in sorted(nested)]
    doc.user_data["chia"] = f"{crit.trial}_{crit.part}:{crit.line}"
    return doc


def convert(
    chia_dir: Path,
    output_dir: Path,
    *,
    limit: int = 0,
    labels: tuple[str, ...] = LABELS,
) -> dict[str, object]:
    """Write ``{train,tune,dev,fit}.spacy`` and ``stats.json``.

    Args:
        chia_dir: Folder of Chia ``.txt``/``.ann`` pairs.
        output_dir: Where to write.
        limit: Read at most this many files (0: all), for smoke runs.
        labels: The labels to keep (default: all of ``brat.LABELS``).

    Returns:
        The statistics written to ``stats.json``.
    """
    nlp = blank_nlp()
    bins: dict[Split, DocBin] = {
        s: DocBin(store_user_data=True) for s in ("train", "tune", "dev")
    }
    trials: dict[Split, set[str]] = {s: set() for s in bins}
    stats = ReadStats()
    counts = dict.fromkeys(
        ("exact", "contracted", "expanded", "lost", "token_overlap", "missing_tokens"),
        0,
    )
    for n, (split, path) in enumerate(iter_chia(chia_dir)):
        if limit and n >= limit:
            break
        criteria, file_stats = read_pair(path, labels)
        stats.add(file_stats)
        trials[split].add(path.stem.partition("_")[0])
        for crit in criteria:
            bins[split].add(criterion_doc(nlp, crit, counts))
    output_dir.mkdir(parents=True, exist_ok=True)
    for split, docbin in bins.items():
        docbin.to_disk(output_dir / f"{split}.spacy")
    fit = DocBin(store_user_data=True)
    fit.merge(bins["train"])
    fit.merge(bins["tune"])
    fit.to_disk(output_dir / "fit.spacy")
    summary: dict[str, object] = {
        "trials": {s: len(t) for s, t in trials.items()},
        "docs": {s: len(b) for s, b in bins.items()},
        "read": vars(stats),
        "alignment": counts,
    }
    (output_dir / "stats.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main(
    chia_dir: Path,
    output_dir: Path,
    limit: int = typer.Option(0, help="Read at most N files (0: all)."),
    labels: str = typer.Option(",".join(LABELS), help="Comma-separated labels."),
) -> None:
    """Convert CHIA_DIR's brat files into OUTPUT_DIR/{train,tune,dev,fit}.spacy."""
    if not chia_dir.is_dir():
        raise typer.BadParameter(f"no such folder: {chia_dir}")
    wanted = tuple(labels.split(","))
    if set(wanted) - set(LABELS):
        raise typer.BadParameter(f"unknown labels: {set(wanted) - set(LABELS)}")
    summary = convert(chia_dir, output_dir, limit=limit, labels=wanted)
    typer.echo(json.dumps(summary))


if __name__ == "__main__":
    typer.run(main)
