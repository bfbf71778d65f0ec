"""Calibrate the ICD-10-CM linker's similarity threshold on held-out aliases.

Two sets of mentions that the knowledge base being queried does not hold:

* ``synonyms``: the synonyms of the single-code conditions of
  ``rules/match_concepts.json``, two-fold by concept: each fold's synonyms are
  queried against a knowledge base built from the ICD-10-CM descriptions and
  the *other* fold's synonyms only (so no held-out concept has any synonym in
  the KB). Gold: the concept's code.
* ``inclusion``: ICD-10-CM's own inclusion terms (``simple_icd_10_cm.
  get_inclusion_term``), which the knowledge base never holds, with their
  parenthesised supplementary words removed (ICD's convention: they do not
  change the code); terms equal to an alias are dropped. Gold: the code that
  lists the term. Queried against the full knowledge base.

A top candidate is right when it is the gold code, an ancestor of it (a
prefix: ``C22`` for ``C22.0``, a true but less specific claim) or a
descendant (``N18.6`` "End stage renal disease" for the synonym "end stage
renal disease" of the concept coded ``N18``: the concept's code is coarser
than some of its synonyms). A descendant that claims more than the mention
says ("type 2 diabetes" as E11.9 "without complications") cannot come out of
the word check (:func:`eligo.normalise.icd10.same_words`), only out of the
cosine alone.

Two linkers are measured: ``cosine`` (the nearest alias, scispaCy's score
alone) and ``words`` (the nearest alias among those with the mention's words,
what :meth:`IcdLinker.link` does).

Also reported, not calibrated on: ``uncoded``, the synonyms of conditions that
``match_concepts.json`` leaves uncoded on purpose ("heart disease", "solid
tumor"): the share that get a code at the threshold.

The threshold is the lowest (in 0.01 steps) at which the precision of each set
is >= 0.95 at it and at every higher step. Also checks the HNSW index against
an exact search (same nearest alias?).

Usage: python benchmarks/icd10_calibration.py [--out DIR]  (~5 min, 2 cores)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

from eligo.match.rules import ConceptsFile
from eligo.normalise import icd10
from eligo.pipeline.resources import read_rule_json

TARGET = 0.95
STEPS = [round(0.5 + 0.01 * i, 2) for i in range(51)]
_PARENS = re.compile(r"\s*\([^()]*\)")


@dataclass(frozen=True)
class Case:
    """One held-out mention and its gold code ("" when it has none)."""

    text: str
    gold: str
    set: str


def is_right(predicted: str, gold: str) -> bool:
    """The gold code, an ancestor or a descendant of it (prefix either way)."""
    return bool(gold) and (gold.startswith(predicted) or predicted.startswith(gold))


def concept_folds() -> tuple[list[dict[str, list[str]]], list[Case], list[Case]]:
    """Two folds of code -> synonyms, the held-out cases of each fold's
    complement, and the uncoded conditions' synonyms."""
    data = ConceptsFile.model_validate(read_rule_json(icd10.CONCEPTS_FILE))
    folds: list[dict[str, list[str]]] = [{}, {}]
    cases: list[Case] = []
    uncoded: list[Case] = []
    singles = [
        c
        for c in data.concepts
        if c.kind == "condition" and len(c.codes.get(icd10.SYSTEM, ())) == 1
    ]
    for i, concept in enumerate(singles):
        code = concept.codes[icd10.SYSTEM][0]
        folds[i % 2].setdefault(code, []).extend(concept.synonyms)
        cases.extend(Case(s, code, f"synonyms{i % 2}") for s in concept.synonyms)
    for concept in data.concepts:
        if concept.kind == "condition" and not concept.codes.get(icd10.SYSTEM):
            uncoded.extend(Case(s, "", "uncoded") for s in concept.synonyms)
    return folds, cases, uncoded


def inclusion_cases(aliases: set[str]) -> list[Case]:
    """ICD-10-CM inclusion terms that are not aliases of the knowledge base."""
    icd = icd10._icd()
    out: list[Case] = []
    seen: set[tuple[str, str]] = set()
    for code in icd10.code_descriptions():
        for term in icd.get_inclusion_term(code):
            text = _PARENS.sub("", term).strip(" ,;")
            key = (text.casefold(), code)
            if len(text) < 4 or text.casefold() in aliases or key in seen:
                continue
            seen.add(key)
            out.append(Case(text, code, "inclusion"))
    return out


def exact_top(linker: icd10.IcdLinker, texts: list[str]) -> list[str]:
    """The nearest alias of each text by exact cosine (a full sparse product)."""
    from scispacy.candidate_generation import LinkerPaths

    paths = LinkerPaths.from_directory(linker.directory)
    import scipy.sparse

    vectors = scipy.sparse.load_npz(paths.tfidf_vectors).astype(numpy.float32)
    aliases = linker.generator.ann_concept_aliases_list
    queries = linker.generator.vectorizer.transform(texts)
    out: list[str] = []
    for start in range(0, queries.shape[0], 500):
        sims = (queries[start : start + 500] @ vectors.T).toarray()
        out += [aliases[int(row.argmax())] if row.max() > 0 else "" for row in sims]
    return out


