"""Training on a teacher's probabilities (`train --teacher`)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

import digitcli.training.train
from digitcli.core.config import train_config
from digitcli.datasets.data import load_dataset
from digitcli.models.modeldir import BUNDLED_DIR
from digitcli.models.runtimes import load_runtime
from digitcli.training.augment import EpochImages
from digitcli.training.distill import Teacher
from digitcli.training.train import train

from conftest import REPO, subprocess_env

pytestmark = pytest.mark.trains


class Unsure:
    """A teacher that gives a digit as written 0.5 for its label and spreads the rest, and
    cannot tell what a redrawn digit is: what it says is easy to see."""

    def __init__(self) -> None:
        self.images_seen = 0

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        self.images_seen += len(images)
        return np.full((len(images), 10), 0.1, np.float32)

    def targets(self, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
        self.images_seen += len(images)
        rows = np.full((len(labels), 10), 0.5 / 9, np.float32)
        rows[np.arange(len(labels)), labels] = 0.5
        return rows


def test_a_target_is_the_teachers_probabilities_where_it_agrees_and_the_label_where_not():
    teacher = Teacher.__new__(Teacher)
    answers = np.array([[0.7, 0.2] + [0.1 / 8] * 8, [0.6, 0.3] + [0.1 / 8] * 8], np.float32)
    teacher.runtime = type("Fixed", (), {"predict": staticmethod(lambda images: answers)})()
    targets = teacher.targets(np.zeros((2, 28, 28), np.uint8), np.array([0, 1]))
    assert np.allclose(targets[0], answers[0])  # it reads a 0 and the label is 0
    assert np.array_equal(targets[1], np.eye(10)[1])  # it reads a 0 where the label says 1
    redrawn = teacher.probabilities(np.zeros((2, 28, 28), np.uint8))
    assert np.array_equal(redrawn, answers)  # a redrawn digit is what the teacher reads


def test_the_bundled_teacher_reads_the_digits_it_is_given():
    test = load_dataset(REPO / "MNIST", role="test").test
    targets = Teacher("bundled").targets(test.x[:200], test.y[:200])
    assert np.allclose(targets.sum(axis=1), 1, atol=1e-4)
    direct = load_runtime(BUNDLED_DIR).predict(test.x[:200])
    agrees = direct.argmax(axis=1) == test.y[:200]
    assert agrees.mean() > 0.9 and np.allclose(targets[agrees], direct[agrees], atol=1e-6)


class Marking:
    """A teacher whose answers say what they were asked about: a digit as written gets its
    label's row, a redrawn one the first ten pixels of its image."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def targets(self, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
        self.calls.append("as written")
        return np.eye(10, dtype=np.float32)[labels]

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        self.calls.append("redrawn")
        return images.reshape(len(images), -1)[:, :10].astype(np.float32)


def test_each_draw_carries_the_teachers_targets_for_its_own_images():
    images = np.random.default_rng(0).integers(0, 256, (60, 28, 28)).astype(np.uint8)
    labels = np.arange(60) % 10
    teacher = Marking()
    epochs = EpochImages(images, seed=0, share=0.5, labels=labels, teacher=teacher)
    try:
        draws = [epochs.get(epoch, upcoming=epoch + 1) for epoch in range(2)]
    finally:
        epochs.close()
    assert teacher.calls == ["as written", "redrawn", "redrawn"]  # the first answer is kept
    for draw in draws:
        redrawn = np.any(draw.images != images, axis=(1, 2))
        assert 0 < redrawn.sum() < len(images)
        pixels = draw.images.reshape(len(images), -1)[:, :10].astype(np.float32)
        assert np.array_equal(draw.targets[redrawn], pixels[redrawn])
        assert np.array_equal(draw.targets[~redrawn], np.eye(10)[labels[~redrawn]])
    assert not np.array_equal(draws[0].targets, draws[1].targets)


def test_training_learns_the_teachers_probabilities(tiny_data, tmp_path, monkeypatch):
    unsure = Unsure()
    monkeypatch.setattr(
        digitcli.training.train, "teacher_for", lambda name: unsure if name == "unsure" else None
    )
    config = train_config(
        "mlp",
        epochs=4,
        layers=(32,),
        batch_size=16,
        learning_rate=0.01,
        calibrate=False,
        teacher="unsure",
        deskew=False,  # the synthetic digits differ by slant alone (see conftest.tiny_model)
        fonts=0.0,  # and look nothing like a font's digits
    )
    train(config, data=tiny_data, output=tmp_path / "taught")
    plain = train(replace(config, teacher="none"), data=tiny_data, output=tmp_path / "plain")
    test = load_dataset(tiny_data).test
    taught = load_runtime(tmp_path / "taught").predict(test.x).max(axis=1)
    labelled = load_runtime(tmp_path / "plain").predict(test.x).max(axis=1)
    assert unsure.images_seen >= 540  # every training image at least once
    # Four epochs on the labels: 0.88-0.9 sure (the curled 9s' draw took it from 0.9+ to 0.88).
    assert plain.test.accuracy > 0.8 and np.median(labelled) > 0.85
    assert np.median(taught) < 0.75  # as unsure as its teacher, not as sure as the labels


def test_train_with_a_model_as_teacher_records_it(tiny_model, tiny_data, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "digitcli", "train", "--epochs", "1", "--teacher", str(tiny_model),
         "--output", str(tmp_path / "m"), "--data", str(tiny_data), "-q"],
        capture_output=True, text=True, env=subprocess_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    metadata = json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert metadata["config"]["teacher"] == str(tiny_model)


def test_a_teacher_that_is_not_a_model_is_a_one_line_error(tiny_data, tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    for teacher in (tmp_path / "missing", tmp_path / "notes.txt"):
        done = subprocess.run(
            [sys.executable, "-m", "digitcli", "train", "--epochs", "1", "--teacher", str(teacher),
             "--output", str(tmp_path / "m"), "--data", str(tiny_data)],
            capture_output=True, text=True, env=subprocess_env(),
        )  # fmt: skip
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and str(teacher) in done.stderr
        assert not (tmp_path / "m").exists()
