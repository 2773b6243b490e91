"""What a model's test accuracy was measured on, in words: "MNIST's 10,000 test digits" or
"your 99 test pictures", so that a score on a writer's few digits is never read as one on
MNIST's. From the metadata's `data` record (the sha256 of the files tested on); no TensorFlow.
"""

from __future__ import annotations

from pathlib import Path

# Files whose test split is MNIST's 10,000 test digits, by sha256.
MNIST_TEST_FILES = frozenset(
    {
        "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",  # t10k-images .gz
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",  # Keras' mnist.npz
        # mnist-cvl3-usps.npz (bench/build/cvl.py mix, the bundled model's): MNIST's test split
        "08d42e2cb423c42c9e23b00e221866a7fb67f5c9216d8b07379e8fcde520f39a",
    }
)


def scored_on(data: dict) -> str | None:
    """The test images a model's test accuracy was measured on, in words, from its metadata's
    `data` record; None where that does not say how many."""
    samples = data.get("test_samples")
    if not isinstance(samples, int) or isinstance(samples, bool):
        return None
    scored_on = str(data.get("source", "")).partition("tested on ")[2]
    files = data.get("sha256")
    hashes = set(files.values()) if isinstance(files, dict) else set()
    if not scored_on and hashes & MNIST_TEST_FILES and samples == 10_000:
        return "MNIST's 10,000 test digits"
    if data.get("format") == "images" or scored_on:
        return f"your {samples:,} test pictures"
    source = str(data.get("source", "its data")).split(" (")[0]
    return f"{samples:,} test digits of {Path(source).name or source}"  # no server's folders


def accuracy_on(accuracy: float, data: dict) -> str:
    """ "99.44% of MNIST's 10,000 test digits"; the figure alone where the set is unknown."""
    on = scored_on(data)
    return f"{accuracy:.2%}" + (f" of {on}" if on else "")