def run(cases: list[Case], linker: icd10.IcdLinker) -> list[dict[str, Any]]:
    """The nearest code of each case by both linkers and whether it is right."""
    texts = [c.text for c in cases]
    return _rows(cases, linker.nearest(texts), "cosine") + _rows(
        cases, linker.nearest_words(texts), "words"
    )


def _rows(
    cases: list[Case], matches: list[icd10.CodeMatch | None], how: str
) -> list[dict[str, Any]]:
    rows = []
    for case, match in zip(cases, matches, strict=True):
        rows.append(
            {
                "linker": how,
                "set": case.set,
                "text": case.text,
                "gold": case.gold,
                "code": match.code if match else None,
                "alias": match.alias if match else None,
                "score": match.score if match else 0.0,
                "right": bool(match and is_right(match.code, case.gold)),
            }
        )
    return rows


def curve(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Precision and coverage of rows at every threshold step."""
    out = []
    for t in STEPS:
        coded = [r for r in rows if r["code"] and r["score"] >= t]
        right = sum(r["right"] for r in coded)
        out.append(
            {
                "threshold": t,
                "coded": len(coded),
                "right": right,
                "precision": right / len(coded) if coded else 1.0,
                "coverage": len(coded) / len(rows) if rows else 0.0,
                "recall": right / len(rows) if rows else 0.0,
            }
        )
    return out


def lowest_safe(points: list[dict[str, float]]) -> float:
    """The lowest threshold at which precision stays >= TARGET from there up
    (2.0, no threshold, when even 1.0 is below it)."""
    safe = 2.0
    for p in reversed(points):
        if p["precision"] < TARGET:
            break
        safe = p["threshold"]
    return safe


def hnsw_agreement(linker: icd10.IcdLinker, rows: list[dict[str, Any]]) -> float:
    """Share of rows whose HNSW nearest alias is the exact nearest alias."""
    texts = [r["text"] for r in rows]
    exact = exact_top(linker, texts)
    # Ties: compare the similarity of the two aliases, not the strings.
    hnsw = linker.nearest(texts)
    vec = linker.generator.vectorizer
    agree = 0
    for text, m, e in zip(texts, hnsw, exact, strict=True):
        if m is None or not e:
            agree += int(m is None and not e)
            continue
        q, a, b = vec.transform([text, m.alias, e])
        agree += int(abs((q @ a.T).toarray()[0, 0] - (q @ b.T).toarray()[0, 0]) < 1e-4)
    return agree / len(rows)


def main() -> int:
    """Run the calibration; print a JSON summary; return the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    root = args.cache or Path(tempfile.mkdtemp(prefix="icd10-calib-"))
    descriptions = icd10.code_descriptions()
    folds, syn_cases, uncoded = concept_folds()
    settings = icd10.IndexSettings()
    rows: list[dict[str, Any]] = []
    builds = []
    for k in (0, 1):
        entities = icd10.icd10_entities(descriptions, folds[1 - k])
        t0 = time.perf_counter()
        linker = icd10.IcdLinker(icd10.ensure_index(entities, settings, root))
        builds.append(round(time.perf_counter() - t0, 1))
        rows += run([c for c in syn_cases if c.set == f"synonyms{k}"], linker)
    full = icd10.icd10_entities(descriptions, icd10.concept_synonyms())
    t0 = time.perf_counter()
    linker = icd10.IcdLinker(icd10.ensure_index(full, settings, root))
    builds.append(round(time.perf_counter() - t0, 1))
    aliases = {a.casefold() for e in full for a in e.aliases}
    inc = run(inclusion_cases(aliases), linker)
    unc = run(uncoded, linker)
    rows += inc + unc
    for r in rows:
        if r["set"].startswith("synonyms"):
            r["set"] = "synonyms"
    by_set = {
        f"{how}/{name}": curve(
            [r for r in rows if r["set"] == name and r["linker"] == how]
        )
        for how in ("cosine", "words")
        for name in ("synonyms", "inclusion", "uncoded")
    }
    calibrated = [k for k in by_set if not k.endswith("uncoded")]
    safe = {k: lowest_safe(by_set[k]) for k in calibrated}
    threshold = max(safe[k] for k in calibrated if k.startswith("words/"))
    at = {
        name: next(p for p in points if p["threshold"] == threshold)
        for name, points in by_set.items()
    }
    summary = {
        "threshold": threshold,
        "per_set_lowest_safe": safe,
        "at_threshold": at,
        "cases": {
            n: sum(1 for r in rows if r["set"] == n) // 2
            for n in ("synonyms", "inclusion", "uncoded")
        },
        "hnsw_agrees_with_exact": round(
            hnsw_agreement(linker, [r for r in inc + unc if r["linker"] == "cosine"]),
            4,
        ),
        "index": linker.meta,
        "seconds_to_build_or_load": builds,
    }
    # The words linker's codes (what --codes gives, before the threshold).
    coded = [r for r in rows if r["linker"] == "words" and r["code"]]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "icd10_calibration.json").write_text(
        json.dumps({"summary": summary, "curves": by_set, "coded": coded}, indent=1),
        encoding="utf-8",
    )
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
