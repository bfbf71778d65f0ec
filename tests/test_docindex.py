"""The DocIndex lookups give what spaCy's ``Doc.char_span`` gives, and keep no
Doc alive."""

import gc
import weakref

import pytest

from eligo.pipeline import build_pipeline
from eligo.pipeline.docindex import _INDEXES, doc_index, doc_text

TEXTS = [
    "Inclusion Criteria:\n- Age >= 18 years\n- PLT<50x10^9/L  and INR 1.5\n",
    "  leading spaces, then Mass. and Conn. residents (HIV-1)",
    "x",
    "Exclusion Criteria:\n\n\n- Hb<9g/dL\n",
]


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(concepts=False)


@pytest.mark.parametrize("text", TEXTS)
def test_expand_and_strict_are_char_span(nlp, text) -> None:
    doc = nlp.make_doc(text)
    index = doc_index(doc)
    assert index.text == doc.text == text
    n = len(text)
    for start in range(-1, n + 2):
        for end in range(start, n + 2):
            for mode, ours in (("expand", index.expand), ("strict", index.strict)):
                span = (
                    doc.char_span(start, end, alignment_mode=mode)
                    if start >= 0
                    else None
                )
                got = ours(start, end)
                if mode == "strict" and start == end:
                    continue  # eligo asks strict bounds of non-empty ranges only
                want = None if span is None else (span.start, span.end)
                assert got == want, (mode, start, end)


@pytest.mark.parametrize("text", TEXTS)
def test_token_at_and_spaces(nlp, text) -> None:
    doc = nlp.make_doc(text)
    index = doc_index(doc)
    for token in doc:
        assert index.token_at(token.idx) == token.i
        assert index.has_space(token.i) == bool(token.whitespace_)
    assert index.token_at(len(text)) == -1
    assert index.norms(doc) == [t.norm for t in doc]


def test_text_given_is_kept_and_a_retokenized_doc_is_indexed_again(nlp) -> None:
    doc = nlp.make_doc("PLT < 50 and INR > 1.5")
    assert doc_text(doc) == doc.text
    before = doc_index(doc)
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:3])
    after = doc_index(doc)
    assert after is not before
    assert after.starts == [t.idx for t in doc]


@pytest.mark.parametrize("concepts", [False, True])
def test_parsed_docs_are_freed(concepts) -> None:
    from eligo.parse import Parser
    from eligo.trial import Trial

    parser = Parser(concepts=concepts)
    made = []
    make_doc = parser.make_doc

    def watched(trial):
        doc = make_doc(trial)
        made.append(weakref.ref(doc))
        assert doc in _INDEXES
        return doc

    parser.make_doc = watched
    for i in range(3):
        parser.parse(Trial(id=str(i), text=f"Inclusion Criteria:\n- Age >= {18 + i}\n"))
    gc.collect()
    assert len(made) == 3
    assert all(ref() is None for ref in made), "no Doc outlives its parse"
