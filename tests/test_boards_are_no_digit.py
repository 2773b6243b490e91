"""A noughts-and-crosses board is no digit (issue 86), but the judge takes some for one: real
boards photographed on desks (the desk set's tic-tac-toe projects: 7 of 22) are answered 1,
2, 4, 5, 7 and 8, and of boards drawn by code (`tests/generators/boards.py`, a seed no judge
learnt), `predict` answers a digit for 5 of the first 50 (16 of 150). A judge taught such
boards as lines answered 2 of 50 (10 of 150), but refused made digits in wide cells and photos:
not shipped (docs/measurements/preparation.md, "Round 70"). A known miss, kept so that a
judge that mends it shows."""

from __future__ import annotations

import boards
import pytest

from digitcli.predicting.predict import predict

CHECK_SEED = 71  # never a seed a judge learnt from (round 70's learnt seed 70's)
PICTURES = 50


@pytest.mark.xfail(strict=True, reason="the judge takes small boards for a digit (round 70)")
def test_boards_are_refused(tmp_path):
    paths = []
    for i, (image, scene) in enumerate(boards.pictures(PICTURES, CHECK_SEED)):
        paths.append(str(tmp_path / f"{i:04d}_{scene}.png"))
        image.save(paths[-1])
    answered = [said.file for said in predict(paths) if said.digit is not None]
    assert len(answered) <= 2, answered  # 5 now; 2 with round 70's judge taught boards
