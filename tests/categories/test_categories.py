"""eligo_categories: the calibrated criterion-category classifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language

from eligo.categories import CATEGORIES, TRUSTED_TYPES, load_model
from eligo.categories.model import FILES, default_model_path
from eligo.pipeline.extensions import register_extensions
from eligo.pipeline.spans import criterion_records, set_criteria
from eligo_train.categories.chia import ChiaEntity, ChiaLine, chia_category, is_dev
from eligo_train.categories.data import corpus_examples, evaluate, is_held_out
from eligo_train.categories.fit import save_model, train

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model() -> Any:
    return load_model()


@pytest.fixture(scope="module")
def nlp() -> Language:
    register_extensions()
    pipeline = spacy.blank("en")
    pipeline.add_pipe("eligo_categories")
    return pipeline


def categorise(nlp: Language, texts: list[str]) -> list[dict[str, Any]]:
    text = "\n".join(texts)
    doc = nlp.make_doc(text)
    pos, criteria = 0, []
    for t in texts:
        criteria.append({"start": pos, "end": pos + len(t), "section": "inclusion"})
        pos += len(t) + 1
    set_criteria(doc, criteria)
    return criterion_records(nlp(doc))


def test_model_ships_in_package() -> None:
    from importlib import resources

    path = resources.files("eligo.models").joinpath(FILES.folder, FILES.model)
    assert path.is_file()
    assert Path(str(path)) == default_model_path()
    assert resources.files("eligo.models").joinpath(FILES.folder, FILES.card).is_file()


def test_classes_are_the_categories(model: Any) -> None:
    assert sorted(model.classes_) == sorted(CATEGORIES)


CLEAR_CUT = [
    ("Age 18 to 65 years", "demographic"),
    ("Men and women aged 40 years or older", "demographic"),
    ("Children younger than 12 years", "demographic"),
    ("Histologically confirmed diagnosis of breast cancer", "diagnosis"),
    ("Known history of HIV infection", "diagnosis"),
    ("Active hepatitis C", "diagnosis"),
    ("Hemoglobin < 9 g/dL", "lab_measurement"),
    ("Platelet count >= 100,000/mm3", "lab_measurement"),
    ("Serum creatinine > 2.0 mg/dL", "lab_measurement"),
    ("Prior treatment with bevacizumab", "prior_concomitant_therapy"),
    ("Concomitant use of systemic corticosteroids", "prior_concomitant_therapy"),
    ("Chemotherapy within 4 weeks before enrollment", "prior_concomitant_therapy"),
    ("Pregnant or breast-feeding women", "pregnancy_contraception"),
    (
        "Women of childbearing potential not using adequate contraception",
        "pregnancy_contraception",
    ),
    ("Signed informed consent", "consent_compliance"),
    ("Able to give written informed consent", "consent_compliance"),
    ("Participation in another clinical trial within 30 days", "trial_participation"),
    ("Enrolled in another investigational drug study", "trial_participation"),
    (
        "Any condition that in the opinion of the investigator would compromise safety",
        "investigator_judgement",
    ),
    (
        "Considered unsuitable for the study by the investigator",
        "investigator_judgement",
    ),
    ("Patients undergoing total knee arthroplasty", "procedure"),
    ("Scheduled for elective hip replacement surgery", "procedure"),
]


@pytest.mark.parametrize(("text", "category"), CLEAR_CUT)
def test_clear_cut(nlp: Language, text: str, category: str) -> None:
    (crit,) = categorise(nlp, [text])
    assert crit["category"] == category


def test_scores_are_probabilities(nlp: Language) -> None:
    for crit in categorise(nlp, [t for t, _ in CLEAR_CUT[:5]]):
        scores = crit["category_scores"]
        assert set(scores) == set(CATEGORIES)
        assert sum(scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert max(scores, key=scores.get) == crit["category"]


@pytest.mark.parametrize(
    ("text", "computable"),
    [
        ("Signed informed consent", False),
        (
            "Any condition that in the opinion of the investigator would compromise safety",
            False,
        ),
        ("Hemoglobin < 9 g/dL", True),
        ("Age 18 to 65 years", True),
    ],
)
def test_computable(nlp: Language, text: str, computable: bool) -> None:
    (crit,) = categorise(nlp, [text])
    assert crit["computable"] is computable


def test_skops_trusts_only_the_listed_types() -> None:
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    untrusted = sio.get_untrusted_types(file=default_model_path())
    assert set(untrusted) <= set(TRUSTED_TYPES)
    with pytest.raises(UntrustedTypesFoundException):
        sio.load(default_model_path(), trusted=[])


def test_empty_and_missing_criteria() -> None:
    register_extensions()
    pipeline = spacy.blank("en")
    pipeline.add_pipe("eligo_categories")
    with pytest.raises(ValueError, match="eligo_criteria"):
        pipeline("Age 18")
    doc = pipeline.make_doc("")
    set_criteria(doc, [])
    assert criterion_records(pipeline(doc)) == []


def test_saved_pipeline_carries_model(nlp: Language, tmp_path: Path) -> None:
    nlp.to_disk(tmp_path / "p")
    assert (tmp_path / "p" / "eligo_categories" / FILES.model).is_file()
    again = spacy.load(tmp_path / "p")
    (crit,) = categorise(again, ["Signed informed consent"])
    assert crit["category"] == "consent_compliance"


def test_corpus_is_valid_and_split() -> None:
    train_part = corpus_examples(ROOT / "corpus" / "categories", held_out=False)
    held = corpus_examples(ROOT / "corpus" / "categories", held_out=True)
    assert len(train_part) + len(held) >= 150
    assert {e.category for e in train_part} == set(CATEGORIES)
    assert all(is_held_out(e.text) for e in held)


def test_smoke_training(tmp_path: Path) -> None:
    rows = corpus_examples(ROOT / "corpus" / "categories", held_out=False)
    texts, labels = [e.text for e in rows], [e.category for e in rows]
    estimator = train(texts, labels, seed=1, cv=2)
    save_model(estimator, tmp_path / FILES.model)
    again = load_model(tmp_path / FILES.model)
    report = evaluate(again, texts, labels)
    assert report["n"] == len(texts) and report["accuracy"] > 0.5
    assert json.dumps(report)


def _line(labels: list[str], relations: list[tuple[str, str, str]] = ()) -> ChiaLine:  # type: ignore[assignment]
    ents = []
    for i, spec in enumerate(labels):
        lab, _, text = spec.partition(":")
        ents.append(ChiaEntity(f"T{i}", lab, i, i + 1, text or "x"))
    return ChiaLine("NCT0", "inclusion", 0, 10, "x", ents, list(relations))


@pytest.mark.parametrize(
    ("labels", "relations", "category"),
    [
        (["Informed_consent", "Condition"], [], "consent_compliance"),
        (["Pregnancy_considerations"], [], "pregnancy_contraception"),
        (["Condition:pregnant", "Person"], [], "pregnancy_contraception"),
        (["Competing_trial", "Drug"], [], "trial_participation"),
        (["Subjective_judgement", "Condition"], [], "investigator_judgement"),
        (["Person", "Value"], [("Has_value", "T0", "T1")], "demographic"),
        (["Measurement", "Value"], [("Has_value", "T0", "T1")], "lab_measurement"),
        (
            ["Drug", "Temporal"],
            [("Has_temporal", "T0", "T1")],
            "prior_concomitant_therapy",
        ),
        (
            ["Procedure", "Temporal"],
            [("Has_temporal", "T0", "T1")],
            "prior_concomitant_therapy",
        ),
        (["Condition", "Qualifier"], [], "diagnosis"),
        (["Procedure"], [], "procedure"),
        (["Observation"], [], "other"),
        (["Parsing_Error"], [], None),
    ],
)
def test_chia_mapping(
    labels: list[str], relations: list[tuple[str, str, str]], category: str | None
) -> None:
    assert chia_category(_line(labels, relations)) == category


def test_dev_split_is_fixed() -> None:
    assert is_dev("NCT00050349_exc") == is_dev("NCT00050349_inc")
    assert is_dev("nct00050349") == is_dev("NCT00050349")


def test_fast_path_matches_predict_proba(model: Any) -> None:
    import numpy as np

    from eligo.categories.model import FastScorer

    texts = [t for t, _ in CLEAR_CUT] + ["", "zzzz qqqq", "age age age 18"]
    fast = FastScorer(model).predict_proba(texts)
    assert np.allclose(fast, model.predict_proba(texts), atol=1e-5)


def test_exported_scorer_matches_the_skops_model(tmp_path) -> None:
    """scorer.npz (used at start-up, no scikit-learn import) = the skops model."""
    import numpy as np

    from eligo.categories.model import FastScorer, default_model_path, load_model
    from eligo_train.categories.fit import export_scorer

    shipped = default_model_path().with_name("scorer.npz")
    estimator = load_model()
    texts = [
        "Age 18 to 65 years",
        "Signed informed consent",
        "Platelets < 100 x 10^9/L",
        "In the opinion of the investigator, unsuitable for the study",
        "Prior chemotherapy within 4 weeks",
        "",
    ]
    fresh = tmp_path / "scorer.npz"
    export_scorer(estimator, fresh)
    from_shipped = FastScorer.from_arrays(shipped)
    assert from_shipped.classes == [str(c) for c in estimator.classes_]
    assert np.allclose(
        from_shipped.predict_proba(texts), estimator.predict_proba(texts), atol=1e-6
    )
    assert np.array_equal(
        from_shipped.predict_proba(texts),
        FastScorer.from_arrays(fresh).predict_proba(texts),
    )


def test_protocol_checks_do_not_load_the_estimator() -> None:
    # spaCy checks each component against ListenedToComponent with hasattr in
    # a hash-seed-dependent order; none of its attributes may load skops.
    from spacy import ty

    register_extensions()
    pipeline = spacy.blank("en")
    component = pipeline.add_pipe("eligo_categories")
    for attr in ("model", "listener_map", "find_listeners", "name"):
        hasattr(component, attr)
    assert not isinstance(component, ty.ListenedToComponent)
    assert component._estimator is None
    assert sorted(component.estimator().classes_) == sorted(CATEGORIES)
