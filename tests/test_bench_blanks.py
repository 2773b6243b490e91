"""tests/generators/make_blanks.py's measure of the development set."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import robustness  # noqa: E402

import make_blanks  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_an_empty_source_is_left_out_not_a_failure(monkeypatch, tmp_path):
    """Without Debian's handwriting-font packages the `fonts` source writes no file, and
    `--robustness N` stopped with "no images found" before measuring the other sources."""
    digit = next(FIXTURES.glob("one-digit-*.jpg"))
    made = {"fonts": [], "drawn": [(digit, 0)]}  # its label does not matter here
    monkeypatch.setattr(robustness, "build", lambda out, per_source: made)
    assert set(make_blanks.robustness(tmp_path, 1)) == {"drawn"}
