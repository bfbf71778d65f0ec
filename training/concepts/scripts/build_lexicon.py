"""Collect the term lists behind the ``eligo_lexicon_features`` token feature.

Sources (all installed from PyPI at build time; only the derived term list is
saved inside the trained model):

- ``cond``: ICD-10-CM descriptions (``simple-icd-10-cm``; ICD-10-CM is a US
  government work in the public domain). Each description is cut at ", " and
  " with/without/due to/in//" and has its parentheses dropped ("Essential
  (primary) hypertension" -> "Essential hypertension", "primary hypertension");
  descriptions without "of" also give their trailing words ("kidney failure"
  from "Acute kidney failure").
- ``drug``: drug names and synonyms of ``drug-named-entity-recognition``
  (MIT; DrugBank, MeSH, MedlinePlus, NHS data), at least four characters.
- ``meas``: eligo's analyte lexicon (``rules/analytes.json``): synonyms
  case-insensitively, abbreviations case-sensitively.

Usage: python scripts/build_lexicon.py OUTPUT.json [--sources cond,drug,meas]

``--sources meas`` needs nothing beyond eligo (the CI smoke run uses it);
``cond`` and ``drug`` need ``pip install simple-icd-10-cm
drug-named-entity-recognition``.
"""

from __future__ import annotations

import bz2
import json
import pickle
import re
from importlib import resources
from pathlib import Path

import typer
from spacy.lang.en.stop_words import STOP_WORDS

from eligo.normalise.lexicon import Lexicon

_CUT = re.compile(r",\s|\s(?:with|without|due to|in|and|or|not elsewhere)\s|/|;")
_PAREN = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_NOISE = {"other", "unspecified", "specified", "encounter", "personal", "history"}


def _informative(phrase: str) -> bool:
    words = re.findall(r"[a-z0-9]+", phrase.lower())
    if not words or words[0] in _NOISE:
        return False
    return any(len(w) >= 4 and w not in STOP_WORDS for w in words)


def icd_terms() -> set[str]:
    """Condition phrases from ICD-10-CM descriptions."""
    import simple_icd_10_cm as icd

    out: set[str] = set()
    for code in icd.get_all_codes(True):
        if icd.is_chapter(code):
            continue
        desc = icd.get_description(code)
        variants = [_PAREN.sub("", desc), re.sub(r"[()\[\]]", "", desc)]
        for variant in variants:
            for piece in _CUT.split(variant):
                piece = " ".join(piece.split()).lower()
                if not _informative(piece):
                    continue
                out.add(piece)
                words = piece.split()
                if " of " not in f" {piece} " and len(words) > 1:
                    for k in range(1, len(words)):
                        tail = " ".join(words[k:])
                        long_enough = len(words) - k >= 2 or len(tail) >= 6
                        if long_enough and _informative(tail):
                            out.add(tail)
    return out


def drug_terms() -> set[str]:
    """Drug names and synonyms."""
    data_file = resources.files("drug_named_entity_recognition").joinpath(
        "drug_ner_dictionary.pkl.bz2"
    )
    with data_file.open("rb") as raw, bz2.open(raw) as handle:
        data = pickle.load(handle)  # the package's own data file
    out = set()
    for variant in data["drug_variant_to_canonical"]:
        v = " ".join(str(variant).split()).lower()
        if len(v) >= 4 and v not in STOP_WORDS and len(v.split()) <= 4:
            out.add(v)
    return out


def analyte_terms() -> tuple[set[str], set[str]]:
    """Analyte synonyms (case-insensitive) and abbreviations (exact)."""
    lexicon = Lexicon.default()
    lower: set[str] = set()
    exact: set[str] = set()
    for entry in lexicon._entries.values():
        lower.update(s.lower() for s in entry.synonyms)
        exact.update(entry.abbreviations)
    return lower, exact


def main(
    output: Path,
    sources: str = typer.Option("cond,drug,meas", help="Comma-separated sources."),
) -> None:
    """Write ``{"lower": {cat: [...]}, "exact": {cat: [...]}}`` to OUTPUT."""
    wanted = set(sources.split(","))
    unknown = wanted - {"cond", "drug", "meas"}
    if unknown:
        raise typer.BadParameter(f"unknown sources: {sorted(unknown)}")
    meas_lower, meas_exact = analyte_terms() if "meas" in wanted else (set(), set())
    cond = icd_terms() if "cond" in wanted else set()
    drug = drug_terms() if "drug" in wanted else set()
    terms = {
        "lower": {
            "cond": sorted(cond),
            "drug": sorted(drug),
            "meas": sorted(meas_lower),
        },
        "exact": {"meas": sorted(meas_exact)},
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(terms, indent=0), encoding="utf-8")
    sizes = {f"{m}/{c}": len(v) for m, cats in terms.items() for c, v in cats.items()}
    typer.echo(f"wrote {output}: {sizes}")


if __name__ == "__main__":
    typer.run(main)
