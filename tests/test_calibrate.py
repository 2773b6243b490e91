"""Calibrated confidence: ECE, the temperature fit, and a temperature baked into every artifact."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from digitcli.calibrate import fit_temperature, scaled
from digitcli.evaluate import expected_calibration_error, reliability, score


def test_ece_of_a_hand_computed_case() -> None:
    # Two at 0.95 (one right) fall in bin 15, two at 0.55 (both right) in bin 9:
    # |0.95 - 0.5| * 2/4 + |0.55 - 1.0| * 2/4 = 0.45.
    confidence = np.array([0.95, 0.95, 0.55, 0.55])
    correct = np.array([True, False, True, True])
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.45)
    mean, accuracy, count = reliability(confidence, correct)
    assert count[14] == 2 and count[8] == 2 and count.sum() == 4
    assert accuracy[14] == pytest.approx(0.5) and mean[8] == pytest.approx(0.55)


def test_ece_is_zero_when_confidence_matches_accuracy() -> None:
    confidence = np.full(10, 0.8)
    correct = np.array([True] * 8 + [False] * 2)
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.0)
    assert expected_calibration_error(np.array([]), np.array([])) == 0.0


def test_score_reports_ece_in_json() -> None:
    probabilities = np.array([[0.9, 0.1] + [0.0] * 8, [0.6, 0.4] + [0.0] * 8])
    evaluation = score(probabilities, np.array([0, 1]))
    assert evaluation.ece == pytest.approx((abs(0.9 - 1) + abs(0.6 - 0)) / 2)
    assert evaluation.to_json()["ece"] == evaluation.ece


def _overconfident(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A toy model that is right 70% of the time and always ~99.9% sure."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    answer = np.where(rng.random(n) < 0.7, labels, rng.integers(0, 10, n))
    logits = rng.normal(0, 1, (n, 10))
    logits[np.arange(n), answer] += 9
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return probabilities, labels


def test_temperature_fit_lowers_nll_and_ece_of_an_overconfident_model() -> None:
    probabilities, labels = _overconfident()
    calibration = fit_temperature(probabilities, labels)
    assert calibration.temperature > 2  # it has to soften
    assert calibration.nll_after < calibration.nll_before * 0.5
    assert calibration.ece_before > 0.2 and calibration.ece_after < 0.05
    after = scaled(probabilities, calibration.temperature)
    assert (after.argmax(axis=1) == probabilities.argmax(axis=1)).all()  # no answer changes
    np.testing.assert_allclose(after.sum(axis=1), 1, rtol=1e-6)


def test_temperature_is_baked_into_the_model_and_its_tflite(tiny_model: Path, tiny_data) -> None:
    from digitcli.data import load_dataset
    from digitcli.model import load_keras_model
    from digitcli.modeldir import resolve_model
    from digitcli.runtime import load_runtime

    metadata = json.loads((tiny_model / "metadata.json").read_text())
    temperature = metadata["calibration"]["temperature"]
    assert temperature != pytest.approx(1.0, abs=1e-3)
    x = load_dataset(tiny_data, role="test").test.x[:50]

    model = load_keras_model(tiny_model / "model.keras")
    calibrated = np.asarray(model.predict(x, verbose=0), np.float64)
    last = model.layers[-1]
    kernel, bias = last.get_weights()
    last.set_weights([kernel * temperature, bias * temperature])  # undo the baking
    raw = np.asarray(model.predict(x, verbose=0), np.float64)
    np.testing.assert_allclose(calibrated, scaled(raw, temperature), atol=1e-5)

    # The .tflite beside it too; test_export checks every other format against the .keras.
    litert = load_runtime(resolve_model(tiny_model / "model.tflite")).predict(x)
    np.testing.assert_allclose(litert, calibrated, atol=1e-5)
