import json

import numpy as np
import pytest

from digitcli.core.errors import ModelError
from digitcli.reports.evaluate import evaluate, score


def test_score_counts_and_per_class_figures():
    labels = np.array([0, 0, 1, 1, 2])
    probabilities = np.full((5, 10), 0.01)
    for row, predicted in enumerate([0, 1, 1, 1, 2]):
        probabilities[row, predicted] = 0.91
    result = score(probabilities, labels)
    assert result.accuracy == pytest.approx(0.8)
    assert result.confusion_matrix[0].tolist()[:3] == [1, 1, 0]
    assert result.samples == 5
    zero, one = result.per_class[0], result.per_class[1]
    assert (zero.precision, zero.recall, zero.support) == (1.0, 0.5, 2)
    assert one.precision == pytest.approx(2 / 3, abs=1e-6)
    assert one.recall == 1.0
    expected_loss = -(4 * np.log(0.91) + np.log(0.01)) / 5
    assert result.loss == pytest.approx(expected_loss, rel=1e-6)


def test_evaluate_matches_train_and_counts_every_test_image(tiny_model, tiny_data):
    metadata = json.loads((tiny_model / "metadata.json").read_text())
    result = evaluate(tiny_model, tiny_data)
    assert result.accuracy == metadata["metrics"]["test_accuracy"]
    assert result.confusion_matrix.sum() == metadata["data"]["test_samples"] == 200
    assert set(result.to_json()) >= {"model", "accuracy", "loss", "per_class", "confusion_matrix"}


def test_keras_and_litert_runtimes_agree(tiny_model, tiny_data):
    via_litert = evaluate(tiny_model, tiny_data, prefer="litert")
    via_keras = evaluate(tiny_model, tiny_data, prefer="keras")
    assert (via_litert.runtime, via_keras.runtime) == ("litert", "keras")
    assert via_litert.accuracy == pytest.approx(via_keras.accuracy, abs=0.01)
    assert via_litert.loss == pytest.approx(via_keras.loss, rel=1e-3)


def test_missing_model_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no such model"):
        evaluate(tmp_path / "nope")


def test_evaluate_says_how_far_it_has_got(tiny_model, tiny_data, monkeypatch):
    """A test set of two million images took minutes with nothing shown: `evaluate` answers
    it a chunk at a time and says so after each (the command draws a bar from it)."""
    from digitcli.reports import evaluate as evaluating

    monkeypatch.setattr(evaluating, "CHUNK", 64)
    seen = []
    result, predictions = evaluating.evaluate_with_predictions(
        tiny_model, tiny_data, progress=lambda done, total: seen.append((done, total))
    )
    total = len(predictions.labels)
    assert seen == [(min(done, total), total) for done in range(64, total + 64, 64)]
    assert result.accuracy == evaluate(tiny_model, tiny_data).accuracy
