"""The committed concept model reproduces the dev scores its card records."""

import json

import pytest

from eligo.concepts.component import load_model, packaged_model_path
from eligo_train.concepts.scoring import evaluate_on_chia


@pytest.mark.shared
def test_committed_model_reproduces_its_dev_metrics(shared_dir) -> None:
    recorded = json.loads((packaged_model_path() / "metrics.json").read_text())
    result = evaluate_on_chia(load_model(), shared_dir / "data" / "chia", split="dev")
    assert result["trials"] == recorded["trials"]
    assert result["docs"] == recorded["docs"]
    for ref in ("all_gold", "flat_gold"):
        for label, scores in recorded[ref].items():
            for key in ("strict_f", "relaxed_f", "gold", "pred"):
                assert result[ref][label][key] == pytest.approx(
                    scores[key], abs=1e-3
                ), (ref, label, key)


def test_card_states_the_recorded_micro_scores() -> None:
    recorded = json.loads((packaged_model_path() / "metrics.json").read_text())
    card = (packaged_model_path() / "MODEL_CARD.md").read_text()
    micro = recorded["all_gold"]["micro"]
    assert f"{micro['strict_f']:.3f}" in card
    assert f"{micro['relaxed_f']:.3f}" in card
