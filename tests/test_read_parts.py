"""read.Parts: the benchmark's switches read with fewer parts, and the default is all."""

from __future__ import annotations

import numpy as np
import pytest
from test_read import write_number

from digitcli.reading.read import ALL_PARTS, Parts, read


@pytest.fixture(scope="module")
def digits(request: pytest.FixtureRequest) -> dict[int, list[np.ndarray]]:
    """test_read's MNIST test digits of each class, in one piece each."""
    return request.getfixturevalue("mnist_test_digits")


@pytest.mark.parametrize(
    "parts",
    [Parts(lines=False), Parts(line_only=True)],
    ids=["no-lines", "line-only"],
)
def test_each_part_can_be_left_out(digits, tmp_path, parts):
    truth = write_number(digits, "40721", tmp_path / "n.png")
    (reading,) = read([str(tmp_path / "n.png")], parts=parts)
    assert reading.number == "40721"
    assert [d.box[0] for d in reading.digits] == sorted(d.box[0] for d in reading.digits)
    assert abs(reading.digits[0].box[0] - truth[0][0]) <= 4


def test_the_reader_reads_with_every_part():
    assert ALL_PARTS == Parts(lines=True, line_only=False)
