"""`read`'s settings overridden reach its worker processes; the bench script that sweeps one of
them (the override mechanism itself: test_tunables.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from digitcli.imaging import verdict
from digitcli.inputs.batches import PARALLEL_FROM
from digitcli.reading.read import read
from digitcli.reading.settings import DEFAULT, overridden

REPO = Path(__file__).resolve().parent.parent
FIXTURE = str(REPO / "tests" / "fixtures" / "tight-75094.jpg")


def test_an_override_reaches_reads_worker_processes() -> None:
    """A batch large enough for worker processes, which segment each picture: with no run of
    atoms allowed to be a digit (`max_atoms=0`, used only there) no picture is read, and each
    says what `predict` finds in it: several digits, none of which could be told apart."""
    files = [FIXTURE] * PARALLEL_FROM
    assert {reading.number for reading in read(files)} == {"75094"}
    with overridden(max_atoms=0):
        readings = list(read(files))
    assert {reading.number for reading in readings} == {None}
    assert {reading.note for reading in readings} == {verdict.several_unread(3)}


def test_the_sweep_reads_a_set_with_each_value(tmp_path: Path, capsys) -> None:
    sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]
    import sweep_reading

    assert sweep_reading.main(["max_atoms", "0", "--per-kind", "1", "--out", str(tmp_path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[-2].startswith(f"| {DEFAULT.max_atoms} (default) | ")
    assert table[-1] == "| 0 | 0.0% | 0.0% |"
    with pytest.raises(SystemExit):
        sweep_reading.main(["no_such_setting", "1"])
