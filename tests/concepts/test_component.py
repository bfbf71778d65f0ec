from itertools import pairwise

import pytest
import spacy

from eligo.concepts.component import (
    ConceptRecognizer,
    packaged_model_path,
    reconcile,
    rule_entities,
)
from eligo.concepts.decode import model_kind
from eligo.parse import Parser
from eligo.pipeline import build_pipeline
from eligo.pipeline.spans import criterion_records
from eligo.trial import Trial
from eligo_train.concepts.brat import LABELS, SCORED_TYPES

TEXT = (
    "Inclusion Criteria:\n"
    "- Adults with type 2 diabetes mellitus treated with metformin\n"
    "- HbA1c between 7% and 10%\n"
    "- Serum creatinine \\> 1.5 mg/dL\n"
    "Exclusion Criteria:\n"
    "- History of myocardial infarction or stroke within 6 months\n"
    "- Prior bariatric surgery\n"
)


def ent(label, start, end, source="model"):
    return {
        "label": label,
        "start": start,
        "end": end,
        "negated": False,
        "source": source,
    }


@pytest.fixture(scope="module")
def parsed():
    parser = Parser(nlp=build_pipeline())
    return parser.nlp, parser.parse(Trial(id="t1", text=TEXT, source_format="text"))


def test_packaged_model_loads() -> None:
    nlp = spacy.load(packaged_model_path())
    labels = set(nlp.get_pipe(model_kind(nlp)).labels)
    assert set(SCORED_TYPES) <= labels <= set(LABELS)
    assert "eligo_lexicon_features" in nlp.pipe_names


def test_entities_reach_the_document(parsed) -> None:
    _, document = parsed
    found = {
        (document.text[e.start : e.end], e.label, e.source)
        for c in document.criteria
        for e in c.entities
    }
    assert ("metformin", "Drug", "model") in found
    assert ("HbA1c", "Measurement", "rule") in found


def test_entities_point_at_their_text(parsed) -> None:
    nlp, _ = parsed
    doc = nlp.make_doc(TEXT)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    found = []
    for crit in criterion_records(doc):
        ents = crit["entities"]
        for e in ents:
            assert crit["start"] <= e["start"] < e["end"] <= crit["end"]
            assert e["source"] in ("model", "rule")
            assert isinstance(e["negated"], bool)
            found.append((TEXT[e["start"] : e["end"]], e["label"]))
        for a, b in pairwise(ents):
            assert a["end"] <= b["start"], "entities of a criterion never overlap"
    assert ("type 2 diabetes mellitus", "Condition") in found
    assert ("metformin", "Drug") in found
    assert ("myocardial infarction", "Condition") in found


def test_rule_analytes_win_over_the_model(parsed) -> None:
    nlp, _ = parsed
    doc = nlp.make_doc(TEXT)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    crit = next(
        c for c in criterion_records(doc) if "HbA1c" in TEXT[c["start"] : c["end"]]
    )
    hba1c = [
        (e["label"], e["source"])
        for e in crit["entities"]
        if TEXT[e["start"] : e["end"]] == "HbA1c"
    ]
    assert hba1c == [("Measurement", "rule")]


@pytest.mark.parametrize(
    ("existing", "rules", "model", "expected"),
    [
        # a model span overlapping a rule span is dropped, whatever its label
        (
            [],
            [ent("Measurement", 0, 5, "rule")],
            [ent("Condition", 0, 12), ent("Value", 14, 20)],
            [ent("Measurement", 0, 5, "rule"), ent("Value", 14, 20)],
        ),
        # same span, different label: the rule's label stands
        (
            [],
            [ent("Measurement", 0, 5, "rule")],
            [ent("Drug", 0, 5)],
            [ent("Measurement", 0, 5, "rule")],
        ),
        # entities already on the criterion come first
        (
            [ent("Condition", 0, 8, "other")],
            [ent("Measurement", 4, 9, "rule")],
            [ent("Drug", 10, 15)],
            [ent("Condition", 0, 8, "other"), ent("Drug", 10, 15)],
        ),
        # no conflict: everything kept, sorted by start
        (
            [],
            [ent("Measurement", 10, 15, "rule")],
            [ent("Condition", 0, 8)],
            [ent("Condition", 0, 8), ent("Measurement", 10, 15, "rule")],
        ),
    ],
)
def test_reconcile_precedence(existing, rules, model, expected) -> None:
    assert reconcile(existing, rules, model) == expected


def test_rule_entities_come_from_measurement_and_score_analytes() -> None:
    crit = {
        "constraints": [
            {"type": "measurement", "analyte": {"start": 2, "end": 7, "text": "HbA1c"}},
            {"type": "score", "analyte": {"start": 20, "end": 24, "text": "ECOG"}},
            {"type": "age", "start": 30, "end": 40},
        ]
    }
    assert rule_entities(crit) == [
        ent("Measurement", 2, 7, "rule"),
        ent("Measurement", 20, 24, "rule"),
    ]


