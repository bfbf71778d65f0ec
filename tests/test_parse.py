"""Batched and multi-process parsing give what one-at-a-time parsing gives."""

from __future__ import annotations

import io
import time

import pytest

from eligo.document import Document
from eligo.parse import DocumentJSON, ParseFailure, Parser, parse_trials
from eligo.parse.batch import run_parse
from eligo.pipeline import PIPE_NAMES, build_pipeline
from eligo.pipeline.tokenizer import FreshVocabTokenizer
from eligo.readers import read_paths
from eligo.render.writers import JsonArrayWriter, JsonLinesWriter, TableWriter
from eligo.trial import ReadFailure, Trial

TEXTS = [
    "Inclusion Criteria:\n- Age 18 or older\n- HbA1c between 7% and 10%\n"
    "Exclusion Criteria:\n- Pregnancy\n- Treated with metformin\n",
    "Inclusion Criteria:\n- Not specified\n",
    "Exclusion Criteria:\n- Serum creatinine \\> 1.5 mg/dL\n- Pregnancy\n",
    "",
    "Inclusion Criteria:\n- Women aged 40 to 75 years with type 2 diabetes\n",
]


def trials(n: int = len(TEXTS)) -> list[Trial]:
    return [
        Trial(id=f"t{i}", text=TEXTS[i % len(TEXTS)], source_format="text")
        for i in range(n)
    ]


def dumped(results: list) -> list[str]:
    return [
        r.model_dump_json() if hasattr(r, "model_dump_json") else r for r in results
    ]


def test_parse_many_equals_parse_one_at_a_time(parser) -> None:
    items = trials(12)
    one_by_one = [parser.parse_safe(t) for t in items]
    batched = list(parser.parse_many(items))
    assert dumped(batched) == dumped(one_by_one)


def test_parse_many_reports_failures_in_place() -> None:
    parser = Parser(max_chars=200, concepts=False, batch_size=4)
    failure = ReadFailure(path="x.xml", record=None, reason="not XML")
    long = Trial(id="long", text="Inclusion Criteria:\n- " + "a" * 300, path="l.txt")
    items = [*trials(3), failure, long, *trials(2)]
    results = list(parser.parse_many(items))
    assert len(results) == len(items)
    assert results[3] is failure
    assert isinstance(results[4], ParseFailure)
    assert results[4].trial_id == "long"
    assert "200" in results[4].reason
    assert [r.id for r in results[:3]] == ["t0", "t1", "t2"]
    assert [r.id for r in results[5:]] == ["t0", "t1"]


