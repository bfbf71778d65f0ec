import pytest

from eligo_train.concepts.scoring import Scorer


def score(pred, gold, oos=()):
    s = Scorer(("Condition", "Drug"))
    s.add(pred, gold, oos)
    return s.report()


def test_strict_needs_exact_boundaries_and_label() -> None:
    r = score(
        [(0, 8, "Condition"), (10, 15, "Drug")], [(0, 8, "Condition"), (10, 16, "Drug")]
    )
    assert r["Condition"]["strict_f"] == 1.0
    assert r["Drug"]["strict_f"] == 0.0
    assert r["Drug"]["relaxed_f"] == 1.0
    assert r["micro"]["strict_p"] == pytest.approx(0.5)


def test_relaxed_needs_the_same_label() -> None:
    r = score([(0, 8, "Drug")], [(0, 8, "Condition")])
    assert r["micro"]["relaxed_f"] == 0.0


def test_predictions_in_out_of_scope_regions_are_not_scored() -> None:
    r = score([(20, 25, "Condition")], [(0, 8, "Condition")], oos=[(18, 30)])
    assert r["micro"]["pred"] == 0
    assert r["micro"]["gold"] == 1


def test_unscored_labels_are_ignored() -> None:
    r = score([(0, 3, "Value")], [(0, 3, "Value")])
    assert r["micro"]["pred"] == r["micro"]["gold"] == 0


def test_predicted_spans_read_a_span_group_else_the_entities() -> None:
    import spacy
    from spacy.tokens import Span

    from eligo_train.concepts.scoring import predicted_spans

    nlp = spacy.blank("en")
    doc = nlp("metastatic breast cancer")
    doc.ents = [Span(doc, 1, 3, label="Condition")]
    assert predicted_spans(doc) == [(11, 24, "Condition")]
    doc.spans["sc"] = [Span(doc, 0, 3, label="Condition"), Span(doc, 1, 3, "Condition")]
    assert predicted_spans(doc) == [(0, 24, "Condition"), (11, 24, "Condition")]
    # nested predictions can each match a nested gold span
    r = score(predicted_spans(doc), [(0, 24, "Condition"), (11, 24, "Condition")])
    assert r["micro"]["strict_f"] == 1.0
