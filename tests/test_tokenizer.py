import pytest
import spacy

from eligo.pipeline import build_pipeline
from eligo.pipeline.tokenizer import LONG_RUN


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return build_pipeline()


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("INR>=1.5", ["INR", ">=", "1.5"]),
        ("PLT<50×10^9/L", ["PLT", "<", "50", "×", "10", "^", "9", "/", "L"]),
        (
            "PLT\\<50×10\\^9/L",
            ["PLT", "\\", "<", "50", "×", "10", "\\", "^", "9", "/", "L"],
        ),
        ("18~65 years", ["18", "~", "65", "years"]),
        ("Hb<9g/dL", ["Hb", "<", "9", "g", "/", "dL"]),
        ("QTcF>470ms", ["QTcF", ">", "470", "ms"]),
        ("Cr>1.5mg/dl", ["Cr", ">", "1.5", "mg", "/", "dl"]),
        ("≥18", ["≥", "18"]),
        ("(≥18 years)", ["(", "≥", "18", "years", ")"]),
        ("=>2", ["=>", "2"]),
        ("5mg", ["5", "mg"]),
        ("less than 30s", ["less", "than", "30", "s"]),
        ("100,000/mm3", ["100,000", "/", "mm3"]),
        ("1.5x10^9/l", ["1.5", "x", "10", "^", "9", "/", "l"]),
        ("Child-Pugh score\\>9", ["Child", "-", "Pugh", "score", "\\", ">", "9"]),
        ("mRSS \\> 10", ["mRSS", "\\", ">", "10"]),
        # Codes and terms stay whole.
        ("HbA1c 7.5%", ["HbA1c", "7.5", "%"]),
        ("HbA1c>=7.5%", ["HbA1c", ">=", "7.5", "%"]),
        ("CD4 count", ["CD4", "count"]),
        ("T2DM", ["T2DM"]),
        ("COVID-19", ["COVID-19"]),
        ("IL-6", ["IL-6"]),
        ("1st-line", ["1st", "-", "line"]),
        ("18-80 years", ["18", "-", "80", "years"]),
    ],
)
def test_tokens(nlp: spacy.language.Language, text: str, tokens: list[str]) -> None:
    assert [t.text for t in nlp.make_doc(text)] == tokens


@pytest.mark.parametrize(
    ("text", "run"),
    [
        ("INR>=1.5 " + "(" * 250 + " and PLT<50", "(" * 250),
        ("%" * 1000, "%" * 1000),
        ("Hb<9g/dL, " + "1." * 60 + ")\n- next", "1." * 60 + ")"),
    ],
)
def test_long_runs_are_cut_into_tokens(
    nlp: spacy.language.Language, text: str, run: str
) -> None:
    doc = nlp.make_doc(text)
    assert doc.text == text
    start = text.index(run)
    inside = [t for t in doc if start <= t.idx < start + len(run)]
    assert "".join(t.text for t in inside) == run
    assert all(len(t) <= LONG_RUN for t in inside)
    assert len(inside) == -(-len(run) // LONG_RUN)
    # the text around the run is tokenized by the rules, as it would be alone
    around = [t.text for t in doc if t.idx < start or t.idx >= start + len(run)]
    before = [t.text for t in nlp.make_doc(text[:start])]
    after = [t.text for t in nlp.make_doc(text[start + len(run) :])]
    assert around == before + after


def test_short_runs_keep_the_rules(nlp: spacy.language.Language) -> None:
    text = "(" * LONG_RUN + "INR"
    assert [t.text for t in nlp.make_doc(text)][-1] == "INR"


def test_tokenizer_is_in_saved_config(nlp: spacy.language.Language) -> None:
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == "eligo.tokenizer.v1"


@pytest.mark.parametrize("text", ["", "INR>=1.5 and PLT<50", "  leading\nspace  "])
def test_fresh_vocab_tokenizer_tokenizes_as_the_pipeline(text: str) -> None:
    from eligo.pipeline.tokenizer import FreshVocabTokenizer

    nlp = build_pipeline(concepts=False)
    doc = FreshVocabTokenizer(nlp.tokenizer)(text)
    assert doc.text == text
    assert [t.text for t in doc] == [t.text for t in nlp.make_doc(text)]


def test_fresh_vocab_docs_keep_memory_flat() -> None:
    from eligo.pipeline.tokenizer import FreshVocabTokenizer

    nlp = build_pipeline(concepts=False)
    before = len(nlp.vocab.strings)
    tokenizer = FreshVocabTokenizer(nlp.tokenizer, renew_after=2)
    vocabs = [tokenizer(f"criteria text {i}").vocab for i in range(3)]
    assert vocabs[0] is vocabs[1] is not nlp.vocab
    assert vocabs[2] is not vocabs[1]
    tokenizer("a text that must not stay in the pipeline's vocab")
    assert len(nlp.vocab.strings) == before
