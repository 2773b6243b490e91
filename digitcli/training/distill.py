"""Learning from a stronger model: a teacher's probabilities as the training targets.

The default mlp reads other writers' digits far worse than the bundled CNN. Trained on the
CNN's probabilities for each epoch's digits rather than on their labels alone (distillation,
Hinton et al. 2015), it learns which redrawn digits look like two and how much, and reads
other writers better. The teacher must read every redrawn digit of every epoch, so it is
offered (`train --teacher`), not on by default: training takes several times as long.
Measurements: docs/measurements/code-notes.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.core.config import NO_TEACHER, NUM_CLASSES
from digitcli.models.modeldir import named_model

TEACHER_BATCH = 1024  # images per call into the teacher
TEACHER_THREADS = 2  # LiteRT's (its default is one): a little faster on 2 cores


class Teacher:
    """A trained digit classifier whose probabilities become training targets."""

    def __init__(self, model: str | Path) -> None:
        from digitcli.models.runtimes import load_runtime

        self.runtime = load_runtime(named_model(model), threads=TEACHER_THREADS)
        self.runtime.batch_size = TEACHER_BATCH

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(n, 10) float32: what the teacher reads in uint8 `images` (n, 28, 28). The targets
        of redrawn digits: a redraw that came out looking like another digit should be learnt
        as that (keeping the label where the teacher disagreed read other writers worse)."""
        return self.runtime.predict(images).astype(np.float32)

    def targets(self, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """(n, 10) float32 targets for digits as they were written: the teacher's probabilities
        where its answer is the label; the label itself (one-hot) where the teacher disagrees,
        so a digit it misreads, or a dataset labelled its own way, still teaches the label."""
        probabilities = self.probabilities(images)
        one_hot = np.eye(NUM_CLASSES, dtype=np.float32)[labels]
        agrees = probabilities.argmax(axis=1) == labels
        return np.where(agrees[:, None], probabilities, one_hot)


def teacher_for(model: str) -> Teacher | None:
    """The teacher `train --teacher` names: None for "none"."""
    return None if model == NO_TEACHER else Teacher(model)
