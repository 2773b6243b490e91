"""The settings a stage runs with: its frozen defaults, or those a benchmark put in force for a
block (`imaging.settings`, `reading.settings`). Worker processes forked inside the block see the
same settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Generic, TypeVar

S = TypeVar("S")


class InForce(Generic[S]):
    """One stage's settings in force: `default` until an `overridden` block changes fields."""

    def __init__(self, default: S) -> None:
        self._current = default

    def tuned(self) -> S:
        """The settings in force now."""
        return self._current

    @contextmanager
    def overridden(self, **fields: Any) -> Iterator[S]:
        """Run what is inside with some fields changed, by name (a benchmark's sweep)."""
        before = self._current
        self._current = replace(before, **fields)
        try:
            yield self._current
        finally:
            self._current = before
