"""bench/checks/count_tunables.py: what it counts as a tuned number, and what not."""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / "checks")]

import count_tunables  # noqa: E402

SOURCE = """
LIMIT = 3
name = 4
@dataclass
class Frame:
    angle: float = 0.0
    scaled: tuple[int, int] = (0, 0)
    lines: int = 1
    cost: float = 0.25
    label: str = "x"
"""


def test_empty_defaults_of_other_classes_are_not_tuned_numbers():
    found = count_tunables.tuned_constants(ast.parse(SOURCE), settings=False)
    assert found == ["LIMIT", "Frame.cost"]


def test_every_numeric_field_of_a_settings_dataclass_is_counted():
    found = count_tunables.tuned_constants(ast.parse(SOURCE), settings=True)
    assert found == ["LIMIT", "Frame.angle", "Frame.scaled", "Frame.lines", "Frame.cost"]


def test_imaging_and_reading_stay_within_issue_86s_target():
    """At most TARGET tuned constants in imaging/ and reading/ together (139 before round 27): a
    new setting takes out one that decides nothing (docs/measurements/preparation.md)."""
    kinds = [count_tunables.count(count_tunables.REPO / f)[0] for f in count_tunables.FOLDERS]
    assert sum(kinds, Counter()).total() <= count_tunables.TARGET
