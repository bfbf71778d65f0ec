"""The concept-model workflow runs end to end on our tiny invented corpus.

Mirrors ``spacy project run smoke`` in ``training/concepts``: build the (analyte
only) lexicon, convert ``corpus/concepts_smoke``, train a few steps, load the
result. No ../shared data is needed.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "training" / "concepts"
SMOKE = ROOT / "corpus" / "concepts_smoke"


def run(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("concepts_smoke")
    run("scripts/convert.py", str(SMOKE), str(out / "corpus"), cwd=PROJECT)
    run(
        "scripts/build_lexicon.py",
        str(out / "lexicon.json"),
        "--sources",
        "meas",
        cwd=PROJECT,
    )
    return out


def test_convert_writes_every_split_and_counts_losses(converted: Path) -> None:
    stats = json.loads((converted / "corpus" / "stats.json").read_text())
    assert stats["trials"] == {"train": 2, "tune": 1, "dev": 1}
    assert stats["alignment"]["lost"] == 0
    assert stats["read"]["out_of_scope"] == 2
    for split in ("train", "tune", "dev", "fit"):
        assert (converted / "corpus" / f"{split}.spacy").is_file()
    docs = {
        split: len(DocBin().from_disk(converted / "corpus" / f"{split}.spacy"))
        for split in ("train", "tune", "fit")
    }
    assert docs["fit"] == docs["train"] + docs["tune"] > docs["train"]


def test_convert_keeps_nested_gold_spans_for_a_span_categorizer(
    converted: Path,
) -> None:
    import eligo.pipeline.tokenizer  # noqa: F401  (registers eligo.tokenizer.v1)

    nlp = spacy.blank(
        "en",
        config={"nlp": {"tokenizer": {"@tokenizers": "eligo.tokenizer.v1"}}},
    )
    docs = list(
        DocBin().from_disk(converted / "corpus" / "fit.spacy").get_docs(nlp.vocab)
    ) + list(DocBin().from_disk(converted / "corpus" / "dev.spacy").get_docs(nlp.vocab))
    doc = next(d for d in docs if "type 2 diabetes mellitus" in d.text)
    spans = {(s.text, s.label_) for s in doc.spans["sc"]}
    assert {
        ("type 2 diabetes mellitus", "Condition"),
        ("diabetes mellitus", "Condition"),
    } <= spans
    # the flat NER target keeps one of the two (the shortest)
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("diabetes mellitus", "Condition") in ents
    assert ("type 2 diabetes mellitus", "Condition") not in ents
    assert all(len(d.spans["sc"]) >= len(d.ents) for d in docs)


@pytest.mark.parametrize(
    ("config", "component"), [("ner", "ner"), ("spancat", "spancat")]
)
def test_a_few_training_steps_give_a_loadable_model(
    converted: Path, config: str, component: str
) -> None:
    corpus = converted / "corpus"
    run(
        "-m",
        "spacy",
        "train",
        f"configs/{config}.cfg",
        "--code",
        "scripts/functions.py",
        "--output",
        str(converted / f"training-{config}"),
        "--gpu-id",
        "-1",
        "--paths.train",
        str(corpus / "fit.spacy"),
        "--paths.dev",
        str(corpus / "tune.spacy"),
        "--paths.lexicon",
        str(converted / "lexicon.json"),
        "--training.max_steps",
        "4",
        "--training.eval_frequency",
        "2",
        cwd=PROJECT,
    )
    from eligo.concepts import lexicon_features  # noqa: F401

    nlp = spacy.load(converted / f"training-{config}" / "model-last")
    assert nlp.pipe_names == ["eligo_lexicon_features", "tok2vec", component]
    assert "Condition" in nlp.get_pipe(component).labels
    doc = nlp("Absolute neutrophil count >= 1.5 x 10^9/L")
    assert doc[0].lemma_ == "B-meas"
