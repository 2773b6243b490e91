"""The settings of a fine-tune of the bundled model (`train --init bundled`): light, so that
the API checks a fine-tune's data and output before TensorFlow loads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """The settings of a fine-tune of the bundled model, with the reason on the line."""

    epochs: int = 5  # each epoch shows every digit of 20-100 at least 5 times; best one kept
    batch_size: int = 32
    learning_rate: float = 1e-4  # a thirtieth of the CNNs' peak: moves them, not away
    rehearsal: float = 0.5  # share of each epoch's digits drawn from MNIST's training set
    validation_split: float = 0.1
    seed: int = 0

    @property
    def run_name(self) -> str:
        return f"bundled-tuned-lr{self.learning_rate:g}-e{self.epochs}"
