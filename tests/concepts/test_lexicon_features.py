import json

import pytest
import spacy

import eligo.concepts.lexicon_features  # noqa: F401  (registers the factory)

TERMS = {
    "lower": {
        "cond": ["type 2 diabetes mellitus", "diabetes", "hypertension"],
        "drug": ["metformin", "insulin"],
        "meas": ["insulin"],
    },
    "exact": {"meas": ["PT", "INR"]},
}


@pytest.fixture
def nlp(tmp_path):
    nlp = spacy.blank(
        "en",
        config={"nlp": {"tokenizer": {"@tokenizers": "eligo.tokenizer.v1"}}},
    )
    path = tmp_path / "terms.json"
    path.write_text(json.dumps(TERMS))
    pipe = nlp.add_pipe("eligo_lexicon_features")
    pipe.initialize(nlp=nlp, path=path)
    return nlp


def tags(nlp, text):
    return [(t.text, t.lemma_) for t in nlp(text) if t.lemma_]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Type 2 Diabetes Mellitus on metformin",
            [
                ("Type", "B-cond"),
                ("2", "I-cond"),
                ("Diabetes", "I-cond"),
                ("Mellitus", "I-cond"),
                ("metformin", "B-drug"),
            ],
        ),
        (
            "diabetes, hypertension",
            [("diabetes", "B-cond"), ("hypertension", "B-cond")],
        ),
        ("insulin", [("insulin", "B-drug|meas")]),
        ("PT > 15 s in pt with INR<2", [("PT", "B-meas"), ("INR", "B-meas")]),
        ("type 2 diabetic", []),
    ],
)
def test_tags(nlp, text, expected) -> None:
    assert tags(nlp, text) == expected


def test_terms_travel_with_the_pipeline(nlp, tmp_path) -> None:
    nlp.to_disk(tmp_path / "saved")
    loaded = spacy.load(tmp_path / "saved")
    assert tags(loaded, "on insulin") == [("insulin", "B-drug|meas")]


def test_without_terms_the_component_does_nothing() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("eligo_lexicon_features")
    assert [t.lemma_ for t in nlp("diabetes")] == [""]


def test_saved_table_is_the_lookup_table(nlp, tmp_path) -> None:
    nlp.to_disk(tmp_path / "saved")
    saved = json.loads(
        (tmp_path / "saved/eligo_lexicon_features/terms.json").read_text()
    )
    assert saved["format"] == 2
    lower = saved["tables"]["lower"]
    assert lower["type 2 diabetes mellitus"] == "cond"
    assert lower["type 2"] is None  # a proper prefix, not a term
    assert lower["insulin"] == "drug|meas"


def test_phrase_list_format_still_loads(nlp) -> None:
    # Format 1: tokenized phrase lists per mode and category.
    old = {"lower": {"cond": [["heart", "failure"]]}, "exact": {"meas": [["BNP"]]}}
    pipe = nlp.get_pipe("eligo_lexicon_features")
    pipe.from_bytes(json.dumps(old).encode())
    assert tags(nlp, "Heart failure with BNP > 100") == [
        ("Heart", "B-cond"),
        ("failure", "I-cond"),
        ("BNP", "B-meas"),
    ]


def test_unknown_table_format_is_refused(nlp) -> None:
    pipe = nlp.get_pipe("eligo_lexicon_features")
    with pytest.raises(ValueError, match="format 3"):
        pipe.from_bytes(json.dumps({"format": 3, "tables": {}}).encode())
