import json

import numpy as np
import pytest

from digitcli.reports.evaluate import expected_calibration_error, reliability
from digitcli.training.calibration import fit_temperature, negative_log_likelihood, with_temperature


def test_ece_by_hand():
    # Two bins used: 0.95 confident and right 1 time in 2 (gap 0.45), 0.55 and right (gap 0.45)
    confidence = np.array([0.95, 0.95, 0.55, 0.55])
    correct = np.array([1, 0, 1, 1])
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.45)
    assert expected_calibration_error(np.array([0.7] * 10), np.array([1] * 7 + [0] * 3)) == (
        pytest.approx(0.0)
    )
    assert reliability(confidence, correct) == [(0.55, 1.0, 2), (0.95, 0.5, 2)]


def overconfident(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A model calibrated by construction (labels drawn from its own probabilities), then made
    over-confident by dividing its logits by 0.3."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.5, (n, 10))
    logits[:, 0] += 3.0
    honest = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(10, p=row) for row in honest])
    sharp = np.exp(logits / 0.3)
    return sharp / sharp.sum(axis=1, keepdims=True), labels


def test_temperature_fixes_an_overconfident_model_without_changing_answers():
    probabilities, labels = overconfident()
    temperature = fit_temperature(probabilities, labels)
    assert temperature == pytest.approx(1 / 0.3, rel=0.15)
    calibrated = with_temperature(probabilities, temperature)
    assert np.array_equal(calibrated.argmax(axis=1), probabilities.argmax(axis=1))
    right = probabilities.argmax(axis=1) == labels
    before = expected_calibration_error(probabilities.max(axis=1), right)
    after = expected_calibration_error(calibrated.max(axis=1), right)
    assert before > 0.15 and after < 0.03
    nll = negative_log_likelihood
    assert nll(calibrated, labels) < nll(probabilities, labels)
    # Fitted on one sample, it holds on another.
    other, other_labels = overconfident(seed=1)
    other_right = other.argmax(axis=1) == other_labels
    held_out = with_temperature(other, temperature).max(axis=1)
    assert expected_calibration_error(held_out, other_right) < 0.03


def test_no_labels_no_temperature():
    assert fit_temperature(np.zeros((0, 10)), np.zeros(0, dtype=int)) == 1.0


@pytest.mark.trains
def test_the_temperature_is_fitted_on_the_validation_digits_as_written_and_redrawn(
    tiny_model, tiny_data, tmp_path
):
    from digitcli.core.config import train_config
    from digitcli.training.train import train

    fitted_on = json.loads((tiny_model / "metadata.json").read_text())["calibration"]["fitted_on"]
    assert fitted_on == "validation split (60 images), as written and redrawn"
    plain = train_config("mlp", epochs=1, layers=(8,), writers=0.0)
    train(plain, data=tiny_data, output=tmp_path / "plain")
    metadata = json.loads((tmp_path / "plain" / "metadata.json").read_text())
    assert metadata["calibration"]["fitted_on"] == "validation split (60 images)"
