"""`read`'s settings: one frozen object, overridden by name for a block, worker processes too;
and the bench script that sweeps one of them."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from digitcli.inputs.batches import PARALLEL_FROM
from digitcli.reading.read import read
from digitcli.reading.settings import DEFAULT, overridden, tuned

REPO = Path(__file__).resolve().parent.parent
FIXTURE = str(REPO / "tests" / "fixtures" / "tight-75094.jpg")


def test_the_settings_are_frozen_and_the_default_is_in_force() -> None:
    assert tuned() is DEFAULT
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.line_doubt = 3.0  # type: ignore[misc]


def test_an_override_holds_inside_its_block_only() -> None:
    with overridden(line_doubt=3.0, max_atoms=4) as inside:
        assert tuned() is inside and (inside.line_doubt, inside.max_atoms) == (3.0, 4)
        assert inside.line_weight == DEFAULT.line_weight
    assert tuned() is DEFAULT
    with pytest.raises(ValueError), overridden(line_doubt=3.0):
        raise ValueError
    assert tuned() is DEFAULT


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(TypeError), overridden(no_such_setting=1.0):
        pass


def test_an_override_reaches_reads_worker_processes() -> None:
    """A batch large enough for worker processes, which segment each picture: with no run of
    atoms allowed to be a digit (`max_atoms=0`, used only there) every picture is blank."""
    files = [FIXTURE] * PARALLEL_FROM
    assert {reading.number for reading in read(files)} == {"75094"}
    with overridden(max_atoms=0):
        readings = list(read(files))
    assert {reading.number for reading in readings} == {None}
    assert {reading.note for reading in readings} == {"no digits found: the image is blank"}


def test_the_sweep_reads_a_set_with_each_value(tmp_path: Path, capsys) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    import sweep_reading

    assert sweep_reading.main(["max_atoms", "0", "--per-kind", "1", "--out", str(tmp_path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[-2].startswith(f"| {DEFAULT.max_atoms} (default) | ")
    assert table[-1] == "| 0 | 0.0% | 0.0% |"
    with pytest.raises(SystemExit):
        sweep_reading.main(["no_such_setting", "1"])