def test_component_needs_criteria() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("eligo_concepts")
    with pytest.raises(ValueError, match="eligo_criteria"):
        nlp("No criteria segmented here")


def test_model_travels_with_the_pipeline(parsed, tmp_path) -> None:
    nlp, _ = parsed
    pipe = nlp.get_pipe("eligo_concepts")
    assert isinstance(pipe, ConceptRecognizer)
    pipe.to_disk(tmp_path / "concepts")
    fresh = ConceptRecognizer(nlp, model=str(packaged_model_path()))
    fresh.from_disk(tmp_path / "concepts")
    assert fresh.model.pipe_names == pipe.model.pipe_names
    texts = ["Type 2 diabetes treated with insulin"]
    assert list(fresh.predict(texts)) == list(pipe.predict(texts))


def test_predictions_are_cached_by_text(parsed, monkeypatch) -> None:
    nlp, _ = parsed
    pipe = nlp.get_pipe("eligo_concepts")
    fresh = ConceptRecognizer(nlp, cache_size=2)
    fresh.model = pipe.model
    a, b, c = "Type 2 diabetes", "Treated with insulin", "Prior stroke"
    expected = pipe.predict([a])[0]
    seen: list[str] = []
    original = fresh.model.pipe

    def counting(texts, **kwargs):
        texts = list(texts)
        seen.extend(texts)
        return original(texts, **kwargs)

    monkeypatch.setattr(fresh.model, "pipe", counting)
    first = fresh.predict([a, b, a])
    assert seen == [a, b], "each new text goes through the model once"
    assert first[0] == first[2] == expected
    assert first[0], "the model finds the condition"
    assert fresh.predict([b, a]) == [first[1], first[0]]
    assert seen == [a, b], "cached texts do not"
    fresh.predict([c])
    assert len(fresh._cache) == 2, "the cache is bounded"
    assert fresh.predict([a, b, c]) == [first[0], first[1], fresh.predict([c])[0]]


def test_pipe_over_documents_equals_one_at_a_time(parsed) -> None:
    nlp, _ = parsed
    texts = [TEXT, "Inclusion Criteria:\n- Adults with asthma\n", TEXT.upper()]

    def upto_concepts(text):
        doc = nlp.make_doc(text)
        for name, proc in nlp.pipeline:
            if name == "eligo_concepts":
                return doc
            doc = proc(doc)
        raise AssertionError("no eligo_concepts")

    pipe = nlp.get_pipe("eligo_concepts")
    one = [criterion_records(pipe(upto_concepts(t))) for t in texts]
    batched = [
        criterion_records(d)
        for d in pipe.pipe([upto_concepts(t) for t in texts], batch_size=2)
    ]
    assert batched == one
    assert any(c["entities"] for crits in one for c in crits)


def test_vocab_is_bounded_by_reloading_the_model(parsed) -> None:
    nlp, _ = parsed
    reference = nlp.get_pipe("eligo_concepts")
    bounded = ConceptRecognizer(nlp, cache_size=0, max_vocab=30)
    texts = [
        "Type 2 diabetes treated with insulin or metformin",
        "History of myocardial infarction, stroke or transient ischaemic attack",
        "Serum creatinine above 1.5 mg/dL or creatinine clearance below 60 mL/min",
        "Prior bariatric surgery, gastrectomy or small bowel resection",
    ]
    first_model = bounded.model
    got = [bounded.predict([t])[0] for t in texts]
    assert bounded.reloads >= 1 and bounded.model is not first_model
    assert len(bounded.model.vocab) <= 30 + 20  # at most one text's words over
    assert got == reference.predict(texts), "reloading changes no prediction"


@pytest.mark.parametrize(
    ("text", "phrase", "reused"),
    [
        ("- Platelets >= 100 x 10^9/L\n- HIV", "Platelets >= 100 x 10^9/L", True),
        ("- Resident of Mass. or Conn.\n", "Resident of Mass. or Conn.", True),
        ("- ALT \\> 3 x ULN\n", "ALT \\> 3 x ULN", False),  # view != text
        ("(HIV)", "HIV", False),  # not at whitespace
    ],
)
def test_criterion_docs_from_the_docs_own_tokens(text, phrase, reused) -> None:
    from eligo.concepts.component import _own_tokens, _words_doc
    from eligo.segment.view import reading_view

    nlp = build_pipeline(concepts=False)
    doc, view = nlp.make_doc(text), reading_view(text)
    start = text.index(phrase)
    span = _own_tokens(doc, view, start, start + len(phrase))
    assert (span is not None) == reused
    if span is not None:
        alone = nlp.make_doc(view[start : start + len(phrase)])
        made = _words_doc(nlp.vocab, span)
        assert made.text == alone.text
        assert [(t.text, t.norm_, t.whitespace_) for t in made] == [
            (t.text, t.norm_, t.whitespace_) for t in alone
        ]
