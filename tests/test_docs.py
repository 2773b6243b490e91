"""The command reference in docs/ is generated from the app: it must match the app."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
sys.path.insert(0, str(DOCS))

from make_commands import TARGET, reference  # noqa: E402


def test_the_command_reference_is_current():
    assert TARGET.read_text() == reference(), "run: python docs/make_commands.py"
