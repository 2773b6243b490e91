"""tests/generators/mnist_png.py: MNIST's test digits saved as PNG files read by `predict` as by
`evaluate`."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

import mnist_png  # noqa: E402

COUNT = 500  # enough for 0.2 points to be one digit in 500


@pytest.mark.skipif(not (mnist_png.MNIST / "t10k-images-idx3-ubyte.gz").exists(),
                    reason="MNIST test images not present")  # fmt: skip
@pytest.mark.parametrize("dark_ink", [False, True], ids=["white-on-black", "black-on-white"])
def test_predict_reads_mnist_pngs_as_evaluate_reads_the_arrays(dark_ink):
    """The bundled model: `predict`'s path on the first 500 test digits saved as 28x28 PNGs
    reads within 0.2 points of `evaluate` on the same digits, and refuses none of them."""
    images, labels = mnist_png.mnist_test(COUNT)
    result = mnist_png.agreement(images, labels, None, dark_ink=dark_ink)
    assert result.refused == 0
    assert result.gap <= 0.2
