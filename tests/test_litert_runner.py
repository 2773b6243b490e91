"""digitcli.core.litert.Runner, the one LiteRT runner the judge, the letters network, the line
reader and the classifiers share: right answers from many threads at once, one-line errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from digitcli.core.errors import ModelError
from digitcli.core.litert import Runner
from digitcli.imaging import judge, polarity


def test_threads_sharing_a_runner_get_their_own_answers():
    runner = Runner(judge.MODEL, stages=("preparation",), fits=judge.FITS, threads=1)
    rng = np.random.default_rng(0)
    batches = [rng.random((1 + i % 3, runner.side, runner.side, 3), np.float32) for i in range(24)]
    alone = [runner.run(batch) for batch in batches]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(5):
            together = list(pool.map(runner.run, batches))
            for one, other in zip(alone, together, strict=True):
                np.testing.assert_allclose(one, other, rtol=1e-5, atol=1e-6)


def test_a_file_that_is_no_network_is_refused_in_one_line(tmp_path: Path):
    path = tmp_path / "not.tflite"
    path.write_bytes(b"no network here")
    with pytest.raises(ModelError, match="not a loadable TFLite model") as raised:
        Runner(path)
    assert "\n" not in str(raised.value)


def test_the_runner_says_how_many_values_its_network_answers():
    assert Runner(judge.MODEL).outputs == len(judge.VERDICTS)


def test_the_runner_says_how_large_its_networks_square_pictures_are():
    for model in (judge.MODEL, polarity.MODEL):  # what the judge and the first look shrink to
        runner = Runner(model)
        assert runner.side == runner.input["shape"][1] == runner.input["shape"][2]
    assert (Runner(judge.MODEL).side, Runner(polarity.MODEL).side) == (48, 64)
