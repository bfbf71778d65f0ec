"""eligo.load() and parse_text/parse_texts over one cached pipeline."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import eligo
import eligo.api
from eligo.errors import EligoError
from eligo.pipeline import PIPE_NAMES
from eligo.pipeline.spans import criterion_records
from eligo.trial import Trial

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "trials"
TEXTS = [
    "Inclusion Criteria:\n- Age 18 to 65\nExclusion Criteria:\n- Pregnancy",
    "Inclusion Criteria:\n- Platelets >= 100 x 10^9/L within 4 weeks\n"
    "- No history of stroke\nExclusion Criteria:\n- Type 2 diabetes\n",
    "",
    (EXAMPLES / "registry_page.txt").read_text(encoding="utf-8"),
]


def test_load_is_cached_and_configured() -> None:
    nlp = eligo.load()
    assert eligo.load() is nlp
    assert nlp.pipe_names == list(PIPE_NAMES)
    assert eligo.load(concepts=False) is not nlp
    assert "eligo_concepts" not in eligo.load(concepts=False).pipe_names


def test_module_docstring_example() -> None:
    doc = eligo.load()(
        "Inclusion Criteria:\n- Age 18 to 65\nExclusion Criteria:\n- HIV"
    )
    got = [(c.label_, c.text) for c in doc.spans["criteria"]]
    assert got == [("inclusion", "Age 18 to 65"), ("exclusion", "HIV")]
    assert len(doc) > 1  # a spaCy user gets tokens
    (age,) = doc.spans["eligo"]
    assert (age.label_, age.text, age._.fields["low"]) == ("age", "Age 18 to 65", 18)
    assert age._.fields["high"] == 65
    (rec,) = criterion_records(doc)[0]["constraints"]
    assert rec is age._.fields


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_parse_text_gives_what_a_fresh_parser_gives(parser, index: int) -> None:
    """The cached pipeline changes nothing: the same Document JSON."""
    text = TEXTS[index]
    expected = parser.parse(Trial(id="text", text=text, source_format="text"))
    assert eligo.parse_text(text).model_dump_json() == expected.model_dump_json()


def test_parse_text_does_not_build_a_pipeline_again(monkeypatch) -> None:
    eligo.parse_text("warm up")

    def fail(**_: object) -> None:
        raise AssertionError("the pipeline was built again")

    monkeypatch.setattr(eligo.api, "build_pipeline", fail)
    doc = eligo.parse_text(TEXTS[0], id="x", default_section="exclusion")
    assert doc.id == "x" and len(doc.criteria) == 2


def test_parse_text_rejects_a_bad_section() -> None:
    with pytest.raises(EligoError, match="section must be"):
        eligo.parse_text("x", default_section="maybe")


def test_to_document_of_a_doc_equals_parse_text() -> None:
    for text in TEXTS:
        doc = eligo.to_document(eligo.load()(text))
        assert doc.model_dump_json() == eligo.parse_text(text).model_dump_json()


def test_parse_texts_equals_parse_text_and_streams() -> None:
    read: list[int] = []

    def source():
        for i, text in enumerate(TEXTS * 3):
            read.append(i)
            yield text

    stream = eligo.parse_texts(source(), batch_size=5)
    first = next(stream)
    assert len(read) == 5  # one batch read, not the whole input
    docs = [first, *stream]
    assert [d.id for d in docs] == [f"text-{i}" for i in range(len(TEXTS) * 3)]
    for doc, text in zip(docs, TEXTS * 3, strict=True):
        one = eligo.parse_text(text, id=doc.id)
        assert doc.model_dump_json() == one.model_dump_json()


def test_parse_texts_ids_and_failures() -> None:
    docs = list(eligo.parse_texts(TEXTS[:2], ids=["a", "b"]))
    assert [d.id for d in docs] == ["a", "b"]
    with pytest.raises(EligoError, match="fewer ids"):
        list(eligo.parse_texts(TEXTS[:2], ids=["a"]))
    too_long = "x" * (eligo.load().max_length + 1)
    stream = eligo.parse_texts([TEXTS[0], too_long], batch_size=1)
    assert next(stream).id == "text-0"
    with pytest.raises(EligoError, match="over the"):
        next(stream)


def test_parse_text_from_threads() -> None:
    expected = [eligo.parse_text(t).model_dump_json() for t in TEXTS]
    got: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            got[k] = [eligo.parse_text(t).model_dump_json() for t in TEXTS]
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(got[k] == expected for k in range(4))


@pytest.mark.slow
def test_pipe_with_two_processes_keeps_the_attributes() -> None:
    nlp = eligo.load()
    one = [criterion_records(nlp(t)) for t in TEXTS]
    two = [criterion_records(d) for d in nlp.pipe(TEXTS, n_process=2, batch_size=2)]
    assert two == one
    assert any(c["entities"] for crits in one for c in crits)