def test_a_component_error_fails_only_its_trial(monkeypatch) -> None:
    parser = Parser(concepts=False, batch_size=8)
    logic = parser.nlp.get_pipe("eligo_logic")
    original = type(logic).__call__

    def fragile(self, doc):
        if "Pregnancy" in doc.text:
            raise RuntimeError("boom")
        return original(self, doc)

    monkeypatch.setattr(type(logic), "__call__", fragile)
    results = list(parser.parse_many(trials(5)))
    failed = [r.trial_id for r in results if isinstance(r, ParseFailure)]
    assert failed == ["t0", "t2"]
    assert all(
        "RuntimeError: boom" in r.reason for r in results if isinstance(r, ParseFailure)
    )
    assert [r.id for r in results if not isinstance(r, ParseFailure)] == [
        "t1",
        "t3",
        "t4",
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_parse_trials_keeps_order_across_chunks(parser, jobs: int) -> None:
    items = trials(23)
    results = list(parse_trials(iter(items), jobs=jobs, chunksize=3))
    assert [r.id for r in results] == [t.id for t in items]
    assert dumped(results) == dumped([parser.parse_safe(t) for t in items])


@pytest.mark.parametrize("jobs", [1, 2])
def test_parse_trials_as_json_gives_the_same_documents(parser, jobs: int) -> None:
    failure = ReadFailure(path="x.xml", record="r1", reason="not XML")
    items = [*trials(7), failure, *trials(3)]
    results = list(parse_trials(iter(items), jobs=jobs, chunksize=2, as_json=True))
    assert results[7] == failure
    expected = [parser.parse_safe(t) for t in trials(7) + trials(3)]
    got = [r for r in results if r != failure]
    assert all(isinstance(r, DocumentJSON) for r in got)
    assert [r.json for r in got] == [d.model_dump_json() for d in expected]
    assert [r.criteria for r in got] == [len(d.criteria) for d in expected]
    assert [r.constraints for r in got] == [
        sum(len(c.constraints) for c in d.criteria) for d in expected
    ]
    assert got[0].document() == expected[0]
    assert isinstance(got[0].document(), Document)


@pytest.mark.parametrize("writer_class", [JsonLinesWriter, JsonArrayWriter])
@pytest.mark.parametrize("jobs", [1, 2])
def test_run_parse_writes_json_as_a_writer_of_documents_would(
    tmp_path, parser, writer_class, jobs: int
) -> None:
    for i, text in enumerate(TEXTS):
        (tmp_path / f"t{i}.txt").write_text(text, encoding="utf-8")
    got = io.StringIO()
    stats = run_parse([tmp_path], writer_class(got), jobs=jobs)
    expected = io.StringIO()
    writer = writer_class(expected)
    documents = [
        r for r in parse_trials(read_paths([tmp_path])) if isinstance(r, Document)
    ]
    assert documents
    for doc in documents:
        writer.write(doc)
    writer.close()
    assert got.getvalue() == expected.getvalue()
    assert stats.documents == len(documents)
    assert stats.criteria == sum(len(d.criteria) for d in documents)
    assert stats.constraints == sum(
        len(c.constraints) for d in documents for c in d.criteria
    )


def test_run_parse_gives_documents_to_a_writer_without_json(tmp_path) -> None:
    (tmp_path / "t.txt").write_text(TEXTS[0], encoding="utf-8")
    out = io.StringIO()
    seen: list[object] = []
    stats = run_parse(
        [tmp_path], TableWriter(out, width=120), jobs=2, on_document=seen.append
    )
    assert stats.documents == 1
    assert isinstance(seen[0], Document)
    assert "metformin" in out.getvalue()


def test_pipeline_without_concepts() -> None:
    nlp = build_pipeline(concepts=False)
    without = ("eligo_concepts", "eligo_model_values")
    assert nlp.pipe_names == [n for n in PIPE_NAMES if n not in without]


def test_parser_without_concepts_keeps_the_constraints(parser) -> None:
    fast = Parser(concepts=False)
    full_doc = parser.parse(trials(1)[0])
    fast_doc = fast.parse(trials(1)[0])
    assert any(c.entities for c in full_doc.criteria)
    assert all(not c.entities for c in fast_doc.criteria)
    assert [(c.start, c.end, c.category) for c in fast_doc.criteria] == [
        (c.start, c.end, c.category) for c in full_doc.criteria
    ]
    kinds = [[k.type for k in c.constraints] for c in fast_doc.criteria]
    assert kinds == [[k.type for k in c.constraints] for c in full_doc.criteria]
    assert ["age"] in kinds


def test_run_parse_without_concepts(tmp_path) -> None:
    page = tmp_path / "trial.txt"
    page.write_text(TEXTS[0], encoding="utf-8")
    out = io.StringIO()
    writer = JsonLinesWriter(out)
    stats = run_parse([page], writer, concepts=False)
    assert stats.documents == 1
    assert stats.constraints > 0
    assert '"entities":[]' in out.getvalue().replace(" ", "")


def test_without_concepts_docs_are_one_token() -> None:
    parser = Parser(concepts=False)
    assert not parser.tokenize
    trial = trials(1)[0]
    doc = parser.make_doc(trial)
    assert doc.text == trial.text
    assert len(doc) == 1
    assert len(parser.make_doc(Trial(id="e", text=""))) == 0


def test_one_token_docs_change_nothing() -> None:
    parser = Parser(concepts=False)
    tokenizing = Parser(nlp=build_pipeline(concepts=False))
    tokenizing.tokenize = True
    tokenizing._tokenizer = FreshVocabTokenizer(tokenizing.nlp.tokenizer)
    assert len(tokenizing.make_doc(trials(1)[0])) > 1
    items = trials(5)
    assert dumped(list(parser.parse_many(items))) == dumped(
        list(tokenizing.parse_many(items))
    )


def test_docs_are_tokenized_in_a_vocab_of_their_own() -> None:
    nlp = build_pipeline(concepts=False)
    nlp.add_pipe("sentencizer", first=True)  # a component that reads tokens
    parser = Parser(nlp=nlp)
    assert parser.tokenize
    trial = trials(1)[0]
    before = len(parser.nlp.vocab.strings)
    doc = parser.make_doc(trial)
    parser.make_doc(Trial(id="v", text="zqxv-unseen-word and another"))
    assert len(parser.nlp.vocab.strings) == before, "the pipeline's vocab never grows"
    assert doc.vocab is not parser.nlp.vocab
    assert doc.text == trial.text
    assert len(doc) > 1
    assert [t.text for t in doc] == [t.text for t in parser.nlp.make_doc(trial.text)]
    assert len(parser.make_doc(Trial(id="e", text=""))) == 0


def test_a_pipeline_with_other_components_runs_them() -> None:
    nlp = build_pipeline(concepts=False)
    nlp.add_pipe("sentencizer", first=True)
    parser = Parser(nlp=nlp)
    doc = parser.make_doc(trials(1)[0])
    for _, proc in parser.nlp.pipeline:
        doc = proc(doc)
    assert doc.has_annotation("SENT_START")
    assert doc.spans["criteria"]


def test_the_text_vocab_is_renewed(monkeypatch) -> None:
    import eligo.parse.parser

    monkeypatch.setattr(eligo.parse.parser, "TEXT_VOCAB_DOCS", 2)
    parser = Parser(concepts=False)
    vocabs = [parser.make_doc(t).vocab for t in trials(3)]
    assert vocabs[0] is vocabs[1]
    assert vocabs[2] is not vocabs[1]


def test_multiprocess_reads_a_bounded_amount_ahead() -> None:
    read = 0

    def items():
        nonlocal read
        for trial in trials(400):
            read += 1
            yield trial

    stream = parse_trials(items(), jobs=2, concepts=False, chunksize=2)
    first = next(stream)
    assert first.id == "t0"
    time.sleep(1.0)
    # 2 workers x 8 chunks of 2 in flight, plus the chunk given back and the
    # one being assembled
    assert read <= (2 * 8 + 2) * 2
    stream.close()  # stops the pool and its feeding thread


def test_multiprocess_passes_read_errors_on() -> None:
    def items():
        yield from trials(3)
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(parse_trials(items(), jobs=2, concepts=False, chunksize=2))
